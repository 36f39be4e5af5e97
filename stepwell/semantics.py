"""What every elementwise op and every reduction kind means, written once.

Each level derives from these tables rather than restating them:

- the reference interpreter evaluates an elementwise op with `numpy` and a reduction
  with `reduce_values` (reference/evaluators.py);
- the loops interpreter combines a `loops.reduce` with `reduce_values` (reference/loops);
- constant folding folds an op only when its entry says `exact`
  (transforms/tensor_graph_fold_constants.py);
- the lowering into loops emits the entry's scalar op (`float_op`, `int_op`, `bool_op`)
  (lowering/tensor_graph_to_loops/elementwise.py), and the LLVM lowering of a reduction
  emits its `identity` and its `combine` scalar op (lowering/loops_to_llvm/reductions.py);
- the verifiers take their lists of reduction kinds from `REDUCTIONS`.

A new elementwise op is its definition (dialects/tensor_graph/ops.py) plus one line
here; it needs more only when its scalar op is new to the loops level (then the loops
interpreter's `SCALAR_OPS` and the LLVM lowering's `RULES` get that scalar op), or when
its scalar form is more than one op (a builder in elementwise.py's `CUSTOM`).

Reductions: the `combine` of a kind is one scalar op per class of element type, and its
numpy form is that op's ufunc. On i1 (a 1-bit integer, false < true), `sum` is `xor`:
addition modulo 2, as `arith.addi` on i1 and the `sum` of every other integer type
(wrapping); `prod` is `and` (`arith.muli` on i1), `max` is `or`, `min` is `and`.
`tensor_graph` itself refuses sum and prod of i1 (the spec); the loops level gives them
this one meaning in its interpreter and in compiled code alike.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from xdsl.dialects import arith
from xdsl.dialects import math as xmath
from xdsl.ir import Operation

from stepwell.dtypes import BOOL, F64, highest, is_float, is_int, lowest

# --- integer and special-function helpers ------------------------------------------------


def int_div(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Integer division rounding toward zero. x / 0 = 0 and INT_MIN / -1 = INT_MIN
    (wrapping) are the interpreters' choices: the spec leaves them open."""
    a, b = np.broadcast_arrays(a, b)
    zero, minus_one = b == 0, b == -1
    safe = np.where(zero | minus_one, 1, b).astype(b.dtype)
    q = a // safe  # floor
    q = q + ((q * safe != a) & ((a < 0) != (safe < 0))).astype(q.dtype)  # -> toward zero
    q = np.where(minus_one, -a, q)
    return np.where(zero, 0, q).astype(a.dtype)


def int_pow(base: np.ndarray, exp: np.ndarray) -> np.ndarray:
    """base ** exp by repeated squaring in the element type's wrapping arithmetic
    (equal, modulo 2^bits, to exact repeated multiplication). A negative exponent gives
    base^exp rounded toward zero: 1 for base 1, +-1 for base -1 by parity, else 0
    (base 0 included: 0 ** -n = 0, where numpy raises)."""
    base, exp = np.broadcast_arrays(base, exp)
    result = np.ones(base.shape, base.dtype)
    square = base.copy()
    e = np.where(exp > 0, exp, 0).astype(np.int64)
    while e.any():
        result = np.where((e & 1) == 1, result * square, result)
        square = square * square
        e >>= 1
    negative = np.where(base == 1, 1, np.where(base == -1, 1 - 2 * (exp & 1), 0))
    return np.where(exp < 0, negative, result).astype(base.dtype)


_math_erf = np.frompyfunc(math.erf, 1, 1)


def erf_values(x: np.ndarray) -> np.ndarray:
    """erf in f64 (C's erf through Python's math.erf), whatever x's dtype: numpy has no
    erf, and an f64 erf rounded once is at least as close as any narrower one."""
    return np.asarray(_math_erf(np.asarray(x, dtype=F64)), dtype=F64)


