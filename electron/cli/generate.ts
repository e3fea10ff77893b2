/**
 * `layerloom generate MODEL.loom --run RUN_DIR --prompt TEXT [--max-tokens N] [--temperature T]
 * [--top-k K] [--top-p P] [--seed S] [--json]`
 *
 * Continues a prompt with a saved language-model run (decoder-only: token embedding, positions,
 * TransformerDecoder blocks, a per-position head), token by token with its key/value cache, through
 * the engine's `text.generate`. The same seed gives the same tokens; temperature 0 is greedy.
 * Characters outside the vocabulary become the unknown token and a prompt longer than the context is
 * cut to its end: both are said on stderr (and in `notices` with --json). `--json` prints one object
 * `{ text, tokens, promptTokens, elapsedSec, seed, stopReason, truncatedPromptTokens, unknown,
 * unknownChars, notices }`, `text` being the continuation. Exit codes: 0, 1 (a named error), 2
 * usage, 130 Ctrl-C.
 */
import { resolve } from 'node:path';
import type { CliIO } from './io';
import { checkRunFolder, readModel } from './io';
import { CANCELED_EXIT, followJob, isCanceled } from './job';

export const GENERATE_USAGE = 'layerloom generate model.loom --run DIR --prompt TEXT [--max-tokens N] [--temperature T] [--top-k K] [--top-p P] [--seed S] [--json]   continue a text with a trained language model';

const HELP = `usage: layerloom generate model.loom --run RUN_DIR --prompt TEXT [options]

  --run DIR          a saved run folder of a language model (e.g. from layerloom train --out)
  --prompt TEXT      the text to continue
  --max-tokens N     tokens to generate (default 200)
  --temperature T    0 = greedy (always the most likely token); default 1
  --top-k K          draw among the K most likely tokens only
  --top-p P          draw among the most likely tokens whose probability reaches P
  --seed S           the same seed gives the same tokens (default: a random seed, printed)
  --json             one JSON object on stdout

Ctrl-C stops (exit code 130).
`;

const VALUE_FLAGS = ['--run', '--prompt', '--max-tokens', '--temperature', '--top-k', '--top-p', '--seed'] as const;
type ValueFlag = (typeof VALUE_FLAGS)[number];

class UsageError extends Error {}

interface Parsed { file: string; flags: Partial<Record<ValueFlag, string>>; json: boolean; help: boolean }

function parse(args: string[]): Parsed {
  const flags: Parsed['flags'] = {};
  const files: string[] = [];
  let json = false, help = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const eq = a.indexOf('=');
    const name = a.startsWith('--') && eq > 0 ? a.slice(0, eq) : a;
    if ((VALUE_FLAGS as readonly string[]).includes(name)) {
      const v = eq > 0 && a.startsWith('--') ? a.slice(eq + 1) : args[++i];
      if (v === undefined) throw new UsageError(`${name} needs a value`);
      flags[name as ValueFlag] = v;
    } else if (a === '--json') json = true;
    else if (a === '--help' || a === '-h') help = true;
    else if (a.startsWith('-')) throw new UsageError(`unknown option ${a}`);
    else files.push(a);
  }
  if (help) return { file: '', flags, json, help };
  if (files.length !== 1) throw new UsageError(files.length ? `one model file expected, got ${files.length}` : 'no model file given');
  if (!flags['--run']) throw new UsageError('--run RUN_DIR is required (a saved run folder)');
  if (!flags['--prompt']) throw new UsageError('--prompt TEXT is required');
  return { file: files[0]!, flags, json, help };
}

function numberFlag(p: Parsed, name: ValueFlag, opts: { int?: boolean; min: number; max?: number }): number | undefined {
  const v = p.flags[name];
  if (v === undefined) return undefined;
  const n = Number(v);
  const ok = v.trim() !== '' && Number.isFinite(n) && (!opts.int || Number.isInteger(n)) && n >= opts.min && (opts.max === undefined || n <= opts.max);
  if (!ok) throw new UsageError(`${name} must be ${opts.int ? 'a whole number' : 'a number'} ≥ ${opts.min}${opts.max !== undefined ? ` and ≤ ${opts.max}` : ''}, got "${v}"`);
  return n;
}

/** `layerloom generate`. */
export async function generateCommand(args: string[], io: CliIO): Promise<number> {
  let p: Parsed;
  let settings: { maxTokens?: number; temperature?: number; topK?: number; topP?: number; seed?: number };
  try {
    p = parse(args);
    if (p.help) {
      io.out(HELP);
      return 0;
    }
    settings = {
      maxTokens: numberFlag(p, '--max-tokens', { int: true, min: 0, max: 100_000 }),
      temperature: numberFlag(p, '--temperature', { min: 0, max: 100 }),
      topK: numberFlag(p, '--top-k', { int: true, min: 0 }),
      topP: numberFlag(p, '--top-p', { min: Number.MIN_VALUE, max: 1 }),
      seed: numberFlag(p, '--seed', { int: true, min: 0, max: 2 ** 31 - 1 }),
    };
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`layerloom generate: ${e.message}\n${HELP}`);
      return 2;
    }
    throw e;
  }
  const doc = await readModel(p.file, io);
  if (!doc) return 1;
  const runDir = resolve(p.flags['--run']!);
  if (!checkRunFolder('generate', runDir, io)) return 1;
  const { inProcessEngine } = await import('../engine/index');
  const engine = inProcessEngine();
  const runId = `generate-${process.pid}`;
  const job = followJob(io, 'generate', { human: false });
  try {
    const defined = Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined));
    const r = await engine.call('text.generate', { runId, runDir, prompt: p.flags['--prompt']!, ...defined }, job.options);
    for (const n of r.notices) io.err(`layerloom generate: ${n}`);
    if (p.json) io.out(JSON.stringify(r));
    else {
      io.out(`${p.flags['--prompt']}${r.text}`);
      io.err(`${r.tokens.length} tokens in ${r.elapsedSec.toFixed(2)} s (seed ${r.seed}${r.stopReason === 'eos' ? ', ended at <eos>' : ''})`);
    }
    return 0;
  } catch (e) {
    if (isCanceled(e)) {
      io.err('layerloom generate: stopped');
      return CANCELED_EXIT;
    }
    throw e;
  } finally {
    job.stop();
    await engine.call('runs.dispose', { runId }).catch(() => undefined);
  }
}

