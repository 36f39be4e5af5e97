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
from collections.abc import Sequence
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
