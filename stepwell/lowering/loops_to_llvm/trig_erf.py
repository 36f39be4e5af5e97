"""sin, cos and erf as branch-free LLVM IR.

sin/cos: x = k pi/2 + r (three-part Cody-Waite with fma, in f64 also for f32 inputs),
polynomials for sin and cos on |r| <= pi/4, and the quadrant k mod 4 picks which one
and its sign. The reduction is accurate while k * 2^-106 is small against r: f32 is
about correctly rounded for |x| < 2^30, f64 within ~1 ulp for |x| < 2^20; beyond that
the error grows (there is no Payne-Hanek reduction). Non-finite x gives NaN.

erf: x + x P(x^2) for |x| < 1; above, 1 - erfc(|x|) with one polynomial for erfc in
|x| - center per interval, its coefficients picked with selects (so loops still
vectorize); 1 beyond the last interval.
"""

from __future__ import annotations

import math

from xdsl.dialects import llvm
from xdsl.dialects.builtin import f64
from xdsl.ir import SSAValue

from stepwell.lowering.loops_to_llvm.builder import mangle
from stepwell.lowering.loops_to_llvm.coefficients import COEFFS, ERF_PIECES
from stepwell.lowering.loops_to_llvm.fmath import F

# pi/2 = P1 + P2 + P3 in f64 (each the rounding of what is left)
PIO2_PARTS = (
    float.fromhex("0x1.921fb54442d18p+0"),
    float.fromhex("0x1.1a62633145c07p-54"),
    float.fromhex("-0x1.f1976b7ed8fbcp-110"),
)


def sin(F_: F, x: SSAValue) -> SSAValue:
    return _sincos(F_, x, 0)


def cos(F_: F, x: SSAValue) -> SSAValue:
    return _sincos(F_, x, 1)


def _sincos(F_: F, x: SSAValue, quadrant_shift: int) -> SSAValue:
    D = F(F_.b, f64)
    b = D.b
    xd = F_.convert(x, D)
    k = D.roundeven(D.mul(xd, D.c(2 / math.pi)))
    r = xd
    for part in PIO2_PARTS:
        r = D.fma(D.neg(k), D.c(part), r)
    z = D.mul(r, r)
    s = D.fma(D.mul(r, z), D.poly(z, COEFFS[("sin", F_.kind)]), r)
    c = D.fma(D.mul(z, z), D.poly(z, COEFFS[("cos", F_.kind)]), D.fma(z, D.c(-0.5), D.c(1.0)))
    q = b.intrinsic(mangle("llvm.fptosi.sat", D.int, f64), [k], D.int)
    q = b.add(q, D.ci(quadrant_shift), nsw=False)
    odd = b.icmp("ne", b.op(llvm.AndOp(q, D.ci(1))), D.ci(0))
    negative = b.icmp("ne", b.op(llvm.AndOp(q, D.ci(2))), D.ci(0))
    value = D.select(odd, c, s)
    value = D.select(negative, D.neg(value), value)
    return D.convert(value, F_)


def erf(F_: F, x: SSAValue) -> SSAValue:
    a = F_.abs(x)
    z = F_.mul(x, x)
    small = F_.fma(x, F_.poly(z, COEFFS[("erf_small", F_.kind)]), x)
    lo, width, pieces = ERF_PIECES[F_.kind]
    degree = max(len(p) for p in pieces)
    padded = [list(p) + [0.0] * (degree - len(p)) for p in pieces]
    above = [F_.cmp("oge", a, F_.c(lo + i * width)) for i in range(1, len(pieces))]
    center = F_.c(lo + width / 2)
    coeffs = [F_.c(c) for c in padded[0]]
    for i, cond in enumerate(above, start=1):
        center = F_.select(cond, F_.c(lo + (i + 0.5) * width), center)
        coeffs = [F_.select(cond, F_.c(c), old) for c, old in zip(padded[i], coeffs)]
    t = F_.sub(a, center)
    acc = coeffs[-1]
    for c in reversed(coeffs[:-1]):
        acc = F_.fma(acc, t, c)
    end = lo + len(pieces) * width
    big = F_.select(F_.cmp("oge", a, F_.c(end)), F_.c(1.0), F_.sub(F_.c(1.0), acc))
    return F_.select(F_.cmp("olt", a, F_.c(lo)), small, F_.copysign(big, x))
