/**
 * Knowledge distillation in the engine: the loss of shared/compress/distill.ts as TF.js ops, and a
 * training run of a student document against a teacher run (the custom loop of loop.ts; the same
 * call with α = 0 trains the student alone on the same seed, data order and epochs).
 */
import { checkDistillationOptions, TINY_PROBABILITY, type DistillationOptions } from '../../../shared/compress';
import type { LoomDocument } from '../../../shared/document';
import { compileModel, type CompiledModel } from '../compile';
import { lossPerSample, type LossSpec } from '../losses';
import { tf } from '../tfjs';
import { fit, type FitOptions } from './loop';

/** Logits of a model's output: itself, or log-probabilities when it ends in softmax. */
export function logitsOf(output: tf.Tensor, fromLogits: boolean): tf.Tensor {
  return fromLogits ? output : tf.log(tf.maximum(output, TINY_PROBABILITY));
}

/**
 * Mean over the batch of α·T²·KL(softmax(t/T) ‖ softmax(s/T)) + (1 − α)·task loss, with `teacher`
 * and `student` the raw outputs (probabilities or logits as their specs say) and `y` the task targets.
 */
export function distillationLossTensor(
  teacher: tf.Tensor, teacherFromLogits: boolean, student: tf.Tensor, studentSpec: LossSpec, y: tf.Tensor, o: DistillationOptions,
): tf.Scalar {
  checkDistillationOptions(o);
  return tf.tidy(() => {
    const task = tf.mean(lossPerSample(studentSpec, y, student));
    if (o.alpha === 0) return task as tf.Scalar;
    const T = o.temperature;
    const lt = tf.logSoftmax(tf.div(logitsOf(teacher, teacherFromLogits), T));
    const ls = tf.logSoftmax(tf.div(logitsOf(student, studentSpec.fromLogits), T));
    const kl = tf.mean(tf.sum(tf.mul(tf.exp(lt), tf.sub(lt, ls)), -1));
    return tf.add(tf.mul(o.alpha * T * T, kl), tf.mul(1 - o.alpha, task)) as tf.Scalar;
  });
}

export interface DistilOptions extends DistillationOptions {
  teacher: { compiled: CompiledModel; fromLogits: boolean };
  student: Pick<LoomDocument, 'nodes' | 'edges'>;
  /** The student's loss spec (the teacher's task). */
  spec: LossSpec;
  fit: Omit<FitOptions, 'compiled' | 'spec' | 'loss'>;
}

/** Train a student (compiled with `fit.seed`) with the distillation loss. The caller disposes the model. */
export async function distil(o: DistilOptions): Promise<{ compiled: CompiledModel; history: { loss: number }[] }> {
  checkDistillationOptions(o);
  const compiled = compileModel(o.student, { seed: o.fit.seed });
  const teacher = o.teacher.compiled.model;
  const [tOut, sOut] = [o.teacher.compiled.outputShapes[0]!, compiled.outputShapes[0]!];
  if (tOut.join() !== sOut.join()) {
    compiled.model.dispose();
    throw new Error(`The student's output [${sOut.join(', ')}] does not match the teacher's [${tOut.join(', ')}]`);
  }
  try {
    const history = await fit({
      ...o.fit, compiled, spec: o.spec,
      loss: (x, y, pred) => {
        const t = o.alpha === 0 ? pred : (teacher.apply(x, { training: false }) as tf.Tensor);
        return distillationLossTensor(t, o.teacher.fromLogits, pred, o.spec, y, o);
      },
    });
    return { compiled, history };
  } catch (e) {
    compiled.model.dispose();
    throw e;
  }
}
