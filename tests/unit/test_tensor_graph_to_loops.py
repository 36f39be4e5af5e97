"""`convert-tensor_graph-to-loops` preserves values: every op of the spec, at every
element type it allows, runs through the reference interpreter (tensor_graph) and
through the loops evaluator (after the lowering) on the same random inputs, at several
shapes (rank 0, size 1, odd and prime sizes, empty, broadcasting). Integer and boolean
results must be equal; float results equal up to an ulp or two of the element type
(reductions: up to the rounding of a differently ordered sum). Composites go through
`tensor_graph-decompose` first. The lowered module is printed and parsed back before it
runs, so what it prints (index expressions, constants) is checked as well."""

from __future__ import annotations

import math
import zlib

import numpy as np
import pytest
from xdsl.dialects.builtin import ModuleOp
from xdsl.utils.exceptions import PassFailedException

from stepwell import reference
from stepwell.dialects.loops import ComputeOp
from stepwell.dialects.tensor_graph import ops as tg
from stepwell.dialects.tensor_graph.ops import matmul_shape
from stepwell.dialects.tensor_graph.types import broadcast_shapes, normalize_dims, reduced_shape
from stepwell.ir import parse_module, verify_module
from stepwell.lowering.tensor_graph_to_loops import ConvertTensorGraphToLoops
from stepwell.reference import loops
from stepwell.registry import make_context
from stepwell.transforms.tensor_graph_decompose import TensorGraphDecompose

from _composites import COMPOSITES  # noqa: E402
from _dtypes import ALL, DTYPES, FLOATS, INTS, NUMERIC  # noqa: E402

# Relative tolerance of elementwise results: about one ulp of the element type (erf
# and the conversions of the loops level may round f16/bf16 a second time).
ULP = {"f16": 1e-3, "bf16": 8e-3, "f32": 2.4e-7, "f64": 4.5e-16}


# --- programs, lowering, comparison --------------------------------------------------


def ttype(shape, dt: str) -> str:
    return "tensor<" + "".join(f"{n}x" for n in shape) + dt + ">"


def program(args, lines, results) -> str:
    """`func.func @f` with arguments [(name, shape, dtype)], body lines and results
    [(name, shape, dtype)]."""
    sig = ", ".join(f"%{n}: {ttype(s, t)}" for n, s, t in args)
    outs = ", ".join(ttype(s, t) for _, s, t in results)
    ret = ", ".join(f"%{n}" for n, _, _ in results)
    body = "\n".join("  " + line for line in lines)
    return f"func.func @f({sig}) -> ({outs}) {{\n{body}\n  func.return {ret} : {outs}\n}}\n"


def lower(text: str) -> ModuleOp:
    """Decompose, lower, print and parse back; the result verifies and holds no
    tensor_graph op but constants."""
    ctx = make_context()
    module, _ = parse_module(ctx, text, "test")
    TensorGraphDecompose().apply(ctx, module)
    ConvertTensorGraphToLoops().apply(ctx, module)
    assert not verify_module(module), "\n".join(map(str, verify_module(module)))
    left = {op.name for op in module.walk() if isinstance(op, tg.TensorGraphOp)}
    assert left <= {"tensor_graph.constant"}, left
    printed = str(module)
    reparsed, _ = parse_module(make_context(), printed, "lowered")
    assert not verify_module(reparsed)
    return reparsed


def run_both(text: str, *arrays):
    expected = reference.run(text, "f", *arrays)
    actual = loops.run(lower(text), "f", *arrays)
    if not isinstance(expected, tuple):
        expected, actual = (expected,), (actual,)
    return list(zip(actual, expected))


def assert_same(actual, expected, rtol=None, atol=0.0, what=""):
    assert actual.dtype == expected.dtype, (what, actual.dtype, expected.dtype)
    assert actual.shape == expected.shape, (what, actual.shape, expected.shape)
    if actual.dtype.kind in "biu":
        np.testing.assert_array_equal(actual, expected, err_msg=what)
        return
    dt = {v: k for k, v in DTYPES.items()}[actual.dtype]
    np.testing.assert_allclose(
        actual.astype(np.float64),
        expected.astype(np.float64),
        rtol=ULP[dt] if rtol is None else rtol,
        atol=atol,
        equal_nan=True,
        err_msg=what,
    )


