import type { LoomDocument } from '../document/schema';
import type { Analysis } from './infer';

/** Shape with the batch dimension shown as null, as Keras prints and `inspect --json` reports it. */
export const batchShape = (s: number[] | null) => (s ? [null, ...s] : null);

/** The `layerloom inspect --json` object (the contract in docs/DESIGN.md). */
export interface InspectReport {
  name: string;
  totalParams: number;
  trainableParams: number;
  nonTrainableParams: number;
  flops: number;
  outputShapes: Record<string, (number | null)[] | null>;
  nodes: { id: string; type: string; outputShape: (number | null)[] | null; params: number }[];
  errors: { nodeId: string | null; message: string; severity: 'error' | 'warning'; field?: string; fix?: string }[];
}

export function inspectReport(doc: LoomDocument, a: Analysis): InspectReport {
  return {
    name: doc.name,
    totalParams: a.totalParams,
    trainableParams: a.trainableParams,
    nonTrainableParams: a.nonTrainableParams,
    flops: a.flops,
    outputShapes: Object.fromEntries(a.outputs.map((id) => [id, batchShape(a.nodes[id]!.outputShape)])),
    nodes: doc.nodes.map((n) => {
      const info = a.nodes[n.id]!;
      return { id: n.id, type: n.type, outputShape: batchShape(info.outputShape), params: info.params };
    }),
    errors: a.errors.map((e) => ({
      nodeId: e.nodeId, message: e.message, severity: e.severity,
      ...(e.field ? { field: e.field } : {}), ...(e.fix ? { fix: e.fix.label } : {}),
    })),
  };
}

/** 1234567 → "1,234,567" (locale-independent, for stable output). */
export const thousands = (n: number) => String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');

/** Human size of the weights at 4 bytes each. */
export function bytesLabel(params: number): string {
  const b = params * 4;
  if (b < 1024) return `${b} B`;
  if (b < 1024 ** 2) return `${(b / 1024).toFixed(2)} KB`;
  if (b < 1024 ** 3) return `${(b / 1024 ** 2).toFixed(2)} MB`;
  return `${(b / 1024 ** 3).toFixed(2)} GB`;
}

export function flopsLabel(f: number): string {
  if (f < 1e3) return `${f}`;
  if (f < 1e6) return `${(f / 1e3).toFixed(1)} K`;
  if (f < 1e9) return `${(f / 1e6).toFixed(1)} M`;
  return `${(f / 1e9).toFixed(2)} G`;
}

/** A Keras-style summary table, in topological order, followed by totals and problems. */
export function formatSummary(doc: LoomDocument, a: Analysis): string {
  const order = [...a.order, ...doc.nodes.map((n) => n.id).filter((id) => !a.order.includes(id))];
  const inputsOf = new Map<string, string[]>();
  for (const e of doc.edges) inputsOf.set(e.to, [...(inputsOf.get(e.to) ?? []), e.from]);
  const rows = order.map((id) => {
    const info = a.nodes[id]!;
    const shape = info.outputShape ? `(${['None', ...info.outputShape].join(', ')})` : '?';
    return [`${id} (${info.type})`, shape, thousands(info.params), (inputsOf.get(id) ?? []).join(', ')];
  });
  const head = ['Layer (type)', 'Output Shape', 'Param #', 'Connected to'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  const rule = (ch: string) => ch.repeat(widths.reduce((x, y) => x + y + 2, -2));
  const out = [`Model: "${doc.name}"`, rule('━'), line(head), rule('━')];
  rows.forEach((r, i) => {
    out.push(line(r));
    if (i < rows.length - 1) out.push(rule('─'));
  });
  out.push(rule('━'));
  out.push(` Total params: ${thousands(a.totalParams)} (${bytesLabel(a.totalParams)})`);
  out.push(` Trainable params: ${thousands(a.trainableParams)} (${bytesLabel(a.trainableParams)})`);
  out.push(` Non-trainable params: ${thousands(a.nonTrainableParams)} (${bytesLabel(a.nonTrainableParams)})`);
  out.push(` FLOPs per sample (forward): ~${flopsLabel(a.flops)}`);
  if (a.errors.length) {
    out.push('', `Problems (${a.errors.length}):`);
    for (const e of a.errors) {
      out.push(`  ${e.severity === 'error' ? 'error  ' : 'warning'} ${e.nodeId ?? '(model)'}: ${e.message}${e.fix ? `  [fix: ${e.fix.label}]` : ''}`);
    }
  }
  return out.join('\n');
}
