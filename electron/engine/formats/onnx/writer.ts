/** ONNX export file: model.onnx (the graph and weights built by shared/formats/onnx, written from Node). */
import type { LoomDocument } from '../../../../shared/document';
import { buildOnnx } from '../../../../shared/formats/onnx/model';
import type { ExportPlan } from '../../../../shared/formats/plan';
import type { Preprocessing } from '../../../../shared/formats/preprocessing/table';
import type { NodeWeights } from '../../../../shared/formats/tensor';
import { writeOut } from '../files';

/** With the preprocessing table, model.onnx takes features (normalisation and output activation inside). */
export async function writeOnnx(doc: LoomDocument | ExportPlan, weights: NodeWeights, outDir: string, pre: Preprocessing | null = null): Promise<string[]> {
  return [await writeOut(outDir, 'model.onnx', buildOnnx(doc, weights, pre))];
}
