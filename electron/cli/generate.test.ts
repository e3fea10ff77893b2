/**
 * The text templates train on their built-ins (test-sized runs with small bars; the full figures are
 * bench/text-templates.ts'), and a trained language model talks through `layerloom generate`: the
 * same seed gives the same tokens, unknown characters and a prompt longer than the context are said.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDocument, type LoomDocument } from '../../shared/document';
import { GenerationSchema } from '../../shared/engine/api';
import type { CliIO } from './io';
import { runCli } from './main';
import { initBackend } from '../engine/backend';
import { inProcessEngine } from '../engine/index';
import { disposeRun } from '../engine/runs';
import { startTraining } from '../engine/train';

const templates = join(__dirname, '../../assets/templates');
const template = (name: string): LoomDocument => {
  const r = parseDocument(readFileSync(join(templates, name), 'utf8'));
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.doc;
};

async function train(runId: string, doc: LoomDocument, limit: number, runDir?: string) {
  const epochs: Record<string, number>[] = [];
  const h = startTraining({ runId, doc: { ...doc, dataset: { ...doc.dataset!, limit } }, baseDir: templates, runDir, overrides: { epochs: 1, threads: 1 } }, (e) => {
    if (e.type === 'epoch') epochs.push(e.logs);
  });
  const last = await h.done;
  expect(last.type === 'error' ? last.message : last.type).toBe('end');
  return epochs[0]!;
}

async function cli(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIO = { out: (l) => out.push(l), err: (l) => err.push(l), isTTY: false };
  const code = await runCli(['generate', ...args], io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('text templates (wasm)', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'loom-text-'));
  const gptFile = join(tmp, 'mini-gpt.loom');
  const gptRun = join(tmp, 'gpt-run');
  let gptLogs: Record<string, number>;
  beforeAll(async () => {
    await initBackend('wasm');
    const doc = template('mini-gpt.loom');
    writeFileSync(gptFile, JSON.stringify(doc));
    gptLogs = await train('gpt', doc, 256, gptRun);
    disposeRun('gpt');
  }, 240_000);
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('mini-GPT: 8 steps on the Bible bring the validation loss well below a uniform guess, with perplexity = exp(loss)', () => {
    // Uniform over 67 tokens: ln 67 = 4.20 nats. Measured: 3.08 after these 8 steps.
    expect(gptLogs.val_loss).toBeLessThan(3.5);
    expect(gptLogs.val_perplexity).toBeCloseTo(Math.exp(gptLogs.val_loss!), 4);
    expect(gptLogs.val_accuracy).toBeGreaterThan(0.1);
  });

  it('layerloom generate: the same seed gives the same tokens; greedy is deterministic; --json has the contract fields', async () => {
    const args = [gptFile, '--run', gptRun, '--prompt', 'And God said', '--max-tokens', '12', '--json'];
    const a = await cli([...args, '--seed', '7', '--temperature', '0.8', '--top-k', '10']);
    const b = await cli([...args, '--seed', '7', '--temperature', '0.8', '--top-k', '10']);
    expect(a.code, a.err).toBe(0);
    const ra = GenerationSchema.parse(JSON.parse(a.out));
    expect(ra.tokens).toHaveLength(12);
    expect(JSON.parse(b.out).tokens).toEqual(ra.tokens);
    expect(ra.promptTokens).toBe('And God said'.length);
    const g1 = await cli([...args, '--temperature', '0']);
    const g2 = await cli([...args, '--temperature', '0', '--seed', '99']);
    expect(JSON.parse(g1.out).tokens).toEqual(JSON.parse(g2.out).tokens);
  }, 60_000);

  it('layerloom generate names unknown characters and a prompt cut to the context', async () => {
    const r = await cli([gptFile, '--run', gptRun, '--prompt', 'God ☃ said', '--max-tokens', '2', '--seed', '1']);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/1 prompt character is not in the vocabulary \("☃"\) and became the unknown token/);
    const long = await cli([gptFile, '--run', gptRun, '--prompt', 'a'.repeat(100), '--max-tokens', '1', '--json']);
    expect(long.err).toMatch(/100 tokens, more than the model's context of 64: its first 36 tokens were left out/);
    expect(JSON.parse(long.out).truncatedPromptTokens).toBe(36);
    const bad = await cli([gptFile, '--run', gptRun, '--prompt', 'x', '--top-p', '2']);
    expect(bad.code).toBe(2);
  }, 60_000);

  it('date translator: one epoch of 2,000 pairs learns most characters of held-out dates, and translates through text.translate', async () => {
    const logs = await train('dates', template('date-translator.loom'), 2000);
    // Measured 0.57 token accuracy (validation) after this epoch; a constant guess gets ~0.3.
    expect(logs.val_accuracy).toBeGreaterThan(0.45);
    const engine = inProcessEngine();
    const t = await engine.call('text.translate', { runId: 'dates', text: 'the 3rd of March 2021' });
    expect(t.text).toMatch(/^[0-9-]*$/);
    expect(t.notices).toEqual([]);
    const gen = engine.call('text.generate', { runId: 'dates', prompt: 'x' });
    await expect(gen).rejects.toThrow(/TransformerDecoder|Embedding|inputs/);
    disposeRun('dates');
  }, 180_000);
});
