/** Keras train.py: model.fit on the exported data (data.npz) with the document's hyper-parameters. */
import { trainingDefaults, type LoomDocument } from '../../document/schema';
import { inputNode, planOf, pyStr, type ExportPlan } from '../plan';
import { DATA_NPZ_DOC } from '../pytorch/train-py';

const LOSS: Record<string, string> = {
  categoricalCrossentropy: 'keras.losses.SparseCategoricalCrossentropy()', // labels are class ids
  sparseCategoricalCrossentropy: 'keras.losses.SparseCategoricalCrossentropy()',
  binaryCrossentropy: 'keras.losses.BinaryCrossentropy()',
  meanSquaredError: 'keras.losses.MeanSquaredError()',
  meanAbsoluteError: 'keras.losses.MeanAbsoluteError()',
  huber: 'keras.losses.Huber(delta=1.0)',
};

export function generateKerasTrain(doc: LoomDocument | ExportPlan): string {
  const plan = planOf(doc);
  const t = trainingDefaults(plan.doc.training);
  const input = inputNode(plan, plan.inputs[0]!);
  const opt = {
    sgd: `keras.optimizers.SGD(learning_rate=${t.learningRate}, momentum=${t.momentum}, nesterov=${t.nesterov ? 'True' : 'False'})`,
    adam: `keras.optimizers.Adam(learning_rate=${t.learningRate})`,
    rmsprop: `keras.optimizers.RMSprop(learning_rate=${t.learningRate}, momentum=${t.momentum})`,
    adagrad: `keras.optimizers.Adagrad(learning_rate=${t.learningRate}, initial_accumulator_value=0.1)`,
  }[t.optimizer];
  const classification = ['categoricalCrossentropy', 'sparseCategoricalCrossentropy'].includes(t.loss);
  const metrics = t.metrics.map((m) => (m === 'accuracy' ? (classification ? '"sparse_categorical_accuracy"' : '"binary_accuracy"') : '"mae"'));
  const es = t.earlyStopping;
  const callbacks = es
    ? `[keras.callbacks.EarlyStopping(monitor=${pyStr(es.monitor)}, patience=${es.patience}, min_delta=${es.minDelta}, restore_best_weights=${es.restoreBestWeights ? 'True' : 'False'})]`
    : '[]';
  return `"""Train ${plan.name} (exported by Layerloom) with Keras 3 and the document's hyper-parameters.

    python train.py [--epochs N] [--data data.npz] [--resume]

${DATA_NPZ_DOC}

Saves trained.weights.h5. Augmentation configured in Layerloom is not applied here.
"""
import argparse
import os

import keras
import numpy as np

from model import build_model

EPOCHS = ${t.epochs}
BATCH_SIZE = ${t.batchSize}
SEED = ${t.seed ?? 0}


def load_data(path):
    d = np.load(path)
    x = d["x"]
    if ${pyStr(input.p.dtype)} != "int32":
        x = (x.astype("float32") - d["norm_offset"].astype("float32")) * d["norm_scale"].astype("float32")
    x = x.reshape((-1,) + ${'(' + input.outShape.join(', ') + (input.outShape.length === 1 ? ',' : '') + ')'})
    y = d["y"]
    w = d["train_weight"] if "train_weight" in d.files else None  # reweighing: a loss weight per training sample
    return (x[d["train_idx"]], y[d["train_idx"]], w), (x[d["val_idx"]], y[d["val_idx"]])


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=os.path.join(here, "data.npz"))
    ap.add_argument("--epochs", type=int, default=EPOCHS)
    ap.add_argument("--resume", action="store_true", help="start from the exported model.weights.h5")
    args = ap.parse_args()
    keras.utils.set_random_seed(SEED)
    (x, y, w), (xv, yv) = load_data(args.data)
    model = build_model()
    if args.resume:
        model.load_weights(os.path.join(here, "model.weights.h5"))
    model.compile(optimizer=${opt}, loss=${LOSS[t.loss]}, metrics=[${metrics.join(', ')}])
    model.fit(x, y, sample_weight=w, batch_size=BATCH_SIZE, epochs=args.epochs, validation_data=(xv, yv) if len(xv) else None,
              shuffle=${t.shuffle ? 'True' : 'False'}, callbacks=${callbacks})
    model.save_weights(os.path.join(here, "trained.weights.h5"))


if __name__ == "__main__":
    main()
`;
}