def check(text: str, *arrays, rtol=None, atol=0.0):
    for i, (actual, expected) in enumerate(run_both(text, *arrays)):
        assert_same(actual, expected, rtol, atol, f"result #{i} of\n{text}")


# --- inputs ----------------------------------------------------------------------------

SPECIALS = [np.nan, np.inf, -np.inf, -0.0, 0.0, 0.5, -2.5, 1.0]


def rand(rng, shape, dt: str, low=None, high=None, specials=True):
    """Random values of `dt`: floats ~ N(0, 3) with NaN, +-inf, -0, ties sprinkled in;
    integers over [low, high] (default: small values plus the type's extremes); i1 coin
    flips."""
    dtype = DTYPES[dt]
    size = math.prod(shape)
    if dt == "i1":
        return rng.random(shape) < 0.5
    if dt in FLOATS:
        x = rng.standard_normal(size) * 3
        if specials and size >= 12:
            where = rng.choice(size, len(SPECIALS), replace=False)
            x[where] = SPECIALS
        return x.astype(dtype).reshape(shape)
    info = np.iinfo(dtype)
    if low is not None:
        return rng.integers(low, high + 1, size=shape, dtype=np.int64).astype(dtype)
    x = rng.integers(-20, 21, size=size, dtype=np.int64)
    if size >= 6:
        x[rng.choice(size, 4, replace=False)] = [info.min, info.max, 0, -1]
    return x.astype(dtype).reshape(shape)


@pytest.fixture
def rng(request):
    return np.random.default_rng(zlib.crc32(request.node.name.encode()))


# --- elementwise, one operand ------------------------------------------------------------

UNARY_SHAPES = [(), (1,), (7,), (3, 5), (2, 0, 3), (1, 13, 2)]
FLOAT_UNARY = ["neg", "abs", "sign", "exp", "exp2", "log", "log2", "sqrt", "rsqrt", "reciprocal",
               "tanh", "sin", "cos", "erf", "floor", "ceil", "round"]


def unary_program(name: str, dt: str, out_dt: str | None = None, shapes=UNARY_SHAPES) -> str:
    args = [(f"x{i}", s, dt) for i, s in enumerate(shapes)]
    if name == "cast":
        lines = [f"%y{i} = tensor_graph.cast %x{i} : {ttype(s, dt)} -> {ttype(s, out_dt)}"
                 for i, s in enumerate(shapes)]
    else:
        lines = [f"%y{i} = tensor_graph.{name} %x{i} : {ttype(s, dt)}" for i, s in enumerate(shapes)]
    return program(args, lines, [(f"y{i}", s, out_dt or dt) for i, s in enumerate(shapes)])


@pytest.mark.parametrize("dt", FLOATS)
@pytest.mark.parametrize("name", FLOAT_UNARY)
def test_unary_float(name, dt, rng):
    check(unary_program(name, dt), *(rand(rng, s, dt) for s in UNARY_SHAPES))


@pytest.mark.parametrize("dt", INTS)
@pytest.mark.parametrize("name", ["neg", "abs", "sign"])
def test_unary_int(name, dt, rng):
    check(unary_program(name, dt), *(rand(rng, s, dt) for s in UNARY_SHAPES))


def test_not(rng):
    check(unary_program("not", "i1"), *(rand(rng, s, "i1") for s in UNARY_SHAPES))


# --- elementwise, two or three operands ----------------------------------------------------

BINARY_SHAPES = [((3, 5), (5,)), ((4, 1), (1, 3)), ((), (2, 3)), ((7,), (7,)), ((0, 3), (1, 3)), ((1,), ())]


