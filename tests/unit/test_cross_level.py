"""Cross-level differential test: every elementwise op of the semantic table, every
`cmp` predicate, every reduction kind, on every element type, on the same random
inputs (odd sizes, special values), evaluated three ways:

    the tensor_graph reference interpreter
    the loops reference interpreter, after convert-tensor_graph-to-loops
    compiled CPU code (stepwell.compile, target cpu)

each judged against the first by the spec's Numerics rules (`stepwell.fuzz.compare`:
exact ops bit for bit, math functions and sums within their tolerance). One module
holds a function per element type, so LLVM runs once for all of them."""

from __future__ import annotations

import numpy as np
import pytest
from xdsl.dialects import func

import stepwell
from stepwell import reference
from stepwell.dialects.tensor_graph import ALL_OPS
from stepwell.dialects.tensor_graph.ops import UnaryOp
from stepwell.dialects.tensor_graph.types import CLASSES
from stepwell.fuzz.compare import compare
from stepwell.fuzz.generate import random_values
from stepwell.ir.pipeline import build_pipeline
from stepwell.reference import loops
from stepwell.registry import make_context, passes
from stepwell.semantics import ELEMENTWISE, PREDICATES, REDUCTIONS

from _dtypes import ALL, ELEMENT_TYPES, FLOATS, INTS  # noqa: E402

ROWS, COLS = 5, 7  # odd sizes; the second operand broadcasts along the rows
OP_TYPES = {op.name: op for op in ALL_OPS}


def applies(name: str, t: str) -> bool:
    """Whether op `name` takes element type `t` (its verifier's class)."""
    return ELEMENT_TYPES[t] in CLASSES[OP_TYPES[name].ELEMENTS]


def function(t: str) -> str:
    """@f_T: every op that applies to element type T, each result returned."""
    x, y, c = f"tensor<{ROWS}x{COLS}x{t}>", f"tensor<{COLS}x{t}>", f"tensor<{ROWS}x{COLS}xi1>"
    lines, results = [], []

    def add(text: str, type_: str) -> None:
        name = f"%v{len(results)}"
        lines.append(f"    {name} = {text}")
        results.append((name, type_))

    for name in ELEMENTWISE:
        if name == "tensor_graph.select" or not applies(name, t):
            continue
        unary = issubclass(OP_TYPES[name], UnaryOp)
        add(f"{name} %x : {x}" if unary else f"{name} %x, %y : {x}, {y} -> {x}", x)
    add(f"tensor_graph.select %c, %x, %y : {c}, {x}, {y} -> {x}", x)
    for predicate in PREDICATES:
        add(f'tensor_graph.cmp %x, %y {{predicate = "{predicate}"}} : {x}, {y} -> {c}', c)
    kinds = [k for k in REDUCTIONS if t != "i1" or k in ("max", "min")] + (["mean"] if t in FLOATS else [])  # the spec
    for kind in kinds:
        for dims, keep, out in (([1], False, f"tensor<{ROWS}x{t}>"), ([0], True, f"tensor<1x{COLS}x{t}>"),
                                ([0, 1], False, f"tensor<{t}>")):  # fmt: skip
            add(f'tensor_graph.reduce %x {{kind = "{kind}", dims = {dims}, keepdim = {str(keep).lower()}}} '
                f": {x} -> {out}", out)
    for arg in ("argmax", "argmin"):
        for axis, out in ((1, f"tensor<{ROWS}xi64>"), (0, f"tensor<{COLS}xi64>")):
            add(f"tensor_graph.{arg} %x {{axis = {axis}, keepdim = false}} : {x} -> {out}", out)
    names, types = ", ".join(n for n, _ in results), ", ".join(ty for _, ty in results)
    return (f"  func.func @f_{t}(%x: {x}, %y: {y}, %c: {c}) -> ({types}) {{\n" + "\n".join(lines)
            + f"\n    func.return {names} : {types}\n  }}")


