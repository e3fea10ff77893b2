/**
 * What the editor shows as problems: the model's analysis (analysis.ts), plus what only the editor
 * knows — the chosen data. The Input node is checked against the data's sample shape (a warning
 * with "Set Input shape to [7]" before Train, not only when Train fails), and a Dense right after
 * an Input of the wrong rank is fixed at the Input (the shape the data has, or the flat size)
 * rather than by inserting a Flatten. A fix may apply to another node than the one it is shown on
 * (`fixNodeId`).
 */
import type { Analysis, ModelError } from '../../shared/analysis';
import type { DatasetConfig, LoomDocument } from '../../shared/document';
import { analysisOf } from './analysis';

export interface EditorIssue extends ModelError {
  /** The node the fix edits, when not `nodeId` (a Dense's problem fixed at its Input). */
  fixNodeId?: string;
}
export interface EditorAnalysis extends Omit<Analysis, 'errors' | 'nodes'> {
  errors: EditorIssue[];
  nodes: { [id: string]: Omit<Analysis['nodes'][string], 'errors'> & { errors: EditorIssue[] } };
}

/** The data's sample shape, for the dataset it was read from (`key`: dataSampleKey). */
export interface DataSample { key: string; shape: number[] }

/** Which dataset a sample shape belongs to (augmentation does not change shapes). */
export const dataSampleKey = (d: DatasetConfig | undefined): string => (d ? JSON.stringify({ ...d, augmentation: undefined }) : '');

const prod = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
const same = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((v, i) => v === b[i]);
const fmt = (s: readonly number[]) => `[${s.join(', ')}]`;

/** Mirrors the engine's check: exact, flat of the same size, or a trailing 1 added/dropped. */
export function shapeFits(data: readonly number[], input: readonly number[]): boolean {
  if (same(data, input)) return true;
  if (input.length === 1 && input[0] === prod(data)) return true;
  const strip = (s: readonly number[]) => (s.length > 1 && s[s.length - 1] === 1 ? s.slice(0, -1) : s);
  return same(strip(data), strip(input));
}

const shapeOf = (n: LoomDocument['nodes'][number] | undefined): number[] | null => {
  const s = n?.params?.shape;
  return Array.isArray(s) && s.every((v) => typeof v === 'number') ? (s as number[]) : null;
};
const setShape = (shape: number[]) => ({ kind: 'setParam' as const, param: 'shape', value: shape, label: `Set Input shape to ${fmt(shape)}` });

/** The data's sample shape if it is the open document's data. */
export function sampleFor(doc: LoomDocument, sample: DataSample | null): number[] | null {
  return sample && doc.dataset && sample.key === dataSampleKey(doc.dataset) ? sample.shape : null;
}

/** The Input that does not take the data's samples: a warning on it with the fix. */
function inputIssue(doc: LoomDocument, data: number[] | null): EditorIssue | null {
  const inputs = doc.nodes.filter((n) => n.type === 'Input');
  if (!data || inputs.length !== 1) return null;
  const input = inputs[0]!;
  const shape = shapeOf(input);
  if (shape && shapeFits(data, shape)) return null;
  return {
    nodeId: input.id, field: 'shape', severity: 'warning', fix: setShape(data),
    message: shape ? `The data's samples have shape ${fmt(data)} but this Input expects ${fmt(shape)}: training would fail.` : `The data's samples have shape ${fmt(data)}.`,
  };
}

/** A "insert Flatten" fix on a layer fed straight by an Input: fix the Input's shape instead. */
function refix(e: ModelError, doc: LoomDocument, data: number[] | null): EditorIssue {
  if (e.fix?.kind !== 'insertBefore' || e.fix.layerType !== 'Flatten' || !e.nodeId) return e;
  const from = doc.edges.filter((x) => x.to === e.nodeId).map((x) => doc.nodes.find((n) => n.id === x.from));
  const input = from.length === 1 && from[0]?.type === 'Input' ? from[0] : null;
  const shape = shapeOf(input ?? undefined);
  if (!input || !shape) return e;
  const target = data && data.length === 1 ? data : [prod(shape)];
  return { ...e, fix: setShape(target), fixNodeId: input.id };
}

const cache = new WeakMap<Analysis, Map<string, EditorAnalysis>>();

/** The analysis the editor shows (memoised per analysis and data shape: a drag reuses it). */
export function editorAnalysis(doc: LoomDocument, sample: DataSample | null): EditorAnalysis {
  const base = analysisOf(doc);
  const data = sampleFor(doc, sample);
  const key = data ? fmt(data) : '';
  let byKey = cache.get(base);
  if (!byKey) cache.set(base, (byKey = new Map()));
  let a = byKey.get(key);
  if (a) return a;
  const extra = inputIssue(doc, data);
  const fixed = base.errors.map((e) => refix(e, doc, data));
  const changed = fixed.some((e, i) => e !== base.errors[i]);
  if (!extra && !changed) a = base;
  else {
    const errors = extra ? [extra, ...fixed] : fixed;
    const nodes = Object.fromEntries(Object.entries(base.nodes).map(([id, info]) => {
      const mine = errors.filter((e) => e.nodeId === id);
      return [id, mine.length || info.errors.length ? { ...info, errors: mine } : info];
    }));
    a = { ...base, errors, nodes };
  }
  byKey.set(key, a);
  return a;
}