def binary_program(name: str, dt: str, props: str = "", out_dt: str | None = None) -> str:
    args, lines, results = [], [], []
    for i, (sa, sb) in enumerate(BINARY_SHAPES):
        so = broadcast_shapes(sa, sb)
        args += [(f"a{i}", sa, dt), (f"b{i}", sb, dt)]
        lines.append(f"%y{i} = tensor_graph.{name} %a{i}, %b{i} {props} : "
                     f"{ttype(sa, dt)}, {ttype(sb, dt)} -> {ttype(so, out_dt or dt)}")
        results.append((f"y{i}", so, out_dt or dt))
    return program(args, lines, results)


def binary_inputs(rng, dt, **kw):
    out = []
    for sa, sb in BINARY_SHAPES:
        out += [rand(rng, sa, dt, **kw), rand(rng, sb, dt, **kw)]
    return out


@pytest.mark.parametrize("dt", NUMERIC)
@pytest.mark.parametrize("name", ["add", "sub", "mul", "div", "max", "min"])
def test_binary(name, dt, rng):
    check(binary_program(name, dt), *binary_inputs(rng, dt))


@pytest.mark.parametrize("dt", NUMERIC)
def test_pow(dt, rng):
    if dt in FLOATS:
        check(binary_program("pow", dt), *binary_inputs(rng, dt), rtol=4 * ULP[dt])
        return
    # Bases around +-1 and exponents from -3 (the spec's rounding toward zero) to
    # large enough to wrap i8 and i32.
    inputs = []
    for sa, sb in BINARY_SHAPES:
        inputs += [rand(rng, sa, dt, -5, 5), rand(rng, sb, dt, -3, 40)]
    check(binary_program("pow", dt), *inputs)


@pytest.mark.parametrize("dt", INTS)
def test_div_edges(dt):
    """Toward zero; the reference's choices x / 0 = 0 and MIN / -1 = MIN."""
    info = np.iinfo(DTYPES[dt])
    a = np.array([7, -7, 7, -7, 5, info.min, info.min, info.max, 0, 3], dtype=DTYPES[dt])
    b = np.array([2, 2, -2, -2, 0, -1, 1, -1, 0, 7], dtype=DTYPES[dt])
    text = program([("a", (10,), dt), ("b", (10,), dt)],
                   [f"%y = tensor_graph.div %a, %b : {ttype((10,), dt)}"], [("y", (10,), dt)])
    check(text, a, b)


@pytest.mark.parametrize("name", ["and", "or", "xor", "max", "min"])
def test_binary_i1(name, rng):
    check(binary_program(name, "i1"), *binary_inputs(rng, "i1"))


@pytest.mark.parametrize("dt", ALL)
def test_cmp(dt, rng):
    shapes = [((3, 5), (5,)), ((4, 1), (1, 3)), ((), (0,))]
    args, lines, results, inputs = [], [], [], []
    for i, (sa, sb) in enumerate(shapes):
        so = broadcast_shapes(sa, sb)
        args += [(f"a{i}", sa, dt), (f"b{i}", sb, dt)]
        a, b = rand(rng, sa, dt), rand(rng, sb, dt)
        if a.size and b.size and dt != "i1":  # some equal pairs
            a.reshape(-1)[:1] = b.reshape(-1)[:1]
        inputs += [a, b]
        for p in tg.PREDICATES:
            lines.append(f'%{p}{i} = tensor_graph.cmp %a{i}, %b{i} {{predicate = "{p}"}} : '
                         f"{ttype(sa, dt)}, {ttype(sb, dt)} -> {ttype(so, 'i1')}")
            results.append((f"{p}{i}", so, "i1"))
    check(program(args, lines, results), *inputs)


