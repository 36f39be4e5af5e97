"""The `loops` dialect: one op per computed buffer, with symbolic index expressions."""

from xdsl.ir import Dialect

from stepwell.dialects.loops.ops import (
    REDUCE_KINDS,
    ComputeOp,
    IndexOp,
    KernelOp,
    LoadOp,
    PointwiseOp,
    ReduceOp,
    YieldOp,
    new_body,
)

Loops = Dialect("loops", [KernelOp, PointwiseOp, ReduceOp, LoadOp, IndexOp, YieldOp], [])

__all__ = [
    "Loops",
    "REDUCE_KINDS",
    "ComputeOp",
    "IndexOp",
    "KernelOp",
    "LoadOp",
    "PointwiseOp",
    "ReduceOp",
    "YieldOp",
    "new_body",
]
