/**
 * The part of the generated runner.py that trains: what the processes of a distributed run share
 * (metrics and control, one all_reduce per batch), evaluation, the NaN check, the clock and ETA,
 * early stopping and the run's epoch loop. Static Python text, included by pytorch-runner.ts.
 */
export const PY_RUNNER_TRAINING = `class Sync:
    """Control and metrics shared by the processes of a distributed run (one all_reduce per batch)."""

    def __init__(self, device):
        self.device = device

    def reduce(self, sums):
        """Sum [loss, accuracy, mae] over processes and agree on stop/pause (process 0 decides)."""
        flags = [float(CONTROL.stop), float(CONTROL.paused)] if RANK == 0 else [0.0, 0.0]
        v = torch.cat([sums.to(self.device, torch.float64), torch.tensor(flags, dtype=torch.float64, device=self.device)])
        if WORLD > 1:
            dist.all_reduce(v)
        v = v.cpu().tolist()
        return v[:3], v[3] > 0, v[4] > 0

    def flags(self):
        _, stop, pause = self.reduce(torch.zeros(3))
        return stop, pause


def evaluate_split(model, x, y, batch_size, device, shard=True):
    """Mean loss and metrics of the model in inference mode (sharded over processes)."""
    n = len(x)
    lo, hi = (n * RANK // WORLD, n * (RANK + 1) // WORLD) if shard else (0, n)
    sums = torch.zeros(3, dtype=torch.float64)
    model.eval()
    with torch.no_grad():
        for s in range(lo, hi, batch_size):
            xb, yb = x[s:min(s + batch_size, hi)].to(device), targets(y[s:min(s + batch_size, hi)]).to(device)
            p = model(xb)
            sums += batch_sums(yb, p, loss_per_sample(yb, p)).double().cpu()
    if shard and WORLD > 1:
        sums = sums.to(device)
        dist.all_reduce(sums)
        sums = sums.cpu()
    return [v / max(1, n) for v in sums.tolist()]


def finite_or_fail(values, names, epoch, batch=None):
    for v, name in zip(values, names):
        if not math.isfinite(v):
            lr = T["learningRate"]
            at = f"at epoch {epoch}, batch {batch}" if batch is not None else f"at epoch {epoch}"
            subject = "The loss" if name in ("loss", "val_loss") else f"The {name.replace('val_', 'validation ')}"
            raise RunnerError("nan", f"{subject} became {'NaN' if math.isnan(v) else 'infinite'} {at}: lower the learning rate "
                                     f"(now {lr:g}, e.g. to {float(f'{lr / 10:.2g}'):g}), normalise the inputs, or check the data for invalid values")


class Clock:
    """The run's active time (pauses excluded) and its ETA, like the engine's."""

    def __init__(self, total_samples):
        self.t0, self.paused, self.done, self.total = time.perf_counter(), 0.0, 0, total_samples

    def active(self, at=None):
        return (at or time.perf_counter()) - self.t0 - self.paused

    def eta(self):
        return (self.total - self.done) * self.active() / self.done if self.done else 0.0


class EarlyStopping:
    """The engine's rule: stop once "patience" epochs in a row missed the best by more than minDelta."""

    def __init__(self, es):
        self.es = es
        self.higher = bool(es) and "accuracy" in es["monitor"]
        self.best = -math.inf if self.higher else math.inf
        self.best_logs, self.best_epoch, self.best_state, self.wait = None, 0, None, 0

    def stop_after(self, epoch, logs, model):
        if not self.es:
            return False
        key = self.es["monitor"] if self.es["monitor"] in logs else self.es["monitor"].replace("val_", "", 1)
        v = logs.get(key)
        if v is None:
            return False
        if v > self.best + self.es["minDelta"] if self.higher else v < self.best - self.es["minDelta"]:
            self.best, self.best_logs, self.best_epoch, self.wait = v, logs, epoch, 0
            if self.es["restoreBestWeights"]:
                self.best_state = {k: t.detach().clone() for k, t in model.state_dict().items()}
            return False
        self.wait += 1
        return self.wait > self.es["patience"]

    def restore(self, model, epochs_completed):
        """Put the best epoch's weights back (restoreBestWeights); its logs, or None."""
        if not (self.es and self.es["restoreBestWeights"] and self.best_state is not None and self.best_epoch != epochs_completed):
            return None
        model.load_state_dict(self.best_state)
        return self.best_logs


class Run:
    """One training run: the model (and its DDP wrapper), the data, the optimizer, the control sync."""

    def __init__(self, args):
        self.args = args
        self.device, device_note = pick_device(args.device)
        if WORLD > 1:
            if self.device.type == "cuda":
                torch.cuda.set_device(self.device)
            dist.init_process_group("nccl" if self.device.type == "cuda" else "gloo")
        torch.manual_seed(T["seed"])
        self.model, batch_norms = build_model(args.init, self.device)
        self.net = nn.parallel.DistributedDataParallel(self.model, device_ids=[self.device.index] if self.device.type == "cuda" else None) if WORLD > 1 else self.model
        self.optimizer = make_optimizer([p for p in self.net.parameters() if p.requires_grad])
        self.x_train, self.y_train = load_split(args.data, "train")
        self.x_val, self.y_val = load_split(args.data, "val")
        self.n = len(self.x_train)
        self.batch_size = min(T["batchSize"], self.n)
        self.batches = (self.n + self.batch_size - 1) // self.batch_size
        self.epochs = args.epochs or T["epochs"]
        self.eval_batch = max(self.batch_size, 128)
        self.sync = Sync(self.device if self.device.type == "cuda" else torch.device("cpu"))
        self.notes = [device_note] if device_note else []
        if WORLD > 1 and batch_norms:
            self.notes.append("BatchNormalization normalises each process's share of a batch, not the whole batch")
        self.clock = Clock(self.epochs * self.n)

    def announce(self):
        backend = {"name": "pytorch", "native": True, "device": str(self.device), "processes": WORLD, "torch": torch.__version__}
        if self.args.host_label:
            backend["host"] = self.args.host_label
        if self.notes:
            backend["reason"] = "; ".join(self.notes)
        if self.device.type == "cpu":
            backend["threads"] = torch.get_num_threads()
        start = CONFIG["start"]
        emit({"type": "start", "runId": RUN_ID, "backend": backend, "totalParams": start["totalParams"], "epochs": self.epochs,
              "batchSize": self.batch_size, "batchesPerEpoch": self.batches, "seed": T["seed"], "data": start["data"]})
        if RANK == 0:
            import socket
            emit({"type": "process", "pid": os.getpid(), "host": socket.gethostname()})
            baseline = evaluate_split(self.model, self.x_train[:256], self.y_train[:256], self.eval_batch, self.device, shard=False)[0]
            if math.isfinite(baseline):
                emit({"type": "baseline", "loss": baseline})

    def step(self, idx):
        """One global batch: this process's share, weighted so that DDP's average is the batch's gradient."""
        size = len(idx)
        lo, hi = size * RANK // WORLD, size * (RANK + 1) // WORLD
        share, weight = (idx[lo:hi], (hi - lo) / size * WORLD) if hi > lo else (idx[:1], 0.0)
        xb, yb = self.x_train[share].to(self.device), targets(self.y_train[share]).to(self.device)
        self.net.train()
        self.optimizer.zero_grad(set_to_none=True)
        p = self.net(xb)
        per = loss_per_sample(yb, p)
        (per.mean() * weight).backward()
        self.optimizer.step()
        local = batch_sums(yb, p, per) if weight else torch.zeros(3)
        sums, stop, pause = self.sync.reduce(local.cpu())
        return [v / size for v in sums], stop, pause

    def wait_if_paused(self, pause):
        """Seconds spent paused, and whether a stop came meanwhile."""
        if not pause:
            return 0.0, False
        began = time.perf_counter()
        emit({"type": "paused", "runId": RUN_ID})
        stop = False
        while pause and not stop:
            time.sleep(0.05)
            stop, pause = self.sync.flags()
        if not stop:
            emit({"type": "resumed", "runId": RUN_ID})
        spent = time.perf_counter() - began
        self.clock.paused += spent
        return spent, stop

    def epoch(self, epoch):
        """Train one epoch; its logs and samples/s, or None when stopped."""
        began, paused = time.perf_counter(), 0.0
        sums, seen = [0.0, 0.0, 0.0], 0
        order = torch.tensor(epoch_order(self.n, T["seed"], epoch - 1), dtype=torch.long)
        for b in range(self.batches):
            idx = order[b * self.batch_size:(b + 1) * self.batch_size]
            values, stop, pause = self.step(idx)
            shown = logs_of(values)
            finite_or_fail(list(shown.values()), list(shown.keys()), epoch, b + 1)
            sums = [s + v * len(idx) for s, v in zip(sums, values)]
            seen += len(idx)
            self.clock.done += len(idx)
            now = time.perf_counter()
            sec = now - began - paused
            emit({"type": "batch", "runId": RUN_ID, "epoch": epoch, "batch": b + 1, "batches": self.batches, "logs": shown,
                  "samplesPerSec": seen / sec if sec > 0 else 0.0, "etaSec": self.clock.eta(), "elapsedSec": self.clock.active(now)})
            spent, stopped = self.wait_if_paused(pause and not stop)
            paused += spent
            if stop or stopped:
                return None
        sec = time.perf_counter() - began - paused
        logs = logs_of([s / max(1, seen) for s in sums])
        if len(self.x_val):
            val = logs_of(evaluate_split(self.model, self.x_val, self.y_val, self.eval_batch, self.device), "val_")
            finite_or_fail(list(val.values()), list(val.keys()), epoch)
            logs.update(val)
        return logs, seen / sec if sec > 0 else 0.0

    def save(self, epoch):
        if RANK == 0:
            write_safetensors(self.model.state_dict(), self.args.out, {"epoch": str(epoch), "runId": RUN_ID})
`;
