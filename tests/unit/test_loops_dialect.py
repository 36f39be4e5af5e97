"""The loops dialect from Python: ops built with their constructors verify, print, parse
back to the same IR (custom and generic forms); index expressions print in affine
spelling and parse back to the same sympy expressions (random ones too, checked by
value); the verifier rejects what it must, with readable messages."""

from __future__ import annotations

import random

import numpy as np
import pytest
import sympy
from xdsl.dialects import arith, func, math
from xdsl.dialects.builtin import ModuleOp, TensorType
from xdsl.ir import Block, Region
from xdsl.utils.exceptions import VerifyException

from stepwell.dialects.loops import (
    IndexOp,
    KernelOp,
    LoadOp,
    PointwiseOp,
    ReduceOp,
    YieldOp,
    new_body,
)
from stepwell.dialects.loops.index import dims, format_index, parse_index, sym
from stepwell.dialects.tensor_graph.types import f16, f32, i1, i32, i64, tensor
from stepwell.ir import parse_module, verify_module
from stepwell.reference.loops import index_function
from stepwell.registry import make_context

d0, d1, d2 = dims(3)
r0, r1 = dims(2, "r")
s0 = sym("s0")


def body(build) -> Region:
    """A body region: `build(block)` adds ops and returns the value to yield."""
    region, block = new_body()
    value = build(block)
    block.add_op(YieldOp(value))
    return region


def add(block: Block, op):
    block.add_op(op)
    return op.results[0]


def function(name: str, arg_types, build) -> func.FuncOp:
    """@name(args) whose body `build(block, *args)` fills; returns what it returns."""
    block = Block(arg_types=arg_types)
    results = build(block, *block.args)
    block.add_op(func.ReturnOp(*results))
    return func.FuncOp(name, (arg_types, [r.type for r in results]), Region(block))


def printed_round_trip(module: ModuleOp) -> ModuleOp:
    """Print, parse, verify; check the text is a fixed point (custom and generic)."""
    ctx = make_context()
    text = str(module)
    parsed, locations = parse_module(ctx, text)
    assert not verify_module(parsed, locations)
    assert str(parsed) == text
    generic = _generic(parsed)
    again, _ = parse_module(ctx, generic)
    assert _generic(again) == generic
    return parsed


def _generic(module: ModuleOp) -> str:
    from io import StringIO

    from xdsl.printer import Printer

    out = StringIO()
    Printer(stream=out, print_generic_format=True).print_op(module)
    return out.getvalue()


# --- building and round-tripping -------------------------------------------------------


def softmax_like() -> ModuleOp:
    """max and sum reductions, a pointwise with a broadcast load, and a kernel."""
    x_type = tensor([4, 8], f16)

    def build(block, x, bias):
        def exp_body(b):
            a = add(b, LoadOp(x, [d0, d1]))
            c = add(b, LoadOp(bias, [d1]))
            e = add(b, arith.ExtFOp(a, f32))
            s = add(b, math.ExpOp(add(b, arith.AddfOp(e, c))))
            return s

        e = PointwiseOp(tensor([4, 8], f32), body(exp_body))
        total = ReduceOp("sum", [8], tensor([4], f32), body(lambda b: add(b, LoadOp(e.result, [d0, r0]))))
        best = ReduceOp(
            "argmax", [8], tensor([4], i64), body(lambda b: add(b, LoadOp(x, [d0, r0]))), body_type=f16
        )
        block.add_op(e)
        kernel_body, kb = new_body()
        total.set_dim_map(["p0", "k0"])
        kb.add_op(total)
        kb.add_op(YieldOp(total.result))
        kernel = add(block, KernelOp([total.result.type], kernel_body, parallel=[4], reduction=[8]))
        block.add_op(best)

        def norm_body(b):
            v = add(b, arith.ExtFOp(add(b, LoadOp(x, [d0, d1])), f32))
            t = add(b, LoadOp(kernel, [d0]))
            add(b, IndexOp(d1 * 2 + sympy.floor(d0 / 3)))
            q = add(b, arith.DivfOp(v, t))
            return add(b, arith.TruncFOp(q, f16))

        y = add(block, PointwiseOp(x_type, body(norm_body)))
        return [y, best.result]

    return ModuleOp([function("softmax_like", [x_type, tensor([8], f32)], build)])