SOURCE = "builtin.module {\n" + "\n".join(function(t) for t in ALL) + "\n}\n"


@pytest.fixture(scope="module")
def levels():
    """The tensor_graph module and its loops form."""
    module = reference.load_module(SOURCE)
    lowered, ctx = module.clone(), make_context()
    for _, p in build_pipeline("convert-tensor_graph-to-loops", passes()):
        p.apply(ctx, lowered)
    return module, lowered


def inputs(module, t: str, seed: int) -> list[np.ndarray]:
    function_op = reference.find_function(module, f"f_{t}")
    rng = np.random.default_rng(seed)
    return [random_values(rng, ty, special=0.2) for ty in function_op.function_type.inputs.data]


@pytest.mark.parametrize("t", ALL)
def test_three_levels_agree(levels, t):
    module, lowered = levels
    function_op = reference.find_function(module, f"f_{t}")
    ops = [op for op in function_op.body.block.ops if not isinstance(op, func.ReturnOp)]
    compiled = stepwell.compile(SOURCE, f"f_{t}", target="cpu")
    for seed in range(3):
        args = inputs(module, t, seed)
        expected = reference.run_function(function_op, *args)
        by_level = {
            "loops": loops.run(lowered, f"f_{t}", *args),
            "cpu": compiled(*args),
        }
        arg_values = dict(zip(function_op.body.block.args, args))
        failures = [
            f"{level}: {failure}"
            for level, values in by_level.items()
            for op, actual, want in zip(ops, values, expected)
            for failure in compare(op, [arg_values[v] for v in op.operands], np.asarray(actual), want)
        ]
        assert not failures, f"seed {seed}:\n" + "\n".join(failures[:10])


def test_every_op_and_kind_is_covered():
    """The module exercises every table entry and every kind, so a new one is tested
    here without a new line."""
    for name in ELEMENTWISE:
        assert name in SOURCE, name
    for kind in REDUCTIONS:
        assert f'kind = "{kind}"' in SOURCE, kind
    assert set(INTS) | set(FLOATS) | {"i1"} == set(ALL)


# --- the i1 reductions of the loops level: one meaning in the interpreter and the code ---

I1_REDUCTIONS = """
func.func @f(%x: tensor<3x5xi1>) -> (tensor<3xi1>, tensor<3xi1>, tensor<3xi1>, tensor<3xi1>, tensor<5xi1>) {
""" + "".join(f"""  %{k} = loops.reduce {k} over [5] : tensor<3xi1> {{
    %a = loops.load %x[d0, r0] : tensor<3x5xi1>
    loops.yield %a : i1
  }}
""" for k in ("sum", "prod", "max", "min")) + """  %cols = loops.reduce sum over [3] : tensor<5xi1> {
    %a = loops.load %x[r0, d0] : tensor<3x5xi1>
    loops.yield %a : i1
  }
  func.return %sum, %prod, %max, %min, %cols : tensor<3xi1>, tensor<3xi1>, tensor<3xi1>, tensor<3xi1>, tensor<5xi1>
}
"""


def test_i1_sum_is_xor_in_the_interpreter_and_in_compiled_code():
    x = np.array([[1, 1, 0, 0, 0], [1, 1, 1, 0, 0], [1, 1, 1, 1, 1]], dtype=bool)
    expected = (
        np.logical_xor.reduce(x, axis=1), x.all(axis=1), x.any(axis=1), x.all(axis=1),
        np.logical_xor.reduce(x, axis=0),
    )
    got_loops = loops.run(I1_REDUCTIONS, "f", x)
    got_cpu = stepwell.compile(I1_REDUCTIONS, "f", pipeline="convert-loops-to-llvm")(x)
    for e, a, b in zip(expected, got_loops, got_cpu):
        np.testing.assert_array_equal(a, e)
        np.testing.assert_array_equal(b, e)
