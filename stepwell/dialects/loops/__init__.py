"""The `loops` dialect: one op per computed buffer, with symbolic index expressions."""

from xdsl.ir import Dialect

from stepwell.dialects.loops.ops import (
    REDUCE_KINDS,
    CheckIndexOp,
    ComputeOp,
    ContractOp,
    IndexOp,
    KernelOp,
    LoadOp,
    PointwiseOp,
    ReduceOp,
    YieldOp,
    new_body,
)

Loops = Dialect("loops", [KernelOp, PointwiseOp, ReduceOp, ContractOp, LoadOp, IndexOp, YieldOp, CheckIndexOp], [])

__all__ = [
    "Loops",
    "REDUCE_KINDS",
    "CheckIndexOp",
    "ComputeOp",
    "ContractOp",
    "IndexOp",
    "KernelOp",
    "LoadOp",
    "PointwiseOp",
    "ReduceOp",
    "YieldOp",
    "new_body",
]
