"""`convert-tensor_graph-to-loops`: every primitive `tensor_graph` op becomes one
`loops` compute op (a few become a reduce plus a pointwise epilogue: reduce.py).

    elementwise.py   unary, binary (broadcasting), cmp, select, cast, iota
    shape.py         views (broadcast_to, reshape, transpose, slice) as index
                     expressions, concat, pad, gather
    reduce.py        reduce, argmax/argmin, matmul
    body.py          building scalar bodies (the f16/bf16 and splat-constant rules)
    views.py         index maps of the views, and their simplification

`tensor_graph.constant` stays: it is how constant buffers enter the loops level (a
splat read in a body becomes an `arith.constant`). A view is not materialized unless
something other than a lowered op uses it (a `func.return`, a call): then it gets a
pointwise copy. Ops of other dialects, loops ops included, are left as they are.
Composite ops must be decomposed first (`tensor_graph-decompose`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import Operation, SSAValue
from xdsl.passes import ModulePass
from xdsl.rewriter import InsertPoint
from xdsl.utils.exceptions import PassFailedException

from stepwell.dialects.loops.index import dims
from stepwell.dialects.tensor_graph import ops as tg
from stepwell.dialects.tensor_graph.types import shape_of
from stepwell.ir import report
from stepwell.lowering.tensor_graph_to_loops import elementwise, reduce, shape
from stepwell.lowering.tensor_graph_to_loops.body import Lowering, element_type
from stepwell.lowering.tensor_graph_to_loops.views import View
from stepwell.semantics import ELEMENTWISE

OpLowering = Callable[[Operation, Lowering], SSAValue | View]

LOWERINGS: dict[type[Operation], OpLowering] = {
    **{op: elementwise.lower_elementwise for op in tg.ALL_OPS if op.name in ELEMENTWISE},
    tg.CmpOp: elementwise.lower_elementwise,
    tg.CastOp: elementwise.lower_cast,
    tg.IotaOp: elementwise.lower_iota,
    tg.BroadcastToOp: shape.lower_broadcast_to,
    tg.ReshapeOp: shape.lower_reshape,
    tg.TransposeOp: shape.lower_transpose,
    tg.SliceOp: shape.lower_slice,
    tg.ConcatOp: shape.lower_concat,
    tg.PadOp: shape.lower_pad,
    tg.GatherOp: shape.lower_gather,
    tg.ReduceOp: reduce.lower_reduce,
    tg.ArgmaxOp: reduce.lower_arg,
    tg.ArgminOp: reduce.lower_arg,
    tg.MatmulOp: reduce.lower_matmul,
}
"""Op type -> its lowering. Plugins may add entries for their own primitive ops."""


def check_no_composites(module: ModuleOp) -> None:
    composites = [op for op in module.walk() if isinstance(op, tg.TensorGraphOp) and op.COMPOSITE]
    for op in composites:
        report.error(op, "is a composite op: run tensor_graph-decompose first")
    if composites:
        names = ", ".join(sorted({op.name for op in composites}))
        raise PassFailedException(
            f"{len(composites)} composite op(s) left ({names}): run tensor_graph-decompose first"
        )


def materialize(view_op: Operation, view: View, lw: Lowering) -> None:
    """Replace the remaining uses of a view (returns, calls) by a pointwise copy."""
    value = view_op.results[0]
    lw.point = InsertPoint.before(view_op)
    rank = len(shape_of(value.type))
    copy = lw.pointwise(shape_of(value.type), element_type(value), lambda b: b.load(value, dims(rank)))
    value.replace_all_uses_with(copy)


def lower_module(module: ModuleOp) -> None:
    check_no_composites(module)
    lw = Lowering()
    view_ops: list[Operation] = []
    constants = [op for op in module.walk() if isinstance(op, tg.ConstantOp) and op.result.uses]
    for op in list(module.walk()):
        lowering = LOWERINGS.get(type(op))
        if lowering is None:
            if isinstance(op, tg.TensorGraphOp) and not isinstance(op, tg.ConstantOp):
                raise PassFailedException(f"no lowering to loops for '{op.name}'")
            continue
        lw.point = InsertPoint.before(op)
        result = lowering(op, lw)
        if isinstance(result, View):
            lw.views[op.results[0]] = result
            view_ops.append(op)
        else:
            op.results[0].replace_all_uses_with(result)
            op.detach()
            op.erase()
    for op in reversed(view_ops):  # users first: a view's users may be views
        if op.results[0].uses:
            materialize(op, lw.views[op.results[0]], lw)
        op.detach()
        op.erase()
    for op in constants:
        if not op.result.uses:  # every read became an arith.constant
            op.detach()
            op.erase()


@dataclass(frozen=True)
class ConvertTensorGraphToLoops(ModulePass):
    """Lower primitive tensor_graph ops to loops compute ops (see the module doc)."""

    name = "convert-tensor_graph-to-loops"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        lower_module(op)
