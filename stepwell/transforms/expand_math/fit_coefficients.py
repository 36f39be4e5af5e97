"""Fit the polynomial coefficients of the math approximations (`exp_log.py`, `trig_erf.py`, `power.py`).

    python -m stepwell.transforms.expand_math.fit_coefficients > coefficients.py

Each function is a weighted near-minimax fit (least squares on Chebyshev nodes, then
Lawson reweighting) in mpmath at 36 digits. The degree grows until the error of the
polynomial, with its coefficients rounded to the target type, is under the target:
an eighth of an ulp of the final result, so that rounding in the evaluation dominates.
The output is a plain table of float.hex() literals: nothing is fitted at run time.
"""

from __future__ import annotations

import sys

import mpmath as mp
import numpy as np

mp.mp.dps = 36

# f32x: f32 results computed in f64
TARGET = {"f32": mp.mpf(2) ** -27, "f64": mp.mpf(2) ** -56, "f32x": mp.mpf(2) ** -31}
ROUND = {"f32": lambda v: float(np.float32(float(v))), "f64": float, "f32x": float}


def fit(fn, weight, lo, hi, kind, max_degree=30, center=0, min_degree=2):
    """Coefficients c (low order first) of sum c_j (x - center)^j approximating fn on
    [lo, hi], minimizing max |weight(x) * (p(x) - fn(x))|."""
    best = []
    for degree in range(min_degree, max_degree + 1):
        coeffs = _lawson(fn, weight, mp.mpf(lo), mp.mpf(hi), degree, mp.mpf(center))
        rounded = [ROUND[kind](c) for c in coeffs]
        error = _max_error(fn, weight, lo, hi, rounded, center)
        print(f"  degree {degree}: error {mp.nstr(error, 3)}", file=sys.stderr)
        if error < TARGET[kind]:
            return rounded
        best.append(error)
        if len(best) > 3 and min(best[-3:]) >= best[-4]:
            raise RuntimeError(f"the fit stopped improving at {mp.nstr(best[-4], 3)}")
    raise RuntimeError(f"no fit up to degree {max_degree}")


def _nodes(lo, hi, n):
    return [(lo + hi) / 2 + (hi - lo) / 2 * mp.cos(mp.pi * (2 * k + 1) / (2 * n)) for k in range(n)]


def _lawson(fn, weight, lo, hi, degree, center, iterations=12):
    xs = _nodes(lo, hi, 4 * degree + 40)
    w = [mp.mpf(1)] * len(xs)
    targets = [fn(x) for x in xs]
    ws = [weight(x) for x in xs]
    coeffs = None
    scale = max(abs(lo - center), abs(hi - center))  # fit in (x - center) / scale: well conditioned
    for _ in range(iterations):
        rows = [[mp.sqrt(w[i]) * ws[i] * ((x - center) / scale) ** j for j in range(degree + 1)] for i, x in enumerate(xs)]
        rhs = [mp.sqrt(w[i]) * ws[i] * targets[i] for i in range(len(xs))]
        try:
            scaled = mp.qr_solve(mp.matrix(rows), mp.matrix(rhs))[0]
        except (ValueError, ZeroDivisionError):  # weights collapsed: keep the last fit
            break
        coeffs = [c / scale**j for j, c in enumerate(scaled)]
        errs = [abs(ws[i] * (_poly(coeffs, x - center) - targets[i])) for i, x in enumerate(xs)]
        total = sum(w[i] * errs[i] for i in range(len(xs)))
        if total == 0:
            break
        w = [max(w[i] * errs[i] / total, mp.mpf(10) ** -12) for i in range(len(xs))]
    return coeffs


def _poly(coeffs, t):
    acc = mp.mpf(0)
    for c in reversed(coeffs):
        acc = acc * t + c
    return acc


def _max_error(fn, weight, lo, hi, coeffs, center, n=600):
    cs = [mp.mpf(c) for c in coeffs]
    worst = mp.mpf(0)
    for k in range(n + 1):
        x = mp.mpf(lo) + (mp.mpf(hi) - mp.mpf(lo)) * k / n
        worst = max(worst, abs(weight(x) * (_poly(cs, x - center) - fn(x))))
    return worst


def _safe(fn, limit):
    """fn(z) with its limit at z = 0 (fits divide by powers of z)."""
    return lambda z: limit if z == 0 else fn(z)


# --- the functions -------------------------------------------------------------------

LN2_HALF = mp.log(2) / 2


