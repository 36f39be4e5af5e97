"""Simplifying index expressions with the ranges of the index symbols: the simplifier
of the `loops` dialect, used by `loops-simplify-index`, the lowering into loops and fusion.

sympy simplifies `floor` and `Mod` only by algebra; it does not know that d1 < 3 in a
`tensor<4x3xf32>` space. This module adds that knowledge: each d-symbol ranges over
[0, size - 1] of the enclosing compute op's shape, each r-symbol over its `over`
sizes; s-symbols (values read at run time) are unbounded. With those ranges
(interval arithmetic, `bounds`) it rewrites, bottom-up until nothing changes:

    a floordiv c   terms of a whose coefficient c divides leave the floor:
                   (d0 * 3 + d1) floordiv 3 -> d0 + d1 floordiv 3 -> d0   (0 <= d1 < 3);
                   nested floors merge: (a floordiv b) floordiv c -> a floordiv (b * c);
                   a common factor of a and c cancels; a range inside one multiple of
                   c gives a constant
    a mod c        terms of a that c divides drop out; (a mod m) mod c -> a mod c when c
                   divides m; a range inside one period [q*c, q*c + c) gives a - q*c:
                   d0 mod 8 -> d0 (d0 < 8)
    pairs          k*c * (a floordiv c) + k * (a mod c) -> k * a
    max / min      an argument that never wins is dropped: min(d0, 7) -> d0 (d0 <= 7)
    constants      a symbol or subexpression whose range is one value becomes it
                   (d1 of a size-1 dimension -> 0)

A space with a zero-size dimension runs no point: `space_ranges` gives None for it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import sympy

from stepwell.dialects.loops.index import dims
from stepwell.dialects.loops.ops import ComputeOp

Interval = tuple[sympy.Expr, sympy.Expr]
Ranges = Mapping[sympy.Symbol, Interval]
_ANY: Interval = (-sympy.oo, sympy.oo)


# --- ranges ---------------------------------------------------------------------------


def space_ranges(op: ComputeOp) -> dict[sympy.Symbol, Interval] | None:
    """The range of every d- and r-symbol of `op`; None for an empty space."""
    return ranges_of_space(tuple(op.shape), tuple(op.reduce_shape))


def ranges_of_space(shape: tuple[int, ...], over: tuple[int, ...]) -> dict[sympy.Symbol, Interval] | None:
    """The range of every d-symbol of `shape` and r-symbol of `over`; None if empty."""
    if 0 in shape or 0 in over:
        return None
    ranges = {s: (sympy.Integer(0), sympy.Integer(n - 1)) for s, n in zip(dims(len(shape)), shape)}
    ranges.update({s: (sympy.Integer(0), sympy.Integer(n - 1)) for s, n in zip(dims(len(over), "r"), over)})
    return ranges


def _scale(iv: Interval, k: sympy.Expr) -> Interval:
    if k == 0:
        return (sympy.Integer(0), sympy.Integer(0))
    lo, hi = iv[0] * k, iv[1] * k
    return (lo, hi) if k > 0 else (hi, lo)


def _times(a: Interval, b: Interval) -> Interval:
    if a[0] == a[1] and a[0].is_finite:
        return _scale(b, a[0])
    if b[0] == b[1] and b[0].is_finite:
        return _scale(a, b[0])
    if not all(v.is_finite for v in (*a, *b)):
        return _ANY
    products = [x * y for x in a for y in b]
    return (min(products), max(products))


def bounds(e: sympy.Expr, ranges: Ranges) -> Interval:
    """An interval holding every value of `e` where the symbols lie in `ranges`."""
    if e.is_Number:
        return (e, e)
    if e.is_Symbol:
        return ranges.get(e, _ANY)
    if e.is_Add:
        parts = [bounds(a, ranges) for a in e.args]
        return (sympy.Add(*(p[0] for p in parts)), sympy.Add(*(p[1] for p in parts)))
    if e.is_Mul:
        iv = bounds(e.args[0], ranges)
        for a in e.args[1:]:
            iv = _times(iv, bounds(a, ranges))
        return iv
    if e.func is sympy.floor:
        lo, hi = bounds(e.args[0], ranges)
        return (sympy.floor(lo), sympy.floor(hi))
    if e.func is sympy.Mod:
        return _mod_bounds(e.args[0], e.args[1], ranges)
    if e.func in (sympy.Max, sympy.Min):
        parts = [bounds(a, ranges) for a in e.args]
        return (e.func(*(p[0] for p in parts)), e.func(*(p[1] for p in parts)))
    return _ANY


def _mod_bounds(a: sympy.Expr, c: sympy.Expr, ranges: Ranges) -> Interval:
    if not (c.is_Integer and c > 0):
        return _ANY
    q = _one_period(bounds(a, ranges), c)
    if q is not None:
        lo, hi = bounds(a, ranges)
        return (lo - q * c, hi - q * c)
    return (sympy.Integer(0), c - 1)


def _one_period(iv: Interval, c: sympy.Expr) -> sympy.Expr | None:
    """q when the interval lies inside [q*c, q*c + c), else None."""
    lo, hi = iv
    if not (lo.is_finite and hi.is_finite):
        return None
    q = sympy.floor(lo / c)
    return q if sympy.floor(hi / c) == q else None


# --- rules ----------------------------------------------------------------------------


def _terms(e: sympy.Expr) -> list[tuple[sympy.Expr, sympy.Expr]]:
    """`e` as a list of (integer coefficient, term); the constant has term 1."""
    out = []
    for t in sympy.Add.make_args(e):
        coeff, rest = t.as_coeff_Mul()
        out.append((coeff, rest))
    return out


def _floordiv(num: sympy.Expr, den: sympy.Expr, ranges: Ranges) -> sympy.Expr:
    """num floordiv den, den a positive integer."""
    terms = _terms(num)
    if not all(c.is_Integer for c, _ in terms):
        return sympy.floor(num / den)
    g = math.gcd(int(den), *(int(c) for c, _ in terms))
    if g > 1:
        den, terms = den / g, [(c / g, t) for c, t in terms]
    out = sum((c / den * t for c, t in terms if c % den == 0), sympy.Integer(0))
    rest = sum((c * t for c, t in terms if c % den != 0), sympy.Integer(0))
    if den == 1:
        return out + rest
    if rest.func is sympy.floor:  # (a floordiv b) floordiv den
        inner_num, inner_den = sympy.fraction(sympy.together(rest.args[0]))
        if inner_den.is_Integer and inner_den > 0:
            return out + _floordiv(inner_num, inner_den * den, ranges)
    q = _one_period(bounds(rest, ranges), den)
    if q is not None:
        return out + q
    return out + sympy.floor(rest / den)


def _mod(a: sympy.Expr, c: sympy.Expr, ranges: Ranges) -> sympy.Expr:
    """a mod c, c a positive integer."""
    terms = _terms(a)
    if all(k.is_Integer for k, _ in terms):
        a = sum((k * t for k, t in terms if k % c != 0), sympy.Integer(0))
    if a.func is sympy.Mod and a.args[1].is_Integer and a.args[1] % c == 0:
        a = a.args[0]
    q = _one_period(bounds(a, ranges), c)
    if q is not None:
        return a - q * c
    return sympy.Mod(a, c)


def _fold_div_mod_pairs(e: sympy.Expr) -> sympy.Expr:
    """k*c * (a floordiv c) + k * (a mod c) -> k * a."""
    terms = _terms(e)
    for i, (k, t) in enumerate(terms):
        if t.func is not sympy.Mod or not t.args[1].is_Integer:
            continue
        a, c = t.args
        partner = (k * c, sympy.floor(a / c))
        if partner in terms:
            j = terms.index(partner)
            rest = [ct for n, ct in enumerate(terms) if n not in (i, j)]
            return sum((c2 * t2 for c2, t2 in rest), sympy.Integer(0)) + k * a
    return e


def _drop_losers(e: sympy.Expr, ranges: Ranges) -> sympy.Expr:
    """max/min without the arguments that another argument always beats (or ties)."""
    sign = 1 if e.func is sympy.Max else -1

    def wins(b: sympy.Expr, a: sympy.Expr) -> bool:  # b is never worse than a
        return bool(bounds(sympy.expand(sign * (b - a)), ranges)[0] >= 0)

    kept: list[sympy.Expr] = []
    for a in e.args:
        if any(wins(b, a) for b in kept):
            continue
        kept = [b for b in kept if not wins(a, b)] + [a]
    return e.func(*kept)


def _rule(e: sympy.Expr, ranges: Ranges) -> sympy.Expr:
    if e.func is sympy.floor:
        num, den = sympy.fraction(sympy.together(e.args[0]))
        if den.is_Integer and den > 0:
            return _floordiv(sympy.expand(num), den, ranges)
    elif e.func is sympy.Mod and e.args[1].is_Integer and e.args[1] > 0:
        return _mod(sympy.expand(e.args[0]), e.args[1], ranges)
    elif e.func in (sympy.Max, sympy.Min):
        return _drop_losers(e, ranges)
    elif e.is_Add:
        return _fold_div_mod_pairs(e)
    return e


def _pass(e: sympy.Expr, ranges: Ranges) -> sympy.Expr:
    if e.is_Atom:
        lo, hi = bounds(e, ranges)
        return lo if e.is_Symbol and lo == hi else e
    e = e.func(*(_pass(a, ranges) for a in e.args))
    lo, hi = bounds(e, ranges)
    if lo == hi and lo.is_finite:
        return lo
    return _rule(e, ranges) if not e.is_Atom else e


def simplify_index(e: sympy.Expr, ranges: Ranges) -> sympy.Expr:
    """`e` simplified with the symbol ranges `ranges` (a fixpoint of the rules)."""
    for _ in range(8):
        new = _pass(e, ranges)
        if new == e:
            break
        e = new
    return e
