/**
 * The layer catalog contract. Every layer type is declared once, as data plus a pure shape rule;
 * the palette, inspector, validation, shape inference, engine builders and exporters all read it.
 */

/** A tensor shape for one sample: batch dimension excluded, channels-last (as in Keras). */
export type Shape = number[];

/** Palette categories, in display order. */
export const CATEGORIES = ['Core', 'Convolution', 'Pooling', 'Recurrent', 'Attention', 'Normalization', 'Merge', 'Reshape'] as const;
export type Category = (typeof CATEGORIES)[number];

/** Activation identifiers as TensorFlow.js names them (exporters map each to Keras/PyTorch/ONNX). */
export const ACTIVATIONS = [
  'linear', 'relu', 'relu6', 'elu', 'selu', 'sigmoid', 'hardSigmoid', 'tanh', 'softmax',
  'softplus', 'softsign', 'swish', 'mish', 'gelu',
] as const;
export type ActivationName = (typeof ACTIVATIONS)[number];

/**
 * How a param is edited and validated.
 * - `int` / `float`: a number, optionally bounded by `min`/`max` (`exclusiveMax` for rates).
 * - `bool`, `enum` (one of `enum`), `string`.
 * - `size`: a spatial size, either one int or a tuple of `rank` ints (kernelSize: 3 or [3, 3]).
 * - `shape`: a list of positive ints (Reshape may use one -1).
 */
export type ParamType = 'int' | 'float' | 'bool' | 'enum' | 'size' | 'shape';

/** One declared parameter of a layer type. Names follow the TensorFlow.js layer config names. */
export interface ParamSpec {
  name: string;
  type: ParamType;
  /** Value used when the document leaves the param out (the Keras default). `null` = "derived" (see doc). */
  default: unknown;
  min?: number;
  max?: number;
  /** For rates: value must be strictly below `max`. */
  exclusiveMax?: boolean;
  enum?: readonly string[];
  /** For `size`: how many spatial dims (1 for Conv1D, 2 for Conv2D). */
  rank?: number;
  /** `null` is accepted and means "derived from the input" (doc says how). */
  nullable?: boolean;
  /** For `shape`: one entry may be -1 (inferred). */
  allowInfer?: boolean;
  /** Shown on the canvas node card. */
  key?: boolean;
  /** One short sentence shown in the inspector. */
  doc: string;
}

/** Resolved params: every declared param present, `size` params normalised to int tuples. */
export type ResolvedParams = Record<string, any>;

/** A suggested edit that fixes an error; the editor offers it as a button, the CLI prints it. */
export type QuickFix =
  | { kind: 'insertBefore'; layerType: string; params?: Record<string, unknown>; label: string }
  | { kind: 'setParam'; param: string; value: unknown; label: string };

/** Thrown by shape rules; caught by inference and attached to the node (never escapes). */
export class ShapeError extends Error {
  constructor(message: string, readonly fix?: QuickFix, readonly field?: string) {
    super(message);
    this.name = 'ShapeError';
  }
}

/** What a shape rule computes for one node. */
export interface ShapeResult {
  shape: Shape;
  /** Trainable parameter count, exactly as Keras/TF.js count it. */
  params: number;
  /** Non-trainable parameters (BatchNormalization moving statistics). */
  nonTrainable?: number;
  /** Approximate floating-point operations per sample for one forward pass (multiply-add = 2). */
  flops?: number;
}

/** Context handed to a shape rule. */
export interface ShapeContext {
  inputs: Shape[];
  p: ResolvedParams;
}

/** One layer type in the catalog. */
export interface LayerDef {
  type: string;
  category: Category;
  /** One or two sentences for the palette tooltip. */
  doc: string;
  params: readonly ParamSpec[];
  /** Accepted number of incoming edges. `max: Infinity` for merges. */
  inputs: { min: number; max: number };
  /** Pure shape rule: output shape and parameter count, or throw ShapeError. */
  infer(ctx: ShapeContext): ShapeResult;
}
