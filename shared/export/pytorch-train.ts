import type { LoomDocument } from '../document/schema';
export function generatePytorchTrain(_doc: LoomDocument): string {
  return '# train.py: coming\n';
}
