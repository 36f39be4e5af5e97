"""`loops-expand-math`: the math approximations as arith/math primitives in loops bodies.

Differential, at f32/f64/f16/bf16 on random and special values (+-0, +-inf, NaN,
subnormals, the largest values, |x| >= 2^20 for sin/cos):
- the expanded body through the loops reference interpreter against the unexpanded
  one (numpy's functions): the same NaNs, signed zeros and infinities, and a few ulps;
- the compiled code (convert-loops-to-llvm, which runs the same expansions on what is
  left) against the expanded body in the reference interpreter: the same bits, since
  both round each primitive once (math.fma included).
Accuracy against mpmath is test_cpu_target.py's (it compiles these same expansions).
"""

from __future__ import annotations

import math

import ml_dtypes
import numpy as np
import pytest

from stepwell.compiler import compile
from stepwell.ir.parse import parse_module
from stepwell.reference import loops as loops_evaluator
from stepwell.registry import make_context
from stepwell.transforms.expand_math import EXPANDABLE
from stepwell.transforms.loops_expand_math import LoopsExpandMath

from _dtypes import DTYPES  # noqa: E402

FLOAT_TYPES = ["f32", "f64", "f16", "bf16"]
UNARY = ["exp", "log", "tanh", "erf", "sin", "cos"]
N = 2000
# how far the expansion may be from numpy's function, in ulps of the result (f16/bf16:
# both are computed in f32 and rounded once, so they differ by at most one rounding)
ULPS = {"f32": 2.5, "f64": 2.0, "f16": 1.0, "bf16": 1.0}
# below this size a result is compared absolutely (sin/cos near a multiple of pi)
ABS_FLOOR = {"f32": 2.0**-40, "f64": 2.0**-70, "f16": 2.0**-40, "bf16": 2.0**-40}


def pointwise(op: str, dt: str, n: int, arity: int = 1) -> str:
    t = f"tensor<{n}x{dt}>"
    args = ", ".join(f"%x{i}: {t}" for i in range(arity))
    loads = "".join(f"    %a{i} = loops.load %x{i}[d0] : {t}\n" for i in range(arity))
    operands = ", ".join(f"%a{i}" for i in range(arity))
    return (
        f"func.func @f({args}) -> {t} {{\n  %y = loops.pointwise : {t} {{\n{loads}"
        f"    %e = math.{op} {operands} : {dt}\n    loops.yield %e : {dt}\n  }}\n  func.return %y : {t}\n}}\n"
    )


def expanded(text: str, ops=EXPANDABLE):
    ctx = make_context()
    module, _ = parse_module(ctx, text, "test")
    LoopsExpandMath(ops=tuple(ops)).apply(ctx, module)
    module.verify()
    return module


MANTISSA = {"f16": 10, "bf16": 7, "f32": 23, "f64": 52}


def finfo(dt: str):
    return ml_dtypes.finfo(DTYPES[dt])


def ulp(v: np.ndarray, dt: str) -> np.ndarray:
    """The spacing of the type `dt` at the magnitudes `v` (f64 array, finite)."""
    _, e = np.frexp(np.abs(v))
    emin = int(np.log2(float(finfo(dt).tiny)))
    return np.ldexp(1.0, np.maximum(e - 1, emin) - MANTISSA[dt])


def specials(dt: str) -> list[float]:
    info = finfo(dt)
    tiny, sub, big = float(info.tiny), float(info.smallest_subnormal), float(info.max)
    values = [0.0, np.inf, np.nan, sub, 3 * sub, tiny, tiny * 0.75, big, 1.0, 0.5, 2.0**20,
              float(np.nextafter(2.0**20, 0)), 2.0**20 + 1, 1e30, 1e22, 1.5707963267948966, 88.72, 709.78, 0.55]
    return values + [-v for v in values]


def inputs(op: str, dt: str, rng) -> np.ndarray:
    info = finfo(dt)
    if op in ("sin", "cos", "log"):  # magnitudes log-uniform over the whole finite range
        lo, hi = math.log2(float(info.smallest_subnormal)), math.log2(float(info.max))
        x = np.exp2(rng.uniform(lo, hi, N)) * rng.choice([-1.0, 1.0], N)
        if op == "log":
            x = np.abs(x)
    else:
        bound = {"exp": math.log(float(info.max)) * 1.1, "tanh": 20.0, "erf": 7.0}[op]
        x = rng.uniform(-bound, bound, N)
    s = specials(dt)
    x[: len(s)] = s
    with np.errstate(over="ignore"):
        return x.astype(DTYPES[dt])


def assert_close_in_ulps(got: np.ndarray, want: np.ndarray, dt: str, ulps: float, what: str) -> None:
    got64, want64 = got.astype(np.float64), want.astype(np.float64)
    nan = np.isnan(want64)
    assert np.array_equal(np.isnan(got64), nan), (what, "NaN", got[np.isnan(got64) != nan][:4])
    exact = (want64 == 0) | np.isinf(want64)  # zeros and infinities: the same value and sign
    same = (got64 == want64) & (np.signbit(got64) == np.signbit(want64))
    assert same[exact].all(), (what, got[exact & ~same][:4], want[exact & ~same][:4])
    finite = ~(nan | exact)
    spacing = ulp(np.where(finite, want64, 1.0), dt)
    with np.errstate(invalid="ignore"):  # got may be inf where want is finite: a failure below
        err = np.abs(np.where(finite, got64 - want64, 0.0))
    bad = err > ulps * spacing + ABS_FLOOR[dt]
    assert not bad.any(), (what, got[bad][:4], want[bad][:4], (err / spacing)[bad][:4])