@pytest.mark.parametrize("dt", ALL)
def test_select(dt, rng):
    shapes = [((3, 5), (3, 5), (3, 5)), ((5,), (3, 1), ()), ((), (0, 2), (2,))]
    args, lines, results, inputs = [], [], [], []
    for i, (sc, sa, sb) in enumerate(shapes):
        so = broadcast_shapes(sc, sa, sb)
        args += [(f"c{i}", sc, "i1"), (f"a{i}", sa, dt), (f"b{i}", sb, dt)]
        inputs += [rand(rng, sc, "i1"), rand(rng, sa, dt), rand(rng, sb, dt)]
        lines.append(f"%y{i} = tensor_graph.select %c{i}, %a{i}, %b{i} : "
                     f"{ttype(sc, 'i1')}, {ttype(sa, dt)}, {ttype(sb, dt)} -> {ttype(so, dt)}")
        results.append((f"y{i}", so, dt))
    check(program(args, lines, results), *inputs)


# --- cast, constant, iota ------------------------------------------------------------------

CAST_SHAPES = [(), (40,), (2, 0)]


def cast_inputs(rng, src: str) -> list[np.ndarray]:
    out = [rand(rng, s, src) for s in CAST_SHAPES]
    if src in FLOATS:  # values that saturate, truncate, tie, or do not fit f16/bf16
        edge = [1e10, -1e10, 3e38, -3e38, 127.9, -128.9, 2.5, -2.5, 65519.0, 65520.0,
                1.00390625, 300.0, -0.7, 0.7, 1e-8, np.nan]
        out[1][: len(edge)] = np.asarray(edge).astype(DTYPES[src])
    return out


@pytest.mark.parametrize("src", ALL)
def test_cast(src, rng):
    args = [(f"x{i}", s, src) for i, s in enumerate(CAST_SHAPES)]
    lines, results = [], []
    for dst in ALL:
        for i, s in enumerate(CAST_SHAPES):
            lines.append(f"%{dst}_{i} = tensor_graph.cast %x{i} : {ttype(s, src)} -> {ttype(s, dst)}")
            results.append((f"{dst}_{i}", s, dst))
    check(program(args, lines, results), *cast_inputs(rng, src), rtol=0.0)


def test_cast_int_to_narrow_float_rounds_once():
    """i64 -> bf16 and f64 -> f16 round once (no double rounding through f32)."""
    big = np.array([2**60 + 2**52 + 1, -(2**40) - 2**32 - 1, 257, 2**63 - 1], dtype=np.int64)
    wide = np.array([1.0 + 2**-11 + 2**-40, 65504.0 + 16.0, 1e-9, -(1.0 + 2**-11)], dtype=np.float64)
    text = program(
        [("a", (4,), "i64"), ("b", (4,), "f64")],
        ["%x = tensor_graph.cast %a : tensor<4xi64> -> tensor<4xbf16>",
         "%y = tensor_graph.cast %b : tensor<4xf64> -> tensor<4xf16>",
         "%z = tensor_graph.cast %b : tensor<4xf64> -> tensor<4xbf16>"],
        [("x", (4,), "bf16"), ("y", (4,), "f16"), ("z", (4,), "bf16")],
    )
    check(text, big, wide, rtol=0.0)


@pytest.mark.parametrize("dt", ALL)
def test_constants(dt, rng):
    """A dense constant is a buffer the body loads; a splat one an arith.constant."""
    values = rand(rng, (2, 3), dt, specials=False)
    if dt in FLOATS:
        dense = "[" + ", ".join("[" + ", ".join(repr(float(v)) for v in row) + "]" for row in values) + "]"
        splat = "-1.5"
    elif dt == "i1":
        dense = "[" + ", ".join("[" + ", ".join("true" if v else "false" for v in row) + "]" for row in values) + "]"
        splat = "true"
    else:
        dense = "[" + ", ".join("[" + ", ".join(str(int(v)) for v in row) + "]" for row in values) + "]"
        splat = "-3"
    op = "max" if dt != "i1" else "xor"
    text = program(
        [("x", (4, 2, 3), dt)],
        [f"%c = tensor_graph.constant {{value = dense<{dense}> : {ttype((2, 3), dt)}}} : {ttype((2, 3), dt)}",
         f"%s = tensor_graph.constant {{value = dense<{splat}> : {ttype((), dt)}}} : {ttype((), dt)}",
         f"%k = tensor_graph.constant {{value = dense<{splat}> : {ttype((3,), dt)}}} : {ttype((3,), dt)}",
         f"%a = tensor_graph.{op} %x, %c : {ttype((4, 2, 3), dt)}, {ttype((2, 3), dt)} -> {ttype((4, 2, 3), dt)}",
         f"%b = tensor_graph.{op} %a, %s : {ttype((4, 2, 3), dt)}, {ttype((), dt)} -> {ttype((4, 2, 3), dt)}",
         f"%y = tensor_graph.{op} %b, %k : {ttype((4, 2, 3), dt)}, {ttype((3,), dt)} -> {ttype((4, 2, 3), dt)}"],
        [("y", (4, 2, 3), dt), ("c", (2, 3), dt), ("k", (3,), dt)],
    )
    check(text, rand(rng, (4, 2, 3), dt))


