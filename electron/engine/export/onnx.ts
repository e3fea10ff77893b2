/** ONNX export file: model.onnx (protobuf written from Node by shared/export/onnx). */
import type { LoomDocument } from '../../../shared/document';
import { buildOnnx } from '../../../shared/export/onnx';
import type { NodeWeights } from '../../../shared/export/tensor';
import { writeOut } from './files';

export async function writeOnnx(doc: LoomDocument, weights: NodeWeights, outDir: string): Promise<string[]> {
  return [await writeOut(outDir, 'model.onnx', buildOnnx(doc, weights))];
}
