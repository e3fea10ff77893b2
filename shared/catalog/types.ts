/**
 * The layer catalog contract. Every layer type is declared once, as data plus pure rules (output
 * shape, weights); the palette, inspector, validation, shape inference, engine builders, exporters
 * and importers all read it. The declarations carry their types: `ParamsOf<'Conv2D'>` is derived
 * from Conv2D's param list, so a misspelt or removed param is a compile error wherever it is read.
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
 * - `bool`, `enum` (one of `enum`).
 * - `size`: a spatial size, either one int or a tuple of `rank` ints (kernelSize: 3 or [3, 3]).
 * - `shape`: a list of positive ints (Reshape may use one -1).
 * - `pads`: 2-D padding as Keras writes it: one int (every side), [vertical, horizontal], or
 *   [[top, bottom], [left, right]]; resolved to the last form.
 */
export type ParamType = 'int' | 'float' | 'bool' | 'enum' | 'size' | 'shape' | 'pads';

/** Carries a param's resolved value type on its declaration (type-level only, never set). */
declare const VALUE: unique symbol;

/**
 * One declared parameter of a layer type. Names follow the TensorFlow.js layer config names.
 * `N` is the name as a literal type and `V` the type of the resolved value, so that a layer's
 * param list determines its params' type (`ParamsFrom`).
 */
export interface ParamSpec<N extends string = string, V = unknown> {
  name: N;
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
  readonly [VALUE]?: V;
}

/** The resolved value type a param declaration stands for. */
export type ValueOf<S> = S extends ParamSpec<string, infer V> ? V : never;

/**
 * Resolved params of a param list: every declared param present, `size` params as int tuples,
 * enums as literal unions, nullable params `| null`. Distributes over a union of lists.
 */
export type ParamsFrom<P> = P extends readonly ParamSpec[]
  ? { -readonly [S in P[number] as S['name']]: ValueOf<S> }
  : never;

/** Params of a layer whose type is not known statically (the inspector, labels): plain data. */
export type ResolvedParams = Readonly<Record<string, unknown>>;

/** What a weight is for; exporters convert layouts by role (a kernel is transposed, a bias is not). */
export type WeightRole =
  | 'kernel' | 'recurrent_kernel' | 'depthwise_kernel' | 'pointwise_kernel' | 'bias'
  | 'gamma' | 'beta' | 'moving_mean' | 'moving_variance' | 'embeddings';

/**
 * One weight of a layer, in TF.js `layer.getWeights()` order. `name` is its name inside the layer
 * as TF.js writes it after `<layer>/` (`kernel`, `depthwise_kernel`, `moving_mean`); weights of
 * a sub-layer are prefixed with the sub-layer's role (`forward/kernel`, `query/bias`).
 */
export interface WeightSpec<N extends string = string> {
  name: N;
  role: WeightRole;
  shape: number[];
  /** False for statistics that training updates without gradients (BatchNormalization's moving mean/variance). */
  trainable: boolean;
}

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
export interface OutputResult {
  shape: Shape;
  /** Approximate floating-point operations per sample for one forward pass (multiply-add = 2). */
  flops?: number;
}

/** What inference reports for one node: the output and the parameter counts of its weights. */
export interface ShapeResult extends OutputResult {
  /** Trainable parameter count, exactly as Keras/TF.js count it. */
  params: number;
  /** Non-trainable parameters (BatchNormalization moving statistics). */
  nonTrainable?: number;
}

/** Context handed to a layer's rules: its input shapes (already checked by its shape rule for weights). */
export interface ShapeContext<P = ResolvedParams> {
  inputs: Shape[];
  p: P;
}

/**
 * One layer type in the catalog. `T` is its type name, `P` its param list and `W` the names of its
 * weights. Rules are methods so that a specific entry is usable where any entry is expected.
 */
export interface LayerDef<T extends string = string, P extends readonly ParamSpec[] = readonly ParamSpec[], W extends string = string> {
  type: T;
  category: Category;
  /** One or two sentences for the palette tooltip. */
  doc: string;
  params: P;
  /** Accepted number of incoming edges. `max: Infinity` for merges. */
  inputs: { min: number; max: number };
  /** Pure shape rule: the output shape, or throw ShapeError. */
  output(ctx: ShapeContext<ParamsFrom<P>>): OutputResult;
  /** The weights the layer holds for these inputs, in TF.js order (the parameter counts are their sizes). */
  weights(ctx: ShapeContext<ParamsFrom<P>>): readonly WeightSpec<W>[];
  /** Output shape and parameter counts (the shape rule plus the weights' sizes). */
  infer(ctx: ShapeContext<ParamsFrom<P>>): ShapeResult;
}
