"""Checks the Keras export without TensorFlow/Keras (used by keras.test.ts; one process for all cases).

For each case folder (holding the Keras export, the TF.js export of the same model for reference and
engine.json: the engine's layers with their resolved catalog params, inputs and outputs): model.py
and train.py compile; model.py, parsed with ast, builds every layer of the engine with its class and
wiring (model.json) and every setting of the engine's layer (engine.json) written out, nothing
missing and nothing extra, and ends with keras.Model(inputs, outputs) over the engine's inputs and
outputs in order; and model.weights.h5 has the layout Keras 3's
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


# Keras' own signatures: the arguments each class takes by position (keras.layers.Dense(units, ...)).
POSITIONAL = {
    "Dense": ["units"], "Conv1D": ["filters"], "Conv2D": ["filters"], "Conv1DTranspose": ["filters"], "Conv2DTranspose": ["filters"],
    "SeparableConv2D": ["filters"], "Embedding": ["input_dim", "output_dim"], "Dropout": ["rate"],
    "Activation": ["activation"], "Reshape": ["target_shape"], "PositionalEmbedding": ["sequence_length"],
    "SimpleRNN": ["units"], "LSTM": ["units"], "GRU": ["units"],
}


class Fn:
    """A function named in model.py (an activation helper such as tfjs_hard_sigmoid)."""

    def __init__(self, name):
        self.name = name

    def __eq__(self, other):
        return isinstance(other, Fn) and other.name == self.name

    def __repr__(self):
        return self.name


class OneOf:
    """Any of several spellings Keras 3 reads as the same thing ("silu" and "swish")."""

    def __init__(self, *values):
        self.values = values

    def __repr__(self):
        return " or ".join(map(repr, self.values))


# Engine (TF.js) activation -> what Keras 3 must be given to compute the same function. TF.js'
# hardSigmoid is clip(0.2x + 0.5, 0, 1), not Keras 3's relu6(x + 3) / 6, and its gelu is the exact
# erf form: both need a helper defined in model.py.
ACTIVATION = {
    "linear": "linear", "relu": "relu", "relu6": "relu6", "elu": "elu", "selu": "selu", "sigmoid": "sigmoid",
    "hardSigmoid": Fn("tfjs_hard_sigmoid"), "tanh": "tanh", "softmax": "softmax", "softplus": "softplus",
    "softsign": "softsign", "swish": OneOf("silu", "swish"), "mish": "mish", "gelu": Fn("tfjs_gelu"),
}


def literal(node):
    if isinstance(node, ast.Name):
        return Fn(node.id)
    return ast.literal_eval(node)


def same(got, want):
    """Equal as Python values, strictly: True is not 1, (3, 3) equals [3, 3], 0.5 equals 0.5."""
    if isinstance(want, OneOf):
        return any(same(got, w) for w in want.values)
    if isinstance(want, bool) or isinstance(got, bool):
        return isinstance(want, bool) and isinstance(got, bool) and got == want
    if isinstance(want, (list, tuple)):
        return isinstance(got, (list, tuple)) and len(got) == len(want) and all(same(g, w) for g, w in zip(got, want))
    if isinstance(want, (int, float)):
        return isinstance(got, (int, float)) and float(got) == float(want)
    return type(got) is type(want) and got == want


def snake_arg(name):
    return re.sub("([a-z0-9])([A-Z])", r"\1_\2", name).lower()


def expected_args(node):
    """Every setting of the engine's layer (its resolved catalog params), as the Keras arguments that
    must appear in model.py: {keras class: {argument: value}}; the outer class is "". A setting the
    exporter leaves out would silently take Keras' default, so each one must be written."""
    t, p = node["type"], dict(node["params"])
    if t == "Input":
        return {"": {"shape": p["shape"], "dtype": p["dtype"]}}
    if t == "Bidirectional":
        inner = {"units": p["units"], "return_sequences": p["returnSequences"]}
        if p["layer"] == "GRU":
            inner["reset_after"] = False
        return {"": {"merge_mode": p["mergeMode"]}, p["layer"]: inner}
    out = {}
    for k, v in p.items():
        if k in ("activation", "recurrentActivation"):
            v = ACTIVATION[v]
        elif t == "Concatenate" and k == "axis":
            v = v if v < 0 else v + 1  # the engine's axis leaves the batch out; Keras' counts it
        elif t == "Reshape" and k == "targetShape":
            # model.py writes the shape the engine inferred (-1 resolved); it must agree with the setting.
            shape = node["outShape"]
            if len(shape) != len(v) or any(a != -1 and a != b for a, b in zip(v, shape)):
                raise ValueError(f"{node['id']}: targetShape {v} does not give the engine's shape {shape}")
            v = shape
        out[snake_arg(k)] = v
    if t == "GRU":
        out["reset_after"] = False  # TF.js' GRU; Keras 3 defaults to reset_after=True
    return {"": out}


def call_args(cls, ctor):
    """The arguments a layer constructor call passes, positional ones named after Keras' signature."""
    got = {k.arg: literal(k.value) for k in ctor.keywords if k.arg != "name"}
    if any(k.arg is None for k in ctor.keywords):
        raise ValueError(f"{cls}: **kwargs cannot be checked")
    names = POSITIONAL.get(cls, [])
    if len(ctor.args) > len(names):
        raise ValueError(f"{cls}: {len(ctor.args)} positional arguments, Keras' signature names {len(names)}")
    for k, a in zip(names, ctor.args):
        if k in got:
            raise ValueError(f"{cls}: {k} given twice")
        got[k] = literal(a)
    return got


