/**
 * Analysis memoised per document version: the document is immutable, so its object identity is
 * its version. Every component asking for the analysis of the same document shares one result.
 */
import { analyze, type Analysis } from '../../shared/analysis';
import type { LoomDocument } from '../../shared/document';

const cache = new WeakMap<LoomDocument, Analysis>();

export function analysisOf(doc: LoomDocument): Analysis {
  let a = cache.get(doc);
  if (!a) {
    a = analyze(doc);
    cache.set(doc, a);
  }
  return a;
}
