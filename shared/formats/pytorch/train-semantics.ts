/**
 * The engine's training semantics in Python, shared by the two PyTorch programs Layerloom writes:
 * runner.py (the PyTorch runtime, shared/runtime/pytorch-runner.ts) and the exported train.py
 * (train-py.ts). One text, so both train like the engine (electron/engine/train.ts, losses.ts):
 * the seeded batch order, the losses on probabilities or logits, the metrics, TF.js' optimizer
 * update rules, BatchNormalization's biased moving variance, and one bias per recurrent gate.
 *
 * The fragments expect these globals in the program: `T` (a dict with `shuffle`, `optimizer`,
 * `learningRate`, `momentum`, `nesterov`), `LOSS` (the engine's LossSpec: `loss`, `mode`,
 * `fromLogits`, `classes`), `EPS` (1e-7), `CE` (the two cross-entropy names), and torch, `F`, `nn`.
 */

/** The engine's per-epoch seeded shuffle (mulberry32 + Fisher-Yates), bit for bit. */
export const PY_SHUFFLE = `# ---- the engine's seeded shuffle (shared/random.ts, electron/engine/data/rng.ts) -----------------

M32 = 0xFFFFFFFF


def mulberry32(seed):
    a = [seed & M32]

    def rng():
        a[0] = (a[0] + 0x6D2B79F5) & M32
        t = a[0]
        t = ((t ^ (t >> 15)) * (t | 1)) & M32
        t = (t ^ ((t + (((t ^ (t >> 7)) * (t | 61)) & M32)) & M32)) & M32
        return ((t ^ (t >> 14)) & M32) / 4294967296.0
    return rng


def mix_seed(*parts):
    h = 0x811C9DC5
    for p in parts:
        h = ((h ^ (p & M32)) * 0x01000193) & M32
        h ^= h >> 13
        h = (h * 0x5BD1E995) & M32
        h ^= h >> 15
    return h


def epoch_order(n, seed, epoch):
    """The engine's batch order for 0-based epoch \`epoch\` (positions in the training split)."""
    order = list(range(n))
    if not T["shuffle"]:
        return order
    rng = mulberry32(mix_seed(seed, epoch, 0xB47C) ^ 0x9E3779B9)
    for i in range(n - 1, 0, -1):
        j = int(rng() * (i + 1))
        order[i], order[j] = order[j], order[i]
    return order`;

/** Per-sample losses, outputs, accuracy and MAE (electron/engine/losses.ts). */
export const PY_LOSSES = `# ---- losses and metrics (electron/engine/losses.ts) ----------------------------------------------

def mean_rest(t):
    return t.reshape(t.shape[0], -1).mean(dim=1) if t.dim() > 1 else t


def loss_per_sample(y, p):
    name = LOSS["loss"]
    if name in CE:
        if LOSS["fromLogits"]:
            return mean_rest(-(y * torch.log_softmax(p, dim=-1)).sum(dim=-1))
        q = (p / p.sum(dim=-1, keepdim=True)).clamp(EPS, 1 - EPS)
        return mean_rest(-(y * torch.log(q)).sum(dim=-1))
    if name == "binaryCrossentropy":
        if LOSS["fromLogits"]:  # max(x, 0) - x*z + log(1 + exp(-|x|))
            return mean_rest(torch.relu(p) - p * y + torch.log1p(torch.exp(-p.abs())))
        q = p.clamp(EPS, 1 - EPS)
        return mean_rest(-(y * torch.log(q) + (1 - y) * torch.log(1 - q)))
    if name == "meanSquaredError":
        return mean_rest((p - y) ** 2)
    if name == "meanAbsoluteError":
        return mean_rest((p - y).abs())
    e = (p - y).abs()  # huber, delta 1
    q = e.clamp(max=1.0)
    return mean_rest(0.5 * q * q + (e - q))


def to_outputs(p):
    if not LOSS["fromLogits"]:
        return p
    if LOSS["mode"] == "binary" or LOSS["loss"] == "binaryCrossentropy":
        return torch.sigmoid(p)
    return torch.softmax(p, dim=-1)


def correct_per_sample(y, p):
    if LOSS["mode"] == "binary" or (LOSS["loss"] == "binaryCrossentropy" and p.shape[-1] == 1):
        hit = ((p > (0.0 if LOSS["fromLogits"] else 0.5)).float() == torch.round(y)).float()
        return hit.reshape(hit.shape[0], -1).mean(dim=1)
    hit = (p.argmax(dim=-1) == y.argmax(dim=-1)).float()
    return hit.reshape(hit.shape[0], -1).mean(dim=1) if hit.dim() > 1 else hit


def mae_per_sample(y, p):
    return mean_rest((to_outputs(p) - y).abs())`;

