"""Index expressions evaluated with numpy, over whole index grids at once.

`index_function(expr)` compiles a sympy index expression (see
`stepwell/dialects/loops/index.py`) into a function of the symbol values (a mapping
from names `d0`, `r1`, `s0`, ... to int64 arrays that broadcast against each other).
Everything stays in exact integer arithmetic: `floor(p/q)` is numpy's floor division
of the numerator by the denominator, `Mod` numpy's (floored) remainder, as in the
affine spelling `p floordiv q`, `p mod q`.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Mapping

import numpy as np
import sympy

from stepwell.dialects.loops.index import format_index

Symbols = Mapping[str, np.ndarray]
IndexFunction = Callable[[Symbols], "np.ndarray | int"]


class IndexExpressionError(ValueError):
    """An index expression outside what the loops level can evaluate."""


def grid(axis: int, size: int, rank: int) -> np.ndarray:
    """0..size-1 along `axis` of a rank-`rank` array, size 1 along the others."""
    shape = [1] * rank
    shape[axis] = size
    return np.arange(size, dtype=np.int64).reshape(shape)


def space_symbols(shape: tuple[int, ...], reduce_shape: tuple[int, ...] = ()) -> dict[str, np.ndarray]:
    """The grids of d0, d1, ... (the output space) followed by r0, r1, ... (the reduced
    space): one axis each, in that order."""
    rank = len(shape) + len(reduce_shape)
    symbols = {f"d{i}": grid(i, n, rank) for i, n in enumerate(shape)}
    symbols.update({f"r{j}": grid(len(shape) + j, n, rank) for j, n in enumerate(reduce_shape)})
    return symbols


@functools.cache
def index_function(expr: sympy.Expr) -> IndexFunction:
    """`expr` as a function of the symbol values. Raises IndexExpressionError for what
    is not an integer expression of +, *, floordiv, ceildiv, mod, max, min."""
    expr = sympy.sympify(expr)
    if expr.is_Integer:
        value = int(expr)
        return lambda s: value
    if expr.is_Symbol:
        name = expr.name
        return lambda s: s[name]
    if isinstance(expr, sympy.floor):
        return _division(expr.args[0], np.floor_divide)
    if isinstance(expr, sympy.ceiling):
        return _division(expr.args[0], lambda p, q: -np.floor_divide(-p, q))
    if isinstance(expr, sympy.Pow) and expr.args[1].is_Integer and expr.args[1] >= 0:
        base, exponent = index_function(expr.args[0]), int(expr.args[1])  # type: ignore[arg-type]
        return lambda s: base(s) ** exponent
    combine = _COMBINE.get(type(expr))
    if combine is None or not all(a.is_integer for a in expr.args):
        raise IndexExpressionError(f"cannot evaluate index expression '{format_index(expr)}'")
    parts = [index_function(a) for a in expr.args]
    return lambda s: functools.reduce(combine, (f(s) for f in parts))


def _division(arg: sympy.Expr, divide) -> IndexFunction:
    num, den = sympy.fraction(sympy.together(arg))
    if not den.is_Integer:
        raise IndexExpressionError(f"cannot divide an index by '{format_index(den)}'")
    p, q = index_function(num), int(den)
    return lambda s: divide(p(s), q)


_COMBINE = {
    sympy.Add: operator.add,
    sympy.Mul: operator.mul,
    sympy.Mod: np.mod,
    sympy.Max: np.maximum,
    sympy.Min: np.minimum,
}