def _div(a, b):
    return int_div(a, b) if is_int(a.dtype) else a / b


def _pow(a, b):
    return int_pow(a, b) if is_int(a.dtype) else np.power(a, b)


# --- elementwise ops ---------------------------------------------------------------------


@dataclass(frozen=True)
class Elementwise:
    """One elementwise op.

    numpy     the result from the operands in their compute dtype (f32 for f16/bf16);
              the interpreter rounds it once to the result type
    float_op  the scalar op (arith/math) computing it for float operands, int_op for
              integers, bool_op for i1 where it differs from int_op; None where the
              scalar form is more than one op (the lowering's CUSTOM builders)
    exact     the spec fixes the result on every input bit for bit (not libm-dependent,
              no order of float operations involved), so constants fold
    """

    numpy: Callable[..., np.ndarray]
    float_op: type[Operation] | None = None
    int_op: type[Operation] | None = None
    bool_op: type[Operation] | None = None
    exact: bool = True

    def scalar_op(self, is_float_: bool, is_bool: bool) -> type[Operation] | None:
        """The scalar op for operands of that class of element type."""
        if is_float_:
            return self.float_op
        return (self.bool_op or self.int_op) if is_bool else self.int_op


E = Elementwise
ELEMENTWISE: dict[str, Elementwise] = {
    # one operand
    "tensor_graph.neg": E(np.negative, arith.NegfOp),  # integers wrap: neg(INT_MIN) = INT_MIN
    "tensor_graph.abs": E(np.absolute, xmath.AbsFOp, xmath.AbsIOp),  # abs(INT_MIN) = INT_MIN
    "tensor_graph.sign": E(np.sign),
    "tensor_graph.exp": E(np.exp, xmath.ExpOp, exact=False),
    "tensor_graph.exp2": E(np.exp2, xmath.Exp2Op, exact=False),
    "tensor_graph.log": E(np.log, xmath.LogOp, exact=False),
    "tensor_graph.log2": E(np.log2, xmath.Log2Op, exact=False),
    "tensor_graph.sqrt": E(np.sqrt, xmath.SqrtOp),
    "tensor_graph.rsqrt": E(lambda x: 1.0 / np.sqrt(x), xmath.RsqrtOp, exact=False),
    "tensor_graph.reciprocal": E(lambda x: 1.0 / x),
    "tensor_graph.tanh": E(np.tanh, xmath.TanhOp, exact=False),
    "tensor_graph.sin": E(np.sin, xmath.SinOp, exact=False),
    "tensor_graph.cos": E(np.cos, xmath.CosOp, exact=False),
    "tensor_graph.erf": E(erf_values, xmath.ErfOp, exact=False),
    "tensor_graph.floor": E(np.floor, xmath.FloorOp),
    "tensor_graph.ceil": E(np.ceil, xmath.CeilOp),
    "tensor_graph.round": E(np.rint, xmath.RoundEvenOp),  # half to even
    "tensor_graph.not": E(np.logical_not),
    # two operands
    "tensor_graph.add": E(np.add, arith.AddfOp, arith.AddiOp),
    "tensor_graph.sub": E(np.subtract, arith.SubfOp, arith.SubiOp),
    "tensor_graph.mul": E(np.multiply, arith.MulfOp, arith.MuliOp),
    "tensor_graph.div": E(_div),  # exact for integers only where defined (folding checks)
    "tensor_graph.pow": E(_pow),  # exact for integers only (folding checks)
    "tensor_graph.max": E(np.maximum, arith.MaximumfOp, arith.MaxSIOp, arith.OrIOp),  # NaN wins
    "tensor_graph.min": E(np.minimum, arith.MinimumfOp, arith.MinSIOp, arith.AndIOp),
    "tensor_graph.and": E(np.logical_and, None, arith.AndIOp),
    "tensor_graph.or": E(np.logical_or, None, arith.OrIOp),
    "tensor_graph.xor": E(np.logical_xor, None, arith.XOrIOp),
    # three operands
    "tensor_graph.select": E(np.where),
}  # fmt: skip
"""tensor_graph op name -> its meaning. Plugins may add entries for their own ops."""
del E


