"""convert_function: each compute op of a function becomes a kernel and a launch."""

from __future__ import annotations

from xdsl.dialects import arith, func
from xdsl.dialects.builtin import IntegerAttr

from stepwell.dialects import gpu_block as gb
from stepwell.dialects.loops import ComputeOp, KernelOp, PointwiseOp
from stepwell.dialects.loops.memory import MEMORY
from stepwell.lowering.loops_to_gpu_block import dot as dots, pointwise as pw, reductions, rows, tiles
from stepwell.lowering.loops_to_gpu_block.common import (
    UNSUPPORTED, Unsupported, check_body, finish_sizes, kernel_inputs, tiling,
)
from stepwell.lowering.loops_to_gpu_block.dot import contract_of, dot
from stepwell.lowering.loops_to_gpu_block.pointwise import pointwise
from stepwell.lowering.loops_to_gpu_block.reductions import reduction, reduction_parts
from stepwell.lowering.loops_to_gpu_block.rows import row_kernel
from stepwell.lowering.loops_to_gpu_block.tiles import tiled

DECIDE = (dots.tile, reductions.tile, tiles.tile, pw.tile, rows.tile)
"""The kernel modules' tiling decisions, most specific first: what loops-tile writes
and what this conversion follows where an op carries no `tile`."""


def convert_function(fn: func.FuncOp, sizes: str = "literal") -> list[gb.KernelOp]:
    """Replace each compute op of `fn` by a launch; the new kernels, in order.
    `sizes`: where the kernels' problem sizes come from (common.finish_sizes)."""
    kernels = []
    for op in list(fn.body.block.ops):
        if isinstance(op, func.ReturnOp):
            continue
        if contract_of(op) is not None:
            make = dot
        elif isinstance(op, PointwiseOp):
            attr = tiling(op, *DECIDE)
            make = tiled if attr is not None and attr.kind.data == "tile" else pointwise
        elif reduction_parts(op) is not None:
            make = reduction
        elif isinstance(op, KernelOp):
            make = row_kernel
        else:
            raise Unsupported(op, UNSUPPORTED)
        if isinstance(op, KernelOp):
            for inner in op.compute_ops():
                check_body(inner)
        else:
            check_body(op)
        kernel = make(op, f"{fn.sym_name.data}_k{len(kernels)}")
        inputs = op.inputs() if isinstance(op, ComputeOp) else kernel_inputs(op)
        for value, t in finish_sizes(kernel, len(op.results), sizes):
            size = arith.ConstantOp(IntegerAttr(value, t))
            size.result.name_hint = f"n{value}"
            fn.body.block.insert_op_before(size, op)
            inputs = [*inputs, size.result]
        launch = gb.LaunchOp(kernel.sym_name.data, inputs, [r.type for r in op.results])
        if MEMORY in op.attributes:  # the memory plan's slot(s) (loops-plan-memory) for the launcher
            launch.attributes[MEMORY] = op.attributes[MEMORY]
        for new, old in zip(launch.outputs, op.results):
            new.name_hint = old.name_hint
            old.replace_all_uses_with(new)
        fn.body.block.insert_op_before(launch, op)
        op.detach()
        op.erase()
        kernels.append(kernel)
    return kernels


