/**
 * Every shipped template trains end to end on its own built-in dataset (a couple of batches on the
 * wasm backend): the template, its dataset, the loss and the output layer fit together.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseDocument } from '../../shared/document';
import { TrainEventSchema, type TrainEvent } from '../../shared/engine/events';
import { initBackend } from './backend';
import { disposeRun } from './runs';
import { startTraining } from './train';

const dir = join(__dirname, '../../assets/templates');
const templates = readdirSync(dir).filter((f) => f.endsWith('.loom') && f !== 'cifar-shape-mistake.loom').sort();

describe('templates train on their datasets (wasm)', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it.each(templates)('%s', async (file) => {
    const r = parseDocument(readFileSync(join(dir, file), 'utf8'));
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    const doc = { ...r.doc, dataset: { ...r.doc.dataset!, limit: 48 } };
    const events: TrainEvent[] = [];
    const h = startTraining({ runId: file, doc, baseDir: dir, overrides: { epochs: 1, batchSize: 16, validationSplit: 0 } }, (e) => events.push(TrainEventSchema.parse(e)));
    const last = await h.done;
    expect(last.type === 'error' ? last.message : last.type).toBe('end');
    if (last.type === 'end') expect(Number.isFinite(last.logs.loss)).toBe(true);
    expect(events[0]!.type).toBe('start');
    disposeRun(file);
  });
});