def test_built_module_verifies_and_round_trips():
    module = softmax_like()
    module.verify()
    parsed = printed_round_trip(module)
    text = str(parsed)
    assert "loops.reduce argmax over [8] (f16) : tensor<4xi64>" in text
    assert "loops.load %2[d0, r0] : tensor<4x8xf32>" in text
    assert "loops.kernel parallel [p0 = 4] reduction [k0 = 8] -> tensor<4xf32>" in text
    assert "loops.reduce sum over [8] : tensor<4xf32> at (p0 | k0)" in text
    assert "loops.index [2 * d1 + d0 floordiv 3]" in text


def test_compute_op_accessors():
    module = softmax_like()
    kernel = next(op for op in module.walk() if isinstance(op, KernelOp))
    (total,) = kernel.compute_ops()
    exp_op = next(op for op in module.walk() if isinstance(op, PointwiseOp))
    assert exp_op.shape == (4, 8) and exp_op.reduce_shape == ()
    assert total.shape == (4,) and total.reduce_shape == (8,)
    assert [load.index_exprs for load in exp_op.loads()] == [[d0, d1], [d1]]
    assert total.inputs() == [exp_op.result]
    assert total.yielded.type == f32


def test_gather_load_with_syms_round_trips():
    def build(block, x, idx):
        def fill(b):
            i = add(b, arith.ExtSIOp(add(b, LoadOp(idx, [d0])), i64))
            return add(b, LoadOp(x, [s0, d1], [i]))

        return [add(block, PointwiseOp(tensor([3, 4], f32), body(fill)))]

    module = ModuleOp([function("gather", [tensor([10, 4], f32), tensor([3], i32)], build)])
    module.verify()
    assert "loops.load %0[s0, d1] syms(%" in str(printed_round_trip(module))


def test_rank0_and_empty_buffers_round_trip():
    def build(block, x, e):
        y = add(block, PointwiseOp(tensor([0, 3], f32), body(lambda b: add(b, LoadOp(x, [])))))
        z = add(block, ReduceOp("min", [0], tensor([3], f32), body(lambda b: add(b, LoadOp(e, [r0, d0])))))
        return [y, z]

    module = ModuleOp([function("f", [tensor([], f32), tensor([0, 3], f32)], build)])
    module.verify()
    assert "loops.load %0[] : tensor<f32>" in str(printed_round_trip(module))


# --- index expressions ------------------------------------------------------------------

SPELLINGS = [
    (d0, "d0"),
    (sympy.Integer(0), "0"),
    (3 * d0 + d1, "3 * d0 + d1"),
    (5 - d1, "5 - d1"),
    (sympy.floor(d0 / 3), "d0 floordiv 3"),
    (sympy.Mod(d0, 3), "d0 mod 3"),
    (sympy.floor((6 * d0 + d1) / 4), "(6 * d0 + d1) floordiv 4"),
    (2 * sympy.floor(d0 / 3), "2 * (d0 floordiv 3)"),
    (-sympy.floor(d0 / 3), "-(d0 floordiv 3)"),
    (-sympy.Mod(d0, 3), "-(d0 mod 3)"),
    (sympy.Mod(sympy.floor(d0 / 2), 3), "(d0 floordiv 2) mod 3"),
    (sympy.Max(sympy.Min(d0 - 2, 4), 0), "max(0, min(4, d0 - 2))"),
    (s0 + r0, "r0 + s0"),
]


@pytest.mark.parametrize("expr, text", SPELLINGS, ids=[t for _, t in SPELLINGS])
def test_index_spelling(expr, text):
    assert format_index(expr) == text
    assert parse_index(text) == expr


def random_index(rng: random.Random, depth: int = 0) -> sympy.Expr:
    symbols = [d0, d1, d2, r0, r1, s0]
    kind = rng.randrange(8 if depth < 3 else 2)
    sub = lambda: random_index(rng, depth + 1)  # noqa: E731
    if kind == 0:
        return rng.choice(symbols)
    if kind == 1:
        return sympy.Integer(rng.randint(-5, 9))
    if kind == 2:
        return sub() + sub()
    if kind == 3:
        return rng.randint(-3, 4) * sub()
    if kind == 4:
        return sympy.floor(sub() / rng.randint(2, 7))
    if kind == 5:
        return sympy.Mod(sub(), rng.randint(2, 7))
    return (sympy.Max if kind == 6 else sympy.Min)(sub(), sub())


