import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CompressRequestSchema } from './schema';
import { architectureDifference } from './match';
import { parseTemplate } from './test-docs';

const template = (name: string) => parseTemplate(readFileSync(join(import.meta.dirname, '../../assets/templates', `${name}.loom`), 'utf8'));

describe('document against a run', () => {
  const run = template('mnist-cnn');
  it('layout, name and training do not matter; params, nodes and edges do, named', () => {
    expect(architectureDifference({ ...run, nodes: [...run.nodes] }, run)).toBeNull();
    const edited = { ...run, nodes: run.nodes.map((n) => (n.id === 'conv1' ? { ...n, params: { ...n.params, filters: 16 } } : n)) };
    expect(architectureDifference(edited, run)).toBe('Conv2D "conv1" has filters 16 in the document but 32 in the run');
    const more = { ...run, nodes: [...run.nodes, { id: 'drop', type: 'Dropout', params: {} }] };
    expect(architectureDifference(more, run)).toBe('the document has a node "drop" (Dropout) the run does not');
    const rewired = { ...run, edges: run.edges.map((e) => (e.to === 'pool2' ? { from: 'conv1', to: 'pool2' } : e)) };
    expect(architectureDifference(rewired, run)).toBe('the document connects conv1 → pool2, the run does not');
  });
});

describe('request schema', () => {
  it('fills the defaults and names a sparsity outside (0, 1)', () => {
    const r = CompressRequestSchema.parse({ runDir: 'r', outDir: 'o', method: 'int8' });
    expect(r.calibration).toEqual({ samples: 500, method: 'minmax', percentile: 99.99, activationDtype: 'uint8' });
    expect(r.scope).toBe('layer');
    const bad = CompressRequestSchema.safeParse({ runDir: 'r', outDir: 'o', method: 'prune', sparsity: 1 });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues[0]!.message).toBe('the sparsity must be below 1');
  });
});
