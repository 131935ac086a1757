"""Facts about ONNX models as Python's `onnx` package (Debian python3-onnx) sees them, for cross-checking summaries.

Usage: /usr/bin/python3 onnx_facts.py FILE... ; prints one JSON object {file: facts}.
"""
import collections
import json
import sys

import onnx


def graphs(graph):
    """The graph and every subgraph held by node attributes, iteratively."""
    stack = [graph]
    while stack:
        g = stack.pop()
        yield g
        for node in g.node:
            for attr in node.attribute:
                if attr.HasField("g"):
                    stack.append(attr.g)
                stack.extend(attr.graphs)


def dims(value):
    t = value.type.tensor_type
    if not t.HasField("shape"):
        return None
    return [d.dim_value if d.HasField("dim_value") else (d.dim_param if d.HasField("dim_param") else None) for d in t.shape.dim]


def facts(path):
    model = onnx.load(path)
    all_graphs = list(graphs(model.graph))
    ops = collections.Counter()
    for g in all_graphs:
        for n in g.node:
            ops[f"{n.domain}:{n.op_type}" if n.domain not in ("", "ai.onnx") else n.op_type] += 1
    init_names = {t.name for t in model.graph.initializer}
    return {
        "irVersion": model.ir_version,
        "opsets": {(o.domain or "ai.onnx"): o.version for o in model.opset_import},
        "producer": model.producer_name,
        "nodes": len(model.graph.node),
        "nodesTotal": sum(len(g.node) for g in all_graphs),
        "subgraphs": len(all_graphs) - 1,
        "nodesByOp": dict(ops),
        "initializers": sum(len(g.initializer) + len(g.sparse_initializer) for g in all_graphs),
        "inputs": [{"name": i.name, "dtype": onnx.TensorProto.DataType.Name(i.type.tensor_type.elem_type).lower() if i.type.HasField("tensor_type") else None, "shape": dims(i)} for i in model.graph.input if i.name not in init_names],
        "outputs": [o.name for o in model.graph.output],
    }


print(json.dumps({path: facts(path) for path in sys.argv[1:]}))
