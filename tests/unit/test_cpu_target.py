"""The CPU target: `stepwell.compile(..., target="cpu")` end to end.

1. Hand-written loops IR (convert-loops-to-llvm alone), checked with numpy: fused
   kernels with kernel-local reductions, column sums, argmax, index arithmetic.
2. Differential tests of the whole `lower-to-cpu` pipeline against the reference
   interpreter: every spec op at every element type it allows, at odd, prime, size-1,
   empty and rank-0 shapes, and at sizes that split across every core. The cases of
   one test share one module, so LLVM runs once per test.
3. Accuracy of the math approximations in ulps; the runtime's checks and errors.
"""

from __future__ import annotations

import math
import os
import re
import zlib
from dataclasses import dataclass, field

import ml_dtypes
import mpmath
import numpy as np
import pytest

from stepwell import dtypes, reference, registry, semantics
from stepwell.compiler import CompileError, compile
from stepwell.ir.parse import parse_module
from stepwell.ir.pipeline import build_pipeline
from stepwell.reference import loops as loops_evaluator
from stepwell.registry import make_context
from stepwell.runtime import cpu

from _composites import COMPOSITES  # noqa: E402
from _programs import FLOAT_UNARY, ULP, VIEWS, assert_close, func, rand, tt, zero_size_programs  # noqa: E402
from _dtypes import ALL, DTYPES, FLOATS, INTS, NUMERIC  # noqa: E402

LOOPS = "convert-loops-to-llvm"
PIPELINE_TO_LOOPS = registry.pipelines()["lower-to-cpu"].replace(",convert-loops-to-llvm", "")


@dataclass
class Suite:
    """Functions of one module, compiled once, each checked against the reference."""

    cases: list = field(default_factory=list)

    def add(self, name, args, lines, results, inputs, rtol=None, atol=0.0):
        dts = [t for _, _, t in results]
        if rtol is None:
            rtol = max((2 * ULP[t] for t in dts if t in ULP), default=0.0)
        self.cases.append((name, func(name, args, lines, results), inputs, rtol, atol))

    def check(self, pipeline: str | None = None):
        text = "".join(c[1] for c in self.cases)
        module, _ = parse_module(make_context(), text, "suite")
        failures = []
        for name, fn_text, inputs, rtol, atol in self.cases:
            f = compile(text, entry=name, pipeline=pipeline)
            actual, expected = f(*inputs), reference.run(module, name, *inputs)
            if not isinstance(expected, tuple):
                actual, expected = (actual,), (expected,)
            for i, (a, e) in enumerate(zip(actual, expected, strict=True)):
                try:
                    assert_close(a, e, rtol, atol, f"result {i} of\n{fn_text}")
                except AssertionError as err:
                    failures.append(str(err))
        assert not failures, "\n\n".join(failures[:5])


@pytest.fixture
def rng(request):
    return np.random.default_rng(zlib.crc32(request.node.name.encode()))


# --- 1. hand-written loops IR --------------------------------------------------------------

SOFTMAX = """
func.func @softmax(%x: tensor<37x1001xf32>) -> tensor<37x1001xf32> {
  %y = loops.kernel parallel [p0 = 37] reduction [k0 = 1001] -> tensor<37x1001xf32> {
    %m = loops.reduce max over [1001] : tensor<37x1xf32> at (p0, 0 | k0) {
      %a = loops.load %x[d0, r0] : tensor<37x1001xf32>
      loops.yield %a : f32
    }
    %s = loops.reduce sum over [1001] : tensor<37x1xf32> at (p0, 0 | k0) {
      %a = loops.load %x[d0, r0] : tensor<37x1001xf32>
      %b = loops.load %m[d0, 0] : tensor<37x1xf32>
      %c = arith.subf %a, %b : f32
      %e = math.exp %c : f32
      loops.yield %e : f32
    }
    %o = loops.pointwise : tensor<37x1001xf32> at (p0, k0) {
      %a = loops.load %x[d0, d1] : tensor<37x1001xf32>
      %b = loops.load %m[d0, 0] : tensor<37x1xf32>
      %c = arith.subf %a, %b : f32
      %e = math.exp %c : f32
      %t = loops.load %s[d0, 0] : tensor<37x1xf32>
      %r = arith.divf %e, %t : f32
      loops.yield %r : f32
    }
    loops.yield %o : tensor<37x1001xf32>
  }
  func.return %y : tensor<37x1001xf32>
}
"""


def test_fused_softmax_kernel(rng):
    x = (rng.standard_normal((37, 1001)) * 4).astype(np.float32)
    e = np.exp(x.astype(np.float64) - x.max(1, keepdims=True))
    np.testing.assert_allclose(compile(SOFTMAX, pipeline=LOOPS)(x), e / e.sum(1, keepdims=True), rtol=1e-6, atol=1e-9)


REDUCTIONS = """
func.func @r(%x: tensor<300x601xf32>, %i: tensor<9x5x7xi32>) -> (tensor<601xf32>, tensor<300xf32>, tensor<9x7xi32>, tensor<300xi64>, tensor<300x1xf32>) {
  %cols = loops.reduce sum over [300] : tensor<601xf32> {
    %a = loops.load %x[r0, d0] : tensor<300x601xf32>
    loops.yield %a : f32
  }
  %rows = loops.reduce prod over [601] : tensor<300xf32> {
    %a = loops.load %x[d0, r0] : tensor<300x601xf32>
    %k = arith.constant 0.001 : f32
    %b = arith.mulf %a, %k : f32
    %one = arith.constant 1.0 : f32
    %c = arith.addf %b, %one : f32
    loops.yield %c : f32
  }
  %mid = loops.reduce max over [5] : tensor<9x7xi32> {
    %a = loops.load %i[d0, r0, d1] : tensor<9x5x7xi32>
    loops.yield %a : i32
  }
  %arg = loops.reduce argmin over [601] (f32) : tensor<300xi64> {
    %a = loops.load %x[d0, r0] : tensor<300x601xf32>
    loops.yield %a : f32
  }
  %none = loops.reduce min over [0] : tensor<300x1xf32> {
    %a = loops.load %x[d0, r0] : tensor<300x601xf32>
    loops.yield %a : f32
  }
  func.return %cols, %rows, %mid, %arg, %none : tensor<601xf32>, tensor<300xf32>, tensor<9x7xi32>, tensor<300xi64>, tensor<300x1xf32>
}
"""


