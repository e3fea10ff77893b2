"""Checks the Keras export without TensorFlow/Keras (used by keras.test.ts; one process for all cases).

For each case folder (holding the Keras export and, for reference, the TF.js export of the same
trained model): model.py and train.py compile, and model.weights.h5 has the layout Keras 3's
`load_weights` reads (keras/src/saving/saving_lib.py): `layers/<snake_case(class)>[_n]/vars/<i>` in
`model.layers` order (Functional: deepest-first from the outputs, ties by first DFS visit), nested
layers under their attribute (`cell`, `forward_layer`, `query_dense`, ...), every weight equal to the
TF.js weight it came from. The order and names are computed here independently, from model.json.
Prints {dir: "ok" or an error}.
"""
import ast
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


POSITIONAL = {
    "Dense": ["units"], "Conv1D": ["filters"], "Conv2D": ["filters"], "Conv1DTranspose": ["filters"], "Conv2DTranspose": ["filters"],
    "SeparableConv2D": ["filters"], "Embedding": ["input_dim", "output_dim"], "Dropout": ["rate"],
    "Activation": ["activation"], "Reshape": ["target_shape"], "PositionalEmbedding": ["sequence_length"],
    "SimpleRNN": ["units"], "LSTM": ["units"], "GRU": ["units"],
}
COMPARED = {"units", "filters", "kernel_size", "strides", "padding", "activation", "use_bias", "return_sequences",
            "pool_size", "rate", "momentum", "epsilon", "center", "scale", "depth_multiplier", "dilation_rate",
            "merge_mode", "num_heads", "key_dim", "value_dim", "output_shape", "input_dim", "output_dim",
            "target_shape", "size", "interpolation", "axis", "recurrent_activation", "intermediate_dim",
            "layer_norm_epsilon", "normalize_first", "sequence_length", "dropout", "reset_after"}
ACT = {"silu": "swish", "tfjs_hard_sigmoid": "hardsigmoid", "tfjs_gelu": "gelu"}


def norm(v):
    if isinstance(v, (list, tuple)):
        return [norm(x) for x in v]
    if isinstance(v, str):
        v = ACT.get(v, v)
        return v.replace("_", "").lower()
    if isinstance(v, bool) or v is None:
        return v
    if isinstance(v, (int, float)):
        return round(float(v), 6)
    return v


def literal(node):
    if isinstance(node, ast.Name):
        return node.id  # helper functions (tfjs_hard_sigmoid, ...)
    return ast.literal_eval(node)


def check_structure(folder, topo):
    """model.py builds the same layers, with the same settings and wiring, as the engine's model.json."""
    tree = ast.parse(open(f"{folder}/model.py").read())
    build = next(f for f in tree.body if isinstance(f, ast.FunctionDef) and f.name == "build_model")
    var_layer, seen = {}, set()
    layers = {l["name"]: l for l in topo["layers"]}
    for st in build.body:
        if not isinstance(st, ast.Assign):
            continue
        var, call = st.targets[0].id, st.value
        if isinstance(call.func, ast.Attribute) and call.func.attr == "Input":
            kw = {k.arg: literal(k.value) for k in call.keywords}
            l = layers[kw["name"]]
            if [None, *kw["shape"]] != l["config"]["batch_input_shape"] or kw["dtype"] != l["config"]["dtype"]:
                raise ValueError(f"input {kw['name']}: {kw} vs {l['config']}")
            var_layer[var] = kw["name"]
            seen.add(kw["name"])
            continue
        ctor = call.func
        cls = ctor.func.attr if isinstance(ctor.func, ast.Attribute) else ctor.func.id
        kw = {k.arg: k.value for k in ctor.keywords}
        name = literal(kw["name"])
        l = layers[name]
        if l["class_name"] != cls:
            raise ValueError(f"{name}: class {cls} vs {l['class_name']}")
        cfg = dict(l["config"])
        got = {k: literal(v) for k, v in kw.items() if k != "name"}
        for i, a in enumerate(ctor.args):
            if cls == "Bidirectional":
                inner = a
                got["inner"] = inner.func.attr
                got.update({k.arg: literal(k.value) for k in inner.keywords})
                got["units"] = literal(inner.args[0])
                cfg["inner"] = cfg["layer"]["class_name"]
                cfg.update({k: v for k, v in cfg["layer"]["config"].items() if k in ("units", "return_sequences", "reset_after")})
            else:
                got[POSITIONAL[cls][i]] = literal(a)
        for k, v in got.items():
            if k in COMPARED or k == "inner":
                if k == "reset_after" and cls in ("GRU", "Bidirectional"):
                    if v is not False or cfg.get("reset_after") not in (False, None):
                        raise ValueError(f"{name}: reset_after {v} vs {cfg.get('reset_after')}")
                    continue
                want = cfg.get(k)
                if k == "strides" and v is None and "pool_size" in cfg:
                    v = got.get("pool_size")  # Keras: strides None = pool_size
                if k == "depth_multiplier" and want is None:
                    want = 1  # TF.js leaves SeparableConv2D's default out of its config
                if norm(v) != norm(want) and not (k == "pool_size" and norm(v) == norm(want)):
                    raise ValueError(f"{name}.{k}: model.py {v!r} vs engine {want!r}")
        srcs = []
        for a in call.args:
            for x in (a.elts if isinstance(a, ast.List) else [a]):
                srcs.append(var_layer[x.id])
        want_srcs = [t[0] for t in l["inbound_nodes"][0]]
        if cls == "MultiHeadAttention" and len(want_srcs) == 1:
            want_srcs = want_srcs * 2
        if srcs != want_srcs:
            raise ValueError(f"{name}: inputs {srcs} vs {want_srcs}")
        var_layer[var] = name
        seen.add(name)
    if seen != set(layers):
        raise ValueError(f"layers missing from model.py: {sorted(set(layers) - seen)}")


def check(folder):
    for f in ("model.py", "train.py"):
        py_compile.compile(f"{folder}/{f}", doraise=True)
    mj = json.load(open(f"{folder}/model.json"))
    topo = mj["modelTopology"]["config"]
    check_structure(folder, topo)
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
