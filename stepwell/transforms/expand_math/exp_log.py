"""exp, log and tanh as branch-free arithmetic (f32 and f64), accurate to about 1 ulp.

exp: x = k ln2 + r with |r| <= ln2/2 (Cody-Waite, two fma steps), e^r by a polynomial,
then times 2^k in two halves so that results down to the smallest subnormal round
once. log: x = 2^e m with m in [sqrt(1/2), sqrt(2)), log(m) = log1p(f) through
s = f/(2+f) and an odd series in s. tanh: an odd polynomial for |x| < 0.55, else
1 - 2/(e^{2|x|} + 1), with the sign of x (so tanh(-0) = -0).
"""

from __future__ import annotations

import math

import numpy as np
from xdsl.ir import SSAValue

from stepwell.transforms.expand_math.coefficients import COEFFS
from stepwell.transforms.expand_math.fmath import F

LN2 = math.log(2)
# ln 2 = hi + lo, each rounded to the type (lo is ln 2 - hi, computed in high precision)
LN2_PARTS = {
    "f32": (float.fromhex("0x1.62e43p-1"), float.fromhex("-0x1.05c61p-29")),
    "f64": (float.fromhex("0x1.62e42fefa39efp-1"), float.fromhex("0x1.abc9e3b39803fp-56")),
}
_EXP_RANGE = {"f32": (-104.0, 89.0), "f64": (-746.0, 710.0)}


def _f(F_: F, value: float) -> float:
    """`value` rounded to F_'s type, as a Python float."""
    return float(np.float32(value)) if F_.kind == "f32" else value


def exp(F_: F, x: SSAValue, lo: SSAValue | None = None) -> SSAValue:
    """e^(x + lo); `lo` is a small correction (the low part of a double-double)."""
    lo_bound, hi_bound = _EXP_RANGE[F_.kind]
    xc = F_.clamp(x, lo_bound, hi_bound)
    k = F_.roundeven(F_.mul(xc, F_.c(_f(F_, 1 / LN2))))
    ln2_hi, ln2_lo = LN2_PARTS[F_.kind]
    r = F_.fma(F_.neg(k), F_.c(ln2_hi), xc)
    r = F_.fma(F_.neg(k), F_.c(ln2_lo), r)
    if lo is not None:
        r = F_.add(r, lo)
    q = F_.poly(r, COEFFS[("exp", F_.kind)])
    p = F_.add(F_.fma(F_.mul(r, r), q, r), F_.c(1.0))  # 1 + r + r^2 Q(r)
    result = F_.scale(p, F_.small_int(k))
    return F_.select(F_.isnan(x), x, result)


def log_reduce(F_: F, x: SSAValue) -> tuple[SSAValue, SSAValue]:
    """(e, f) with x = 2^e (1 + f), 1 + f in [sqrt(1/2), sqrt(2)); e as a float.
    Valid for finite x > 0, subnormals included."""
    tiny = F_.cmp("olt", x, F_.c(math.ldexp(1.0, 1 - F_.bias)))
    shift = F_.mant + 1
    xs = F_.select(tiny, F_.mul(x, F_.c(math.ldexp(1.0, shift))), x)
    bits = F_.to_bits(xs)
    sqrt_half = F_.to_bits(F_.c(_f(F_, math.sqrt(0.5))))
    e = F_.ashr(F_.isub(bits, sqrt_half), F_.mant)
    m = F_.from_bits(F_.isub(bits, F_.shl(e, F_.mant)))
    e = F_.isub(e, F_.select(tiny, F_.ci(shift), F_.ci(0)))
    ef = F_.to_float(e)
    return ef, F_.sub(m, F_.c(1.0))


def log1p_parts(F_: F, f: SSAValue) -> tuple[SSAValue, SSAValue]:
    """(hfsq, d) with log1p(f) = f - hfsq + d, hfsq = f^2/2 and d small (~f^3/4)."""
    s = F_.div(f, F_.add(F_.c(2.0), f))
    z = F_.mul(s, s)
    r = F_.mul(z, F_.poly(z, COEFFS[("log", F_.kind)]))
    hfsq = F_.mul(F_.mul(f, f), F_.c(0.5))
    return hfsq, F_.mul(s, F_.add(hfsq, r))


def log(F_: F, x: SSAValue) -> SSAValue:
    ef, f = log_reduce(F_, x)
    hfsq, d = log1p_parts(F_, f)
    l1p = F_.sub(f, F_.sub(hfsq, d))
    ln2_hi, ln2_lo = LN2_PARTS[F_.kind]
    result = F_.fma(ef, F_.c(ln2_hi), F_.fma(ef, F_.c(ln2_lo), l1p))
    inf = F_.c(math.inf)
    result = F_.select(F_.cmp("oeq", x, inf), inf, result)
    result = F_.select(F_.cmp("oeq", x, F_.c(0.0)), F_.c(-math.inf), result)
    invalid = F_.cmp("ult", x, F_.c(0.0))  # x < 0 or NaN
    return F_.select(invalid, F_.c(math.nan), result)


def tanh(F_: F, x: SSAValue) -> SSAValue:
    a = F_.abs(x)
    z = F_.mul(x, x)
    small = F_.fma(F_.mul(x, z), F_.poly(z, COEFFS[("tanh", F_.kind)]), x)
    e = exp(F_, F_.add(a, a))
    big = F_.sub(F_.c(1.0), F_.div(F_.c(2.0), F_.add(e, F_.c(1.0))))
    # small has the sign of x except at -0 (fma(-0, p, -0) is +0): copysign keeps it
    return F_.copysign(F_.select(F_.cmp("olt", a, F_.c(0.55)), small, big), x)
