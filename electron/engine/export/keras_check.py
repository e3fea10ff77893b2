"""Checks the Keras export without TensorFlow/Keras (used by keras.test.ts; one process for all cases).

For each case folder (holding the Keras export and, for reference, the TF.js export of the same
trained model): model.py and train.py compile, and model.weights.h5 has the layout Keras 3's
`load_weights` reads (keras/src/saving/saving_lib.py): `layers/<snake_case(class)>[_n]/vars/<i>` in
`model.layers` order (Functional: deepest-first from the outputs, ties by first DFS visit), nested
layers under their attribute (`cell`, `forward_layer`, `query_dense`, ...), every weight equal to the
TF.js weight it came from. The order and names are computed here independently, from model.json.
Prints {dir: "ok" or an error}.
"""
import json
import py_compile
import re
import sys

import h5py
import numpy as np


def snake(name):
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


def keras_order(topo):
    inputs_of = {l["name"]: [t[0] for t in l["inbound_nodes"][0]] if l["inbound_nodes"] else [] for l in topo["layers"]}
    index, post, done = {}, [], set()

    def visit(n):
        if n in done:
            return
        index.setdefault(n, len(index))
        for s in inputs_of[n]:
            visit(s)
        done.add(n)
        post.append(n)

    for o in topo["output_layers"]:
        visit(o[0])
    depth = {}
    for n in reversed(post):
        d = depth.setdefault(n, 0)
        for s in inputs_of[n]:
            depth[s] = max(d + 1, depth.get(s, 0))
    return sorted(depth, key=lambda n: (-depth[n], index[n]))


def check(folder):
    for f in ("model.py", "train.py"):
        py_compile.compile(f"{folder}/{f}", doraise=True)
    mj = json.load(open(f"{folder}/model.json"))
    topo = mj["modelTopology"]["config"]
    classes = {l["name"]: l["class_name"] for l in topo["layers"]}
    specs = [w for g in mj["weightsManifest"] for w in g["weights"]]
    data = np.fromfile(f"{folder}/weights.bin", dtype=np.float32)
    by_layer, offset = {}, 0
    for s in specs:
        n = int(np.prod(s["shape"])) if s["shape"] else 1
        by_layer.setdefault(s["name"].split("/")[0], []).append(data[offset:offset + n].reshape(s["shape"]))
        offset += n
    expected, used = {}, {}
    for name in keras_order(topo):
        cls = classes[name]
        base = snake(cls)
        if base in used:
            used[base] += 1
            base = f"{base}_{used[base]}"
        else:
            used[base] = 0
        ws = by_layer.get(name, [])
        if cls in ("LSTM", "GRU", "SimpleRNN"):
            groups = {"cell": ws}
        elif cls == "Bidirectional":
            groups = {"forward_layer/cell": ws[:3], "backward_layer/cell": ws[3:]}
        elif cls == "MultiHeadAttention":
            per = len(ws) // 4
            groups = {f"{p}{s}_dense": ws[i * per:(i + 1) * per] for i, s in enumerate(["query", "key", "value", "output"]) for p in ("", "_")}
        else:
            groups = {"": ws}
        for sub, arrs in groups.items():
            for i, a in enumerate(arrs):
                expected[f"layers/{base}/{sub + '/' if sub else ''}vars/{i}"] = a
    with h5py.File(f"{folder}/model.weights.h5", "r") as h5:
        if "vars" not in h5 or "layers" not in h5:
            return "missing root vars/ or layers/"
        found = {}
        h5.visititems(lambda n, o: found.__setitem__(n, o[()]) if isinstance(o, h5py.Dataset) else None)
        for g in used:
            if g not in h5["layers"]:
                return f"missing layer group layers/{g}"
    missing = sorted(set(expected) - set(found))
    extra = sorted(set(found) - set(expected))
    if missing or extra:
        return f"missing {missing[:5]} extra {extra[:5]}"
    for k, a in expected.items():
        if found[k].shape != a.shape or not np.array_equal(found[k], a):
            return f"{k}: shape {found[k].shape} vs {a.shape} or values differ"
    return "ok"


results = {}
for folder in json.load(open(sys.argv[1])):
    try:
        results[folder] = check(folder)
    except Exception as e:  # noqa: BLE001
        results[folder] = f"{type(e).__name__}: {e}"
print(json.dumps(results))