@pytest.mark.parametrize("dt", NUMERIC)
def test_iota(dt):
    shapes_dims = [((5,), 0), ((3, 4), 1), ((3, 4), -2), ((2, 300), 1), ((0, 2), 0)]
    lines = [f"%y{i} = tensor_graph.iota {{dim = {d}}} : {ttype(s, dt)}" for i, (s, d) in enumerate(shapes_dims)]
    check(program([], lines, [(f"y{i}", s, dt) for i, (s, _) in enumerate(shapes_dims)]), rtol=0.0)


# --- views -------------------------------------------------------------------------------

# (source shape, op, properties, result shape)
VIEWS = [
    ((5,), "broadcast_to", "", (3, 4, 5)),
    ((4, 1), "broadcast_to", "", (2, 4, 3)),
    ((), "broadcast_to", "", (2, 3)),
    ((6,), "reshape", "", (2, 3)),
    ((2, 3), "reshape", "", (6,)),
    ((4, 6), "reshape", "", (3, 8)),
    ((2, 1, 6, 5), "reshape", "", (4, 3, 1, 5)),
    ((1,), "reshape", "", ()),
    ((0, 4), "reshape", "", (2, 0, 2)),
    ((2, 3, 4), "transpose", "{perm = [2, 0, 1]}", (4, 2, 3)),
    ((7, 1), "transpose", "{perm = [1, 0]}", (1, 7)),
    ((4, 10), "slice", "{start = [1, 2], stop = [3, 10], step = [1, 3]}", (2, 3)),
    ((13,), "slice", "{start = [0], stop = [13], step = [4]}", (4,)),
    ((5, 3), "slice", "{start = [5, 1], stop = [5, 3], step = [2, 1]}", (0, 2)),
]


@pytest.mark.parametrize("dt", ["f16", "i64", "i1"])
@pytest.mark.parametrize("case", range(len(VIEWS)))
def test_view(case, dt, rng):
    """Each view both consumed by an op (index expressions) and returned (a copy)."""
    src, name, props, dst = VIEWS[case]
    use = "not" if dt == "i1" else "abs"
    text = program(
        [("x", src, dt)],
        [f"%v = tensor_graph.{name} %x {props} : {ttype(src, dt)} -> {ttype(dst, dt)}",
         f"%y = tensor_graph.{use} %v : {ttype(dst, dt)}"],
        [("y", dst, dt), ("v", dst, dt)],
    )
    check(text, rand(rng, src, dt), rtol=0.0)


