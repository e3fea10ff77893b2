"""Parity runner for the PyTorch export (used by pytorch.test.ts; one process for every case).

argv[1]: a JSON manifest [{"dir": ..., "inputs": [{"file", "shape", "dtype"}], "outputs": [{"file", "shape"}]}].
Imports each case's model.py, loads weights.pt with plain torch.load, runs the inputs, and prints one
JSON object {dir: max_abs_diff or error string}.
"""
import importlib.util
import json
import sys
import traceback

import numpy as np
import torch

torch.set_num_threads(1)
results = {}
for i, case in enumerate(json.load(open(sys.argv[1]))):
    try:
        spec = importlib.util.spec_from_file_location(f"exported_model_{i}", f"{case['dir']}/model.py")
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        model = mod.load_model()
        xs = []
        for inp in case['inputs']:
            a = np.fromfile(inp['file'], dtype=np.float32).reshape(inp['shape'])
            xs.append(torch.from_numpy(a).long() if inp['dtype'] == 'int32' else torch.from_numpy(a))
        with torch.no_grad():
            ys = model(*xs)
        ys = ys if isinstance(ys, tuple) else (ys,)
        diff = 0.0
        for y, out in zip(ys, case['outputs']):
            want = np.fromfile(out['file'], dtype=np.float32).reshape(out['shape'])
            if tuple(y.shape) != tuple(want.shape):
                raise ValueError(f"shape {tuple(y.shape)} != {tuple(want.shape)}")
            diff = max(diff, float(np.max(np.abs(y.numpy() - want))))
        results[case['dir']] = diff
    except Exception:
        results[case['dir']] = traceback.format_exc(limit=3)
print(json.dumps(results))
