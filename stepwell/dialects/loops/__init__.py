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
from stepwell.dialects.loops.gpu_tile import GpuTileAttr
from stepwell.dialects.loops.memory import SlotAttr
from stepwell.dialects.loops.schedule import CpuScheduleAttr

Loops = Dialect("loops", [KernelOp, PointwiseOp, ReduceOp, ContractOp, LoadOp, IndexOp, YieldOp, CheckIndexOp], [CpuScheduleAttr, GpuTileAttr, SlotAttr])

__all__ = [
    "Loops",
    "REDUCE_KINDS",
    "CheckIndexOp",
    "ComputeOp",
    "ContractOp",
    "CpuScheduleAttr",
    "GpuTileAttr",
    "IndexOp",
    "KernelOp",
    "LoadOp",
    "PointwiseOp",
    "ReduceOp",
    "SlotAttr",
    "YieldOp",
    "new_body",
]