/** The optimizers with TF.js' update rules. */
export const PY_OPTIMIZERS = `# ---- optimizers: TF.js' update rules (torch's SGD and Adam compute the same; RMSprop and Adagrad
# ---- place epsilon differently in torch, so they are written out) --------------------------------

class TfjsRmsprop(torch.optim.Optimizer):
    def __init__(self, params, lr, momentum):
        super().__init__(params, {"lr": lr, "momentum": momentum})

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                s = self.state[p]
                if not s:
                    s["ms"], s["mom"] = torch.zeros_like(p), torch.zeros_like(p)
                s["ms"].mul_(0.9).add_(p.grad * p.grad * (1 - 0.9))
                s["mom"].mul_(group["momentum"]).add_(group["lr"] * p.grad / torch.sqrt(s["ms"] + EPS))
                p.sub_(s["mom"])


class TfjsAdagrad(torch.optim.Optimizer):
    def __init__(self, params, lr):
        super().__init__(params, {"lr": lr})

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                s = self.state[p]
                if not s:
                    s["acc"] = torch.full_like(p, 0.1)
                s["acc"].add_(p.grad * p.grad)
                p.sub_(group["lr"] * p.grad / torch.sqrt(s["acc"] + EPS))


def make_optimizer(params):
    lr, momentum = T["learningRate"], T["momentum"]
    if T["optimizer"] == "sgd":
        return torch.optim.SGD(params, lr=lr, momentum=momentum, nesterov=T["nesterov"] and momentum > 0)
    if T["optimizer"] == "adam":
        return torch.optim.Adam(params, lr=lr, betas=(0.9, 0.999), eps=EPS)
    if T["optimizer"] == "rmsprop":
        return TfjsRmsprop(params, lr, momentum)
    return TfjsAdagrad(params, lr)`;

/**
 * The model as TF.js trains it: BatchNormalization's moving variance from the biased batch variance,
 * and a plain nn.LSTM/nn.RNN/nn.GRU's second bias (TF.js has one per gate) frozen at its exported
 * value (zero). match_tfjs returns the number of BatchNormalization layers.
 */
export const PY_TFJS_MODEL = `# ---- the model -----------------------------------------------------------------------------------

def keras_batch_norm(m):
    """Training mode as TF.js: normalise with the batch statistics, update the moving variance with
    the biased batch variance (PyTorch's own forward uses the unbiased one there)."""
    plain = m.forward

    def forward(x):
        if not m.training:
            return plain(x)
        dims = [d for d in range(x.dim()) if d != 1]
        with torch.no_grad():
            mean = x.mean(dim=dims)
            var = x.var(dim=dims, unbiased=False)
            m.running_mean.mul_(1 - m.momentum).add_(mean * m.momentum)
            m.running_var.mul_(1 - m.momentum).add_(var * m.momentum)
            m.num_batches_tracked.add_(1)
        return F.batch_norm(x, None, None, m.weight, m.bias, True, 0.0, m.eps)
    m.forward = forward

def match_tfjs(model):
    """Make \`model\` train as TF.js does (see keras_batch_norm); returns its BatchNormalization count."""
    batch_norms = 0
    for m in model.modules():
        if isinstance(m, nn.RNNBase):  # TF.js has one bias per gate: keep PyTorch's second at zero
            for name, p in m.named_parameters():
                if name.startswith("bias_hh"):
                    p.requires_grad_(False)
        if isinstance(m, nn.modules.batchnorm._BatchNorm):
            keras_batch_norm(m)
            batch_norms += 1
    return batch_norms`;
