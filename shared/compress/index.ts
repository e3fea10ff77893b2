/** Model compression on plain data: quantization arithmetic, calibration, sizes, pruning, distillation, students, reports. */
export * from './quantize';
export * from './calibrate';
export * from './size';
export * from './prune';
export * from './structured';
export * from './distill';
export * from './student';
export * from './report';
export * from './schema';
export * from './match';
export * from './estimate';
