"""How one kernel runs on the CPU: its outer loop, tile, loop orders and local storage.

The outer loop runs over the flattened common prefix P of the compute ops' shapes; the
runtime splits [0, prod(P)) across threads. For each outer point the ops run in order,
each over its remaining dims R (and, for a reduction, its reduced dims). A buffer made
and read inside the kernel lives in a stack slot of prod(R) elements per outer point.

A pointwise kernel that reads a buffer transposed (contiguous along the last dim of P
instead of the last dim of the op) walks its rows in blocks of BLOCK x BLOCK.

Loop orders. A reduction whose loads are contiguous along the reduced space keeps it
innermost (a row sum). One whose loads are contiguous along its output (a column sum)
puts the output innermost and keeps a row of accumulators; if that output dim is the
last dim of P, it leaves P (so it becomes an inner loop), or, when P has one dim, the
outer loop is walked in tiles of TILE points and the tile is the inner loop.

P starts as the kernel's declared parallel dims (contract.py: every read of a
kernel-local buffer is at the reader's own parallel point, which the kernel's verifier
checks) or a lone op's whole shape; the choices above only shorten it. P = () is one
call, one thread, every op over its whole space in order.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from xdsl.ir import SSAValue

from stepwell.dialects.loops import ComputeOp, KernelOp, PointwiseOp, ReduceOp
from stepwell.dialects.loops.contract import parallel_prefix
from stepwell.dialects.loops.access import linear_offset, load_access
from stepwell.dialects.loops.index import dims
from stepwell.lowering.loops_to_llvm import contraction
from stepwell.lowering.loops_to_llvm import conversions as cv
from stepwell.lowering.loops_to_llvm import reductions

TILE = 1024
BLOCK = 64
LOCAL_LIMIT = 256 * 1024  # bytes of stack per kernel-local buffer or accumulator row


@dataclass
class KernelPlan:
    ops: list[ComputeOp]
    outputs: list[SSAValue]  # the buffers the kernel writes to memory (distinct)
    inputs: list[SSAValue]  # buffers defined outside the kernel that it reads from memory
    prefix: tuple[int, ...] = ()
    tile: int = 1
    blocked: bool = False  # pointwise ops walk BLOCK x BLOCK squares of the last two dims
    inner_output: set[ComputeOp] = field(default_factory=set)  # reductions with output innermost
    local: set[SSAValue] = field(default_factory=set)  # kernel-local buffers on the stack
    scratch: list[SSAValue] = field(default_factory=list)  # kernel-local buffers in memory
    contraction: contraction.Contraction | None = None  # a blocked GEMM (contraction.py)

    @property
    def params(self) -> list[SSAValue]:
        """The buffers passed to the kernel function as pointers, in order."""
        return self.outputs + self.inputs + self.scratch

    @property
    def extent(self) -> int:
        return math.prod(self.prefix)

    def rest(self, op: ComputeOp) -> tuple[int, ...]:
        return op.shape[len(self.prefix) :]

    def grain(self) -> int:
        """Work per outer point, in scalar bodies run (to decide on threads)."""
        if self.contraction is not None:
            return self.contraction.grain
        return max(1, sum(math.prod(self.rest(op)) * max(1, math.prod(op.reduce_shape)) for op in self.ops))


def plan_kernel(
    ops: list[ComputeOp], outputs: list[SSAValue], in_memory: Callable[[SSAValue], bool], parallel: tuple[int, ...]
) -> KernelPlan:
    """`in_memory(v)`: whether the outside buffer v is passed by pointer (constants are
    globals or folded into the loads, and are not). `parallel`: the sizes of the
    leading dims that every op shares and that may run in parallel: a kernel's
    declared parallel dims (`kernel_parallel`), a lone op's whole shape."""
    made = {op.result for op in ops}
    inputs = list(dict.fromkeys(v for op in ops for v in op.inputs() if v not in made and in_memory(v)))
    plan = KernelPlan(ops, outputs, inputs)
    plan.contraction = contraction.match(ops, in_memory)
    if plan.contraction is not None:  # outer loop: batch dims, blocks of rows
        plan.prefix = plan.contraction.prefix
        return plan
    plan.prefix = parallel
    if all(isinstance(op, PointwiseOp) and op.shape == plan.prefix for op in ops) and len(plan.prefix) >= 2:
        plan.prefix = plan.prefix[:-1]  # keep the last dim as a vectorizable inner loop
    if _transposed(ops, plan):
        plan.tile, plan.blocked = BLOCK, True
    wants_inner_output = {op for op in ops if isinstance(op, ReduceOp) and _output_contiguous(op, plan)}
    if any(not plan.rest(op) for op in wants_inner_output) and plan.prefix:
        if len(plan.prefix) >= 2:
            plan.prefix = plan.prefix[:-1]
        else:
            plan.tile = TILE
    for op in wants_inner_output:
        acc_bytes = cv.element_bytes(reductions.acc_type(op.body_type))  # type: ignore[attr-defined]
        if plan.tile * math.prod(plan.rest(op)) * acc_bytes <= LOCAL_LIMIT:
            plan.inner_output.add(op)
    for op in ops:
        if op.result in outputs:
            continue
        size = plan.tile * math.prod(plan.rest(op)) * cv.element_bytes(op.result.type.element_type)  # type: ignore[attr-defined]
        if size <= LOCAL_LIMIT:
            plan.local.add(op.result)
        else:
            plan.scratch.append(op.result)
    return plan


def _transposed(ops: list[ComputeOp], plan: KernelPlan) -> bool:
    """Pointwise ops over [..., M, N] (P = [..., M]) reading some buffer contiguously
    along the M dim (a transpose): walking rows in blocks keeps both the reads and
    the writes within a few cache lines."""
    if not plan.prefix or not all(isinstance(op, PointwiseOp) for op in ops):
        return False
    if any(len(plan.rest(op)) != 1 or plan.rest(op)[0] < BLOCK for op in ops) or plan.prefix[-1] < BLOCK:
        return False
    row, col = dims(len(plan.prefix) + 1)[-2:]
    for op in ops:
        for load in op.loads():
            access = load_access(load)
            if access.stride(row) == 1 and access.stride(col) != 1:
                return True
    return False


def kernel_parallel(kernel: KernelOp) -> tuple[int, ...]:
    """The outer loop of a kernel: its parallel dims that are, in order, the leading
    dims of every op (contract.parallel_prefix; all of them, as loops-fuse makes)."""
    return kernel.parallel_sizes[: parallel_prefix(kernel)]


def _output_contiguous(op: ReduceOp, plan: KernelPlan) -> bool:
    """Whether op's loads walk memory along its innermost output dim rather than
    along its innermost reduced dim."""
    if op.kind.data.startswith("arg") or not op.reduce_shape or not op.shape:
        return False
    d = dims(len(op.shape))[-1]
    r = dims(len(op.reduce_shape), "r")[-1]
    along_d = along_r = 0
    for load in op.loads():
        access = load_access(load)
        along_d += access.stride(d) == 1
        along_r += access.stride(r) == 1
    return along_d > along_r
