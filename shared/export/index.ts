/** Code generators and format writers that need no Node (see registry.ts for the format list). */
export * from './registry';
export { ExportError, makePlan, type ExportPlan, type PlanNode, type Unsupported } from './plan';
export { generatePytorch, pytorchStateDict } from './pytorch';
export { generatePytorchTrain } from './pytorch-train';
export { generateKeras, kerasWeightsLayout, kerasLayerOrder } from './keras';
export { generateKerasTrain } from './keras-train';
export { buildOnnx, onnxUnsupported, ONNX_OPSET } from './onnx';
export type { HostTensor, NodeWeights } from './tensor';
export { generateTfjsTopology, tfjsLayerName } from './tfjs-topology';
