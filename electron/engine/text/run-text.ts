/**
 * The text operations on a trained run (engine API `text.*`): generation, attention maps and
 * translation with the run's model and the tokenizer(s) its data learned (run.json).
 */
import type { EngineParsedRequest, EngineResponse, JobContext } from '../../../shared/engine/api';
import { Tokenizer } from '../../../shared/text/tokenizer';
import { RunError } from '../run-error';
import { getRun, type TrainedRun } from '../runs';
import { attentionMaps } from './attention-maps';
import { generate } from './generate';
import { decoderOnlyStack, NotDecoderOnlyError } from './stack';
import { translate } from './translate';

function tokenizerOf(run: TrainedRun, side: 'tokenizer' | 'sourceTokenizer'): Tokenizer {
  const json = run.record[side];
  if (!json) {
    throw new RunError('data', `Run "${run.runId}" has no ${side === 'tokenizer' ? '' : 'source '}tokenizer: it was not trained on text data (a text or sentence-pair dataset), so it cannot read or write text`);
  }
  return Tokenizer.fromJSON(json);
}

function stackOf(run: TrainedRun) {
  try {
    return decoderOnlyStack(run.compiled.model);
  } catch (e) {
    if (e instanceof NotDecoderOnlyError) throw new RunError('model', e.message);
    throw e;
  }
}

export async function generateForRun(req: EngineParsedRequest<'text.generate'>, job: JobContext): Promise<EngineResponse<'text.generate'>> {
  const run = getRun(req.runId);
  const tokenizer = tokenizerOf(run, 'tokenizer');
  const stack = stackOf(run);
  const t0 = performance.now();
  const r = await generate(stack, tokenizer, req.prompt, {
    maxTokens: req.maxTokens, temperature: req.temperature, topK: req.topK, topP: req.topP, seed: req.seed, signal: job.signal,
    onToken: (t) => job.onProgress(t.index + 1, req.maxTokens, t.text.slice(0, 200)),
  });
  return {
    text: r.text, tokens: r.tokens, promptTokens: r.promptTokens, truncatedPromptTokens: r.truncatedPromptTokens, stopReason: r.stopReason,
    seed: r.seed, elapsedSec: (performance.now() - t0) / 1000, unknown: r.unknown, unknownChars: r.unknownChars, notices: r.notices,
  };
}

export function attentionMapsForRun(req: EngineParsedRequest<'text.attentionMaps'>): EngineResponse<'text.attentionMaps'> {
  const run = getRun(req.runId);
  return attentionMaps(stackOf(run), tokenizerOf(run, 'tokenizer'), req.text);
}

export function translateForRun(req: EngineParsedRequest<'text.translate'>): EngineResponse<'text.translate'> {
  const run = getRun(req.runId);
  return translate(run.compiled.model, tokenizerOf(run, 'sourceTokenizer'), tokenizerOf(run, 'tokenizer'), req.text);
}
