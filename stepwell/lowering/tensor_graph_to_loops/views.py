"""Views as index maps: a `broadcast_to`, `reshape`, `transpose` or `slice` is never
copied; it becomes the index expressions that read its source.

A `View` says: element (d0, d1, ...) of the view is element `index` of `base`, where
`base` is a materialized buffer (a function argument, a constant, a compute op's result)
and `index` is one sympy expression per dimension of `base`, over the view's d-symbols.
A view of a view is composed at once, so `base` is never itself a view. A load of the
view at index expressions I reads `base[index with d_i := I_i]`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import sympy
from xdsl.ir import SSAValue

from stepwell.dialects.loops.index import dims

Index = tuple[sympy.Expr, ...]


@dataclass(frozen=True)
class View:
    base: SSAValue
    index: Index

    def compose(self, outer: Sequence[sympy.Expr]) -> Index:
        """The index into `base` of the view's element at `outer`."""
        if not self.index:
            return ()
        return tuple(sympy.sympify(e).xreplace(dict(zip(dims(len(outer)), outer))) for e in self.index)


def identity(rank: int) -> Index:
    return tuple(dims(rank))


# --- the index maps: for each dimension of the source, its index in the view's terms -----


def broadcast_index(src: Sequence[int], dst: Sequence[int]) -> Index:
    """numpy broadcasting of `src` to `dst`: trailing dimensions align; a size-1
    source dimension is read at 0."""
    lead = len(dst) - len(src)
    d = dims(len(dst))
    return tuple(sympy.Integer(0) if n == 1 else d[lead + j] for j, n in enumerate(src))


def transpose_index(perm: Sequence[int]) -> Index:
    """`transpose(x, perm)`: dimension i of the view is dimension perm[i] of x."""
    out: list[sympy.Expr] = [sympy.Integer(0)] * len(perm)
    for i, p in enumerate(perm):
        out[p] = dims(len(perm))[i]
    return tuple(out)


def slice_index(start: Sequence[int], step: Sequence[int]) -> Index:
    return tuple(lo + st * d for lo, st, d in zip(start, step, dims(len(start))))


def reshape_index(src: Sequence[int], dst: Sequence[int]) -> Index:
    """Row-major reshape. Dimensions are paired into the smallest groups of equal
    element count (size-1 dimensions aside), so that `[2, 3, 4] -> [6, 4]` keeps the
    last dimension as it is; within a group the view's position is flattened and
    unflattened with floordiv/mod."""
    d = dims(len(dst))
    if math.prod(src) == 0:
        # Never read. The flat position varies over an empty dimension of the view, so
        # an index made of it is empty too (no out-of-bounds constant index).
        return tuple(_flatten(d, dst, range(len(dst))) for _ in src)
    out: list[sympy.Expr] = [sympy.Integer(0)] * len(src)
    s = [i for i, n in enumerate(src) if n != 1]
    t = [j for j, n in enumerate(dst) if n != 1]
    while s:
        gs, gt = [s.pop(0)], [t.pop(0)]
        ps, pt = src[gs[0]], dst[gt[0]]
        while ps != pt:
            if ps < pt:
                gs.append(s.pop(0))
                ps *= src[gs[-1]]
            else:
                gt.append(t.pop(0))
                pt *= dst[gt[-1]]
        _unflatten(_flatten(d, dst, gt), src, gs, out)
    return tuple(out)


def _flatten(d, shape: Sequence[int], group: Sequence[int]) -> sympy.Expr:
    """The row-major position of (d_j for j in group) within the group."""
    flat = sympy.Integer(0)
    for j in group:
        flat = flat * shape[j] + d[j]
    return flat


def _unflatten(flat: sympy.Expr, shape: Sequence[int], group: Sequence[int], out: list) -> None:
    """Set out[i] for i in group to the row-major coordinates of `flat` (the first
    needs no mod, the last no floordiv)."""
    for k, i in enumerate(group):
        stride = math.prod(shape[j] for j in group[k + 1 :])
        e = flat if stride == 1 else sympy.floor(flat / stride)
        out[i] = e if k == 0 else sympy.Mod(e, shape[i])


# --- simplification with the ranges of the symbols ---------------------------------------

Bounds = Mapping[sympy.Symbol, tuple[int, int]]
_INF = math.inf


