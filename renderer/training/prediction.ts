/**
 * What a prediction says: class bars whenever the model is a classifier — with the classes the run
 * knows (its dataset), or numbered 0..n−1 (weights imported without data) — and plain numbers only
 * for a regression. A classifier is known by its output layer (softmax, or a sigmoid), or by
 * outputs that are probabilities summing to 1.
 */
import type { LoomDocument } from '../../shared/document';

export interface ClassBars {
  /** The class names, in output order. */
  classes: string[];
  /** One probability per class. */
  probs: number[];
  /** The most likely class. */
  label: string;
}

function outputActivation(doc: LoomDocument): string | null {
  const fed = new Set(doc.edges.map((e) => e.from));
  const outs = doc.nodes.filter((n) => !fed.has(n.id));
  if (outs.length !== 1) return null;
  const out = outs[0]!;
  if (out.type === 'Softmax') return 'softmax';
  const a = out.params?.activation;
  return typeof a === 'string' ? a : null;
}

const looksLikeProbabilities = (v: readonly number[]) =>
  v.length > 1 && v.every((p) => p >= 0 && p <= 1) && Math.abs(v.reduce((a, b) => a + b, 0) - 1) < 1e-3;

/** Class bars for `outputs` of a run of `doc`, or null for a regression (numbers). */
export function classBars(outputs: readonly number[], doc: LoomDocument, classes?: readonly string[], label?: string): ClassBars | null {
  const named = (probs: number[], names: readonly string[]) => {
    const top = probs.reduce((best, p, i) => (p > probs[best]! ? i : best), 0);
    return { classes: [...names], probs, label: label ?? names[top] ?? String(top) };
  };
  const numbered = (n: number) => Array.from({ length: n }, (_, i) => String(i));
  const act = outputActivation(doc);
  // One sigmoid unit: the probability of class 1 (of two).
  if (outputs.length === 1 && (act === 'sigmoid' || classes?.length === 2)) {
    const p = outputs[0]!;
    return named([1 - p, p], classes?.length === 2 ? classes : ['0', '1']);
  }
  if (classes && classes.length === outputs.length) return named([...outputs], classes);
  if (act === 'softmax' || act === 'sigmoid' || looksLikeProbabilities(outputs)) return named([...outputs], numbered(outputs.length));
  return null;
}
