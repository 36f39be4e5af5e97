"""powf (C's pow) and ipowi (integer power) as branch-free arithmetic.

powf: |x|^y = e^(y log|x|). f32 computes it in f64 (plenty of guard bits). f64 needs
log|x| to more than 53 bits, or the error grows with |y log x|: log|x| is formed as a
double-double (hi + lo): e ln2 + 2 atanh(s) with s = f / (2 + f) itself a
double-double; y (hi + lo) enters exp as a value plus a small correction. Then C's special cases: y = 0 or x = 1 give 1, a
finite negative x needs an integer y (NaN otherwise), an odd y keeps x's sign, and
|x| = 1 with y = +-inf gives 1.

ipowi: repeated squaring over every bit of the exponent, with selects; a negative
exponent gives base^exp rounded toward zero: 1 for base 1, +-1 for base -1 by parity,
else 0 (as the reference interpreter).
"""

from __future__ import annotations

import math

from xdsl.dialects import arith
from xdsl.dialects.builtin import IntegerType, f64, i1
from xdsl.ir import SSAValue

from stepwell.transforms.expand_math import exp_log
from stepwell.transforms.expand_math.coefficients import COEFFS
from stepwell.transforms.expand_math.fmath import Emitter, F


def powf(F_: F, x: SSAValue, y: SSAValue) -> SSAValue:
    D = F(F_.b, f64)
    xd, yd = F_.convert(x, D), F_.convert(y, D)
    ax = D.abs(xd)
    if F_.kind == "f32":
        core = exp_log.exp(D, D.mul(yd, exp_log.log(D, ax)))
    else:
        hi, lo = _log_dd(D, ax)
        th = D.mul(yd, hi)
        tl = D.fma(yd, lo, D.fma(yd, hi, D.neg(th)))
        tl = D.select(D.cmp("olt", D.abs(th), D.c(1000.0)), tl, D.c(0.0))  # else exp saturates
        core = exp_log.exp(D, th, tl)
    return D.convert(_special_cases(D, xd, yd, core), F_)


def _log_dd(D: F, x: SSAValue) -> tuple[SSAValue, SSAValue]:
    """log(x) = hi + lo to about 2^-65 relative, for x >= 0 (hi = -inf at 0, inf at inf):
    log(x) = e ln2 + 2 atanh(s), s = f / (2 + f) carried as a double-double."""
    ef, f = exp_log.log_reduce(D, x)
    two = D.c(2.0)
    u = D.add(two, f)
    u_lo = D.add(D.sub(two, u), f)  # 2 + f = u + u_lo exactly (|f| < 2)
    s = D.div(f, u)
    s_lo = D.div(D.sub(D.fma(D.neg(s), u, f), D.mul(s, u_lo)), u)
    z = D.mul(s, s)
    series = D.mul(s, D.mul(z, D.poly(z, COEFFS[("log", "f64")])))  # 2 atanh(s) - 2s
    ln2_hi, ln2_lo = LN2_DD
    a = D.mul(ef, D.c(ln2_hi))  # exact: ln2_hi has 41 bits, |e| < 2^11
    s1, e1 = _two_sum(D, a, D.add(s, s))
    lo = D.add(D.add(e1, D.add(s_lo, s_lo)), D.fma(ef, D.c(ln2_lo), series))
    hi = D.add(s1, lo)
    lo = D.sub(lo, D.sub(hi, s1))
    inf = D.c(math.inf)
    is_zero = D.cmp("oeq", x, D.c(0.0))
    is_inf = D.cmp("oeq", x, inf)
    hi = D.select(is_zero, D.c(-math.inf), D.select(is_inf, inf, D.select(D.isnan(x), x, hi)))
    lo = D.select(D.or_(is_zero, is_inf), D.c(0.0), lo)
    return hi, lo


# ln 2 = LN2_DD[0] + LN2_DD[1], the first with a 40-bit significand
LN2_DD = (float.fromhex("0x1.62e42fefa2000p-1"), float.fromhex("0x1.9ef35793c7673p-41"))


def _two_sum(D: F, a: SSAValue, b: SSAValue) -> tuple[SSAValue, SSAValue]:
    s = D.add(a, b)
    bb = D.sub(s, a)
    err = D.add(D.sub(a, D.sub(s, bb)), D.sub(b, bb))
    return s, err


def _special_cases(D: F, x: SSAValue, y: SSAValue, core: SSAValue) -> SSAValue:
    one, inf = D.c(1.0), D.c(math.inf)
    y_finite = D.cmp("one", D.abs(y), inf)
    y_int = D.and_(D.cmp("oeq", D.floor(y), y), y_finite)
    half = D.mul(y, D.c(0.5))
    y_odd = D.and_(y_int, D.cmp("one", D.floor(half), half))
    x_negative = D.icmp("slt", D.to_bits(x), D.ci(0))  # sign bit: -0 included
    result = D.select(D.and_(x_negative, y_odd), D.neg(core), core)
    x_finite_neg = D.and_(D.cmp("olt", x, D.c(0.0)), D.cmp("one", x, D.c(-math.inf)))
    not_int = D.xor(y_int, D.b.const(i1, 1))
    invalid = D.and_(D.and_(x_finite_neg, not_int), y_finite)
    result = D.select(invalid, D.c(math.nan), result)
    unit_inf = D.and_(D.cmp("oeq", D.abs(x), one), D.cmp("oeq", D.abs(y), inf))
    result = D.select(unit_inf, one, result)
    trivial = D.or_(D.cmp("oeq", x, one), D.cmp("oeq", y, D.c(0.0)))
    return D.select(trivial, one, result)


def ipowi(b: Emitter, base: SSAValue, exponent: SSAValue) -> SSAValue:
    t = base.type
    assert isinstance(t, IntegerType)
    width = t.width.data
    op = b.op
    one, zero = b.const(t, 1), b.const(t, 0)
    result, square = one, base
    for bit in range(width - 1):  # the sign bit only matters through `negative`
        set_ = op(arith.CmpiOp(op(arith.AndIOp(exponent, b.const(t, 1 << bit))), zero, "ne"))
        result = op(arith.SelectOp(set_, op(arith.MuliOp(result, square)), result))
        square = op(arith.MuliOp(square, square))
    odd = op(arith.CmpiOp(op(arith.AndIOp(exponent, one)), zero, "ne"))
    minus_one = b.const(t, -1)
    by_parity = op(arith.SelectOp(odd, minus_one, one))
    not_one = op(arith.SelectOp(op(arith.CmpiOp(base, minus_one, "eq")), by_parity, zero))
    negative_power = op(arith.SelectOp(op(arith.CmpiOp(base, one, "eq")), one, not_one))
    return op(arith.SelectOp(op(arith.CmpiOp(exponent, zero, "slt")), negative_power, result))
