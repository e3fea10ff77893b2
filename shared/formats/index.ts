/**
 * Export formats, pure side: one folder per format (generators and the Keras/TF.js topology reader),
 * the export plan they share, and the registry listing the formats (see registry.ts). The engine
 * side (files, weights, HDF5, zip) mirrors this layout in electron/engine/formats.
 */
export * from './registry';
export { ExportError, makePlan, planOf, type ExportPlan, type PlanNode, type PlanNodeOf, type Unsupported } from './plan';
export { generatePytorch } from './pytorch/model-py';
export { pytorchStateDict } from './pytorch/state-dict';
export { generatePytorchTrain } from './pytorch/train-py';
export { generateKeras } from './keras/model-py';
export { kerasWeightsLayout, type KerasWeightsLayout, type KerasWeightSlot } from './keras/weights-layout';
export { kerasLayerOrder } from './keras/classes';
export { generateKerasTrain } from './keras/train-py';
export { importTopology, placeholderType, type ImportResult, type ImportProblem } from './keras/read-topology';
export { buildOnnx, onnxUnsupported, ONNX_OPSET } from './onnx/model';
export type { HostTensor, NodeWeights } from './tensor';
export { generateTfjsTopology, tfjsLayerName } from './tfjs/topology';
