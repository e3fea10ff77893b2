"""Parity runner for the PyTorch export (used by pytorch.test.ts; one process for every case).

argv[1]: a JSON manifest [{"dir": ..., "inputs": [{"file", "shape", "dtype"}], "outputs": [{"file", "shape"}]}].
Imports each case's model.py, builds the model with its load_model(), then loads weights.pt again
with torch.load(weights_only=True) (the default of current PyTorch) into it, strictly; runs the
inputs and compares every output with the engine's. Prints one JSON object {dir: max_abs_diff or the
error}: a wrong number of outputs, a wrong shape, or NaN/Inf in any output is an error, never a
number (Python's max(0.0, nan) is 0.0, so NaN must be caught before taking a maximum).
"""
import importlib.util
import json
import sys
import traceback

import numpy as np
import torch


def load(case, i):
    spec = importlib.util.spec_from_file_location(f"exported_model_{i}", f"{case['dir']}/model.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    model = mod.load_model()
    state = torch.load(f"{case['dir']}/weights.pt", map_location="cpu", weights_only=True)
    model.load_state_dict(state, strict=True)
    return model.eval()


def finite(a, what):
    if not np.isfinite(a).all():
        bad = np.argwhere(~np.isfinite(a))[0].tolist()
        raise ValueError(f"{what} is not finite at {bad}: {a[tuple(bad)]}")


def max_diff(ys, outputs):
    """The largest |y - engine| over every output; raises on a count, shape or finiteness problem."""
    ys = ys if isinstance(ys, (tuple, list)) else (ys,)
    if len(ys) != len(outputs):
        raise ValueError(f"{len(ys)} outputs, the engine has {len(outputs)}")
    diff = 0.0
    for o, (y, out) in enumerate(zip(ys, outputs)):
        want = np.fromfile(out["file"], dtype=np.float32).reshape(out["shape"])
        if not isinstance(y, torch.Tensor):
            raise ValueError(f"output {o} is a {type(y).__name__}, not a tensor")
        if tuple(y.shape) != tuple(want.shape):
            raise ValueError(f"output {o}: shape {tuple(y.shape)}, the engine's is {tuple(want.shape)}")
        got = y.detach().numpy().astype(np.float64)
        finite(got, f"output {o}")
        finite(want, f"the engine's output {o}")
        if got.size:
            diff = max(diff, float(np.max(np.abs(got - want))))
    return diff


torch.set_num_threads(1)
results = {}
for i, case in enumerate(json.load(open(sys.argv[1]))):
    try:
        model = load(case, i)
        xs = []
        for inp in case["inputs"]:
            a = np.fromfile(inp["file"], dtype=np.float32).reshape(inp["shape"])
            xs.append(torch.from_numpy(a).long() if inp["dtype"] == "int32" else torch.from_numpy(a))
        with torch.no_grad():
            results[case["dir"]] = max_diff(model(*xs), case["outputs"])
    except Exception:  # noqa: BLE001 - every failure is reported, per case
        results[case["dir"]] = traceback.format_exc(limit=3)
print(json.dumps(results))
