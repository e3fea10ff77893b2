/**
 * PyTorch train.py: trains the exported model on the exported data (data.npz) with the document's
 * hyper-parameters, as the engine does (train-semantics.ts, shared with the PyTorch runtime's
 * runner.py): the engine's seeded batch order, its loss spec (a cross-entropy on an output without
 * softmax/sigmoid takes logits; class ids one-hot for k outputs), TF.js' optimizer rules,
 * BatchNormalization's biased moving variance, one bias per recurrent gate. Runs single-process, and
 * unchanged under `torchrun --nproc_per_node=N` (DistributedDataParallel; gloo on CPU, nccl on GPU;
 * each process takes a shard of every epoch).
 */
import { trainingDefaults, type LoomDocument } from '../../document/schema';
import { inputNode, planOf, py, pyStr, type ExportPlan } from '../plan';
import { PY_LOSSES, PY_OPTIMIZERS, PY_SHUFFLE, PY_TFJS_MODEL } from './train-semantics';

/** The data.npz contract shared by the PyTorch and Keras train.py (written by the engine exporter). */
export const DATA_NPZ_DOC = `data.npz (written by Layerloom next to this file, or --data PATH) holds:
  x            all samples, raw (uint8 images stay 0..255), channels-last
  y            class ids (classification) or targets (regression)
  train_idx    indices of the training split, val_idx those of the validation split
  norm_offset, norm_scale   normalisation computed on the training split: x = (x - offset) * scale,
               broadcast over the last axis (one value, or one per channel/feature)
  train_weight (reweighing only) the loss weight of each train_idx entry; the batch loss is mean(w * loss)`;

/** Layers that pass their input's values through unchanged (the engine looks through them for the output's activation). */
const SHAPE_ONLY = new Set(['Dropout', 'Flatten', 'Reshape']);

/** The activation that produces the output's values (electron/engine/targets.ts outputActivation). */
export function outputActivation(plan: ExportPlan, nodeId: string): string {
  let node = plan.byId.get(nodeId);
  for (let guard = 0; node && guard < 1000; guard++) {
    const act = (node.p as { activation?: unknown }).activation;
    if (typeof act === 'string') return act;
    if (!SHAPE_ONLY.has(node.type)) return 'linear';
    node = plan.byId.get(node.inputs[0]!);
  }
  return 'linear';
}