def test_view_chain(rng):
    """reshape -> transpose -> slice -> broadcast -> add: one load per operand."""
    text = program(
        [("x", (24,), "f32"), ("y", (3, 2, 4), "f32")],
        ["%r = tensor_graph.reshape %x : tensor<24xf32> -> tensor<2x3x4xf32>",
         "%t = tensor_graph.transpose %r {perm = [1, 0, 2]} : tensor<2x3x4xf32> -> tensor<3x2x4xf32>",
         "%s = tensor_graph.slice %t {start = [0, 1, 0], stop = [3, 2, 4], step = [1, 1, 2]} : tensor<3x2x4xf32> -> tensor<3x1x2xf32>",
         "%b = tensor_graph.broadcast_to %s : tensor<3x1x2xf32> -> tensor<3x2x2xf32>",
         "%z = tensor_graph.slice %y {start = [0, 0, 1], stop = [3, 2, 4], step = [1, 1, 2]} : tensor<3x2x4xf32> -> tensor<3x2x2xf32>",
         "%w = tensor_graph.add %b, %z : tensor<3x2x2xf32>"],
        [("w", (3, 2, 2), "f32")],
    )
    module = lower(text)
    assert sum(isinstance(op, ComputeOp) for op in module.walk()) == 1
    check(text, rand(rng, (24,), "f32"), rand(rng, (3, 2, 4), "f32"), rtol=0.0)


# --- concat, pad, gather --------------------------------------------------------------------

CONCATS = [
    ([(2, 3), (2, 0), (2, 2), (2, 4)], 1),
    ([(1, 5), (3, 5)], -2),
    ([(4,)], 0),
    ([(0, 2), (0, 2)], 0),
    ([(2, 1, 3), (2, 2, 3), (2, 1, 3)], 1),
]


@pytest.mark.parametrize("dt", ["f32", "bf16", "i8", "i1"])
@pytest.mark.parametrize("case", range(len(CONCATS)))
def test_concat(case, dt, rng):
    shapes, axis = CONCATS[case]
    out = list(shapes[0])
    out[axis] = sum(s[axis] for s in shapes)
    names = ", ".join(f"%x{i}" for i in range(len(shapes)))
    types = ", ".join(ttype(s, dt) for s in shapes)
    text = program(
        [(f"x{i}", s, dt) for i, s in enumerate(shapes)],
        [f"%y = tensor_graph.concat {names} {{axis = {axis}}} : {types} -> {ttype(out, dt)}"],
        [("y", tuple(out), dt)],
    )
    check(text, *(rand(rng, s, dt) for s in shapes), rtol=0.0)


PADS = [
    ((3, 5), [1, 0], [2, 3], 7.9),
    ((4,), [0], [0], 0.0),
    ((0, 2), [1, 1], [2, 0], -2.5),
    ((), [], [], 1.0),
    ((2, 3), [0, 2], [1, 0], float("nan")),
    ((1, 1, 2), [1, 0, 1], [0, 2, 1], -1e30),
]


@pytest.mark.parametrize("dt", ["f16", "f64", "i32", "i1"])
@pytest.mark.parametrize("case", range(len(PADS)))
def test_pad(case, dt, rng):
    shape, low, high, value = PADS[case]
    out = tuple(lo + n + hi for lo, n, hi in zip(low, shape, high))
    text = program(
        [("x", shape, dt)],
        [f"%y = tensor_graph.pad %x {{low = array<i64{': ' if low else ''}{', '.join(map(str, low))}>, "
         f"high = array<i64{': ' if high else ''}{', '.join(map(str, high))}>, "
         f"value = {'0x7FF8000000000000' if math.isnan(value) else f'{value:e}'} : f64}} : "
         f"{ttype(shape, dt)} -> {ttype(out, dt)}"],
        [("y", out, dt)],
    )
    check(text, rand(rng, shape, dt), rtol=0.0)


# (x shape, indices shape, axis)
GATHERS = [((7,), (5,), 0), ((2, 7, 5), (4, 3), 1), ((3, 4), (), -1), ((5, 2), (2, 2), 0), ((1, 3), (0,), 1)]


