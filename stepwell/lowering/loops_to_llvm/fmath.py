"""`F`: float arithmetic of one type (f32 or f64) on a FuncBuilder, the vocabulary the
math approximations are written in. Every op is branch-free, so loops that use them
vectorize."""

from __future__ import annotations

from collections.abc import Sequence

from xdsl.dialects import llvm
from xdsl.dialects.builtin import AnyFloat, f32, f64, i32, i64
from xdsl.ir import SSAValue

from stepwell.lowering.loops_to_llvm.builder import FuncBuilder, mangle
from stepwell.lowering.loops_to_llvm.llvm_ops import FPToSIOp


class F:
    """Float ops of type `t` (f32 or f64) and integer ops of the same width."""

    def __init__(self, b: FuncBuilder, t: AnyFloat):
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
        return self.b.op(llvm.FAddOp(x, y))

    def sub(self, x, y):
        return self.b.op(llvm.FSubOp(x, y))

    def mul(self, x, y):
        return self.b.op(llvm.FMulOp(x, y))

    def div(self, x, y):
        return self.b.op(llvm.FDivOp(x, y))

    def fma(self, x, y, z):
        return self.b.op(llvm.FMAOp(x, y, z))

    def neg(self, x):
        return self.b.op(llvm.FNegOp(x))

    def abs(self, x):
        return self.b.op(llvm.FAbsOp(x, x.type))

    def floor(self, x):
        return self.b.op(llvm.FFloorOp(x))

    def roundeven(self, x):
        return self.b.intrinsic(mangle("llvm.roundeven", self.t), [x], self.t)

    def copysign(self, x, sign):
        return self.b.op(llvm.FCopySignOp(x, sign))

    def clamp(self, x, lo: float, hi: float):
        """min(max(x, lo), hi), NaN becomes lo (callers select NaN back in)."""
        return self.b.op(llvm.VectorFMinOp(self.b.op(llvm.VectorFMaxOp(x, self.c(lo))), self.c(hi)))

    # comparisons and selection
    def cmp(self, pred: str, x, y):
        return self.b.fcmp(pred, x, y)

    def isnan(self, x):
        return self.b.fcmp("uno", x, x)

    def select(self, cond, x, y):
        return self.b.select(cond, x, y)

    # bits
    def to_bits(self, x):
        return self.b.op(llvm.BitcastOp(x, self.int))

    def from_bits(self, n):
        return self.b.op(llvm.BitcastOp(n, self.t))

    def to_int(self, x):
        """fptosi of a value known to be in range (no saturation needed)."""
        return self.b.op(FPToSIOp(x, self.int))

    def pow2(self, k):
        """2^k as a float, for an integer k in the normal exponent range."""
        biased = self.b.add(k, self.ci(self.bias), nsw=False)
        return self.from_bits(self.b.op(llvm.ShlOp(biased, self.ci(self.mant))))

    def scale(self, x, k):
        """x * 2^k for k in [2 * emin, 2 * emax], rounding once (k split in halves)."""
        half = self.b.op(llvm.AShrOp(k, self.ci(1)))
        rest = self.b.sub(k, half, nsw=False)
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
        bit = self.b.op(llvm.AndOp(self.to_bits(sign), self.ci(-(1 << (self.int.width.data - 1)))))
        return self.from_bits(self.b.op(llvm.XOrOp(self.to_bits(x), bit)))

    # polynomials
    def poly(self, x, coeffs: Sequence[float]):
        """sum coeffs[j] * x^j by Horner's rule with fma."""
        acc = self.c(coeffs[-1])
        for c in reversed(coeffs[:-1]):
            acc = self.fma(acc, x, self.c(c))
        return acc

    def convert(self, x, to: "F"):
        """x in `to`'s type (fpext / fptrunc)."""
        if to.t == self.t:
            return x
        cls = llvm.FPExtOp if to.t == f64 else llvm.FPTruncOp
        return self.b.op(cls(x, to.t))
