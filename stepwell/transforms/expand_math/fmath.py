"""`F`: float arithmetic of one type (f32 or f64) as `arith`/`math` ops, the vocabulary
the math approximations are written in.

The ops are the primitives every backend has (IEEE add/sub/mul/div, `math.fma`,
`math.absf`, `math.copysign`, `math.floor`, `math.roundeven`, `arith.maxnumf`,
compares and selects, and integer bit tricks through `arith.bitcast`, shifts, and, or),
so the expansion of one op is the same arithmetic on every target. Every op is
branch-free, so loops that use them vectorize.

`Emitter` places the ops before one anchor op (the op being expanded), makes each
constant once per expansion, and reads constant tables through the `table` callback
its caller gives (expand_math/__init__.py: a load from a function-level constant).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from xdsl.dialects import arith
from xdsl.dialects import math as mathd
from xdsl.dialects.builtin import AnyFloat, FloatAttr, IntegerAttr, IntegerType, f32, i32, i64
from xdsl.ir import Attribute, Operation, SSAValue
from xdsl.rewriter import InsertPoint, Rewriter


class Emitter:
    """Inserts ops before `anchor`; constants are made once."""

    def __init__(self, anchor: Operation, table: Callable[..., SSAValue]):
        self.anchor = anchor
        self._consts: dict[tuple, SSAValue] = {}
        self._table = table

    def table(self, name: str, elem: Attribute, values: Sequence[float], index: SSAValue) -> SSAValue:
        """Element `index` (an integer value) of the constant table `name`."""
        return self._table(name, elem, values, index)

    def op(self, op: Operation) -> SSAValue:
        Rewriter.insert_op(op, InsertPoint.before(self.anchor))
        return op.results[0]

    def const(self, t: Attribute, value: int | float) -> SSAValue:
        key = (t, _key(value))
        if key not in self._consts:
            if isinstance(t, AnyFloat):
                attr: Attribute = FloatAttr(float(value), t)
            else:
                assert isinstance(t, IntegerType)
                attr = IntegerAttr(_wrap(int(value), t.width.data), t)
            self._consts[key] = self.op(arith.ConstantOp(attr, t))
        return self._consts[key]


def _key(value: int | float) -> object:
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if value == 0.0:
            return ("zero", math.copysign(1.0, value))
    return value


def _wrap(value: int, width: int) -> int:
    """`value` as a signed `width`-bit integer (i1 true is -1, as MLIR prints it)."""
    value &= (1 << width) - 1
    return value - (1 << width) if value >> (width - 1) else value


class F:
    """Float ops of type `t` (f32 or f64) and integer ops of the same width."""

    def __init__(self, b: Emitter, t: AnyFloat):
        self.b, self.t = b, t
        self.kind = "f32" if t == f32 else "f64"
        self.int = i32 if t == f32 else i64
        self.mant = 23 if t == f32 else 52  # explicit significand bits
        self.bias = 127 if t == f32 else 1023

    # constants
    def c(self, value: float) -> SSAValue:
        return self.b.const(self.t, float(value))

    def ci(self, value: int) -> SSAValue:
        return self.b.const(self.int, value)

    # arithmetic
    def add(self, x, y):
        return self.b.op(arith.AddfOp(x, y))

    def sub(self, x, y):
        return self.b.op(arith.SubfOp(x, y))

    def mul(self, x, y):
        return self.b.op(arith.MulfOp(x, y))

    def div(self, x, y):
        return self.b.op(arith.DivfOp(x, y))

    def fma(self, x, y, z):
        return self.b.op(mathd.FmaOp(x, y, z))

    def neg(self, x):
        return self.b.op(arith.NegfOp(x))

    def abs(self, x):
        return self.b.op(mathd.AbsFOp(x))

    def floor(self, x):
        return self.b.op(mathd.FloorOp(x))

    def roundeven(self, x):
        return self.b.op(mathd.RoundEvenOp(x))

    def copysign(self, x, sign):
        return self.b.op(mathd.CopySignOp(x, sign))

    def clamp(self, x, lo: float, hi: float):
        """min(max(x, lo), hi), NaN becomes lo (callers select NaN back in)."""
        return self.b.op(arith.MinnumfOp(self.b.op(arith.MaxnumfOp(x, self.c(lo))), self.c(hi)))

    # comparisons and selection
    def cmp(self, pred: str, x, y):
        return self.b.op(arith.CmpfOp(x, y, pred))

    def isnan(self, x):
        return self.cmp("uno", x, x)

    def select(self, cond, x, y):
        return self.b.op(arith.SelectOp(cond, x, y))

    # integers of the same width (wrapping), and booleans
    def iadd(self, x, y):
        return self.b.op(arith.AddiOp(x, y))

    def isub(self, x, y):
        return self.b.op(arith.SubiOp(x, y))

    def imul(self, x, y):
        return self.b.op(arith.MuliOp(x, y))

    def imax(self, x, y):
        return self.b.op(arith.MaxSIOp(x, y))

    def shl(self, x, n: int):
        return self.b.op(arith.ShLIOp(x, self.ci(n)))

    def ashr(self, x, n: int):
        return self.b.op(arith.ShRSIOp(x, self.ci(n)))

    def lshr(self, x, n: int):
        return self.b.op(arith.ShRUIOp(x, self.ci(n)))

    def and_(self, x, y):
        return self.b.op(arith.AndIOp(x, y))

    def or_(self, x, y):
        return self.b.op(arith.OrIOp(x, y))

    def xor(self, x, y):
        return self.b.op(arith.XOrIOp(x, y))

    def icmp(self, pred: str, x, y):
        return self.b.op(arith.CmpiOp(x, y, pred))

    # bits
    def to_bits(self, x):
        return self.b.op(arith.BitcastOp(x, self.int))

    def from_bits(self, n):
        return self.b.op(arith.BitcastOp(n, self.t))

    def to_int(self, x):
        """fptosi: toward zero, saturating, NaN to 0 (arith.fptosi as stepwell defines it)."""
        return self.b.op(arith.FPToSIOp(x, self.int))

    def small_int(self, x):
        """The integer of an integral x with |x| < 2^(mant - 1), without a conversion:
        adding 1.5 * 2^mant puts it in the low bits (fptosi saturates, which costs a
        vector loop several times the plain conversion)."""
        magic = self.c(1.5 * 2.0**self.mant)
        return self.isub(self.to_bits(self.add(x, magic)), self.to_bits(magic))

    def to_float(self, n):
        return self.b.op(arith.SIToFPOp(n, self.t))

    def pow2(self, k):
        """2^k as a float, for an integer k in the normal exponent range."""
        return self.from_bits(self.shl(self.iadd(k, self.ci(self.bias)), self.mant))

    def scale(self, x, k):
        """x * 2^k for k in [2 * emin, 2 * emax], rounding once (k split in halves)."""
        half = self.ashr(k, 1)
        rest = self.isub(k, half)
        return self.mul(self.mul(x, self.pow2(half)), self.pow2(rest))

    # error-free transformations (double-word arithmetic)
    def two_prod(self, x, y):
        """(p, e) with p = fl(x * y) and p + e = x * y exactly."""
        p = self.mul(x, y)
        return p, self.fma(x, y, self.neg(p))

    def two_sum(self, x, y):
        """(s, e) with s = fl(x + y) and s + e = x + y exactly (Knuth)."""
        s = self.add(x, y)
        yy = self.sub(s, x)
        return s, self.add(self.sub(x, self.sub(s, yy)), self.sub(y, yy))

    def flip_sign(self, x, sign):
        """x with its sign flipped where `sign` is negative (-0.0 included)."""
        bit = self.and_(self.to_bits(sign), self.ci(-(1 << (self.int.width.data - 1))))
        return self.from_bits(self.xor(self.to_bits(x), bit))

    # polynomials
    def poly(self, x, coeffs: Sequence[float]):
        """sum coeffs[j] * x^j by Horner's rule with fma."""
        acc = self.c(coeffs[-1])
        for c in reversed(coeffs[:-1]):
            acc = self.fma(acc, x, self.c(c))
        return acc

    def convert(self, x, to: "F"):
        """x in `to`'s type (extf / truncf, rounding once)."""
        return convert(self.b, x, to.t)


def convert(b: Emitter, x: SSAValue, t: AnyFloat) -> SSAValue:
    """x (a float) in the float type t: `arith.extf` to a wider type, `arith.truncf`
    (rounding once) to a narrower one."""
    src = x.type
    assert isinstance(src, AnyFloat)
    if src == t:
        return x
    return b.op((arith.ExtFOp if t.bitwidth > src.bitwidth else arith.TruncFOp)(x, t))
