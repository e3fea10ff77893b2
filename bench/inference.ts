/**
 * Shape inference speed: the editor re-runs analyze() on every edit, so a 500-node graph must be
 * inferred in well under 10 ms. Prints median and p95 over many runs for a residual CNN-style DAG
 * and a long Dense chain. Run: npx tsx bench/inference.ts
 */
import { analyze } from '../shared/analysis';
import type { LoomDocument } from '../shared/document';

function residualDag(blocks: number): LoomDocument {
  const nodes: LoomDocument['nodes'] = [{ id: 'x', type: 'Input', params: { shape: [32, 32, 16] } }];
  const edges: LoomDocument['edges'] = [];
  let prev = 'x';
  for (let b = 0; b < blocks; b++) {
    const [c1, bn, c2, add, act] = ['c1', 'bn', 'c2', 'add', 'act'].map((s) => `${s}_${b}`) as [string, string, string, string, string];
    nodes.push(
      { id: c1, type: 'Conv2D', params: { filters: 16, kernelSize: 3, padding: 'same', activation: 'relu' } },
      { id: bn, type: 'BatchNormalization', params: {} },
      { id: c2, type: 'Conv2D', params: { filters: 16, kernelSize: 3, padding: 'same' } },
      { id: add, type: 'Add', params: {} },
      { id: act, type: 'Activation', params: { activation: 'relu' } },
    );
    edges.push({ from: prev, to: c1 }, { from: c1, to: bn }, { from: bn, to: c2 }, { from: c2, to: add }, { from: prev, to: add }, { from: add, to: act });
    prev = act;
  }
  nodes.push({ id: 'gap', type: 'GlobalAveragePooling2D', params: {} }, { id: 'out', type: 'Dense', params: { units: 10, activation: 'softmax' } });
  edges.push({ from: prev, to: 'gap' }, { from: 'gap', to: 'out' });
  return { format: 'layerloom.model', version: 1, name: 'bench', nodes, edges };
}

function denseChain(n: number): LoomDocument {
  const nodes: LoomDocument['nodes'] = [{ id: 'x', type: 'Input', params: { shape: [64] } }];
  for (let i = 1; i < n; i++) nodes.push({ id: `d${i}`, type: 'Dense', params: { units: 64, activation: 'relu' } });
  const edges = nodes.slice(1).map((node, i) => ({ from: nodes[i]!.id, to: node.id }));
  return { format: 'layerloom.model', version: 1, name: 'chain', nodes, edges };
}

function measure(name: string, doc: LoomDocument, runs = 300) {
  for (let i = 0; i < 30; i++) analyze(doc); // warm up the JIT
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    analyze(doc);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  const q = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))]!;
  const a = analyze(doc);
  console.log(`${name.padEnd(34)} ${String(doc.nodes.length).padStart(5)} nodes  median ${q(0.5).toFixed(3)} ms  p95 ${q(0.95).toFixed(3)} ms  (${a.errors.length} errors, ${a.totalParams} params)`);
  return q(0.5);
}

const results = [
  measure('residual CNN DAG (100 blocks)', residualDag(100)),
  measure('Dense chain', denseChain(500)),
  measure('residual CNN DAG (2,000 blocks)', residualDag(2000), 30),
];
console.log(results.slice(0, 2).every((m) => m < 10) ? 'OK: 500-node graphs infer in well under 10 ms' : 'SLOW: a 500-node graph took 10 ms or more');
