"""Types and shapes of a model's tensors after Python onnx's own shape inference, for cross-checking ours.

Usage: /usr/bin/python3 onnx_shapes.py FILE ; prints one JSON object {name: {"elemType": int, "dims": [...] | null}}
for every value_info and graph output of the main graph after onnx.shape_inference.infer_shapes(strict_mode=False,
data_prop=True). A dim is an int, a symbol (str) or null. If inference itself fails, prints {"__error__": message}.
With several files (one process for a whole corpus), prints {file: that object}. With --strip, the model's own
value_info and the types of its graph outputs are removed first, so that what comes back is what onnx inferred.
"""
import json
import sys

import onnx


def value_type(value):
    t = value.type.tensor_type
    if not value.type.HasField("tensor_type"):
        return None
    dims = None
    if t.HasField("shape"):
        dims = [d.dim_value if d.HasField("dim_value") else (d.dim_param if d.HasField("dim_param") else None) for d in t.shape.dim]
    return {"elemType": t.elem_type, "dims": dims}


def shapes(path, strip):
    model = onnx.load(path)
    if strip:
        del model.graph.value_info[:]
        for o in model.graph.output:
            o.ClearField("type")
    try:
        inferred = onnx.shape_inference.infer_shapes(model, strict_mode=False, data_prop=True)
    except Exception as e:  # onnx raises for models it cannot infer at all; the caller skips them
        return {"__error__": str(e)}
    out = {}
    for v in list(inferred.graph.value_info) + list(inferred.graph.output):
        t = value_type(v)
        if t is not None:
            out[v.name] = t
    return out


strip = "--strip" in sys.argv[1:]
files = [a for a in sys.argv[1:] if a != "--strip"]
if len(files) == 1:
    print(json.dumps(shapes(files[0], strip)))
else:
    print(json.dumps({path: shapes(path, strip) for path in files}))
