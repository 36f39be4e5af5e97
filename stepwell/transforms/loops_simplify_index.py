"""`loops-simplify-index`: simplify the index expressions of `loops.load` and
`loops.index` with the ranges of the index symbols of their compute op (the rules are
the loops dialect's simplifier, `stepwell/dialects/loops/simplify.py`).

s-symbols that no longer occur are dropped from a load's `syms` and the others
renumbered. A space with a zero-size dimension runs no point: its indices are left
as they are.
"""

from __future__ import annotations

from collections.abc import Sequence

import sympy
from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass
from xdsl.pattern_rewriter import (
    GreedyRewritePatternApplier,
    PatternRewriter,
    PatternRewriteWalker,
    RewritePattern,
    op_type_rewrite_pattern,
)

from stepwell.dialects.loops import IndexOp, LoadOp
from stepwell.dialects.loops.index import format_index, sym, symbols_of
from stepwell.dialects.loops.ops import enclosing_compute
from stepwell.dialects.loops.simplify import space_ranges, simplify_index


# --- patterns -------------------------------------------------------------------------


def _renumber_syms(exprs: Sequence[sympy.Expr], syms: Sequence) -> tuple[list[sympy.Expr], list]:
    """Drop the s-symbols (and their operands) that `exprs` no longer use."""
    used = sorted(set().union(*(symbols_of(e, "s") for e in exprs)) if exprs else set())
    if used == list(range(len(syms))):
        return list(exprs), list(syms)
    remap = {sym(f"s{old}"): sym(f"s{new}") for new, old in enumerate(used)}
    return [e.xreplace(remap) for e in exprs], [syms[i] for i in used]


class SimplifyLoadIndices(RewritePattern):
    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: LoadOp, rewriter: PatternRewriter) -> None:
        compute = enclosing_compute(op)
        ranges = space_ranges(compute) if compute is not None else None
        if ranges is None:
            return
        old = op.index_exprs
        exprs, syms = _renumber_syms([simplify_index(e, ranges) for e in old], list(op.syms))
        if [format_index(e) for e in exprs] == [s.data for s in op.indices.data] and len(syms) == len(op.syms):
            return
        rewriter.replace(op, LoadOp(op.buffer, exprs, syms))


class SimplifyIndexOp(RewritePattern):
    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: IndexOp, rewriter: PatternRewriter) -> None:
        compute = enclosing_compute(op)
        ranges = space_ranges(compute) if compute is not None else None
        if ranges is None:
            return
        expr = simplify_index(op.index_expr, ranges)
        if format_index(expr) != op.expr.data:
            rewriter.replace(op, IndexOp(expr))


class LoopsSimplifyIndex(ModulePass):
    name = "loops-simplify-index"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        patterns = GreedyRewritePatternApplier([SimplifyLoadIndices(), SimplifyIndexOp()])
        PatternRewriteWalker(patterns, apply_recursively=False).rewrite_module(op)
