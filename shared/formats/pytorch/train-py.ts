/**
 * PyTorch train.py: trains the exported model on the exported data (data.npz) with the document's
 * hyper-parameters. Runs single-process, and unchanged under `torchrun --nproc_per_node=N`
 * (DistributedDataParallel; gloo on CPU, nccl on GPU; each process takes a shard of every epoch).
 */
import { trainingDefaults, type LoomDocument } from '../../document/schema';
import { inputNode, planOf, py, pyStr, type ExportPlan } from '../plan';

/** The data.npz contract shared by the PyTorch and Keras train.py (written by the engine exporter). */
export const DATA_NPZ_DOC = `data.npz (written by Layerloom next to this file, or --data PATH) holds:
  x            all samples, raw (uint8 images stay 0..255), channels-last
  y            class ids (classification) or targets (regression)
  train_idx    indices of the training split, val_idx those of the validation split
  norm_offset, norm_scale   normalisation computed on the training split: x = (x - offset) * scale,
               broadcast over the last axis (one value, or one per channel/feature)
  train_weight (reweighing only) the loss weight of each train_idx entry; the batch loss is mean(w * loss)`;

export function generatePytorchTrain(doc: LoomDocument | ExportPlan): string {
  const plan = planOf(doc);
  const t = trainingDefaults(plan.doc.training);
  const input = inputNode(plan, plan.inputs[0]!);
  const multi = plan.inputs.length > 1 || plan.outputs.length > 1;
  const reweighing = t.reweighing ? t.reweighing.sensitive.map((a) => (a.kind === 'class' ? 'the class' : a.column)).join(' x ') : null;
  return `"""Train ${plan.name} (exported by Layerloom) with the hyper-parameters of the .loom document.

    python train.py                               # one process (CPU or one GPU)
    torchrun --nproc_per_node=2 train.py          # several processes: DistributedDataParallel
                                                  # (gloo on CPU, nccl on GPU), same script
    python train.py --epochs 1 --limit 256        # a quick check

${DATA_NPZ_DOC}

Each process trains on its shard of the training split with the document's batch size (so the
effective batch is batch size x processes). Process 0 reports validation metrics and saves the
weights to trained.pt (a state dict: torch.load + model.load_state_dict). Augmentation configured in
Layerloom is not applied here.
"""
import argparse
import os
import time

import numpy as np
import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, DistributedSampler, TensorDataset

from model import INPUTS, Model

OPTIMIZER = ${pyStr(t.optimizer)}
LEARNING_RATE = ${t.learningRate}
MOMENTUM = ${t.momentum}
NESTEROV = ${py(t.nesterov)}
LOSS = ${pyStr(t.loss)}
METRICS = [${t.metrics.map(pyStr).join(', ')}]
BATCH_SIZE = ${t.batchSize}
EPOCHS = ${t.epochs}
SEED = ${t.seed ?? 0}
REWEIGHING = ${reweighing ? `True  # Kamiran & Calders weights by ${reweighing} x class, from data.npz's train_weight` : 'False'}
EPS = 1e-7  # Keras' epsilon, used by the cross-entropies and the optimizers
${multi ? '\n# NOTE: this model has several inputs or outputs; this script trains single-input, single-output models only.\n' : ''}

def sample_losses(p, y):
    """The Keras losses on the model's outputs (probabilities for the cross-entropies), one per sample."""
    if LOSS in ("categoricalCrossentropy", "sparseCategoricalCrossentropy"):
        p = p / p.sum(dim=-1, keepdim=True)
        return F.nll_loss(torch.log(p.clamp(EPS, 1 - EPS)), y.long().view(-1), reduction="none")
    y = y.float().view(p.shape)
    if LOSS == "binaryCrossentropy":
        p = p.clamp(EPS, 1 - EPS)
        per = -(y * torch.log(p) + (1 - y) * torch.log(1 - p))
    elif LOSS == "meanSquaredError":
        per = F.mse_loss(p, y, reduction="none")
    elif LOSS == "meanAbsoluteError":
        per = F.l1_loss(p, y, reduction="none")
    else:
        per = F.huber_loss(p, y, reduction="none", delta=1.0)
    return per.reshape(len(p), -1).mean(dim=1)


def loss_fn(p, y, w=None):
    """The batch loss: the mean over samples, weighted by w (reweighing) as Keras' sample_weight."""
    per = sample_losses(p, y)
    return (per * w).mean() if w is not None else per.mean()


def metric_sums(p, y):
    """Per-batch sums of the document's metrics (divided by the sample count later)."""
    out = {}
    if "accuracy" in METRICS:
        if LOSS in ("categoricalCrossentropy", "sparseCategoricalCrossentropy"):
            out["accuracy"] = (p.argmax(dim=-1) == y.long().view(-1)).float().sum()
        else:
            out["accuracy"] = ((p > 0.5).float() == y.float().view(p.shape)).float().mean(dim=-1).sum()
    if "mae" in METRICS:
        out["mae"] = (p - y.float().view(p.shape)).abs().mean(dim=-1).sum()
    return out


def make_optimizer(params):
    if OPTIMIZER == "sgd":
        return torch.optim.SGD(params, lr=LEARNING_RATE, momentum=MOMENTUM, nesterov=NESTEROV and MOMENTUM > 0)
    if OPTIMIZER == "adam":
        return torch.optim.Adam(params, lr=LEARNING_RATE, betas=(0.9, 0.999), eps=EPS)
    if OPTIMIZER == "rmsprop":
        return torch.optim.RMSprop(params, lr=LEARNING_RATE, alpha=0.9, eps=EPS, momentum=MOMENTUM)
    return torch.optim.Adagrad(params, lr=LEARNING_RATE, initial_accumulator_value=0.1, eps=EPS)


def load_data(path, limit=None):
    d = np.load(path)
    x = d["x"]
    int_input = ${pyStr(input.p.dtype)} == "int32"
    if not int_input:
        x = (x.astype(np.float32) - d["norm_offset"].astype(np.float32)) * d["norm_scale"].astype(np.float32)
    x = x.reshape((-1,) + tuple(INPUTS[${pyStr(input.py)}][0]))
    xt = torch.from_numpy(np.ascontiguousarray(x)).long() if int_input else torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32))
    yt = torch.from_numpy(np.ascontiguousarray(d["y"]))
    train_idx = torch.from_numpy(d["train_idx"].astype(np.int64))
    val_idx = torch.from_numpy(d["val_idx"].astype(np.int64))
    weights = []
    if REWEIGHING:
        if "train_weight" not in d.files:
            raise SystemExit(f"{path} has no train_weight: export the data again from Layerloom (this model trains with reweighing)")
        weights = [torch.from_numpy(d["train_weight"].astype(np.float32))]
    if limit:
        train_idx, val_idx, weights = train_idx[:limit], val_idx[: max(1, limit // 4)], [w[:limit] for w in weights]
    return TensorDataset(xt[train_idx], yt[train_idx], *weights), TensorDataset(xt[val_idx], yt[val_idx])


def evaluate(model, data, device):
    model.eval()
    total, n, sums = 0.0, 0, {}
    with torch.no_grad():
        for x, y in DataLoader(data, batch_size=max(BATCH_SIZE, 256)):
            x, y = x.to(device), y.to(device)
            p = model(x)
            total += loss_fn(p, y).item() * len(x)
            n += len(x)
            for k, v in metric_sums(p, y).items():
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

    train_data, val_data = load_data(args.data, args.limit)
    model = Model().to(device)
    if args.resume:
        model.load_state_dict(torch.load(os.path.join(here, "weights.pt"), map_location=device))
    net = DistributedDataParallel(model, device_ids=[local] if device.type == "cuda" else None) if distributed else model
    sampler = DistributedSampler(train_data, num_replicas=world, rank=rank, shuffle=True, seed=SEED) if distributed else None
    loader = DataLoader(train_data, batch_size=args.batch_size, shuffle=sampler is None, sampler=sampler,
                        generator=torch.Generator().manual_seed(SEED))
    optimizer = make_optimizer(net.parameters())

    for epoch in range(args.epochs):
        if sampler is not None:
            sampler.set_epoch(epoch)
        net.train()
        start, seen, total = time.time(), 0, 0.0
        for x, y, *w in loader:
            x, y = x.to(device), y.to(device)
            optimizer.zero_grad()
            loss = loss_fn(net(x), y, w[0].to(device) if w else None)
            loss.backward()
            optimizer.step()
            seen += len(x)
            total += loss.item() * len(x)
        if rank == 0:
            val = evaluate(model, val_data, device) if len(val_data) else {}
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