def test_reduction_loop_orders(rng):
    x = rng.standard_normal((300, 601)).astype(np.float32)
    x[7, 100] = np.nan  # argmin: the first NaN wins
    x[8, 3] = x[8, 400] = -50.0  # ties: the first wins
    i = rng.integers(-1000, 1000, (9, 5, 7)).astype(np.int32)
    cols, rows, mid, arg, none = compile(REDUCTIONS, pipeline=LOOPS)(x, i)
    x64 = x.astype(np.float64)
    np.testing.assert_allclose(cols, np.nansum(x64, 0) + np.where(np.isnan(x64).any(0), np.nan, 0), rtol=1e-5, atol=1e-4)
    np.testing.assert_allclose(rows, np.prod(x64 * 0.001 + 1, 1), rtol=1e-5)
    np.testing.assert_array_equal(mid, i.max(1))
    np.testing.assert_array_equal(arg, np.argmin(x, 1))
    assert arg[7] == 100 and arg[8] == 3
    assert (none == np.inf).all() and none.shape == (300, 1)


INDEXING = """
func.func @ix(%x: tensor<24xf32>, %g: tensor<6xi64>) -> (tensor<4x6xf32>, tensor<6xf32>, tensor<2x3xi64>) {
  %y = loops.pointwise : tensor<4x6xf32> {
    %a = loops.load %x[(d0 * 6 + d1) floordiv 2] : tensor<24xf32>
    %b = loops.load %x[(d1 * 5 + d0) mod 24] : tensor<24xf32>
    %c = loops.load %x[min(max(d1 * 7 - 9, 0), 23)] : tensor<24xf32>
    %s = arith.addf %a, %b : f32
    %t = arith.addf %s, %c : f32
    loops.yield %t : f32
  }
  %z = loops.pointwise : tensor<6xf32> {
    %k = loops.load %g[d0] : tensor<6xi64>
    %a = loops.load %x[s0 mod 24] syms(%k) : tensor<24xf32>
    %h = loops.load %x[(s0 + 48) floordiv 5] syms(%k) : tensor<24xf32>
    %r = arith.subf %a, %h : f32
    loops.yield %r : f32
  }
  %w = loops.pointwise : tensor<2x3xi64> {
    %i = loops.index [d0 * 10 - d1 * 3]
    loops.yield %i : i64
  }
  func.return %y, %z, %w : tensor<4x6xf32>, tensor<6xf32>, tensor<2x3xi64>
}
"""


