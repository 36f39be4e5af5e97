"""`tensor_graph-fold-constants`: an op whose operands are all constants becomes a
constant, computed by the reference interpreter (the oracle), only for ops whose result
the spec fixes exactly: the semantic table's `exact` ops (stepwell/semantics.py; no
transcendental functions, no float sums whose order matters), no float->int casts out
of range, no integer division by zero, no gather out of range.

Folding through the interpreter is a pass of its own, so the dialect never imports its
oracle (xDSL's `constant_fold_interp` is the model); stepwell's `canonicalize` runs the
same pattern, `FoldConstants`, in its walk (stepwell/transforms/canonicalize.py).

Limits: a folded result is materialized when it has at most `FOLD_LIMIT` elements, or
when it is a splat (every element the same bits) of at most `SPLAT_LIMIT` elements;
bigger splats stay as `broadcast_to` of a rank-0 constant.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp, TensorType
from xdsl.ir import Attribute, Block, Operation
from xdsl.passes import ModulePass
from xdsl.pattern_rewriter import PatternRewriter, PatternRewriteWalker, RewritePattern

from stepwell.dialects.tensor_graph import ops as tg
from stepwell.dialects.tensor_graph.canonicalize import (
    FOLD_LIMIT,
    SPLAT_LIMIT,
    constant_attr,
    result_type,
    splat_ops,
    splat_scalar,
    to_dense,
    to_numpy,
)
from stepwell.dialects.tensor_graph.types import is_float, is_int, shape_of, tensor
from stepwell.dtypes import numpy_dtype
from stepwell.reference import evaluate_op
from stepwell.semantics import ELEMENTWISE as SEMANTICS
from stepwell.semantics import REDUCTIONS


def evaluate(
    op: Operation, arrays: Sequence[np.ndarray], type_: TensorType | None = None
) -> np.ndarray | None:
    """`op`'s computation on `arrays` by the reference interpreter's evaluator of that
    op; with `type_`, on a copy of `op` retyped to `type_` and the arrays' shapes (the
    scalar evaluation of a splat). None when the reference finds no defined result."""
    if type_ is not None:
        types = [tensor(a.shape, o.type.element_type) for a, o in zip(arrays, op.operands)]
        block = Block(arg_types=types)
        op = type(op).create(
            operands=list(block.args), result_types=[type_], properties=dict(op.properties)
        )
    type_ = result_type(op)
    try:
        op.verify()
        out = evaluate_op(op, *arrays)
    except Exception:
        return None
    if out.shape != shape_of(type_) or out.dtype != numpy_dtype(type_.element_type):
        return None
    return out


def _cast_is_exact(x: np.ndarray, src: Attribute, dst: Attribute) -> bool:
    """float -> int is defined by the spec only where the truncated value fits (the
    reference saturates and maps NaN to 0 elsewhere: its choice, not the spec's)."""
    if not (is_float(src) and is_int(dst)):
        return True
    limit = 2.0 ** (numpy_dtype(dst).itemsize * 8 - 1)
    wide = x.astype(np.float64)
    with np.errstate(all="ignore"):
        trunc = np.trunc(wide)
    return bool(np.all(np.isfinite(wide) & (trunc >= -limit) & (trunc < limit)))


def _integer_division_is_defined(a: np.ndarray, b: np.ndarray) -> bool:
    """Integer x / 0 and INT_MIN / -1 are left open by the spec (the reference's 0 and
    INT_MIN are its choices)."""
    lowest = np.iinfo(a.dtype).min
    a, b = np.broadcast_arrays(a, b)
    return not bool(np.any((b == 0) | ((a == lowest) & (b == -1))))


def _gather_in_range(op: tg.GatherOp, x: np.ndarray, idx: np.ndarray) -> bool:
    n = x.shape[tg.ival(op.properties, "axis") % x.ndim]
    return bool(np.all((idx >= -n) & (idx < n)))


EXACT_OTHER_OPS: tuple[type[Operation], ...] = (
    tg.ReluOp, tg.ClampOp, tg.CmpOp, tg.CastOp,
    tg.BroadcastToOp, tg.ReshapeOp, tg.TransposeOp, tg.SliceOp, tg.ConcatOp, tg.PadOp,
    tg.GatherOp, tg.ReduceOp, tg.ArgmaxOp, tg.ArgminOp,
)  # fmt: skip
"""Ops outside the semantic table's elementwise ops whose result on constants the spec
fixes exactly (given `folds_exactly`). Not folded: float sums, mean, var, matmul and
the norms (order-dependent), the composites of transcendental functions, iota (kept
symbolic)."""

EXACT_OPS: tuple[type[Operation], ...] = EXACT_OTHER_OPS + tuple(
    op for op in tg.ALL_OPS if op.name in SEMANTICS and SEMANTICS[op.name].exact
)
"""The ops whose result on constants the spec fixes exactly: the semantic table's
`exact` ones (stepwell/semantics.py) and EXACT_OTHER_OPS."""

ELEMENTWISE: tuple[type[Operation], ...] = (
    tg.UnaryOp, tg.BinaryOp, tg.SelectOp, tg.CastOp,
)  # fmt: skip
MOVES_DATA: tuple[type[Operation], ...] = (
    tg.BroadcastToOp, tg.ReshapeOp, tg.TransposeOp, tg.SliceOp,
)  # fmt: skip
"""Ops that only move elements: of a splat they make the same splat."""


def folds_exactly(op: Operation, arrays: Sequence[np.ndarray]) -> bool:
    if not isinstance(op, EXACT_OPS):
        return False
    elt = op.operands[0].type.element_type
    if isinstance(op, tg.PowOp):
        return is_int(elt)
    if isinstance(op, tg.DivOp) and is_int(elt):
        return _integer_division_is_defined(*arrays)
    if isinstance(op, tg.CastOp):
        return _cast_is_exact(arrays[0], elt, result_type(op).element_type)
    if isinstance(op, tg.ReduceOp):
        kind = tg.sval(op.properties, "kind")
        return kind in REDUCTIONS and REDUCTIONS[kind].exact
    if isinstance(op, tg.GatherOp):
        return _gather_in_range(op, *arrays)
    return True




class FoldConstants(RewritePattern):
    """An exactly-defined op whose operands are all constants becomes a constant."""

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter, /):
        if not isinstance(op, EXACT_OPS):
            return
        attrs = [constant_attr(o) for o in op.operands]
        if not attrs or any(a is None for a in attrs):
            return
        out_type = result_type(op)
        if math.prod(shape_of(out_type)) <= FOLD_LIMIT:
            arrays = [to_numpy(a) for a in attrs]  # type: ignore[arg-type]
            if not folds_exactly(op, arrays):
                return
            out = evaluate(op, arrays)
            if out is not None:
                rewriter.replace(op, tg.ConstantOp.make(value=to_dense(out, out_type)))
            return
        scalars = [splat_scalar(o) for o in op.operands]
        if any(s is None for s in scalars) or math.prod(shape_of(out_type)) > SPLAT_LIMIT:
            return
        if isinstance(op, MOVES_DATA):
            rewriter.replace(op, splat_ops(scalars[0], out_type))  # type: ignore[arg-type]
        elif isinstance(op, ELEMENTWISE) and folds_exactly(op, scalars):  # type: ignore[arg-type]
            out = evaluate(op, scalars, tensor((), out_type.element_type))  # type: ignore[arg-type]
            if out is not None:
                rewriter.replace(op, splat_ops(out, out_type))


class TensorGraphFoldConstants(ModulePass):
    name = "tensor_graph-fold-constants"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        PatternRewriteWalker(FoldConstants()).rewrite_module(op)
