"""What the scalar ops of a loops body compute, one small numpy function per op.

A scalar evaluator is called as `fn(op, *operands)` with numpy arrays of the operands'
own types (`f16` as `np.float16`, `bf16` as `ml_dtypes.bfloat16`, `i1` as `np.bool_`)
that broadcast against each other over the op's index space, and returns the result in
the result's type. Semantics are MLIR's `arith`/`math`, with these choices:

- Integers wrap (two's complement). `i1` is a 1-bit integer: signed, `true` is -1
  (`arith.cmpi slt`, `maxsi`, `extsi`, `sitofp` see it so); unsigned, it is 1.
- `arith.divsi`, `remsi` (and the floor/ceil forms) by zero, or `INT_MIN / -1`, are
  undefined in MLIR (a trap on most CPUs): they raise EvaluationError, so a lowering
  that forgets to guard them is caught.
- `arith.extf`, `truncf`, `sitofp`, `uitofp` round once to nearest even (as the
  reference interpreter); `arith.fptosi` truncates toward zero, saturating out of range
  and mapping NaN to 0 (what the reference interpreter's `cast` does).
- `math.erf` is computed in f64 and rounded once (as the reference interpreter);
  `math.ipowi` is exact repeated multiplication, wrapping; a negative exponent gives
  base^exp rounded toward zero (1, +-1 for base -1, else 0).
- `arith.maximumf`/`minimumf` propagate NaN; `maxnumf`/`minnumf` ignore it.
- `math.fma` rounds once (a fused multiply-add, as the lowerings emit it), so the
  expansions of `loops-expand-math` evaluate here to the compiled code's bits.

Plugins may register evaluators for their own scalar ops with `@scalar_op(name)`.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from xdsl.dialects.builtin import FloatAttr, IntegerAttr
from xdsl.ir import Operation

from stepwell.dtypes import BOOL, F64, numpy_dtype, to_float, to_int
from stepwell.reference.evaluators import EvaluationError
from stepwell.semantics import erf_values, int_pow

ScalarEvaluator = Callable[..., np.ndarray]
SCALAR_OPS: dict[str, ScalarEvaluator] = {}
"""Op name -> evaluator of one scalar op of a loops body."""


def scalar_op(*names: str):
    def register(fn: ScalarEvaluator) -> ScalarEvaluator:
        for name in names:
            SCALAR_OPS[name] = fn
        return fn

    return register


def result_dtype(op: Operation) -> np.dtype:
    return numpy_dtype(op.results[0].type)


def _signed(x: np.ndarray) -> np.ndarray:
    """Integers as signed numbers (i1: true is -1)."""
    x = np.asarray(x)
    return -x.astype(np.int8) if x.dtype == BOOL else x


def _unsigned(x: np.ndarray) -> np.ndarray:
    """Integers as unsigned numbers of the same width (i1: true is 1)."""
    x = np.asarray(x)
    if x.dtype == BOOL:
        return x.astype(np.uint8)
    return x.astype(np.dtype(f"u{x.dtype.itemsize}"))


def _same(fn: Callable) -> ScalarEvaluator:
    """An op whose result has the operands' type: integers wrap; i1 computes on 0/1
    and keeps the low bit."""

    def evaluate(op, *xs):
        dtype = result_dtype(op)
        if dtype == BOOL:
            return (fn(*(np.asarray(x).astype(np.uint8) for x in xs)) & 1).astype(BOOL)
        return np.asarray(fn(*xs)).astype(dtype, copy=False)

    return evaluate


# --- constants and float arithmetic ----------------------------------------------------


@scalar_op("arith.constant")
def constant(op):
    attr, dtype = op.value, result_dtype(op)
    if isinstance(attr, FloatAttr):
        return to_float(np.asarray(attr.value.data, dtype=F64), dtype)
    if isinstance(attr, IntegerAttr):
        value = attr.value.data
        return np.asarray(value != 0) if dtype == BOOL else np.asarray(value, dtype=dtype)
    raise EvaluationError(f"'arith.constant' of {attr} is not a scalar")


for _name, _fn in {
    "addf": np.add, "subf": np.subtract, "mulf": np.multiply, "divf": np.divide,
    "remf": np.fmod, "maximumf": np.maximum, "minimumf": np.minimum,
    "maxnumf": np.fmax, "minnumf": np.fmin,
}.items():
    scalar_op(f"arith.{_name}")(_same(_fn))


@scalar_op("arith.negf")
def negf(op, x):
    return np.negative(x)


_CMPF = {
    "false": lambda a, b: np.zeros(np.broadcast(a, b).shape, BOOL),
    "oeq": np.equal, "ogt": np.greater, "oge": np.greater_equal,
    "olt": np.less, "ole": np.less_equal,
    "one": lambda a, b: np.less(a, b) | np.greater(a, b),
    "ord": lambda a, b: ~(np.isnan(a) | np.isnan(b)),
    "ueq": lambda a, b: ~(np.less(a, b) | np.greater(a, b)),
    "ugt": lambda a, b: ~np.less_equal(a, b), "uge": lambda a, b: ~np.less(a, b),
    "ult": lambda a, b: ~np.greater_equal(a, b), "ule": lambda a, b: ~np.greater(a, b),
    "une": np.not_equal,
    "uno": lambda a, b: np.isnan(a) | np.isnan(b),
    "true": lambda a, b: np.ones(np.broadcast(a, b).shape, BOOL),
}
_CMPF_NAMES = list(_CMPF)


@scalar_op("arith.cmpf")
def cmpf(op, a, b):
    return np.asarray(_CMPF[_CMPF_NAMES[op.predicate.value.data]](a, b))


@scalar_op("arith.select")
def select(op, cond, a, b):
    return np.where(cond, a, b)


# --- integer arithmetic ----------------------------------------------------------------

for _name, _fn in {
    "addi": np.add, "subi": np.subtract, "muli": np.multiply,
    "andi": np.bitwise_and, "ori": np.bitwise_or, "xori": np.bitwise_xor,
}.items():
    scalar_op(f"arith.{_name}")(_same(_fn))


def _signed_op(fn: Callable) -> ScalarEvaluator:
    return lambda op, a, b: _back(fn(_signed(a), _signed(b)), op)


def _unsigned_op(fn: Callable) -> ScalarEvaluator:
    return lambda op, a, b: _back(fn(_unsigned(a), _unsigned(b)), op)


def _back(x, op) -> np.ndarray:
    """A signed or unsigned intermediate as the result type (wrapping; i1: != 0)."""
    dtype = result_dtype(op)
    x = np.asarray(x)
    return (x != 0) if dtype == BOOL else x.astype(dtype)


scalar_op("arith.maxsi")(_signed_op(np.maximum))
scalar_op("arith.minsi")(_signed_op(np.minimum))
scalar_op("arith.maxui")(_unsigned_op(np.maximum))
scalar_op("arith.minui")(_unsigned_op(np.minimum))


def _checked_division(op, a, b) -> tuple[np.ndarray, np.ndarray]:
    a, b = np.broadcast_arrays(_signed(a), _signed(b))
    if (b == 0).any():
        raise EvaluationError(f"'{op.name}' divides by zero (undefined behaviour)")
    info = np.iinfo(a.dtype)
    if ((a == info.min) & (b == -1)).any() and result_dtype(op) != BOOL:
        raise EvaluationError(f"'{op.name}' overflows: INT_MIN / -1 (undefined behaviour)")
    return a, b


@scalar_op("arith.divsi")
def divsi(op, a, b):
    a, b = _checked_division(op, a, b)
    # Rounding toward zero: a minus its C remainder divides exactly (and cannot overflow).
    return _back((a - np.fmod(a, b)) // b, op)


@scalar_op("arith.remsi")
def remsi(op, a, b):
    a, b = _checked_division(op, a, b)
    return _back(np.fmod(a, b), op)  # C remainder: the sign of the dividend


@scalar_op("arith.floordivsi")
def floordivsi(op, a, b):
    a, b = _checked_division(op, a, b)
    return _back(np.floor_divide(a, b), op)


@scalar_op("arith.ceildivsi")
def ceildivsi(op, a, b):
    a, b = _checked_division(op, a, b)
    return _back(-np.floor_divide(-a, b), op)


_CMPI = {
    "eq": np.equal, "ne": np.not_equal,
    "slt": np.less, "sle": np.less_equal, "sgt": np.greater, "sge": np.greater_equal,
    "ult": np.less, "ule": np.less_equal, "ugt": np.greater, "uge": np.greater_equal,
}
_CMPI_NAMES = list(_CMPI)


@scalar_op("arith.cmpi")
def cmpi(op, a, b):
    name = _CMPI_NAMES[op.predicate.value.data]
    view = _unsigned if name[0] == "u" else _signed
    return np.asarray(_CMPI[name](view(a), view(b)))


def _shift(fn: Callable, view: Callable) -> ScalarEvaluator:
    def evaluate(op, a, b):
        bits = result_dtype(op).itemsize * 8 if result_dtype(op) != BOOL else 1
        if (np.asarray(_unsigned(b)) >= bits).any():
            raise EvaluationError(f"'{op.name}' shifts by the bit width or more (poison)")
        a = view(a)
        return _back(fn(a, _unsigned(b).astype(a.dtype)), op)

    return evaluate


scalar_op("arith.shli")(_shift(np.left_shift, _signed))
scalar_op("arith.shrsi")(_shift(np.right_shift, _signed))
scalar_op("arith.shrui")(_shift(np.right_shift, _unsigned))


# --- conversions ------------------------------------------------------------------------


@scalar_op("arith.extf", "arith.truncf")
def float_to_float(op, x):
    return to_float(np.asarray(x), result_dtype(op))


@scalar_op("arith.sitofp")
def sitofp(op, x):
    return to_float(_signed(x), result_dtype(op))


@scalar_op("arith.uitofp")
def uitofp(op, x):
    return to_float(_unsigned(x), result_dtype(op))


@scalar_op("arith.fptosi")
def fptosi(op, x):
    dtype = result_dtype(op)
    if dtype == BOOL:  # i1: 0 and -1 are the only values
        return to_int(np.asarray(x), np.dtype(np.int8)) != 0
    return to_int(np.asarray(x), dtype)


@scalar_op("arith.extsi", "arith.trunci")
def int_to_int(op, x):
    return _back(_signed(x), op) if result_dtype(op) != BOOL else (np.asarray(x) & 1) != 0


@scalar_op("arith.extui")
def extui(op, x):
    return _back(_unsigned(x), op)


@scalar_op("arith.bitcast")
def bitcast(op, x):
    dtype = result_dtype(op)
    x = np.ascontiguousarray(x)
    if x.dtype == BOOL or dtype == BOOL:
        return x.astype(dtype)
    return x.view(dtype)


# --- math -------------------------------------------------------------------------------

for _name, _fn in {
    "exp": np.exp, "exp2": np.exp2, "expm1": np.expm1, "log": np.log, "log2": np.log2,
    "log10": np.log10, "log1p": np.log1p, "sqrt": np.sqrt, "cbrt": np.cbrt,
    "tanh": np.tanh, "sin": np.sin, "cos": np.cos, "tan": np.tan, "atan": np.arctan,
    "sinh": np.sinh, "cosh": np.cosh, "asin": np.arcsin, "acos": np.arccos,
    "floor": np.floor, "ceil": np.ceil, "roundeven": np.rint, "trunc": np.trunc,
    "absf": np.absolute, "absi": np.absolute,
    "powf": np.power, "atan2": np.arctan2, "copysign": np.copysign,
}.items():
    scalar_op(f"math.{_name}")(_same(_fn))


@scalar_op("math.rsqrt")
def rsqrt(op, x):
    return np.asarray(1 / np.sqrt(x)).astype(result_dtype(op), copy=False)


@scalar_op("math.erf")
def erf(op, x):
    return to_float(erf_values(x), result_dtype(op))


@scalar_op("math.round")
def round_half_away(op, x):
    t = np.trunc(x)
    return np.where(np.abs(x - t) >= 0.5, t + np.sign(x), t).astype(result_dtype(op))


@scalar_op("math.fma")
def fma(op, a, b, c):
    dtype = result_dtype(op)
    a, b, c = np.broadcast_arrays(*(np.asarray(v).astype(F64) for v in (a, b, c)))
    if dtype == F64:
        return fma_f64(a, b, c)
    # f32 and narrower: a * b is exact in f64; the sum rounded to odd there, then to
    # the type, rounds once
    return to_float(_add_odd(a * b, c), dtype)


def _two_sum(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    s = x + y
    yy = s - x
    return s, (x - (s - yy)) + (y - yy)


def _add_odd(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """x + y in f64 rounded to odd: truncated, with the last bit set when inexact."""
    with np.errstate(invalid="ignore", over="ignore"):
        s, e = _two_sum(x, y)
    bits = s.view(np.int64)
    inexact = np.isfinite(s) & (e != 0) & ((bits & 1) == 0)
    toward = np.where((e > 0) == (s > 0), 1, -1)  # away from zero if e has s's sign
    return np.where(inexact, bits + toward, bits).view(F64)


def _split(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    t = x * 134217729.0  # 2^27 + 1 (Veltkamp)
    hi = t - (t - x)
    return hi, x - hi


def fma_f64(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """a * b + c rounded once (Boldo and Melquiond's emulation through rounding to
    odd); exact rationals where an intermediate could overflow or lose bits."""
    with np.errstate(all="ignore"):
        p = a * b
        (ah, al), (bh, bl) = _split(a), _split(b)
        e = ((ah * bh - p) + ah * bl + al * bh) + al * bl  # p + e = a * b exactly
        th, tl = _two_sum(c, p)
        result = th + _add_odd(tl, e)
        naive = p + c
    result = np.where(result == 0, naive, result)  # an exact zero: the sign IEEE gives it
    finite = np.isfinite(a) & np.isfinite(b) & np.isfinite(c)
    safe = (np.abs(a) < 2.0**500) & (np.abs(b) < 2.0**500) & (np.abs(c) < 2.0**1000)
    safe &= (p == 0) | (np.abs(p) > 2.0**-900)
    result = np.where(finite, result, naive)
    for i in zip(*np.nonzero(finite & ~safe)):
        result[i] = _fma_exact(float(a[i]), float(b[i]), float(c[i]))
    return result


def _fma_exact(a: float, b: float, c: float) -> float:
    from fractions import Fraction

    exact = Fraction(a) * Fraction(b) + Fraction(c)
    if exact == 0:  # the sign of an exact zero sum: IEEE's (-0 only if both are -0)
        return a * b + c
    try:
        return math.copysign(float(exact), exact)  # a result below the subnormals keeps its sign
    except OverflowError:
        return math.inf if exact > 0 else -math.inf


@scalar_op("math.ipowi")
def ipowi(op, base, exponent):
    base, exponent = np.broadcast_arrays(base, exponent)
    return int_pow(base, exponent).astype(result_dtype(op))


@scalar_op("math.fpowi")
def fpowi(op, base, exponent):
    return np.power(base, np.asarray(exponent).astype(F64)).astype(result_dtype(op))


__all__ = ["SCALAR_OPS", "ScalarEvaluator", "scalar_op"]