export function generatePytorchTrain(doc: LoomDocument | ExportPlan): string {
  const plan = planOf(doc);
  const t = trainingDefaults(plan.doc.training);
  const input = inputNode(plan, plan.inputs[0]!);
  const output = plan.byId.get(plan.outputs[0]!)!;
  const multi = plan.inputs.length > 1 || plan.outputs.length > 1;
  const reweighing = t.reweighing ? t.reweighing.sensitive.map((a) => (a.kind === 'class' ? 'the class' : a.column)).join(' x ') : null;
  return `"""Train ${plan.name} (exported by Layerloom) with the hyper-parameters of the .loom document.

    python train.py                               # one process (CPU or one GPU)
    torchrun --nproc_per_node=2 train.py          # several processes: DistributedDataParallel
                                                  # (gloo on CPU, nccl on GPU), same script
    python train.py --epochs 1 --limit 256        # a quick check
    python train.py --resume --log-every 1        # from the exported weights, every step's loss

${DATA_NPZ_DOC}

One process trains like Layerloom's engine: the same batches in the same order (the engine's seeded
shuffle), the same loss (a cross-entropy on an output without softmax/sigmoid takes it as logits),
the optimizers' TF.js update rules. Under torchrun each process takes its shard of every epoch's
order with the document's batch size (so the effective batch is batch size x processes). Process 0
reports validation metrics and saves the weights to trained.pt (a state dict: torch.load +
model.load_state_dict). Augmentation configured in Layerloom is not applied here.
"""
import argparse
import os
import time

import numpy as np
import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch import nn
from torch.nn.parallel import DistributedDataParallel

from model import INPUTS, Model

OPTIMIZER = ${pyStr(t.optimizer)}
LEARNING_RATE = ${t.learningRate}
MOMENTUM = ${t.momentum}
NESTEROV = ${py(t.nesterov)}
LOSS_NAME = ${pyStr(t.loss)}
METRICS = [${t.metrics.map(pyStr).join(', ')}]
BATCH_SIZE = ${t.batchSize}
EPOCHS = ${t.epochs}
SHUFFLE = ${py(t.shuffle)}
SEED = ${t.seed ?? 0}
REWEIGHING = ${reweighing ? `True  # Kamiran & Calders weights by ${reweighing} x class, from data.npz's train_weight` : 'False'}
OUTPUT_ACTIVATION = ${pyStr(outputActivation(plan, output.id))}  # of the output layer ${pyStr(output.id)}
OUTPUT_SHAPE = (${output.outShape.map((d) => `${d},`).join(' ')})
EPS = 1e-7  # Keras' epsilon, used by the cross-entropies and the optimizers
CE = ("categoricalCrossentropy", "sparseCategoricalCrossentropy")
T = {"optimizer": OPTIMIZER, "learningRate": LEARNING_RATE, "momentum": MOMENTUM, "nesterov": NESTEROV, "shuffle": SHUFFLE}
LOSS = None  # set by loss_spec() once the data says classes or values
${multi ? '\n# NOTE: this model has several inputs or outputs; this script trains single-input, single-output models only.\n' : ''}

def loss_spec(classification):
    """How the targets feed the loss, as the engine decides (electron/engine/targets.ts):
    mode "onehot" (class ids one-hot for k outputs), "binary" (ids 0/1 on one unit) or "values";
    fromLogits when a cross-entropy meets an output without softmax/sigmoid."""
    size = int(np.prod(OUTPUT_SHAPE))
    k = OUTPUT_SHAPE[-1] if len(OUTPUT_SHAPE) == 1 else None
    act = OUTPUT_ACTIVATION
    spec = {"loss": LOSS_NAME, "mode": "values", "fromLogits": False, "classes": k}
    if not classification:
        spec["fromLogits"] = LOSS_NAME == "binaryCrossentropy" and act != "sigmoid"
    elif LOSS_NAME in CE:
        spec.update(mode="onehot", fromLogits=act != "softmax")
    elif LOSS_NAME == "binaryCrossentropy" and size == 1:
        spec.update(mode="binary", fromLogits=act != "sigmoid", classes=2)
    elif LOSS_NAME == "binaryCrossentropy":
        spec.update(mode="onehot", fromLogits=act not in ("sigmoid", "softmax"))
    elif size != 1:
        spec["mode"] = "onehot"
    return spec


def targets(yb):
    """The batch's targets as the loss wants them."""
    if LOSS["mode"] == "onehot":
        return F.one_hot(yb.long().view(-1), LOSS["classes"]).float()
    return yb.float().reshape((yb.shape[0],) + tuple(OUTPUT_SHAPE))


${PY_LOSSES}


def metric_sums(y, p):
    """Per-batch sums of the document's metrics (divided by the sample count later)."""
    out = {}
    if "accuracy" in METRICS:
        out["accuracy"] = correct_per_sample(y, p).sum()
    if "mae" in METRICS:
        out["mae"] = mae_per_sample(y, p).sum()
    return out


${PY_SHUFFLE}


${PY_OPTIMIZERS}


${PY_TFJS_MODEL}


def load_data(path, limit=None):
    """The training and validation splits, normalised as the engine does (float64, then float32)."""
    global LOSS
    d = np.load(path)
    x = d["x"]
    int_input = ${pyStr(input.p.dtype)} == "int32"
    if not int_input and len(x):
        off, sc = d["norm_offset"].astype(np.float64), d["norm_scale"].astype(np.float64)
        x = (x.reshape(len(x), -1, len(off)).astype(np.float64) - off) * sc
    x = x.reshape((-1,) + tuple(INPUTS[${pyStr(input.py)}][0]))
    xt = torch.from_numpy(np.ascontiguousarray(x)).long() if int_input else torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32))
    yt = torch.from_numpy(np.ascontiguousarray(d["y"]))
    LOSS = loss_spec(d["y"].dtype.kind in "iu")
    train_idx = torch.from_numpy(d["train_idx"].astype(np.int64))
    val_idx = torch.from_numpy(d["val_idx"].astype(np.int64))
    w = None
    if REWEIGHING:
        if "train_weight" not in d.files:
            raise SystemExit(f"{path} has no train_weight: export the data again from Layerloom (this model trains with reweighing)")
        w = torch.from_numpy(d["train_weight"].astype(np.float32))
    if limit:
        w = w[:limit] if w is not None else None
        train_idx, val_idx = train_idx[:limit], val_idx[: max(1, limit // 4)]
    return (xt[train_idx], yt[train_idx], w), (xt[val_idx], yt[val_idx])


def shard_batches(n, epoch, rank, world, batch_size):
    """This process's batches of 0-based epoch \`epoch\`: the engine's order, dealt round-robin over
    the processes (padded from its start so that every process takes as many steps)."""
    order = epoch_order(n, SEED, epoch)
    if world > 1:
        per = -(-n // world)
        order = (order * world)[: per * world][rank::world]
    return [order[i:i + batch_size] for i in range(0, len(order), batch_size)]


def evaluate(model, data, device):
    model.eval()
    x_all, y_all = data
    total, n, sums = 0.0, 0, {}
    with torch.no_grad():
        for s in range(0, len(x_all), max(BATCH_SIZE, 128)):
            x, y = x_all[s:s + max(BATCH_SIZE, 128)].to(device), targets(y_all[s:s + max(BATCH_SIZE, 128)]).to(device)
            p = model(x)
            total += loss_per_sample(y, p).sum().item()
            n += len(x)
            for k, v in metric_sums(y, p).items():
                sums[k] = sums.get(k, 0.0) + v.item()
    return {"loss": total / max(n, 1), **{k: v / max(n, 1) for k, v in sums.items()}}


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=os.path.join(here, "data.npz"))
    ap.add_argument("--epochs", type=int, default=EPOCHS)
    ap.add_argument("--batch-size", type=int, default=BATCH_SIZE)
    ap.add_argument("--limit", type=int, default=None, help="use at most this many training samples")
    ap.add_argument("--resume", action="store_true", help="start from the exported weights.pt")
    ap.add_argument("--log-every", type=int, default=0, help="print the loss of every Nth step (process 0)")
    ap.add_argument("--out", default=os.path.join(here, "trained.pt"))
    args = ap.parse_args()

    distributed = int(os.environ.get("WORLD_SIZE", "1")) > 1
    if distributed:
        dist.init_process_group("nccl" if torch.cuda.is_available() else "gloo")
        rank, world = dist.get_rank(), dist.get_world_size()
        local = int(os.environ.get("LOCAL_RANK", "0"))
    else:
        rank, world, local = 0, 1, 0
    device = torch.device(f"cuda:{local}" if torch.cuda.is_available() else "cpu")
    if device.type == "cuda":
        torch.cuda.set_device(device)
    torch.manual_seed(SEED)  # same initial weights in every process

    (x_train, y_train, w_train), val_data = load_data(args.data, args.limit)
    model = Model()
    if args.resume:
        model.load_state_dict(torch.load(os.path.join(here, "weights.pt"), map_location="cpu"))
    match_tfjs(model)
    model.to(device)
    net = DistributedDataParallel(model, device_ids=[local] if device.type == "cuda" else None) if distributed else model
    optimizer = make_optimizer([p for p in net.parameters() if p.requires_grad])

    step = 0
    for epoch in range(args.epochs):
        net.train()
        start, seen, total = time.time(), 0, 0.0
        for idx in shard_batches(len(x_train), epoch, rank, world, args.batch_size):
            x, y = x_train[idx].to(device), targets(y_train[idx]).to(device)
            optimizer.zero_grad()
            per = loss_per_sample(y, net(x))
            # reweighing: the mean of w * loss over the batch, as Keras' sample_weight and the engine
            loss = (per * w_train[idx].to(device)).mean() if w_train is not None else per.mean()
            loss.backward()
            optimizer.step()
            seen += len(idx)
            total += loss.item() * len(idx)
            step += 1
            if rank == 0 and args.log_every and step % args.log_every == 0:
                print(f"step {step} loss={loss.item():.9g}", flush=True)
        if rank == 0:
            val = evaluate(model, val_data, device) if len(val_data[0]) else {}
            if args.log_every and "loss" in val:
                print(f"validation {epoch + 1} loss={val['loss']:.9g}", flush=True)
            shown = " ".join(f"val_{k}={v:.4f}" for k, v in val.items())
            print(f"epoch {epoch + 1}/{args.epochs} loss={total / max(seen, 1):.4f} {shown} "
                  f"({seen * world} samples, {time.time() - start:.1f}s, {world} process{'es' if world > 1 else ''})", flush=True)
    if rank == 0:
        torch.save(model.state_dict(), args.out)
        print(f"saved {args.out}", flush=True)
    if distributed:
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
`;
}