def test_random_index_expressions_round_trip_by_value():
    """parse(format(e)) is e (or, where sympy rewrites, equal at every point of a grid)."""
    rng = random.Random(1234)
    grid = {
        name: np.arange(-3, 9).reshape([-1 if k == i else 1 for k in range(6)])
        for i, name in enumerate(["d0", "d1", "d2", "r0", "r1", "s0"])
    }
    for _ in range(300):
        expr = random_index(rng)
        text = format_index(expr)
        back = parse_index(text)
        if back != expr:
            same = np.broadcast_to(index_function(back)(grid) == index_function(expr)(grid), (12,) * 6)
            assert same.all(), f"{expr} printed as '{text}' parses back as {back}"


@pytest.mark.parametrize(
    "text, message",
    [
        ("d0 +", "bad index expression"),
        ("d0 / 2", "not an integer expression"),
        ("x0", r"unknown index symbol\(s\) \[.x0.\]"),
    ],
)
def test_bad_index_expressions(text, message):
    with pytest.raises(ValueError, match=message):
        parse_index(text)


# --- the verifier ---------------------------------------------------------------------


def _verify_one(build, arg_types=(tensor([4, 8], f32),)):
    module = ModuleOp([function("f", list(arg_types), build)])
    with pytest.raises(VerifyException) as info:
        module.verify()
    return str(info.value)


def test_load_needs_one_index_per_dimension():
    msg = _verify_one(lambda block, x: [add(block, PointwiseOp(tensor([4, 8], f32), body(
        lambda b: add(b, LoadOp(x, [d0])))))])
    assert "1 indices for a buffer of rank 2" in msg


def test_load_symbols_must_exist():
    msg = _verify_one(lambda block, x: [add(block, PointwiseOp(tensor([4], f32), body(
        lambda b: add(b, LoadOp(x, [d0, d1])))))])
    assert "uses d1, but only 1 d-symbol(s) exist here" in msg
    msg = _verify_one(lambda block, x: [add(block, PointwiseOp(tensor([4, 8], f32), body(
        lambda b: add(b, LoadOp(x, [d0, r0])))))])
    assert "uses r0, but only 0 r-symbol(s)" in msg


def test_body_yields_the_element_type():
    msg = _verify_one(lambda block, x: [add(block, PointwiseOp(tensor([4, 8], f16), body(
        lambda b: add(b, LoadOp(x, [d0, d1])))))])
    assert "body yields f32, expected f16" in msg


def test_reduce_kinds_and_types():
    load = lambda x: body(lambda b: add(b, LoadOp(x, [d0, r0])))  # noqa: E731
    msg = _verify_one(lambda block, x: [add(block, ReduceOp("mean", [8], tensor([4], f32), load(x)))])
    assert "kind must be one of sum, prod, max, min, argmax, argmin, got mean" in msg
    msg = _verify_one(lambda block, x: [add(block, ReduceOp("argmin", [8], tensor([4], i32), load(x), f32))])
    assert "argmin gives i64 positions" in msg
    msg = _verify_one(lambda block, x: [add(block, ReduceOp("sum", [8], tensor([4], f16), load(x), f32))])
    assert "the body type of a value reduction is the result element type" in msg


def test_kernel_holds_compute_ops_and_yields_its_types():
    def stray(block, x):
        region, kb = new_body()
        kb.add_op(arith.ConstantOp.from_int_and_width(1, i1))
        kb.add_op(YieldOp(x))
        return [add(block, KernelOp([x.type], region))]

    assert "a kernel holds compute ops only, found arith.constant" in _verify_one(stray)

    def mistyped(block, x):
        region, kb = new_body()
        kb.add_op(YieldOp(x))
        return [add(block, KernelOp([TensorType(f16, [4, 8])], region))]

    assert "yielded types differ from the kernel's result types" in _verify_one(mistyped)
