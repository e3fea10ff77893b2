import type { LoomDocument } from '../document/schema';
export function generateKerasTrain(_doc: LoomDocument): string {
  return '# train.py: coming\n';
}
