"""ONNX's backend node tests as stepwell test cases (used by test_onnx_node.py and
onnx_node_table.py).

The `onnx` wheel ships no node test data files, but it ships their generators:
`onnx.backend.test.case.node.collect_testcases()` builds every node test case (a
one-node model, or a function's expansion, with inputs and expected outputs). Each
case is imported once; graph inputs that tensor_graph needs at compile time (a
Reshape's shape, a reduction's axes, fed as inputs by these tests) are bound to the
test's values with `load(..., constants=...)`, as a user of a static-shape compiler
would.
"""

from __future__ import annotations

import functools
import re
import warnings
from dataclasses import dataclass, field

import numpy as np
from onnx import TensorProto, numpy_helper

from stepwell.frontends.onnx import OPS, OnnxImportError
from stepwell.frontends.onnx.importer import ImporterBug, NotKnown, load


@dataclass
class Case:
    name: str
    op: str  # the op type the case tests (for an expanded function: the function's op)
    rtol: float
    atol: float
    skip: str | None = None  # why stepwell cannot run it
    bug: str | None = None  # an importer failure that is stepwell's fault
    module: object = None
    inputs: list = field(default_factory=list)
    outputs: list = field(default_factory=list)


def _array(x):
    return numpy_helper.to_array(x) if isinstance(x, TensorProto) else np.asarray(x)


def _reason(message: str) -> str:
    """The skip reason's kind first: op, opset, dtype, dynamic dimension, other."""
    if "does not support (supported:" in message:
        return f"dtype unsupported: {message}"
    if "dynamic dimension" in message:
        return f"dynamic dim: {message}"
    if "uses opset" in message:
        return f"opset: {message}"
    return f"not expressible: {message}"


def _prepare(test) -> Case:
    graph = test.model.graph
    op = graph.node[0].op_type if len(graph.node) == 1 else None
    case = Case(test.name, op or "", test.rtol, test.atol)
    missing = sorted({n.op_type for n in graph.node} - set(OPS))
    if missing:
        case.skip = f"op unsupported: {', '.join(missing)}"
        return case
    (inputs, outputs), = test.data_sets
    if any(not isinstance(x, (np.ndarray, np.generic, TensorProto)) for x in (*inputs, *outputs)):
        case.skip = "not a tensor: sequence or optional values"
        return case
    inputs, outputs = [_array(x) for x in inputs], [_array(x) for x in outputs]
    names = [vi.name for vi in graph.input]
    bound: dict[str, np.ndarray] = {}
    while True:
        try:
            case.module = load(test.model, entry=test.name, constants=bound)
            break
        except NotKnown as e:
            if e.name not in names or e.name in bound:
                case.skip = _reason(str(e))
                return case
            bound[e.name] = inputs[names.index(e.name)]
        except ImporterBug as e:
            case.bug = str(e)
            return case
        except OnnxImportError as e:
            case.skip = _reason(str(e))
            return case
    case.inputs = [x for name, x in zip(names, inputs) if name not in bound]
    case.outputs = outputs
    return case


@functools.cache
def cases() -> dict[str, Case]:
    from onnx.backend.test.case.node import collect_testcases

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the generators' own numpy overflow warnings
        tests = collect_testcases()
        prepared = {t.name: _prepare(t) for t in tests}
    for case in prepared.values():  # an expansion counts for the op it expands
        if not case.op:
            base = prepared.get(re.sub(r"_expanded(_ver\d+)?$", "", case.name))
            case.op = base.op if base is not None and base.op else "(function)"
    return prepared


def names() -> list[str]:
    return list(cases())


SIXTEEN_BIT_RTOL = {np.dtype(np.float16): 2 * 2.0**-10, np.dtype("bfloat16"): 2 * 2.0**-7}
"""ONNX's runner compares at rtol 1e-3, finer than one ulp of bf16 (2^-8 relative) and
about one of f16: 16-bit results are compared at two ulps instead."""


def check(case: Case, got) -> None:
    got = got if isinstance(got, tuple) else (got,)
    assert len(got) == len(case.outputs)
    for i, (g, want) in enumerate(zip(got, case.outputs)):
        assert g.shape == want.shape, f"output {i}: shape {g.shape}, expected {want.shape}"
        assert g.dtype == want.dtype, f"output {i}: dtype {g.dtype}, expected {want.dtype}"
        rtol = max(case.rtol, SIXTEEN_BIT_RTOL.get(g.dtype, 0.0))
        if g.dtype.kind == "V" or str(g.dtype) == "bfloat16":
            g, want = g.astype(np.float32), want.astype(np.float32)
        np.testing.assert_allclose(g, want, rtol=rtol, atol=case.atol, err_msg=f"output {i}")
