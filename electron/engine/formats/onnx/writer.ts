/** ONNX export file: model.onnx (the graph and weights built by shared/formats/onnx, written from Node). */
import type { LoomDocument } from '../../../../shared/document';
import { buildOnnx } from '../../../../shared/formats/onnx/model';
import type { ExportPlan } from '../../../../shared/formats/plan';
import type { NodeWeights } from '../../../../shared/formats/tensor';
import { writeOut } from '../files';

export async function writeOnnx(doc: LoomDocument | ExportPlan, weights: NodeWeights, outDir: string): Promise<string[]> {
  return [await writeOut(outDir, 'model.onnx', buildOnnx(doc, weights))];
}
