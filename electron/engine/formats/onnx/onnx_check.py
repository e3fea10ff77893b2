"""Validates ONNX exports with the official checker (used by onnx.test.ts; one process for every file).

argv[1]: a JSON list of .onnx paths. For each: onnx.checker.check_model(model, full_check=True) (the
structure, every operator against its opset schema, and strict shape and type inference: a declared
output shape that inference contradicts is an error), and every graph input and output has a
symbolic first (batch) dimension. Prints one JSON object {path: "ok" or the error}.
"""
import json
import sys

import onnx


def symbolic_batch(values, kind):
    for v in values:
        dims = v.type.tensor_type.shape.dim
        if not dims or not dims[0].dim_param or dims[0].HasField("dim_value"):
            raise ValueError(f"{kind} {v.name}: the first dimension is not symbolic ({dims[0] if dims else 'no shape'})")


def check(path):
    model = onnx.load(path)
    onnx.checker.check_model(model, full_check=True)
    symbolic_batch(model.graph.input, "input")
    symbolic_batch(model.graph.output, "output")
    return "ok"


results = {}
for path in json.load(open(sys.argv[1])):
    try:
        results[path] = check(path)
    except Exception as e:  # noqa: BLE001 - every failure is reported, per file
        results[path] = f"{type(e).__name__}: {str(e)[:500]}"
print(json.dumps(results))