def compare_args(name, where, got, want, defined):
    for k, v in want.items():
        if k not in got:
            raise ValueError(f"{name}{where}: {k} is missing from model.py (the engine's layer has {v!r})")
        if not same(got[k], v):
            raise ValueError(f"{name}{where}.{k}: model.py {got[k]!r} vs engine {v!r}")
        if isinstance(got[k], Fn) and got[k].name not in defined:
            raise ValueError(f"{name}{where}.{k}: {got[k].name} is not defined in model.py")
    extra = sorted(set(got) - set(want))
    if extra:
        raise ValueError(f"{name}{where}: model.py sets {extra}, which the engine's layer does not have")


def layer_ctor(call):
    ctor = call.func
    if not isinstance(ctor, ast.Call):
        raise ValueError(f"line {call.lineno}: not a layer call")
    return ctor, (ctor.func.attr if isinstance(ctor.func, ast.Attribute) else ctor.func.id)


def check_model_statement(ret, var_layer, engine, topo):
    """`return keras.Model(inputs=[...], outputs=[...])` lists the engine's inputs and outputs, in order."""
    call = ret.value if isinstance(ret, ast.Return) else None
    if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr == "Model"):
        raise ValueError("build_model does not end with return keras.Model(...)")
    kw = {k.arg: k.value for k in call.keywords}
    for i, key in enumerate(("inputs", "outputs")):
        node = call.args[i] if i < len(call.args) else kw.get(key)
        if node is None:
            raise ValueError(f"keras.Model has no {key}")
        elts = node.elts if isinstance(node, (ast.List, ast.Tuple)) else [node]
        got = [var_layer.get(e.id, f"<{e.id}>") if isinstance(e, ast.Name) else ast.dump(e) for e in elts]
        want = engine[key]
        from_topo = [t[0] for t in topo["input_layers" if key == "inputs" else "output_layers"]]
        if got != want or got != from_topo:
            raise ValueError(f"keras.Model {key} {got} vs engine {want} (model.json {from_topo})")


def check_structure(folder, topo, engine):
    """model.py builds the engine's layers (model.json: class, wiring; the catalog's resolved params:
    every setting), and keras.Model takes the engine's inputs and outputs."""
    tree = ast.parse(open(f"{folder}/model.py").read())
    defined = {f.name for f in tree.body if isinstance(f, (ast.FunctionDef, ast.ClassDef))}
    build = next(f for f in tree.body if isinstance(f, ast.FunctionDef) and f.name == "build_model")
    var_layer, seen = {}, set()
    layers = {l["name"]: l for l in topo["layers"]}
    *body, ret = build.body
    for st in body:
        if not (isinstance(st, ast.Assign) and len(st.targets) == 1 and isinstance(st.targets[0], ast.Name) and isinstance(st.value, ast.Call)):
            raise ValueError(f"build_model line {st.lineno}: not a layer assignment")
        var, call = st.targets[0].id, st.value
        if isinstance(call.func, ast.Attribute) and call.func.attr == "Input":
            kw = {k.arg: literal(k.value) for k in call.keywords}
            name = kw.pop("name")
            if layers[name]["class_name"] != "InputLayer":
                raise ValueError(f"{name}: keras.Input for a {layers[name]['class_name']}")
            compare_args(name, "", kw, expected_args(engine["layers"][name])[""], defined)
        else:
            ctor, cls = layer_ctor(call)
            names = [k.value for k in ctor.keywords if k.arg == "name"]
            if len(names) != 1:
                raise ValueError(f"build_model line {st.lineno}: {cls} without a name")
            name = literal(names[0])
            l = layers[name]
            if l["class_name"] != cls:
                raise ValueError(f"{name}: class {cls} vs {l['class_name']}")
            want = expected_args(engine["layers"][name])
            if cls == "Bidirectional":
                if len(ctor.args) != 1 or not isinstance(ctor.args[0], ast.Call):
                    raise ValueError(f"{name}: Bidirectional without its recurrent layer as the first argument")
                inner = ctor.args[0]
                inner_cls = inner.func.attr if isinstance(inner.func, ast.Attribute) else inner.func.id
                if inner_cls not in want:
                    raise ValueError(f"{name}: wraps {inner_cls}, the engine's layer wraps {[c for c in want if c]}")
                compare_args(name, f"({inner_cls})", call_args(inner_cls, inner), want[inner_cls], defined)
                got = {k.arg: literal(k.value) for k in ctor.keywords if k.arg != "name"}
            else:
                got = call_args(cls, ctor)
            if cls == "MultiHeadAttention":
                # Keras takes the causal mask when the layer is called (use_causal_mask), not in its constructor.
                call_kw = {k.arg: literal(k.value) for k in call.keywords}
                got["causal"] = call_kw.get("use_causal_mask", False)
            compare_args(name, "", got, want[""], defined)
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
    if seen != set(layers) or seen != set(engine["layers"]):
        raise ValueError(f"layers missing from model.py: {sorted((set(layers) | set(engine['layers'])) - seen)}")
    check_model_statement(ret, var_layer, engine, topo)


def check(folder):
    for f in ("model.py", "train.py"):
        py_compile.compile(f"{folder}/{f}", doraise=True)
    mj = json.load(open(f"{folder}/model.json"))
    topo = mj["modelTopology"]["config"]
    check_structure(folder, topo, json.load(open(f"{folder}/engine.json")))
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