@dataclass(frozen=True)
class Predicate:
    """One `cmp` predicate: numpy's function (NaN: only "ne" is true) and the arith
    predicates of floats (ordered, but "une"), integers (signed) and i1 (unsigned)."""

    numpy: Callable[..., np.ndarray]
    float_pred: str
    int_pred: str
    bool_pred: str


PREDICATES: dict[str, Predicate] = {
    "eq": Predicate(np.equal, "oeq", "eq", "eq"),
    "ne": Predicate(np.not_equal, "une", "ne", "ne"),
    "lt": Predicate(np.less, "olt", "slt", "ult"),
    "le": Predicate(np.less_equal, "ole", "sle", "ule"),
    "gt": Predicate(np.greater, "ogt", "sgt", "ugt"),
    "ge": Predicate(np.greater_equal, "oge", "sge", "uge"),
}


# --- reduction kinds ---------------------------------------------------------------------


@dataclass(frozen=True)
class Reduction:
    """One reduction kind.

    float_op, int_op, bool_op   the scalar op that combines two values of that class of
                                element type (accumulator first)
    identity                    the value over zero elements, given the dtype
    exact                       folding on constants is exact (no order of float
                                operations involved)
    """

    float_op: str
    int_op: str
    bool_op: str
    identity: Callable[[np.dtype], object]
    exact: bool = False

    def combine_op(self, is_float_: bool, is_bool: bool) -> str:
        if is_float_:
            return self.float_op
        return self.bool_op if is_bool else self.int_op


REDUCTIONS: dict[str, Reduction] = {
    "sum": Reduction("arith.addf", "arith.addi", "arith.xori", lambda d: np.zeros((), d)[()]),
    "prod": Reduction("arith.mulf", "arith.muli", "arith.andi", lambda d: np.ones((), d)[()]),
    "max": Reduction("arith.maximumf", "arith.maxsi", "arith.ori", lowest, exact=True),
    "min": Reduction("arith.minimumf", "arith.minsi", "arith.andi", highest, exact=True),
}
"""Kind -> its meaning, for every level. `tensor_graph` adds `mean` (a sum divided by
the count) and `loops` adds `ARG_KINDS`."""

ARG_KINDS = {"argmax": "max", "argmin": "min"}
"""loops reductions to the first position of the best value (the first NaN wins, as
numpy); the value compares as in the named kind (i1: false < true)."""

COMBINE_UFUNCS: dict[str, np.ufunc] = {
    "arith.addf": np.add, "arith.addi": np.add, "arith.xori": np.logical_xor,
    "arith.mulf": np.multiply, "arith.muli": np.multiply, "arith.andi": np.logical_and,
    "arith.maximumf": np.maximum, "arith.maxsi": np.maximum, "arith.ori": np.logical_or,
    "arith.minimumf": np.minimum, "arith.minsi": np.minimum,
}  # fmt: skip
"""The numpy form of each combine op, on values of one dtype (i1 as np.bool_)."""


def reduce_values(kind: str, x: np.ndarray, axes: Sequence[int], keepdims: bool = False) -> np.ndarray:
    """`x` reduced by `kind` over `axes`, in x's dtype (integers wrap). Over zero
    elements: the kind's identity."""
    r = REDUCTIONS[kind]
    ufunc = COMBINE_UFUNCS[r.combine_op(is_float(x.dtype), x.dtype == BOOL)]
    axes = tuple(axes)
    empty = math.prod(x.shape[a] for a in axes) == 0
    initial = {"initial": r.identity(x.dtype)} if empty else {}
    return ufunc.reduce(x, axis=axes, dtype=x.dtype, keepdims=keepdims, **initial)
