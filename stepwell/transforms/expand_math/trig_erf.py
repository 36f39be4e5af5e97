"""sin, cos and erf as branch-free arithmetic.

sin/cos, computed in f64 for f32 inputs too: a = |x| = k pi/2 + r with |r| <= pi/4,
polynomials for sin and cos on r, and the quadrant k mod 4 picks which one and its
sign; sin(x) = -sin(-x) (so sin(-0) = -0). Two reductions, both computed and one
selected (so loops still vectorize):

- a < 2^20: Cody-Waite, k = round(a 2/pi), r = a - k P1 - k P2 - k P3 (pi/2 in three
  f64 parts, fma): about 1 ulp.
- a >= 2^20 (up to the largest f64): Payne-Hanek. a = m 2^(E-52) with m an integer
  of 53 bits; bits of 2/pi worth a multiple of 4 once multiplied by a are dropped, so
  a 2/pi = m C(E) (mod 4) where C(E) < 4 keeps only the next 159 bits of 2/pi, scaled
  by 2^(E-52). C(E) is three f64 chunks of 53 bits from a table indexed by E
  (`two_over_pi_table()`, 24 KiB, read through `Emitter.table`; f32 needs two). The products m c_i are exact as double-words (fma);
  the integer part is taken mod 4, k is the nearest integer of what is left and the
  fraction f = m C - k (|f| <= 1/2) is kept as a double-word, r = f pi/2. The error
  in f is about 2^-100 absolute, so r is accurate to an ulp except where sin or cos
  is within ~2^-50 of a zero (there the error is absolute, ~2^-100).

Non-finite x gives NaN.

erf: x + x P(x^2) for |x| < 1; above, 1 - erfc(|x|) with one polynomial for erfc in
|x| - center per interval, its coefficients picked with selects (so loops still
vectorize); 1 beyond the last interval.
"""

from __future__ import annotations

import functools
import math

import mpmath
from xdsl.dialects.builtin import f64
from xdsl.ir import SSAValue

from stepwell.transforms.expand_math.coefficients import COEFFS, ERF_PIECES
from stepwell.transforms.expand_math.fmath import F

# pi/2 = P1 + P2 + P3 in f64 (each the rounding of what is left)
PIO2_PARTS = (
    float.fromhex("0x1.921fb54442d18p+0"),
    float.fromhex("0x1.1a62633145c07p-54"),
    float.fromhex("-0x1.f1976b7ed8fbcp-110"),
)
BIG = 2.0**20  # from here on, Payne-Hanek
BIG_EXPONENT = 20
CHUNKS = 3
TWO_OVER_PI_TABLE = "stepwell.two_over_pi"


@functools.cache
def two_over_pi_table() -> tuple[float, ...]:
    """For each exponent E in [BIG_EXPONENT, 1024] (1024: inf and NaN, never used),
    the chunks c_0, c_1, c_2 of C(E): chunk i holds the bits of 2/pi at positions
    j in [E - 53 + 53 i, E - 1 + 53 i] (bit j is worth 2^-j), scaled by 2^(E - 52),
    so c_0 < 4 and c_i is a 53-bit integer times 2^(-51 - 53 i)."""
    bits = 1024 + 53 * CHUNKS + 64
    with mpmath.workprec(bits + 64):
        scaled = int(mpmath.floor(2 / mpmath.pi * mpmath.mpf(2) ** bits))  # bit j at position bits - j
    table = []
    for e in range(BIG_EXPONENT, 1025):
        for i in range(CHUNKS):
            last = e - 1 + 53 * i
            window = (scaled >> (bits - last)) & ((1 << 53) - 1)
            table.append(math.ldexp(window, -51 - 53 * i))
    return tuple(table)


def sin(F_: F, x: SSAValue) -> SSAValue:
    return _sincos(F_, x, 0)


def cos(F_: F, x: SSAValue) -> SSAValue:
    return _sincos(F_, x, 1)


def _sincos(F_: F, x: SSAValue, quadrant_shift: int) -> SSAValue:
    D = F(F_.b, f64)
    xd = F_.convert(x, D)
    a = D.abs(xd)
    k_small, r_small = _cody_waite(D, a)
    k_big, r_big = _payne_hanek(D, a, chunks=2 if F_.kind == "f32" else CHUNKS)
    big = D.cmp("oge", a, D.c(BIG))
    k, r = D.select(big, k_big, k_small), D.select(big, r_big, r_small)
    z = D.mul(r, r)
    s = D.fma(D.mul(r, z), D.poly(z, COEFFS[("sin", F_.kind)]), r)
    c = D.fma(D.mul(z, z), D.poly(z, COEFFS[("cos", F_.kind)]), D.fma(z, D.c(-0.5), D.c(1.0)))
    q = D.iadd(D.to_int(k), D.ci(quadrant_shift))  # k is NaN for non-finite x: saturates to 0
    odd = D.icmp("ne", D.and_(q, D.ci(1)), D.ci(0))
    negative = D.icmp("ne", D.and_(q, D.ci(2)), D.ci(0))
    value = D.select(odd, c, s)
    value = D.select(negative, D.neg(value), value)
    if quadrant_shift == 0:  # sin is odd
        value = D.flip_sign(value, xd)
    return D.convert(value, F_)


def _cody_waite(D: F, a: SSAValue) -> tuple[SSAValue, SSAValue]:
    """(k, r) with a = k pi/2 + r, for 0 <= a < BIG."""
    k = D.roundeven(D.mul(a, D.c(2 / math.pi)))
    r = a
    for part in PIO2_PARTS:
        r = D.fma(D.neg(k), D.c(part), r)
    return k, r


def _payne_hanek(D: F, a: SSAValue, chunks: int) -> tuple[SSAValue, SSAValue]:
    """(k, r) with a = k pi/2 + r (mod 2 pi), |r| <= pi/4 (up to rounding), for
    BIG <= a < inf; r is NaN for a = inf. With 2 chunks (enough for f32 results) C is
    106 bits and f is good to ~2^-51 absolute."""
    bits = D.to_bits(a)
    row = D.imax(D.isub(D.lshr(bits, D.mant), D.ci(D.bias + BIG_EXPONENT)), D.ci(0))
    mantissa = D.and_(bits, D.ci((1 << D.mant) - 1))
    m = D.from_bits(D.or_(mantissa, D.ci((D.bias + D.mant) << D.mant)))  # in [2^52, 2^53)
    base = D.imul(row, D.ci(CHUNKS))
    c = [D.b.table(TWO_OVER_PI_TABLE, f64, two_over_pi_table(), D.iadd(base, D.ci(i))) for i in range(chunks)]
    h0, l0 = D.two_prod(m, c[0])
    h1, l1 = D.two_prod(m, c[1])
    h0 = D.sub(h0, D.mul(D.floor(D.mul(h0, D.c(0.25))), D.c(4.0)))  # mod 4, exact
    s, e0 = D.two_sum(h0, l0)
    s, e1 = D.two_sum(s, h1)
    k = D.roundeven(s)
    s = D.sub(s, k)  # exact: |s - k| <= 1/2
    tail = D.add(D.add(e0, e1), l1 if chunks == 2 else D.add(l1, D.mul(m, c[2])))
    f, f_lo = D.two_sum(s, tail)
    f = D.add(f, D.sub(a, a))  # NaN for a = inf
    r_hi, r_lo = D.two_prod(f, D.c(PIO2_PARTS[0]))
    r_lo = D.fma(f, D.c(PIO2_PARTS[1]), D.fma(f_lo, D.c(PIO2_PARTS[0]), r_lo))
    return k, D.add(r_hi, r_lo)


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
