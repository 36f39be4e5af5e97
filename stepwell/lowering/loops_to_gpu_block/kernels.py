"""convert_function: each compute op of a function becomes a kernel and a launch."""

from __future__ import annotations

from xdsl.dialects import func

from stepwell.dialects import gpu_block as gb
from stepwell.dialects.loops import ComputeOp, KernelOp, PointwiseOp, ReduceOp
from stepwell.dialects.loops.memory import MEMORY
from stepwell.lowering.loops_to_gpu_block.common import UNSUPPORTED, Unsupported, check_body, kernel_inputs
from stepwell.lowering.loops_to_gpu_block.pointwise import pointwise
from stepwell.lowering.loops_to_gpu_block.rows import persistent, row_reduction


def convert_function(fn: func.FuncOp) -> list[gb.KernelOp]:
    """Replace each compute op of `fn` by a launch; the new kernels, in order."""
    kernels = []
    for op in list(fn.body.block.ops):
        if isinstance(op, func.ReturnOp):
            continue
        if isinstance(op, PointwiseOp):
            make = pointwise
        elif isinstance(op, ReduceOp) and type(op) is ReduceOp:
            make = row_reduction
        elif isinstance(op, KernelOp):
            make = persistent
        else:
            raise Unsupported(op, UNSUPPORTED)
        if isinstance(op, KernelOp):
            for inner in op.compute_ops():
                check_body(inner)
        else:
            check_body(op)
        kernel = make(op, f"{fn.sym_name.data}_k{len(kernels)}")
        inputs = op.inputs() if isinstance(op, ComputeOp) else kernel_inputs(op)
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


