"""
An independent NumPy re-implementation of Layerloom's int8 simulation (docs/compress.md) for a chain
of Conv2D / MaxPooling2D / Flatten / Dense layers, in float32 as ONNX QuantizeLinear/DequantizeLinear:

  weights  int8 symmetric per output channel: s = max|w_c| / 127, q = clip(round(w / s), -127, 127)
  biases   int32 at scale s_in * s_w[c]
  points   the Input's output and every Conv2D/Dense output except the last layer's; MaxPooling and
           Flatten keep values on their input's grid; affine uint8/int8 ranges from min/max over the
           calibration samples run through the float model (widened to hold 0)

Usage: python3 int8_reference.py manifest.json  → JSON on stdout.
"""
import json
import sys

import numpy as np

F = np.float32


def qrange(dtype):
    return (0, 255) if dtype == "uint8" else (-128, 127)


def affine(lo, hi, dtype):
    qmin, qmax = qrange(dtype)
    lo, hi = F(min(lo, 0.0)), F(max(hi, 0.0))
    scale = F(F(hi - lo) / F(qmax - qmin))
    if scale == 0:
        scale = F(1)
    zp = int(np.clip(np.round(F(F(qmin) - F(lo / scale))), qmin, qmax))
    return scale, zp


def fake_quant(x, scale, zp, dtype):
    qmin, qmax = qrange(dtype)
    q = np.clip(np.round(x / scale) + F(zp), qmin, qmax).astype(F)
    return ((q - F(zp)) * scale).astype(F)


def per_channel(w):
    c = w.shape[-1]
    flat = w.reshape(-1, c)
    m = np.abs(flat).max(axis=0).astype(F)
    s = np.where(m == 0, F(1), (m / F(127)).astype(F)).astype(F)
    q = np.clip(np.round(flat / s), -127, 127).astype(np.int8)
    return q.reshape(w.shape), s, (q.astype(F) * s).astype(F).reshape(w.shape)


def conv2d_same(x, k, b):
    # x [n, h, w, cin], k [kh, kw, cin, cout], stride 1, TF "same" padding (extra at the end)
    n, h, w, cin = x.shape
    kh, kw, _, cout = k.shape
    ph, pw = kh - 1, kw - 1
    xp = np.pad(x, ((0, 0), (ph // 2, ph - ph // 2), (pw // 2, pw - pw // 2), (0, 0)))
    cols = np.empty((n, h, w, kh, kw, cin), dtype=F)
    for i in range(kh):
        for j in range(kw):
            cols[:, :, :, i, j, :] = xp[:, i:i + h, j:j + w, :]
    return (cols.reshape(n * h * w, -1) @ k.reshape(-1, cout)).reshape(n, h, w, cout) + b


def maxpool(x, size):
    n, h, w, c = x.shape
    ho, wo = h // size, w // size
    return x[:, :ho * size, :wo * size, :].reshape(n, ho, size, wo, size, c).max(axis=(2, 4))


def act(x, name):
    if name == "relu":
        return np.maximum(x, F(0))
    if name == "softmax":
        e = np.exp(x - x.max(axis=-1, keepdims=True))
        return (e / e.sum(axis=-1, keepdims=True)).astype(F)
    return x


def forward(layers, x, tap):
    x = tap(-1, x)
    for i, l in enumerate(layers):
        if l["type"] == "Conv2D":
            x = act(conv2d_same(x, l["k"], l["b"]).astype(F), l["activation"])
        elif l["type"] == "Dense":
            x = act((x @ l["k"] + l["b"]).astype(F), l["activation"])
        elif l["type"] == "MaxPooling2D":
            x = maxpool(x, l["pool"])
        elif l["type"] == "Flatten":
            x = x.reshape(x.shape[0], -1)
        x = tap(i, x)
    return x


def main():
    m = json.load(open(sys.argv[1]))
    load = lambda f, shape: np.fromfile(f, dtype="<f4").reshape(shape)
    layers = []
    for l in m["layers"]:
        l = dict(l)
        if "kernel" in l:
            l["k"] = load(l["kernel"]["file"], l["kernel"]["shape"])
            l["b"] = load(l["bias"]["file"], l["bias"]["shape"])
        layers.append(l)
    dtype = m["activationDtype"]
    last = len(layers) - 1
    weighted = [i for i, l in enumerate(layers) if l["type"] in ("Conv2D", "Dense")]
    points = [-1] + [i for i in weighted if i != last]

    # Calibration on the float model.
    cal = load(m["calibration"]["file"], m["calibration"]["shape"])
    ranges = {p: [np.inf, -np.inf] for p in points}

    def observe(i, x):
        if i in ranges:
            ranges[i][0] = min(ranges[i][0], float(x.min()))
            ranges[i][1] = max(ranges[i][1], float(x.max()))
        return x

    forward(layers, cal, observe)
    params = {p: affine(F(lo), F(hi), dtype) for p, (lo, hi) in ranges.items()}

    # Weights: int8 per channel, bias int32 at s_in * s_w (s_in: the grid the layer's input is on).
    grid = -1
    qlayers, kernels_q, kernel_scales = [], [], []
    for i, l in enumerate(layers):
        l = dict(l)
        if l["type"] in ("Conv2D", "Dense"):
            q, s, deq = per_channel(l["k"])
            s_in = params[grid][0]
            bs = (F(s_in) * s).astype(F)
            l["k"] = deq
            l["b"] = (np.round(l["b"] / bs).astype(F) * bs).astype(F)
            kernels_q.append(q.reshape(-1).tolist())
            kernel_scales.append(s.tolist())
        if i in params:
            grid = i
        qlayers.append(l)

    x = load(m["test"]["file"], m["test"]["shape"])
    out = forward(qlayers, x, lambda i, t: fake_quant(t, *params[i], dtype) if i in params else t)
    json.dump({
        "points": [{"scale": float(params[p][0]), "zeroPoint": params[p][1], "min": ranges[p][0], "max": ranges[p][1]} for p in points],
        "kernels": kernels_q,
        "scales": kernel_scales,
        "outputs": out.reshape(-1).tolist(),
    }, sys.stdout)


main()