def test_index_expressions():
    x = np.arange(24, dtype=np.float32) ** 2
    g = np.array([-1, -25, 0, 23, -48, 7], dtype=np.int64)
    y, z, w = compile(INDEXING, pipeline=LOOPS)(x, g)
    d0, d1 = np.meshgrid(np.arange(4), np.arange(6), indexing="ij")
    np.testing.assert_array_equal(y, x[(d0 * 6 + d1) // 2] + x[(d1 * 5 + d0) % 24] + x[np.clip(d1 * 7 - 9, 0, 23)])
    np.testing.assert_array_equal(z, x[g % 24] - x[(g + 48) // 5])  # floor semantics on negatives
    np.testing.assert_array_equal(w, np.arange(2)[:, None] * 10 - np.arange(3) * 3)


CONVERSIONS = """
func.func @cv(%x: tensor<16xf32>, %d: tensor<16xf64>, %n: tensor<16xi32>, %m: tensor<16xi32>) -> (tensor<16xbf16>, tensor<16xf16>, tensor<16xbf16>, tensor<16xi8>, tensor<16xi32>, tensor<16xi32>) {
  %bf = loops.pointwise : tensor<16xbf16> {
    %a = loops.load %x[d0] : tensor<16xf32>
    %b = arith.truncf %a : f32 to bf16
    loops.yield %b : bf16
  }
  %h = loops.pointwise : tensor<16xf16> {
    %a = loops.load %d[d0] : tensor<16xf64>
    %b = arith.truncf %a : f64 to f16
    loops.yield %b : f16
  }
  %bd = loops.pointwise : tensor<16xbf16> {
    %a = loops.load %d[d0] : tensor<16xf64>
    %b = arith.truncf %a : f64 to bf16
    loops.yield %b : bf16
  }
  %i8 = loops.pointwise : tensor<16xi8> {
    %a = loops.load %x[d0] : tensor<16xf32>
    %b = arith.fptosi %a : f32 to i8
    loops.yield %b : i8
  }
  %q = loops.pointwise : tensor<16xi32> {
    %a = loops.load %n[d0] : tensor<16xi32>
    %b = loops.load %m[d0] : tensor<16xi32>
    %c = arith.divsi %a, %b : i32
    loops.yield %c : i32
  }
  %r = loops.pointwise : tensor<16xi32> {
    %a = loops.load %n[d0] : tensor<16xi32>
    %b = loops.load %m[d0] : tensor<16xi32>
    %c = arith.remsi %a, %b : i32
    loops.yield %c : i32
  }
  func.return %bf, %h, %bd, %i8, %q, %r : tensor<16xbf16>, tensor<16xf16>, tensor<16xbf16>, tensor<16xi8>, tensor<16xi32>, tensor<16xi32>
}
"""


def test_conversions_round_once_and_saturate():
    x = np.array([1.00390625, 1.01171875, 3.5e-40, -2e-39, 1e-45, np.nan, -np.inf, 3.4e38,
                  300.0, -129.7, 127.9, -0.5, 2.5, 1e10, -1e10, 65520.0], dtype=np.float32)
    d = np.array([1.0 + 2**-11 + 2**-40, 65504.0 + 16.0, 1e-9, -(1.0 + 2**-11), 1.0 + 2**-8 + 2**-60,
                  np.nan, np.inf, 1e300, 5.96e-8, 2.98e-8, 2.99e-8, -0.0, 3.0, 1e-300, 0.1, 1e5], dtype=np.float64)
    info = np.iinfo(np.int32)
    n = np.array([7, -7, 7, -7, 5, info.min, info.min, info.max, 0, 3, -9, 9, 1, -1, 100, -100], np.int32)
    m = np.array([2, 2, -2, -2, 0, -1, 1, -1, 0, 7, 4, -4, 1, 1, 0, -1], np.int32)
    bf, h, bd, i8, q, r = compile(CONVERSIONS, pipeline=LOOPS)(x, d, n, m)
    np.testing.assert_array_equal(bf.view(np.uint16), x.astype(ml_dtypes.bfloat16).view(np.uint16))
    with np.errstate(over="ignore"):
        np.testing.assert_array_equal(h, dtypes.convert(d, np.dtype(np.float16)))
        np.testing.assert_array_equal(bd.view(np.uint16), dtypes.convert(d, DTYPES["bf16"]).view(np.uint16))
    expected = np.where(np.isnan(x), 0, np.clip(np.trunc(np.nan_to_num(x)), -128, 127)).astype(np.int8)
    np.testing.assert_array_equal(i8, expected)
    np.testing.assert_array_equal(q, semantics.int_div(n, m))
    safe = np.where((m == 0) | (m == -1), 1, m)
    np.testing.assert_array_equal(r, np.where((m == 0) | (m == -1), 0, np.fmod(n, safe)))


def test_constants_and_returned_arguments(rng):
    text = func(
        "f", [("x", (2, 3), "f32")],
        ["%c = tensor_graph.constant {value = dense<[[1.0, -2.0, 3.5], [0.25, 8.0, -1.0]]> : tensor<2x3xf32>} : tensor<2x3xf32>",
         "%k = tensor_graph.constant {value = dense<true> : tensor<4xi1>} : tensor<4xi1>",
         "%y = tensor_graph.mul %x, %c : tensor<2x3xf32>"],
        [("y", (2, 3), "f32"), ("c", (2, 3), "f32"), ("k", (4,), "i1"), ("x", (2, 3), "f32")],
    )
    x = rng.standard_normal((2, 3)).astype(np.float32)
    y, c, k, x2 = compile(text)(x)
    np.testing.assert_array_equal(c, [[1.0, -2.0, 3.5], [0.25, 8.0, -1.0]])
    np.testing.assert_array_equal(y, x * c)
    assert k.dtype == np.bool_ and k.all()
    np.testing.assert_array_equal(x2, x)
    assert x2 is not x


# --- 2. differential tests against the reference interpreter ------------------------------

# The pipeline's decompositions round intermediates (exp2(x) = exp(x * ln2); f16/bf16
# round x * ln2 and sigmoid's exp(-x) to f16): a few ulps there, else about one.
NARROW_SLACK = {"f16": 8, "bf16": 4}


@pytest.mark.parametrize("dt", FLOATS)
def test_float_unary(dt, rng):
    suite = Suite()
    shape = (5, 37)
    for op in FLOAT_UNARY:
        x = rand(rng, shape, dt)
        rtol = ULP[dt] * NARROW_SLACK.get(dt, 2)
        if op == "exp2":  # exp(x * ln2): the rounding of x * ln2 grows with |x|
            rtol = ULP[dt] * 32
        atol = 2e-4 if dt in NARROW_SLACK and op in ("sigmoid", "silu") else 0.0  # exp(-x) overflows f16
        suite.add(op, [("x", shape, dt)], [f"%y = tensor_graph.{op} %x : {tt(shape, dt)}"],
                  [("y", shape, dt)], [x], rtol, atol)
    for approx in ("none", "tanh"):
        x = rand(rng, shape, dt, specials=False)
        suite.add(f"gelu_{approx}", [("x", shape, dt)], [f'%y = tensor_graph.gelu %x {{approximate = "{approx}"}} : {tt(shape, dt)}'],
                  [("y", shape, dt)], [x], COMPOSITE_TOLERANCE[dt], COMPOSITE_TOLERANCE[dt])
    suite.add("clamp", [("x", shape, dt)], [f"%y = tensor_graph.clamp %x {{min = -1.0, max = 2.0}} : {tt(shape, dt)}"],
              [("y", shape, dt)], [rand(rng, shape, dt)])
    suite.check()


def test_float_unary_on_every_float_type_in_one_module(rng):
    """One module, one function per op using it at f16, bf16, f32 and f64: every LLVM
    intrinsic is declared once per type (not once per name, the first type winning)."""
    suite = Suite()
    shape = (37,)
    for op in FLOAT_UNARY:
        lines = [f"%y{i} = tensor_graph.{op} %x{i} : {tt(shape, dt)}" for i, dt in enumerate(FLOATS)]
        suite.add(op, [(f"x{i}", shape, dt) for i, dt in enumerate(FLOATS)], lines,
                  [(f"y{i}", shape, dt) for i, dt in enumerate(FLOATS)],
                  [rand(rng, shape, dt) for dt in FLOATS], rtol=ULP["bf16"] * 4, atol=2e-3)
    suite.check()


SHAPES = [(), (1,), (0,), (2, 0, 3), (1, 1, 13), (97,), (7, 11, 3)]


def test_shapes(rng):
    """Rank 0, size 1, empty, prime and odd sizes through one op of each loop kind."""
    suite = Suite()
    for i, s in enumerate(SHAPES):
        t = tt(s, "f32")
        x, b = rand(rng, s, "f32"), rand(rng, s[-1:], "f32")
        suite.add(f"tanh_add_{i}", [("x", s, "f32"), ("b", s[-1:], "f32")],
                  [f"%e = tensor_graph.tanh %x : {t}", f"%y = tensor_graph.add %e, %b : {t}, {tt(s[-1:], 'f32')} -> {t}"],
                  [("y", s, "f32")], [x, b], 1e-6, 1e-6)
        if s:
            out = s[:-1]
            suite.add(f"sum_{i}", [("x", s, "f32")],
                      [f'%y = tensor_graph.reduce %x {{kind = "sum", dims = [-1], keepdim = false}} : {t} -> {tt(out, "f32")}'],
                      [("y", out, "f32")], [rand(rng, s, "f32", specials=False)], 1e-5, 1e-5)
            suite.add(f"softmax_{i}", [("x", s, "f32")], [f"%y = tensor_graph.softmax %x {{axis = 0}} : {t}"],
                      [("y", s, "f32")], [rand(rng, s, "f32", specials=False)], 1e-5, 1e-7)
    suite.check()


@pytest.mark.parametrize("dt", INTS + ["i1"])
def test_int_unary(dt, rng):
    suite = Suite()
    ops = ["not"] if dt == "i1" else ["neg", "abs", "sign"]
    for op in ops:
        suite.add(op, [("x", (5, 7), dt)], [f"%y = tensor_graph.{op} %x : {tt((5, 7), dt)}"], [("y", (5, 7), dt)],
                  [rand(rng, (5, 7), dt)])
    suite.check()


CLAMP_INVERTED = [("2.0", "-1.0", -1.0), ("0x7FF0000000000000", "0xFFF0000000000000", -np.inf)]
CLAMP_INVERTED_INT = [("3.0", "-2.0", -2), ("1000.0", "-1000.0", -1000), ("0x7FF0000000000000", "0xFFF0000000000000", -np.inf)]


@pytest.mark.parametrize("dt", ["f32", "f16", "f64", "i8", "i32"])
def test_clamp_min_above_max_gives_max(dt, rng):
    """clamp with min > max is min(max(x, min), max): every element becomes max (the
    bound in the element type: -1000 saturates to an i8's minimum), NaN stays NaN."""
    suite, expected = Suite(), []
    shape = (4, 9)
    bounds = CLAMP_INVERTED if dt[0] == "f" else CLAMP_INVERTED_INT
    for i, (lo, hi, value) in enumerate(bounds):
        x = rand(rng, shape, dt)
        t = tt(shape, dt)
        suite.add(f"clamp{i}", [("x", shape, dt)],
                  [f'%y = "tensor_graph.clamp"(%x) <{{min = {lo} : f64, max = {hi} : f64}}> : ({t}) -> {t}'],
                  [("y", shape, dt)], [x])
        dtype = DTYPES[dt]
        if dt[0] == "i":  # the bound saturates to the integer type's range
            value = np.clip(value, np.iinfo(dtype).min, np.iinfo(dtype).max)
        full = np.full(shape, value, dtype)
        expected.append((x, np.where(np.isnan(x), x, full)))
    suite.check()  # the CPU agrees with the reference, which gives max:
    for (name, text, *_), (x, want) in zip(suite.cases, expected):
        np.testing.assert_array_equal(reference.run(text, name, x), want)


BROADCAST = ((5, 1, 7), (3, 1))


@pytest.mark.parametrize("dt", ALL)
def test_binary_cmp_select(dt, rng):
    suite = Suite()
    (sa, sb), so = BROADCAST, (5, 3, 7)
    types = f"{tt(sa, dt)}, {tt(sb, dt)} -> "
    ops = ["and", "or", "xor", "max", "min"] if dt == "i1" else ["add", "sub", "mul", "div", "max", "min", "pow"]
    for op in ops:
        if op == "pow" and dt in INTS:
            inputs = [rand(rng, sa, dt, -5, 5), rand(rng, sb, dt, -3, 40)]
        else:
            inputs = [rand(rng, sa, dt), rand(rng, sb, dt)]
        rtol = 4 * ULP[dt] if op == "pow" and dt in FLOATS else None
        suite.add(op, [("a", sa, dt), ("b", sb, dt)], [f"%y = tensor_graph.{op} %a, %b : {types}{tt(so, dt)}"],
                  [("y", so, dt)], inputs, rtol)
    a, b = rand(rng, sa, dt), rand(rng, sb, dt)
    if dt != "i1":
        a.reshape(-1)[:3] = b.reshape(-1)[:3]  # some equal pairs
    lines = [f'%{p} = tensor_graph.cmp %a, %b {{predicate = "{p}"}} : {types}{tt(so, "i1")}' for p in ("eq", "ne", "lt", "le", "gt", "ge")]
    suite.add("cmp", [("a", sa, dt), ("b", sb, dt)], lines, [(p, so, "i1") for p in ("eq", "ne", "lt", "le", "gt", "ge")], [a, b])
    suite.add("select", [("c", (7,), "i1"), ("a", sa, dt), ("b", sb, dt)],
              [f"%y = tensor_graph.select %c, %a, %b : {tt((7,), 'i1')}, {types}{tt(so, dt)}"],
              [("y", so, dt)], [rand(rng, (7,), "i1"), rand(rng, sa, dt), rand(rng, sb, dt)])
    suite.check()


@pytest.mark.parametrize("src", ALL)
def test_cast(src, rng):
    x = rand(rng, (40,), src)
    if src in FLOATS:  # values that saturate, truncate, tie, or do not fit f16 / bf16
        edge = [1e10, -1e10, 3e38, -3e38, 127.9, -128.9, 2.5, -2.5, 65519.0, 65520.0, 1.00390625, 300.0, -0.7, 1e-8, np.nan]
        with np.errstate(over="ignore"):
            x[: len(edge)] = np.asarray(edge).astype(DTYPES[src])
    if src == "i64":
        x[:4] = [2**60 + 2**52 + 1, -(2**40) - 2**32 - 1, 2**63 - 1, 2**24 + 1]
    lines = [f"%{dst} = tensor_graph.cast %x : {tt((40,), src)} -> {tt((40,), dst)}" for dst in ALL]
    suite = Suite()
    suite.add("cast", [("x", (40,), src)], lines, [(dst, (40,), dst) for dst in ALL], [x], 0.0)
    suite.check()


REDUCE_DIMS = [((7, 13), [1], False), ((13, 7), [0], True), ((3, 5, 4), [0, 2], False), ((3, 5), [], False), ((4, 0), [1], False)]


@pytest.mark.parametrize("dt", ALL)
def test_reductions(dt, rng):
    suite = Suite()
    kinds = ["max", "min"] if dt == "i1" else ["sum", "prod", "max", "min"] + (["mean"] if dt in FLOATS else [])
    eps = ULP.get(dt, 0.0)
    for kind in kinds:
        for i, (shape, dims, keep) in enumerate(REDUCE_DIMS):
            out = tuple(1 if d in [x % len(shape) for x in dims] or not dims else n
                        for d, n in enumerate(shape)) if keep else \
                tuple(n for d, n in enumerate(shape) if dims and d not in [x % len(shape) for x in dims])
            if kind == "prod" and dt in INTS:
                x = rand(rng, shape, dt, -3, 3)
            elif kind in ("sum", "prod", "mean") and dt in FLOATS:
                x = rand(rng, shape, dt, specials=False) * (0.3 if kind == "prod" else 1)
                x = x.astype(DTYPES[dt])
            else:
                x = rand(rng, shape, dt)
            atol = 0.0 if kind in ("max", "min") or dt not in FLOATS else 64 * eps * (1 + float(np.abs(x.astype(np.float64)).sum()))
            suite.add(f"{kind}_{i}", [("x", shape, dt)],
                      [f'%y = tensor_graph.reduce %x {{kind = "{kind}", dims = [{", ".join(map(str, dims))}], keepdim = {str(keep).lower()}}} : {tt(shape, dt)} -> {tt(out, dt)}'],
                      [("y", out, dt)], [x], 4 * eps if dt in FLOATS else 0.0, atol)
    for name in ("argmax", "argmin"):
        for i, (shape, axis, keep) in enumerate([((9, 13), 1, False), ((13, 9), 0, True), ((2, 5, 3), -2, False)]):
            out = tuple(1 if d == axis % len(shape) else n for d, n in enumerate(shape)) if keep else \
                tuple(n for d, n in enumerate(shape) if d != axis % len(shape))
            x = rand(rng, shape, dt, -2, 2) if dt in INTS else rand(rng, shape, dt)
            if dt in FLOATS:
                x.reshape(-1)[1] = x.reshape(-1)[0]
                x.reshape(-1)[5] = np.nan
            suite.add(f"{name}_{i}", [("x", shape, dt)],
                      [f"%y = tensor_graph.{name} %x {{axis = {axis}, keepdim = {str(keep).lower()}}} : {tt(shape, dt)} -> {tt(out, 'i64')}"],
                      [("y", out, "i64")], [x])
    suite.check()


@pytest.mark.parametrize("dt", ["f32", "bf16", "i64", "i1"])
def test_views(dt, rng):
    suite = Suite()
    views = VIEWS
    for i, (src, name, props, dst) in enumerate(views):
        suite.add(f"{name}_{i}", [("x", src, dt)], [f"%y = tensor_graph.{name} %x {props} : {tt(src, dt)} -> {tt(dst, dt)}"],
                  [("y", dst, dt)], [rand(rng, src, dt)], 0.0)
    suite.add("concat", [("a", (2, 3), dt), ("b", (2, 0), dt), ("c", (2, 4), dt)],
              [f"%y = tensor_graph.concat %a, %b, %c {{axis = 1}} : {tt((2, 3), dt)}, {tt((2, 0), dt)}, {tt((2, 4), dt)} -> {tt((2, 7), dt)}"],
              [("y", (2, 7), dt)], [rand(rng, (2, 3), dt), rand(rng, (2, 0), dt), rand(rng, (2, 4), dt)], 0.0)
    suite.add("gather", [("x", (2, 7, 5), dt), ("i", (4, 3), "i32")],
              [f"%y = tensor_graph.gather %x, %i {{axis = 1}} : {tt((2, 7, 5), dt)}, {tt((4, 3), 'i32')} -> {tt((2, 4, 3, 5), dt)}"],
              [("y", (2, 4, 3, 5), dt)], [rand(rng, (2, 7, 5), dt), rand(rng, (4, 3), "i32", -7, 6)], 0.0)
    if dt != "i1":
        suite.add("iota", [], [f"%y = tensor_graph.iota {{dim = 1}} : {tt((3, 300), dt)}"], [("y", (3, 300), dt)], [], 0.0)
    suite.check()


MATMULS = [((3, 4), (4, 5)), ((2, 1, 3, 7), (6, 7, 2)), ((3, 0), (0, 2)), ((33, 65), (65, 17))]


@pytest.mark.parametrize("dt", NUMERIC)
def test_matmul(dt, rng):
    suite = Suite()
    for i, (sa, sb) in enumerate(MATMULS):
        out = np.broadcast_shapes(sa[:-2], sb[:-2]) + (sa[-2], sb[-1])
        a, b = rand(rng, sa, dt, specials=False), rand(rng, sb, dt, specials=False)
        eps = ULP.get(dt, 0.0)
        suite.add(f"mm_{i}", [("a", sa, dt), ("b", sb, dt)],
                  [f"%y = tensor_graph.matmul %a, %b : {tt(sa, dt)}, {tt(sb, dt)} -> {tt(out, dt)}"],
                  [("y", out, dt)], [a, b], 4 * eps, 128 * eps * (1 + float(np.abs(a.astype(np.float64)).max(initial=0)) ** 2 * sa[-1]))
    suite.check()


@pytest.mark.parametrize("dt", ["f32", "f16", "i32"])
def test_every_op_at_zero_size_dims(dt, rng):
    """The spec: zero-size dimensions are valid everywhere; empty results or the
    reductions' identities (mean: NaN), and every op compiles."""
    suite = Suite()
    for name, args, lines, results in zero_size_programs(dt):
        inputs = [rand(rng, s, t, 0, 1) if t in INTS else rand(rng, s, t) for _, s, t in args]
        suite.add(name, args, lines, results, inputs, 0.0)
    suite.check()


COMPOSITE_TOLERANCE = {"f64": 1e-12, "f32": 1e-5, "f16": 1e-2, "bf16": 6e-2}


@pytest.mark.parametrize("dt", FLOATS)
def test_composites(dt, rng):
    suite = Suite()
    for name, (args, line, out) in COMPOSITES.items():
        inputs = [rand(rng, s, dt, specials=False) for _, s in args]
        tol = COMPOSITE_TOLERANCE[dt]
        if name == "attention" and dt in ("f16", "bf16"):
            tol = 0.6  # the decomposition rounds scores and probabilities to bf16 / f16
        suite.add(name, [(n, s, dt) for n, s in args], [line.replace("xX>", f"x{dt}>")], [("y", out, dt)], inputs, tol, tol)
    suite.check()


@pytest.mark.parametrize("dt", ["f16", "bf16"])
def test_composites_match_the_loops_evaluator(dt, rng):
    """Where the decomposition's own rounding dominates (f16, bf16), the CPU code
    still computes exactly what the loops level says, to an ulp."""
    ctx = make_context()
    for name, (args, line, out) in COMPOSITES.items():
        text = func(name, [(n, s, dt) for n, s in args], [line.replace("xX>", f"x{dt}>")], [("y", out, dt)])
        module, _ = parse_module(ctx, text, name)
        for _, pass_ in build_pipeline(PIPELINE_TO_LOOPS, registry.passes(), registry.pipelines()):
            pass_.apply(ctx, module)
        inputs = [rand(rng, s, dt, specials=False) for _, s in args]
        assert_close(compile(text)(*inputs), loops_evaluator.run(module, name, *inputs), 2 * ULP[dt], 2 * ULP[dt], name)


def test_large_shapes_use_every_core(rng, monkeypatch):
    """1000 x 1001 kernels are split across the cores (when there are several) and
    give the same results as on one thread."""
    m, n = 1000, 1001
    t = tt((m, n), "f32")
    suite = Suite()
    x, b = rand(rng, (m, n), "f32", specials=False), rand(rng, (n,), "f32", specials=False)
    suite.add("gelu_bias", [("x", (m, n), "f32"), ("b", (n,), "f32")],
              [f"%s = tensor_graph.add %x, %b : {t}, tensor<{n}xf32> -> {t}", f'%y = tensor_graph.gelu %s {{approximate = "none"}} : {t}'],
              [("y", (m, n), "f32")], [x, b], 1e-5, 2e-6)  # 1 + erf(x / sqrt 2) cancels for x < 0
    suite.add("softmax", [("x", (m, n), "f32")], [f"%y = tensor_graph.softmax %x {{axis = -1}} : {t}"],
              [("y", (m, n), "f32")], [x], 1e-5, 1e-9)
    suite.add("sums", [("x", (m, n), "f32")],
              [f'%r = tensor_graph.reduce %x {{kind = "sum", dims = [1], keepdim = false}} : {t} -> tensor<{m}xf32>',
               f'%c = tensor_graph.reduce %x {{kind = "sum", dims = [0], keepdim = true}} : {t} -> tensor<1x{n}xf32>'],
              [("r", (m,), "f32"), ("c", (1, n), "f32")], [x], 1e-4, 1e-3)
    suite.add("transpose_add", [("x", (n, m), "f32"), ("y", (m, n), "f32")],
              [f"%t = tensor_graph.transpose %x {{perm = [1, 0]}} : tensor<{n}x{m}xf32> -> {t}",
               f"%z = tensor_graph.add %t, %y : {t}"],
              [("z", (m, n), "f32")], [rand(rng, (n, m), "f32"), x], 0.0)
    slices = []
    calls = {}
    real_run = cpu._run

    def counting_run(fn, call, pointers, address=None):  # the Python pool: it can count
        def counted(begin, end, *ptrs):
            slices.append((call.kernel, begin, end))
            return fn(begin, end, *ptrs)
        calls[call.kernel] = call
        return real_run(counted, call, pointers)

    monkeypatch.setattr(cpu, "_run", counting_run)
    suite.check()
    per_kernel: dict[str, list] = {}
    for kernel, begin, end in slices:
        per_kernel.setdefault(kernel, []).append((begin, end))
    for kernel, ranges in per_kernel.items():  # one foreign call per group of chunks, tiling [0, extent)
        call = calls[kernel]
        groups = cpu.call_groups(call, cpu.call_threads(call, cpu.num_threads()))
        assert sorted(ranges) == [cpu.chunk_range(call.extent, call.chunks, *g) for g in groups], (kernel, call, ranges)
    if cpu.num_threads() > 1:  # needs the schedule's chunks (loops-schedule-cpu)
        assert any(len(r) > 1 for r in per_kernel.values()), (per_kernel, calls)
    f = compile("".join(c[1] for c in suite.cases), entry="softmax")
    parallel = f(x)
    monkeypatch.setenv("STEPWELL_NUM_THREADS", "1")
    np.testing.assert_array_equal(f(x), parallel)


# --- 3. accuracy of the math approximations ---------------------------------------------

MATH_CASES = {
    "exp": (mpmath.exp, [(-100.0, 88.0), (-1.0, 1.0)]),
    "log": (mpmath.log, [(1e-30, 1e30), (0.5, 2.0)]),
    "tanh": (mpmath.tanh, [(-10.0, 10.0), (-0.6, 0.6)]),
    "sin": (mpmath.sin, [(-10.0, 10.0), (-1e4, 1e4)]),
    "cos": (mpmath.cos, [(-10.0, 10.0), (-1e4, 1e4)]),
    "erf": (mpmath.erf, [(-6.0, 6.0), (-1.0, 1.0)]),
}


@pytest.mark.parametrize("dt", ["f32", "f64"])
def test_math_accuracy_in_ulps(dt, rng):
    """Against 30-digit mpmath: within 1.5 ulp (the measured worst is ~1.25, tanh)."""
    dtype = DTYPES[dt]
    n = 600
    text = "".join(func(op, [("x", (n,), dt)], [f"%y = tensor_graph.{op} %x : {tt((n,), dt)}"], [("y", (n,), dt)])
                   for op in MATH_CASES)
    mpmath.mp.dps = 30
    for op, (exact, ranges) in MATH_CASES.items():
        f = compile(text, entry=op)
        for lo, hi in ranges:
            x = np.exp(rng.uniform(np.log(lo), np.log(hi), n)) if lo > 0 else rng.uniform(lo, hi, n)
            x = x.astype(dtype)
            y = f(x)
            worst = 0.0
            for xi, yi in zip(x.tolist(), y.tolist()):
                r = exact(mpmath.mpf(xi))
                ulp = float(np.spacing(dtype.type(abs(float(r)))))
                if ulp:
                    worst = max(worst, float(abs(mpmath.mpf(yi) - r)) / ulp)
            assert worst <= 1.5, (op, dt, lo, hi, worst)


# Inputs where x is within ~2^-61 (f64) of a multiple of pi/2: the hardest reductions.
HARD_TRIG = [math.ldexp(6381956970095103, 797), math.ldexp(5261692873635770, 499), 1e22, 2.0**20,
             np.nextafter(2.0**20, 0), 1.5707963267948966, 3.141592653589793, 5e-324, 1e-300]


@pytest.mark.parametrize("dt", ["f32", "f64"])
def test_sin_cos_over_the_whole_finite_range(dt, rng):
    """The spec's bound (relative 1e-5 / 1e-13) and within 1.5 ulp where the result is
    not near a zero, for magnitudes log-uniform up to the largest finite value, both
    signs; never outside [-1, 1]."""
    dtype, info = DTYPES[dt], np.finfo(DTYPES[dt])
    n = 800
    x = np.exp2(rng.uniform(math.log2(float(info.smallest_subnormal)), math.log2(float(info.max)), n))
    x = x * rng.choice([-1.0, 1.0], n)
    with np.errstate(over="ignore"):
        x[: 2 * len(HARD_TRIG) + 4] = HARD_TRIG + [-v for v in HARD_TRIG] + [float(info.max), -float(info.max), 1e30, 3.4e38]
        x = np.where(np.isfinite(x.astype(dtype)), x, float(info.max)).astype(dtype)
    text = "".join(func(op, [("x", (n,), dt)], [f"%y = tensor_graph.{op} %x : {tt((n,), dt)}"], [("y", (n,), dt)])
                   for op in ("sin", "cos"))
    mpmath.mp.dps = 40
    bound = {"f32": 1e-5, "f64": 1e-13}[dt]
    for op in ("sin", "cos"):
        y = compile(text, entry=op)(x)
        assert np.all(np.abs(y) <= 1), (op, x[np.abs(y) > 1][:4])
        for xi, yi in zip(x.tolist(), y.tolist()):
            exact = getattr(mpmath, op)(mpmath.mpf(xi))
            err = abs(mpmath.mpf(yi) - exact)
            assert err <= bound * abs(exact), (op, dt, xi, yi, exact)
            if abs(exact) > 1e-3:
                assert err <= 1.5 * float(np.spacing(dtype.type(abs(float(exact))))), (op, dt, xi, yi, exact)


SIGNED = [-0.0, 0.0, np.inf, -np.inf, np.nan, 1e-45, -1e-45, -1e-30, 1e-30, -0.4, 3e38, -3e38, 1e300, -1e300]


@pytest.mark.parametrize("dt", FLOATS)
def test_special_values_and_signed_zeros(dt):
    """Every float unary op, alone and fused into a consumer that shows the sign of a
    zero (rsqrt(-0) = -inf), on -0, +-inf, NaN, tiny and huge values: the reference's
    values and signs (sin(-0) = tanh(-0) = -0)."""
    with np.errstate(over="ignore"):
        x = np.asarray(SIGNED).astype(DTYPES[dt])
    n = len(SIGNED)
    t = tt((n,), dt)
    chains = [[op] for op in FLOAT_UNARY] + [[op, "rsqrt"] for op in FLOAT_UNARY]
    text = "".join(func("_".join(ch), [("x", (n,), dt)],
                        [f"%y{i} = tensor_graph.{op} %{'x' if i == 0 else f'y{i - 1}'} : {t}" for i, op in enumerate(ch)],
                        [(f"y{len(ch) - 1}", (n,), dt)]) for ch in chains)
    module, _ = parse_module(make_context(), text, "specials")
    for ch in chains:
        name = "_".join(ch)
        actual = compile(text, entry=name)(x).astype(np.float64)
        expected = reference.run(module, name, x).astype(np.float64)
        both_nan = np.isnan(actual) & np.isnan(expected)
        exact = (actual == expected) & (np.signbit(actual) == np.signbit(expected))
        with np.errstate(invalid="ignore"):
            close = np.isfinite(expected) & (expected != 0) & (np.abs(actual - expected) <= 1e-2 * np.abs(expected))
        bad = ~(both_nan | exact | close)
        assert not bad.any(), (name, dt, x[bad], actual[bad], expected[bad])


def test_pow_accuracy_and_special_cases(rng):
    n = 500
    text = "".join(func(f"pow_{dt}", [("x", (n,), dt), ("y", (n,), dt)],
                        [f"%r = tensor_graph.pow %x, %y : {tt((n,), dt)}, {tt((n,), dt)} -> {tt((n,), dt)}"],
                        [("r", (n,), dt)]) for dt in ("f32", "f64"))
    mpmath.mp.dps = 40
    for dt, bound in (("f32", 1.0), ("f64", 6.0)):
        f = compile(text, entry=f"pow_{dt}")
        x = np.exp(rng.uniform(np.log(0.01), np.log(100), n)).astype(DTYPES[dt])
        y = rng.uniform(-30, 30, n).astype(DTYPES[dt])
        worst = 0.0
        for xi, yi, ri in zip(x.tolist(), y.tolist(), f(x, y).tolist()):
            exact = mpmath.power(mpmath.mpf(xi), mpmath.mpf(yi))
            if not math.isfinite(float(exact)) or abs(float(exact)) > float(np.finfo(DTYPES[dt]).max):
                continue
            ulp = float(np.spacing(DTYPES[dt].type(float(exact))))
            if ulp:
                worst = max(worst, float(abs(mpmath.mpf(ri) - exact)) / ulp)
        assert worst <= bound, (dt, worst)
        special = [np.nan, np.inf, -np.inf, -0.0, 0.0, 0.5, -2.5, 1.0, -1.0, 2.0, 3.0, -3.0, 1e30, -1e30]
        grid = np.array([(a, b) for a in special for b in special], dtype=DTYPES[dt])
        xs, ys = np.resize(grid[:, 0], n), np.resize(grid[:, 1], n)
        with np.errstate(all="ignore"):  # infinities, NaNs and zeros where numpy has them
            np.testing.assert_allclose(f(xs, ys), np.power(xs, ys), rtol=4 * ULP[dt], equal_nan=True)


# --- the runtime's checks -------------------------------------------------------------------


GATHERS = """
func.func @rows(%x: tensor<4x3xf32>, %i: tensor<3xi64>) -> tensor<3x3xf32> {
  %y = tensor_graph.gather %x, %i {axis = 0} : tensor<4x3xf32>, tensor<3xi64> -> tensor<3x3xf32>
  func.return %y : tensor<3x3xf32>
}
func.func @sliced(%x: tensor<4x3xf32>, %i: tensor<2x2xi32>) -> tensor<1x3xf32> {
  %y = tensor_graph.gather %x, %i {axis = 1} : tensor<4x3xf32>, tensor<2x2xi32> -> tensor<4x2x2xf32>
  %s = tensor_graph.slice %y {start = [0, 0, 0], stop = [1, 1, 1], step = [1, 1, 1]} : tensor<4x2x2xf32> -> tensor<1x1x1xf32>
  %r = tensor_graph.reshape %s : tensor<1x1x1xf32> -> tensor<1x1xf32>
  %b = tensor_graph.broadcast_to %r : tensor<1x1xf32> -> tensor<1x3xf32>
  func.return %b : tensor<1x3xf32>
}
func.func @computed(%x: tensor<4x3xf32>, %i: tensor<3xi64>) -> tensor<3xf32> {
  %t = tensor_graph.transpose %i {perm = [0]} : tensor<3xi64> -> tensor<3xi64>
  %two = tensor_graph.constant {value = dense<2> : tensor<3xi64>} : tensor<3xi64>
  %j = tensor_graph.mul %t, %two : tensor<3xi64>
  %y = tensor_graph.gather %x, %j {axis = 0} : tensor<4x3xf32>, tensor<3xi64> -> tensor<3x3xf32>
  %m = tensor_graph.reduce %y {kind = "sum", dims = [1], keepdim = false} : tensor<3x3xf32> -> tensor<3xf32>
  func.return %m : tensor<3xf32>
}
func.func @constant(%x: tensor<4x3xf32>) -> tensor<2x3xf32> {
  %i = tensor_graph.constant {value = dense<[1, 4]> : tensor<2xi64>} : tensor<2xi64>
  %y = tensor_graph.gather %x, %i {axis = 0} : tensor<4x3xf32>, tensor<2xi64> -> tensor<2x3xf32>
  func.return %y : tensor<2x3xf32>
}
func.func @splat(%x: tensor<4x3xf32>) -> tensor<2x3xf32> {
  %i = tensor_graph.constant {value = dense<-7> : tensor<2xi64>} : tensor<2xi64>
  %y = tensor_graph.gather %x, %i {axis = 0} : tensor<4x3xf32>, tensor<2xi64> -> tensor<2x3xf32>
  func.return %y : tensor<2x3xf32>
}
"""


@pytest.mark.parametrize("name, indices, message", [
    ("rows", [4, -5, 2**40], "index 4 is out of range for axis 0 of size 4"),
    ("rows", [0, -4, -5], "index -5 is out of range for axis 0 of size 4"),
    ("rows", [2**40, 0, 0], "index 1099511627776 is out of range for axis 0 of size 4"),
    ("sliced", [[0, 1], [3, -4]], "index 3 is out of range for axis 1 of size 3"),  # never read: still an error
    ("computed", [1, 2, 0], "index 4 is out of range for axis 0 of size 4"),
    ("constant", None, "index 4 is out of range for axis 0 of size 4"),
    ("splat", None, "index -7 is out of range for axis 0 of size 4"),
])
def test_gather_out_of_range_fails_the_call(name, indices, message):
    """The spec: an index outside [-n, n) fails the call with an error naming the op
    (IndexError; the reference interpreters raise the same), never a clamped read;
    in-range calls of the same function still work."""
    module, _ = parse_module(make_context(), GATHERS, "gathers")
    f = compile(GATHERS, entry=name)
    x = np.arange(12, dtype=np.float32).reshape(4, 3)
    args = [x] if indices is None else [x, np.asarray(indices, dtype=np.int32 if name == "sliced" else np.int64)]
    expected = re.escape(f"'tensor_graph.gather': {message}")
    with pytest.raises(IndexError, match=expected):
        f(*args)
    with pytest.raises(reference.IndexOutOfRange, match=expected):
        reference.run(module, name, *args)
    lowered, _ = parse_module(make_context(), GATHERS, "gathers")
    ctx = make_context()
    for _, pass_ in build_pipeline(PIPELINE_TO_LOOPS, registry.passes(), registry.pipelines()):
        pass_.apply(ctx, lowered)
    with pytest.raises(reference.IndexOutOfRange, match=expected):
        loops_evaluator.run(lowered, name, *args)
    if indices is not None:
        good = [np.zeros_like(args[1])]
        np.testing.assert_array_equal(f(x, *good), reference.run(module, name, x, *good))


def test_plans_with_checks_survive_the_cache_format():
    from stepwell.runtime import plan as plan_mod

    module, _ = parse_module(make_context(), GATHERS, "gathers")
    ctx = make_context()
    for _, pass_ in build_pipeline(registry.pipelines()["lower-to-cpu"], registry.passes(), registry.pipelines()):
        pass_.apply(ctx, module)
    plans = plan_mod.plans_from_module(module)
    assert any(c.check == ("tensor_graph.gather", 0, 4) for p in plans for c in p.calls)
    assert plan_mod.from_json(plan_mod.to_json(plans)) == plans



def test_argument_checks_and_targets():
    text = func("f", [("x", (2, 3), "f32")], ["%y = tensor_graph.exp %x : tensor<2x3xf32>"], [("y", (2, 3), "f32")])
    f = compile(text)
    assert "float32[2, 3]" in repr(f)
    with pytest.raises(TypeError, match=r"expected float32 of shape \(2, 3\), got float64 of shape \(2, 3\)"):
        f(np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"expected float32 of shape \(2, 3\), got float32 of shape \(3, 2\)"):
        f(np.zeros((3, 2), np.float32))
    with pytest.raises(TypeError, match="takes 1 argument"):
        f()
    x = np.arange(12, dtype=np.float32).reshape(3, 4)[:2, :3]  # not contiguous
    np.testing.assert_allclose(f(x), np.exp(x), rtol=2e-7)
    with pytest.raises(ValueError, match="unknown target 'tpu'"):
        compile(text, target="tpu")
    two = text + func("g", [], ["%y = tensor_graph.iota {dim = 0} : tensor<4xi32>"], [("y", (4,), "i32")])
    with pytest.raises(CompileError, match="several functions"):
        compile(two)
    np.testing.assert_array_equal(compile(two, entry="g")(), [0, 1, 2, 3])
    with pytest.raises(CompileError, match="no function @h"):
        compile(two, entry="h")
    with pytest.raises(CompileError, match="<compile>:1"):
        compile("func.func @f( {")


@pytest.mark.parametrize("source", [b"func.func @f() { func.return }", None, 123, ["func.func"]])
def test_compile_takes_text_or_a_module_only(source):
    with pytest.raises(TypeError, match="source must be MLIR text"):
        compile(source)


def test_compile_entry_is_a_name_and_may_start_with_at():
    text = func("g", [], ["%y = tensor_graph.iota {dim = 0} : tensor<4xi32>"], [("y", (4,), "i32")])
    text += func("main", [], ["%y = tensor_graph.iota {dim = 0} : tensor<2xi32>"], [("y", (2,), "i32")])
    np.testing.assert_array_equal(compile(text, entry="@g")(), reference.run(text, "@g"))
    np.testing.assert_array_equal(compile(text, entry="@main")(), [0, 1])
    with pytest.raises(TypeError, match="entry must be a function name"):
        compile(text, entry=1)


def test_compile_gives_several_functions_of_one_module_for_a_list_of_names():
    text = func("g", [], ["%y = tensor_graph.iota {dim = 0} : tensor<4xi32>"], [("y", (4,), "i32")])
    text += func("main", [], ["%y = tensor_graph.iota {dim = 0} : tensor<2xi32>"], [("y", (2,), "i32")])
    main, g = compile(text, entry=["main", "@g"])
    np.testing.assert_array_equal(main(), [0, 1])
    np.testing.assert_array_equal(g(), [0, 1, 2, 3])
    assert compile(text, entry=()) == ()
    with pytest.raises(CompileError, match=r"no function @h \(functions: g, main\)"):
        compile(text, entry=("g", "h"))
    with pytest.raises(TypeError, match="entry must be a function name, a list of them or None"):
        compile(text, entry=["g", 1])
    with pytest.raises(TypeError, match="donate_argnums needs a single entry function"):
        compile(text, entry=["g"], donate_argnums=0)


def test_a_value_returned_twice_gives_arrays_of_their_own():
    text = """
func.func @f(%x: tensor<3xf32>) -> (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) {
  %y = tensor_graph.exp %x : tensor<3xf32>
  func.return %y, %y, %x, %x : tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>
}
"""
    x = np.zeros(3, np.float32)
    results = compile(text)(x)
    for i, a in enumerate(results):
        assert not any(np.shares_memory(a, b) for b in (*results[:i], *results[i + 1 :], x)), i
    results[0][0] = 5.0
    assert results[1][0] == 1.0


def test_a_bad_thread_count_is_ignored_with_one_warning(monkeypatch):
    text = func("f", [("x", (3,), "f32")], ["%y = tensor_graph.neg %x : tensor<3xf32>"], [("y", (3,), "f32")])
    f = compile(text)
    monkeypatch.setenv("STEPWELL_NUM_THREADS", "abc")
    cpu._thread_limit.cache_clear()
    with pytest.warns(RuntimeWarning, match="STEPWELL_NUM_THREADS='abc' is not a whole number") as caught:
        for _ in range(3):
            np.testing.assert_array_equal(f(np.ones(3, np.float32)), -np.ones(3, np.float32))
            assert cpu.num_threads() == (os.cpu_count() or 1)
    assert len([w for w in caught if "STEPWELL_NUM_THREADS" in str(w.message)]) == 1
