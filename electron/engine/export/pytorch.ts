/** PyTorch export files: model.py, train.py, weights.pt (torch.save format, written from Node). */
import type { LoomDocument } from '../../../shared/document';
import { generatePytorch, pytorchStateDict } from '../../../shared/export/pytorch';
import { generatePytorchTrain } from '../../../shared/export/pytorch-train';
import type { NodeWeights } from '../../../shared/export/tensor';
import { writeOut } from './files';
import { torchSave } from './torch-save';

export async function writePytorch(doc: LoomDocument, weights: NodeWeights | null, outDir: string): Promise<string[]> {
  const code = generatePytorch(doc);
  const files = [await writeOut(outDir, 'model.py', code.modelPy), await writeOut(outDir, 'train.py', generatePytorchTrain(doc))];
  if (weights) files.push(await writeOut(outDir, 'weights.pt', torchSave(pytorchStateDict(doc, weights), 'weights')));
  return files;
}
