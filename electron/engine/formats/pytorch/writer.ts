/** PyTorch export files: model.py, train.py, weights.pt (torch.save format, written from Node). */
import type { LoomDocument } from '../../../../shared/document';
import { planOf, type ExportPlan } from '../../../../shared/formats/plan';
import { generatePytorch } from '../../../../shared/formats/pytorch/model-py';
import { pytorchStateDict } from '../../../../shared/formats/pytorch/state-dict';
import { generatePytorchTrain } from '../../../../shared/formats/pytorch/train-py';
import type { NodeWeights } from '../../../../shared/formats/tensor';
import { writeOut } from '../files';
import { torchSave } from './torch-save';

export async function writePytorch(doc: LoomDocument | ExportPlan, weights: NodeWeights | null, outDir: string): Promise<string[]> {
  const plan = planOf(doc);
  const files = [
    await writeOut(outDir, 'model.py', generatePytorch(plan).modelPy),
    await writeOut(outDir, 'train.py', generatePytorchTrain(plan)),
  ];
  if (weights) files.push(await writeOut(outDir, 'weights.pt', torchSave(pytorchStateDict(plan, weights), 'weights')));
  return files;
}
