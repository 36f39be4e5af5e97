"""Copying a scalar body of the loops level with its index symbols substituted: what
inlining a producer (loops-fuse) and cutting a reduction into chunks
(loops-split-reduction) both do."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence

import sympy
from xdsl.ir import Operation, SSAValue

from stepwell.dialects.loops.index import sym
from stepwell.dialects.loops.ops import IndexOp, LoadOp

POSITION = sympy.Symbol("position", integer=True, nonnegative=True)
"""In a substitution: a flat position read at run time (`copy_ops`'s `position`)."""


def copy_ops(
    ops: Iterable[Operation],
    subst: Mapping[sympy.Symbol, sympy.Expr],
    mapping: dict[SSAValue, SSAValue],
    leading_syms: Sequence[SSAValue] = (),
    position: SSAValue | None = None,
) -> Iterator[Operation]:
    """Copies of `ops` (scalar body ops) whose index symbols (d/r, in loads and
    `loops.index`) are replaced by `subst`; `mapping` maps old values to new ones and
    is updated as ops are copied. Every copied load reads `leading_syms` first (its own
    syms are renumbered after them): the syms its new index expressions use. A load
    whose new index uses POSITION takes `position` as its next sym."""
    shift = len(leading_syms)
    for op in ops:
        if isinstance(op, LoadOp):
            renumber = {sym(f"s{j}"): sym(f"s{j + shift}") for j in range(len(op.syms))}
            exprs = [e.xreplace({**subst, **renumber}) for e in op.index_exprs]
            syms = [*leading_syms, *(mapping.get(s, s) for s in op.syms)]
            if position is not None and any(e.has(POSITION) for e in exprs):
                exprs = [e.xreplace({POSITION: sym(f"s{len(syms)}")}) for e in exprs]
                syms.append(position)
            new: Operation = LoadOp(op.buffer, exprs, syms)
        elif isinstance(op, IndexOp):
            new = IndexOp(op.index_expr.xreplace(subst))
        else:
            new = op.clone(value_mapper=mapping)
        for old_result, new_result in zip(op.results, new.results):
            mapping[old_result] = new_result
            new_result.name_hint = old_result.name_hint
        yield new
