"""convert_function: each compute op of a function becomes a kernel and a launch."""

from __future__ import annotations

from xdsl.dialects import arith, func
from xdsl.dialects.builtin import IntegerAttr

from stepwell.dialects import gpu_block as gb
from stepwell.dialects.loops import CheckIndexOp, ComputeOp, KernelOp, PointwiseOp
from stepwell.dialects.loops.memory import MEMORY
from stepwell.lowering.loops_to_gpu_block import attention as att
from stepwell.lowering.loops_to_gpu_block import dot as dots, fused, pointwise as pw, reductions, rows, tiles
from stepwell.lowering.loops_to_gpu_block.checks import CHECK, check_reductions
from stepwell.lowering.loops_to_gpu_block.common import (
    UNSUPPORTED,
    Unsupported,
    check_body,
    finish_sizes,
    kernel_inputs,
    tiling,
)
from stepwell.lowering.loops_to_gpu_block.dot import contract_of, dot
from stepwell.lowering.loops_to_gpu_block.pointwise import pointwise
from stepwell.lowering.loops_to_gpu_block.reductions import reduction, reduction_parts
from stepwell.lowering.loops_to_gpu_block.rows import row_kernel
from stepwell.lowering.loops_to_gpu_block.tiles import tiled

DECIDE = (dots.tile, reductions.tile, tiles.tile, pw.tile, fused.tile, rows.tile)
"""The kernel modules' tiling decisions, most specific first: what loops-tile writes
and what this conversion follows where an op carries no `tile`."""


def convert_function(fn: func.FuncOp, sizes: str = "literal") -> list[gb.KernelOp]:
    """Replace each compute op of `fn` by a launch; the new kernels, in order.
    `sizes`: where the kernels' problem sizes come from (common.finish_sizes)."""
    for check in [op for op in fn.body.block.ops if isinstance(op, CheckIndexOp)]:
        for new in check_reductions(check):
            fn.body.block.insert_op_before(new, check)
        check.detach()
        check.erase()
    kernels = []
    held = att.held(fn)  # ops an attention kernel built at a later op replaces
    for op in list(fn.body.block.ops):
        if isinstance(op, func.ReturnOp) or op.name == "tensor_graph.constant" or op in held:  # constants: the launcher's
            continue
        chain = None
        if att.is_tiled(op):
            chain = att.match(op)
            if chain is None:
                raise Unsupported(op, "an op tiled #loops.gpu<attention> is the last op of an attention chain (loops-fuse-attention)")
            make = lambda _, name, chain=chain: att.attention(chain, name)
        elif contract_of(op) is not None:
            make = dot
        elif isinstance(op, PointwiseOp):
            attr = tiling(op, *DECIDE)
            make = tiled if attr is not None and attr.kind.data == "tile" else pointwise
        elif reduction_parts(op) is not None:
            make = reduction
        elif isinstance(op, KernelOp):
            make = fused.fused if fused.claims(op) else row_kernel
        else:
            raise Unsupported(op, UNSUPPORTED)
        if isinstance(op, KernelOp):
            for inner in op.compute_ops():
                check_body(inner, gathers=make is not row_kernel)  # (rows.py reads no gathers yet)
        elif chain is None:
            check_body(op)
        kernel = make(op, f"{fn.sym_name.data}_k{len(kernels)}")
        if chain is not None:
            inputs = chain.inputs
        else:
            inputs = op.inputs() if isinstance(op, ComputeOp) else kernel_inputs(op)
        for value, t in finish_sizes(kernel, len(op.results), sizes):
            size = arith.ConstantOp(IntegerAttr(value, t))
            size.result.name_hint = f"n{value}"
            fn.body.block.insert_op_before(size, op)
            inputs = [*inputs, size.result]
        launch = gb.LaunchOp(kernel.sym_name.data, inputs, [r.type for r in op.results])
        for attr in (MEMORY, CHECK):  # the memory plan's slot(s) (loops-plan-memory), a check (checks.py): for the launcher
            if attr in op.attributes:
                launch.attributes[attr] = op.attributes[attr]
        for new, old in zip(launch.outputs, op.results):
            new.name_hint = old.name_hint
            old.replace_all_uses_with(new)
        fn.body.block.insert_op_before(launch, op)
        for gone in reversed(chain.members if chain is not None else [op]):
            gone.detach()
            gone.erase()
        kernels.append(kernel)
    return kernels


