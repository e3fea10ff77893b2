// AssemblyScript source of Layerloom's WebAssembly SIMD kernels. Built by
// scripts/build-wasm.mjs into ../kernels-wasm.ts; the module IMPORTS tfjs-backend-wasm's own
// memory, so every pointer below is a byte offset into that heap (tensor data or malloc'ed scratch).
// The module must therefore own no memory at all: no static data, no runtime, no allocation
// (scripts/build-wasm.test.ts checks that the binary has no data segment).
//
// All tensors are float32 NHWC; filters [KH, KW, Ci, Co]. Scratch sizes: see the *Scratch functions.

// @ts-nocheck (AssemblyScript, not TypeScript: checked by asc, excluded from tsc/ESLint)

export { gemm, transpose2d } from './gemm';
export { convFilterGradScratch, convFilterGrad, convInputGradScratch, convInputGrad, convForwardScratch, convForward } from './conv';
export { maxPoolGrad, avgPoolGrad } from './pool';
export { matmulScratch, matmulTA, matmulTB, matmulNN } from './matmul';
export { colSum, reluGrad, addRows } from './elementwise';
export { winogradScratch, winograd3x3, winogradFilterGradScratch, winogradFilterGrad } from './winograd';
export { lstmActivation, lstmForwardScratch, lstmForward, lstmBackwardScratch, lstmBackward } from './lstm';
export { gruForwardScratch, gruForward, gruBackwardScratch, gruBackward } from './gru';
export { rnnForwardScratch, rnnForward, rnnBackwardScratch, rnnBackward } from './simplernn';