def exp_q(kind):
    # e^r = 1 + r + r^2 Q(r) on |r| <= ln2/2; error relative to e^r
    q = _safe(lambda r: (mp.exp(r) - 1 - r) / r**2, mp.mpf(1) / 2)
    return fit(q, lambda r: r**2 / mp.exp(r), -LN2_HALF, LN2_HALF, kind)


def log_g(kind):
    # log1p(f) = f - f^2/2 + s (f^2/2 + z G(z)), s = f / (2 + f), z = s^2 <= 0.0295;
    # error relative to log1p(f) ~ 2s
    s_max = (mp.sqrt(2) - 1) / (mp.sqrt(2) + 1)
    g = _safe(lambda z: (2 * mp.atanh(mp.sqrt(z)) - 2 * mp.sqrt(z)) / (mp.sqrt(z) * z), mp.mpf(2) / 3)
    return fit(g, lambda z: z / 2, 0, s_max**2, kind)


def tanh_t(kind):
    # tanh(x) = x + x^3 T(x^2) for |x| <= 0.55; error relative to tanh(x) ~ x
    t = _safe(lambda z: (mp.tanh(mp.sqrt(z)) - mp.sqrt(z)) / (z * mp.sqrt(z)), -mp.mpf(1) / 3)
    return fit(t, lambda z: z, 0, mp.mpf("0.55") ** 2, kind)


def sin_s(kind):
    # sin(r) = r + r^3 S(r^2) for |r| <= pi/4
    s = _safe(lambda z: (mp.sin(mp.sqrt(z)) - mp.sqrt(z)) / (z * mp.sqrt(z)), -mp.mpf(1) / 6)
    return fit(s, lambda z: z, 0, (mp.pi / 4) ** 2, kind)


def cos_c(kind):
    # cos(r) = 1 - r^2/2 + r^4 C(r^2) for |r| <= pi/4
    c = _safe(lambda z: (mp.cos(mp.sqrt(z)) - 1 + z / 2) / z**2, mp.mpf(1) / 24)
    return fit(c, lambda z: z**2, 0, (mp.pi / 4) ** 2, kind)


def erf_small(kind):
    # erf(x) = x + x P(x^2) for |x| < 1 (P(0) = 2/sqrt(pi) - 1: small, so rounding it is cheap)
    p = _safe(lambda z: mp.erf(mp.sqrt(z)) / mp.sqrt(z) - 1, 2 / mp.sqrt(mp.pi) - 1)
    return fit(p, lambda z: 1, 0, 1, kind)


ERF_PIECES = {"f32": (1, 4, 1), "f64": (1, 6, mp.mpf("0.5"))}


def erf_pieces(kind):
    lo, hi, width = ERF_PIECES[kind]
    out = []
    a = mp.mpf(lo)
    while a < hi:
        # erfc, so the constant term is small and rounding it costs little: erf = 1 - p
        out.append(fit(mp.erfc, lambda x: 1, a, a + width, kind, center=a + width / 2))
        a += width
    return out


def main() -> None:
    out = sys.stdout
    out.write('"""Polynomial coefficients of the math approximations, low order first.\n\n')
    out.write("Generated by `python -m stepwell.transforms.expand_math.fit_coefficients`; do not edit.\n")
    out.write('"""\n\n# fmt: off\nCOEFFS = {\n')
    table = {}
    for kind in ("f32", "f64"):
        table[("exp", kind)] = exp_q(kind)
        table[("log", kind)] = log_g(kind)
        table[("tanh", kind)] = tanh_t(kind)
        table[("erf_small", kind)] = erf_small(kind)
    for kind, name in (("f32x", "f32"), ("f64", "f64")):
        table[("sin", name)] = sin_s(kind)
        table[("cos", name)] = cos_c(kind)
    for key, coeffs in table.items():
        out.write(f"    {key!r}: ({', '.join(_hex(c) for c in coeffs)},),\n")
    out.write("}\n\n# erfc(|x|) on [lo, lo + width), ...: (lo, width, [coefficients in (|x| - center)])\nERF_PIECES = {\n")
    for kind in ("f32", "f64"):
        lo, _, width = ERF_PIECES[kind]
        pieces = erf_pieces(kind)
        out.write(f"    {kind!r}: ({float(lo)!r}, {float(width)!r}, (\n")
        for coeffs in pieces:
            out.write(f"        ({', '.join(_hex(c) for c in coeffs)},),\n")
        out.write("    )),\n")
    out.write("}\n# fmt: on\n")


def _hex(value: float) -> str:
    return f"float.fromhex({value.hex()!r})"


if __name__ == "__main__":
    main()