@pytest.mark.parametrize("index_dt", ["i32", "i64"])
@pytest.mark.parametrize("dt", ["f32", "bf16", "i64", "i1"])
@pytest.mark.parametrize("case", range(len(GATHERS)))
def test_gather(case, dt, index_dt, rng):
    xs, ids, axis = GATHERS[case]
    n = xs[axis]
    out = xs[: axis % len(xs)] + ids + xs[axis % len(xs) + 1 :]
    text = program(
        [("x", xs, dt), ("i", ids, index_dt)],
        [f"%y = tensor_graph.gather %x, %i {{axis = {axis}}} : {ttype(xs, dt)}, {ttype(ids, index_dt)} -> {ttype(out, dt)}"],
        [("y", out, dt)],
    )
    check(text, rand(rng, xs, dt), rand(rng, ids, index_dt, -n, n - 1), rtol=0.0)


# --- reductions ----------------------------------------------------------------------------

# (shape, dims, keepdim)
REDUCTIONS = [
    ((3, 5), [1], False),
    ((3, 5), [0], True),
    ((2, 3, 4), [0, 2], False),
    ((2, 3, 4), [], True),
    ((7,), [-1], False),
    ((), [], False),
    ((4, 0), [1], False),
    ((0, 3), [], False),
    ((1, 13), [1], True),
]


def reduce_program(kind: str, dt: str) -> str:
    args, lines, results = [], [], []
    for i, (shape, dims, keep) in enumerate(REDUCTIONS):
        out = reduced_shape(shape, normalize_dims(dims, len(shape)), keep)
        args.append((f"x{i}", shape, dt))
        lines.append(f'%y{i} = tensor_graph.reduce %x{i} {{kind = "{kind}", dims = [{", ".join(map(str, dims))}], '
                     f"keepdim = {str(keep).lower()}}} : {ttype(shape, dt)} -> {ttype(out, dt)}")
        results.append((f"y{i}", out, dt))
    return program(args, lines, results)


REDUCE_CASES = [(k, dt) for k in ("sum", "prod", "max", "min") for dt in NUMERIC]
REDUCE_CASES += [("mean", dt) for dt in FLOATS] + [("max", "i1"), ("min", "i1")]


@pytest.mark.parametrize("kind,dt", REDUCE_CASES)
def test_reduce(kind, dt, rng):
    text = reduce_program(kind, dt)
    if dt in FLOATS and kind not in ("max", "min"):
        # Sums and products are ordered differently (the reference follows the input's
        # layout): allow the rounding of n <= 24 terms (for sums, relative to the sum of
        # magnitudes), then one rounding to the element type.
        inputs = [rand(rng, s, dt, specials=False) for s, _, _ in REDUCTIONS]
        eps = {"f16": 2**-11, "bf16": 2**-8, "f32": 2**-24, "f64": 2**-53}[dt]
        for i, (actual, expected) in enumerate(run_both(text, *inputs)):
            magnitude = float(np.sum(np.abs(inputs[i].astype(np.float64))))
            atol = 0.0 if kind == "prod" else 24 * eps * magnitude
            assert_same(actual, expected, rtol=2 * ULP[dt] + 24 * eps, atol=atol, what=f"#{i} {kind} {dt}")
        return
    inputs = [rand(rng, s, dt, -3, 3) if kind == "prod" else rand(rng, s, dt) for s, _, _ in REDUCTIONS]
    check(text, *inputs)


@pytest.mark.parametrize("dt", ALL)
@pytest.mark.parametrize("name", ["argmax", "argmin"])
def test_arg(name, dt, rng):
    cases = [((3, 5), 1, False), ((3, 5), 0, True), ((2, 3, 4), -2, False), ((1,), 0, True), ((0, 4), 1, False)]
    args, lines, results, inputs = [], [], [], []
    for i, (shape, axis, keep) in enumerate(cases):
        out = tuple(1 if d == axis % len(shape) else n for d, n in enumerate(shape)) if keep else \
            tuple(n for d, n in enumerate(shape) if d != axis % len(shape))
        args.append((f"x{i}", shape, dt))
        x = rand(rng, shape, dt, -2, 2) if dt in INTS else rand(rng, shape, dt)
        if dt in FLOATS and x.size > 4:  # ties and a NaN
            x.reshape(-1)[1] = x.reshape(-1)[0]
            x.reshape(-1)[3] = np.nan
        inputs.append(x)
        lines.append(f"%y{i} = tensor_graph.{name} %x{i} {{axis = {axis}, keepdim = {str(keep).lower()}}} : "
                     f"{ttype(shape, dt)} -> {ttype(out, 'i64')}")
        results.append((f"y{i}", out, "i64"))
    check(program(args, lines, results), *inputs)


