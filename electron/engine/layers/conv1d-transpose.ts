/**
 * Conv1DTranspose (keras.layers.Conv1DTranspose), which TensorFlow.js 4.22 does not ship: the
 * sequence is seen as an image one pixel wide and goes through tf.conv2dTranspose, so output
 * lengths and 'same'/'valid' padding are TF's. Keras' weight layout: kernel [kernelSize, filters,
 * inputChannels] (a transposed kernel keeps out before in), bias [filters]. Registered for
 * (de)serialisation under its Keras class name.
 */
import { tf, tfl } from '../tfjs';
import { deconvLength } from '../../../shared/catalog/rules';
import type { ActivationName } from '../../../shared/catalog';

type Shape = (number | null)[];

export interface Conv1DTransposeArgs {
  name?: string;
  filters: number;
  kernelSize: number | number[];
  strides?: number | number[];
  padding?: 'valid' | 'same';
  activation?: ActivationName;
  useBias?: boolean;
}

const single = (s: Shape | Shape[]): Shape => (Array.isArray(s[0]) ? (s as Shape[])[0]! : (s as Shape));

export class Conv1DTranspose extends tfl.layers.Layer {
  static className = 'Conv1DTranspose';
  private readonly cfg: { filters: number; kernelSize: number; strides: number; padding: 'valid' | 'same'; activation: ActivationName; useBias: boolean };
  private readonly act: tfl.layers.Layer;
  private kernel: tfl.LayerVariable | null = null;
  private bias: tfl.LayerVariable | null = null;

  constructor(args: Conv1DTransposeArgs) {
    super({ name: args.name });
    const one = (v: number | number[] | undefined, d: number) => (Array.isArray(v) ? v[0]! : v ?? d);
    this.cfg = {
      filters: args.filters, kernelSize: one(args.kernelSize, 1), strides: one(args.strides, 1), padding: args.padding ?? 'valid',
      activation: args.activation ?? 'linear', useBias: args.useBias ?? true,
    };
    this.act = tfl.layers.activation({ activation: this.cfg.activation });
  }

  override build(inputShape: Shape | Shape[]): void {
    const s = single(inputShape);
    const channels = s[s.length - 1] as number;
    this.kernel = this.addWeight('kernel', [this.cfg.kernelSize, this.cfg.filters, channels], 'float32', tfl.initializers.glorotUniform({}));
    if (this.cfg.useBias) this.bias = this.addWeight('bias', [this.cfg.filters], 'float32', tfl.initializers.zeros());
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const s = single(inputShape);
    const steps = s[1] == null ? null : deconvLength(s[1], this.cfg.kernelSize, this.cfg.strides, this.cfg.padding);
    return [s[0] ?? null, steps, this.cfg.filters];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0]! : inputs) as tf.Tensor3D;
      const [b, steps, channels] = x.shape;
      const { kernelSize: k, strides, padding, filters } = this.cfg;
      const out = deconvLength(steps, k, strides, padding);
      const kernel = tf.reshape(this.kernel!.read(), [k, 1, filters, channels]) as tf.Tensor4D;
      const y4 = tf.conv2dTranspose(tf.reshape(x, [b, steps, 1, channels]) as tf.Tensor4D, kernel, [b, out, 1, filters], [strides, 1], padding);
      const y = tf.reshape(y4, [b, out, filters]);
      return this.act.apply(this.bias ? tf.add(y, this.bias.read()) : y) as tf.Tensor;
    });
  }

  // Sizes as 1-tuples, as TF.js' Conv1D and Keras write them.
  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), ...this.cfg, kernelSize: [this.cfg.kernelSize], strides: [this.cfg.strides] };
  }
}

tf.serialization.registerClass(Conv1DTranspose);
