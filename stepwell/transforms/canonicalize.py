"""`canonicalize` as stepwell registers it: xDSL's canonicalize (every op's
canonicalization patterns, then dead code removed) with constant folding through the
reference interpreter (`tensor_graph-fold-constants`'s pattern) tried first on each op,
as MLIR's canonicalizer runs folders before patterns."""

from __future__ import annotations

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.pattern_rewriter import GreedyRewritePatternApplier, PatternRewriteWalker
from xdsl.transforms.canonicalize import CanonicalizationRewritePattern, CanonicalizePass
from xdsl.transforms.dead_code_elimination import region_dce

from stepwell.transforms.tensor_graph_fold_constants import FoldConstants


class Canonicalize(CanonicalizePass):
    def apply(self, ctx: Context, op: ModuleOp) -> None:
        patterns = [FoldConstants(), CanonicalizationRewritePattern()]
        pattern = GreedyRewritePatternApplier(patterns, ctx=ctx, folding_enabled=True)
        PatternRewriteWalker(pattern, post_walk_func=region_dce).rewrite_module(op)
