"""Reference attributions computed with PyTorch on a Layerloom export (used by torch-parity.ts).

argv[1]: a JSON manifest, a list of cases:
  {"dir": folder with model.py + weights.pt, "shape": sample shape, "x": raw float32 file,
   "norm": {"offset": [...], "scale": [...]}, "tasks": [task, ...]}
with tasks
  {"kind": "gradient", "target": t}
  {"kind": "ig", "target": t, "baseline": file, "alphas": [...], "weights": [...]}
  {"kind": "gradcam", "target": t, "module": name, "relu": bool}
  {"kind": "occlusion", "target": t, "baseline": file, "window": [...], "stride": [...]}
Prints {dir: [flat list per task, or an error string]}. Everything is written from the definitions,
not from Layerloom's code: gradients by autograd, Grad-CAM by hooks, upsampling by F.interpolate.
"""
import importlib.util
import itertools
import json
import math
import sys
import traceback

import numpy as np
import torch
import torch.nn.functional as F

torch.set_num_threads(1)


def normalize(x, norm):
    off = torch.tensor(norm["offset"], dtype=torch.float32)
    sc = torch.tensor(norm["scale"], dtype=torch.float32)
    if len(norm["offset"]) == 1:
        return (x - off[0]) * sc[0]
    return (x - off) * sc


def target_of(model, norm, x, t):
    return model(normalize(x, norm)).reshape(x.shape[0], -1)[:, t]


def gradient(model, norm, x, t):
    x = x.clone().requires_grad_(True)
    target_of(model, norm, x, t).sum().backward()
    return x.grad[0]


def integrated_gradients(model, norm, x, t, base, alphas, weights):
    a = torch.tensor(alphas, dtype=torch.float32).reshape(-1, *([1] * (x.dim() - 1)))
    w = torch.tensor(weights, dtype=torch.float32).reshape(-1, *([1] * (x.dim() - 1)))
    path = (base + a * (x - base)).requires_grad_(True)
    target_of(model, norm, path, t).sum().backward()
    return ((x - base) * (w * path.grad).sum(0, keepdim=True))[0]


def occlusion(model, norm, x, t, base, window, stride):
    shape = x.shape[1:]
    starts = [range(0, math.ceil((n - min(k, n)) / s) * s + 1, s) for n, k, s in zip(shape, window, stride)]
    total = torch.zeros(shape, dtype=torch.float64)
    count = torch.zeros(shape, dtype=torch.float64)
    with torch.no_grad():
        y0 = target_of(model, norm, x, t)[0].double()
        for corner in itertools.product(*starts):
            box = tuple(slice(c, c + k) for c, k in zip(corner, window))
            occluded = x.clone()
            occluded[(0,) + box] = base[(0,) + box]
            total[box] += y0 - target_of(model, norm, occluded, t)[0].double()
            count[box] += 1
    return total / count


def gradcam(mod, model, norm, x, t, module, relu):
    store = {}

    def hook(_m, _inp, out):
        store["z"] = out
        if not relu:
            out.retain_grad()
            store["a"] = out

    real_f = mod.F

    class ReluSpy:
        """The module's F, whose relu keeps the activation it makes from the hooked convolution."""

        def __getattr__(self, name):
            return getattr(real_f, name)

        def relu(self, v, *args, **kwargs):
            r = real_f.relu(v, *args, **kwargs)
            if relu and v is store.get("z"):
                r.retain_grad()
                store["a"] = r
            return r

    handle = getattr(model, module).register_forward_hook(hook)
    mod.F = ReluSpy()
    try:
        target_of(model, norm, x, t).sum().backward()
    finally:
        mod.F = real_f
        handle.remove()
    a, g = store["a"][0], store["a"].grad[0]  # [K, h, w] (channels-first inside the export)
    alpha = g.mean(dim=(1, 2))
    cam = torch.relu((alpha[:, None, None] * a).sum(0))
    size = tuple(x.shape[1:3])
    return F.interpolate(cam[None, None], size=size, mode="bilinear", align_corners=False)[0, 0]


results = {}
for i, case in enumerate(json.load(open(sys.argv[1]))):
    try:
        spec = importlib.util.spec_from_file_location(f"exported_model_{i}", f"{case['dir']}/model.py")
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        model = mod.load_model()
        shape = case["shape"]
        load = lambda f: torch.from_numpy(np.fromfile(f, dtype=np.float32).reshape([1] + shape))
        x = load(case["x"])
        out = []
        for task in case["tasks"]:
            k, t = task["kind"], task["target"]
            if k == "gradient":
                r = gradient(model, case["norm"], x, t)
            elif k == "ig":
                r = integrated_gradients(model, case["norm"], x, t, load(task["baseline"]), task["alphas"], task["weights"])
            elif k == "occlusion":
                r = occlusion(model, case["norm"], x, t, load(task["baseline"]), task["window"], task["stride"])
            elif k == "gradcam":
                r = gradcam(mod, model, case["norm"], x, t, task["module"], task["relu"])
            else:
                raise ValueError(f"unknown task {k}")
            out.append(r.detach().double().reshape(-1).tolist())
        results[case["dir"]] = out
    except Exception:
        results[case["dir"]] = traceback.format_exc(limit=4)
print(json.dumps(results))