def simplify(expr: sympy.Expr, bounds: Bounds) -> sympy.Expr:
    """`expr` with floordiv, mod, max and min removed where the ranges of its symbols
    (inclusive `bounds`; symbols not in it are unbounded) decide them, e.g. with
    0 <= d1 < 3: `(d0 * 3 + d1) floordiv 3` -> `d0`, `(d0 * 3 + d1) mod 3` -> `d1`."""
    expr = sympy.sympify(expr)
    fixed = {s: sympy.Integer(lo) for s, (lo, hi) in bounds.items() if lo == hi}
    if fixed:
        expr = expr.xreplace(fixed)
    return _simplify(expr, bounds)


def _simplify(e: sympy.Expr, bounds: Bounds) -> sympy.Expr:
    if e.is_Atom:
        return e
    e = e.func(*(_simplify(a, bounds) for a in e.args))
    if isinstance(e, sympy.floor):
        num, den = sympy.fraction(sympy.together(e.args[0]))
        if den.is_Integer and den > 0:
            whole, rest = _split(sympy.expand(num), int(den))
            lo, hi = interval(rest, bounds)
            if lo != -_INF and hi != _INF and lo // int(den) == hi // int(den):
                return whole + int(lo // int(den))
    elif isinstance(e, sympy.Mod) and e.args[1].is_Integer and e.args[1] > 0:
        m = int(e.args[1])
        lo, hi = interval(e.args[0], bounds)
        if lo != -_INF and hi != _INF and lo // m == hi // m:
            return e.args[0] - m * int(lo // m)
    elif isinstance(e, (sympy.Max, sympy.Min)):
        spans = [interval(a, bounds) for a in e.args]
        for i, (a, (lo, hi)) in enumerate(zip(e.args, spans)):
            others = spans[:i] + spans[i + 1 :]
            if isinstance(e, sympy.Max) and all(lo >= h for _, h in others):
                return a
            if isinstance(e, sympy.Min) and all(hi <= l for l, _ in others):
                return a
    return e


def _split(num: sympy.Expr, den: int) -> tuple[sympy.Expr, sympy.Expr]:
    """num = den * whole + rest, with the terms whose coefficient den divides in whole."""
    whole, rest = sympy.Integer(0), sympy.Integer(0)
    for term in sympy.Add.make_args(num):
        coeff, _ = term.as_coeff_Mul()
        if coeff.is_Integer and int(coeff) % den == 0:
            whole += term / den
        else:
            rest += term
    return whole, rest


def interval(e: sympy.Expr, bounds: Bounds) -> tuple[float, float]:
    """Inclusive lower and upper bounds of an index expression (+-inf if unknown)."""
    if e.is_Integer:
        return int(e), int(e)
    if e.is_Symbol:
        return bounds.get(e, (-_INF, _INF))
    if isinstance(e, sympy.Add):
        lo, hi = 0, 0
        for a in e.args:
            alo, ahi = interval(a, bounds)
            lo, hi = lo + alo, hi + ahi
        return lo, hi
    if isinstance(e, sympy.Mul):
        coeff, rest = e.as_coeff_Mul()
        if coeff.is_Integer and not isinstance(rest, sympy.Mul):
            lo, hi = interval(rest, bounds)
            c = int(coeff)
            return (c * lo, c * hi) if c >= 0 else (c * hi, c * lo)
    if isinstance(e, sympy.floor):
        num, den = sympy.fraction(sympy.together(e.args[0]))
        if den.is_Integer and den > 0:
            lo, hi = interval(num, bounds)
            return _floordiv(lo, int(den)), _floordiv(hi, int(den))
    if isinstance(e, sympy.Mod) and e.args[1].is_Integer and e.args[1] > 0:
        m = int(e.args[1])
        lo, hi = interval(e.args[0], bounds)
        if lo != -_INF and hi != _INF and lo // m == hi // m:
            return lo % m, hi % m
        return 0, m - 1
    if isinstance(e, (sympy.Max, sympy.Min)):
        spans = [interval(a, bounds) for a in e.args]
        pick = max if isinstance(e, sympy.Max) else min
        return pick(s[0] for s in spans), pick(s[1] for s in spans)
    return -_INF, _INF


def _floordiv(v: float, den: int) -> float:
    return v if v in (-_INF, _INF) else v // den