# --- matmul ----------------------------------------------------------------------------------

MATMULS = [((3, 4), (4, 5)), ((2, 1, 3, 7), (6, 7, 2)), ((1, 1), (1, 1)), ((3, 0), (0, 2)), ((5, 3, 2), (2, 1))]


@pytest.mark.parametrize("dt", NUMERIC)
def test_matmul(dt, rng):
    args, lines, results, inputs = [], [], [], []
    for i, (sa, sb) in enumerate(MATMULS):
        out = matmul_shape(sa, sb)
        args += [(f"a{i}", sa, dt), (f"b{i}", sb, dt)]
        inputs += [rand(rng, sa, dt, specials=False), rand(rng, sb, dt, specials=False)]
        lines.append(f"%y{i} = tensor_graph.matmul %a{i}, %b{i} : {ttype(sa, dt)}, {ttype(sb, dt)} -> {ttype(out, dt)}")
        results.append((f"y{i}", out, dt))
    text = program(args, lines, results)
    if dt in INTS:
        check(text, *inputs)
    else:
        eps = {"f16": 2**-11, "bf16": 2**-8, "f32": 2**-24, "f64": 2**-53}[dt]
        check(text, *inputs, rtol=2 * ULP[dt] + 8 * eps, atol=64 * eps)


# --- composites, through tensor_graph-decompose ----------------------------------------------

COMPOSITE_TOLERANCE = {"f64": (1e-12, 1e-12), "f32": (1e-5, 1e-5), "f16": (1e-2, 1e-2), "bf16": (6e-2, 6e-2)}

# (arguments, the op line, result); X is the element type


@pytest.mark.parametrize("dt", FLOATS)
@pytest.mark.parametrize("name", sorted(COMPOSITES))
def test_composite(name, dt, rng):
    args, line, out = COMPOSITES[name]
    text = program([(n, s, dt) for n, s in args], [line.replace("xX>", f"x{dt}>")], [("y", out, dt)])
    rtol, atol = COMPOSITE_TOLERANCE[dt]
    check(text, *(rand(rng, s, dt, specials=False) for _, s in args), rtol=rtol, atol=atol)


@pytest.mark.parametrize("dt", INTS)
@pytest.mark.parametrize("name", ["relu", "clamp", "linear"])
def test_composite_int(name, dt, rng):
    args, line, out = COMPOSITES[name]
    text = program([(n, s, dt) for n, s in args], [line.replace("xX>", f"x{dt}>")], [("y", out, dt)])
    check(text, *(rand(rng, s, dt) for _, s in args))


# --- what the pass leaves alone, and refuses -------------------------------------------------


def test_loops_level_is_left_alone():
    text = """
func.func @f(%x: tensor<3xf32>) -> tensor<3xf32> {
  %y = loops.pointwise : tensor<3xf32> {
    %a = loops.load %x[2 - d0] : tensor<3xf32>
    loops.yield %a : f32
  }
  func.return %y : tensor<3xf32>
}
"""
    ctx = make_context()
    module, _ = parse_module(ctx, text, "t")
    before = str(module)
    ConvertTensorGraphToLoops().apply(ctx, module)
    assert str(module) == before


def test_composite_is_refused():
    ctx = make_context()
    text = program([("x", (3,), "f32")], ["%y = tensor_graph.sigmoid %x : tensor<3xf32>"], [("y", (3,), "f32")])
    module, _ = parse_module(ctx, text, "t")
    with pytest.raises(PassFailedException, match="run tensor_graph-decompose first"):
        ConvertTensorGraphToLoops().apply(ctx, module)