@pytest.fixture
def rng(request):
    return np.random.default_rng(abs(hash(request.node.name)) % 2**32)


@pytest.mark.parametrize("dt", FLOAT_TYPES)
@pytest.mark.parametrize("op", UNARY)
def test_expanded_body_matches_the_unexpanded_one(op, dt, rng):
    text = pointwise(op, dt, N)
    x = inputs(op, dt, rng)
    module = expanded(text)
    assert not [o.name for o in module.walk() if o.name == f"math.{op}"]
    with np.errstate(all="ignore"):
        want = loops_evaluator.run(text, "f", x)
        got = loops_evaluator.run(module, "f", x)
    assert_close_in_ulps(got, want, dt, ULPS[dt], f"{op} {dt}")


@pytest.mark.parametrize("dt", FLOAT_TYPES)
def test_powf_expanded_matches_the_unexpanded_one(dt, rng):
    """C's pow on every pair of special values (x < 0 with integer and non-integer y,
    +-0, +-1, +-inf, NaN) and on random pairs whose result stays finite."""
    grid = [0.0, -0.0, 1.0, -1.0, 2.0, -2.0, 0.5, -0.5, 3.0, -3.0, 2.5, np.inf, -np.inf, np.nan, 1e-30, 1e30]
    xs, ys = np.meshgrid(grid, grid)
    x = np.concatenate([xs.ravel(), np.exp(rng.uniform(-5, 5, N))])
    y = np.concatenate([ys.ravel(), rng.uniform(-8, 8, N)])
    dtype = DTYPES[dt]
    with np.errstate(over="ignore"):
        x, y = x.astype(dtype), y.astype(dtype)
    text = pointwise("powf", dt, len(x), arity=2)
    with np.errstate(all="ignore"):
        want = loops_evaluator.run(text, "f", x, y)
        got = loops_evaluator.run(expanded(text), "f", x, y)
    assert_close_in_ulps(got, want, dt, ULPS[dt] + (1.0 if dt == "f32" else 0.0), f"powf {dt}")


def test_ipowi_expanded_is_exact(rng):
    base = np.concatenate([rng.integers(-5, 6, 500), [0, 1, -1, 2, -2, 7]]).astype(np.int32)
    exponent = np.concatenate([rng.integers(-3, 40, 500), [0, -1, -2, 31, 30, 5]]).astype(np.int32)
    text = pointwise("ipowi", "i32", len(base), arity=2)
    want = loops_evaluator.run(text, "f", base, exponent)
    np.testing.assert_array_equal(loops_evaluator.run(expanded(text), "f", base, exponent), want)


@pytest.mark.parametrize("dt", FLOAT_TYPES)
def test_compiled_code_has_the_expanded_reference_bits(dt, rng):
    """All the ops in one module: the expanded bodies in the reference interpreter and
    the compiled code agree bit for bit (NaN payloads aside)."""
    text = "".join(pointwise(op, dt, N).replace("@f(", f"@{op}(") for op in UNARY)
    module = expanded(text)
    for op in UNARY:
        x = inputs(op, dt, rng)
        with np.errstate(all="ignore"):
            want = loops_evaluator.run(module, op, x)
        got = compile(text, entry=op, pipeline="convert-loops-to-llvm")(x)
        same = (got.view(np.uint8) == want.view(np.uint8)).reshape(len(x), -1).all(1)
        same |= np.isnan(got.astype(np.float64)) & np.isnan(want.astype(np.float64))
        assert same.all(), (op, dt, x[~same][:4], got[~same][:4], want[~same][:4])


def test_ops_option_chooses_what_expands():
    text = pointwise("exp", "f32", 4) + pointwise("tanh", "f32", 4).replace("@f(", "@g(")
    names = [o.name for o in expanded(text, ops=["tanh"]).walk()]
    assert "math.exp" in names and "math.tanh" not in names
    names = [o.name for o in expanded(text, ops=[]).walk()]
    assert "math.exp" in names and "math.tanh" in names


def test_math_fma_rounds_once():
    """The reference's math.fma is fused: 1 + 2^-30 squared minus 1 keeps its 2^-60."""
    text = (
        "func.func @f(%x: tensor<1xf64>, %c: tensor<1xf64>) -> tensor<1xf64> {\n"
        "  %y = loops.pointwise : tensor<1xf64> {\n"
        "    %a = loops.load %x[d0] : tensor<1xf64>\n    %b = loops.load %c[d0] : tensor<1xf64>\n"
        "    %e = math.fma %a, %a, %b : f64\n    loops.yield %e : f64\n  }\n"
        "  func.return %y : tensor<1xf64>\n}\n"
    )
    x, c = np.array([1 + 2.0**-30]), np.array([-(1 + 2.0**-29)])
    assert loops_evaluator.run(text, "f", x, c)[0] == 2.0**-60
    f32 = text.replace("f64", "f32")
    x32, c32 = np.array([1 + 2.0**-12], np.float32), np.array([-(1 + 2.0**-11)], np.float32)
    assert loops_evaluator.run(f32, "f", x32, c32)[0] == np.float32(2.0**-24)
