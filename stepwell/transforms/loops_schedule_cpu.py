"""`loops-schedule-cpu`: decide how every kernel runs on the CPU and write it into the IR.

Every `loops.kernel`, and every compute op at function level (a kernel of one op), gets
`schedule = #loops.cpu<...>` (stepwell/dialects/loops/schedule.py): its parallel outer
loop (which p dims, in which order, in blocks of what size), the loop order of its
reductions, its kernel-local buffers on the stack or in memory, the number of chunks
the runtime cuts the outer range into, and for a contraction the GEMM blocking. The
decisions are `planning.schedule` (stepwell/lowering/loops_to_llvm/planning.py);
convert-loops-to-llvm translates them, and schedules an op that has none itself with
the defaults below.

First, every attention chain (q @ k^T -> causal mask -> softmax rows -> @ v whose
scores, mask and probabilities have no other reader: stepwell/dialects/loops/
attention.py) gets one `#loops.cpu<attention, outer = [..., S / BM], keys = BN, ...>`
on each of its ops (`attention.schedule` in stepwell/lowering/loops_to_llvm/
attention.py): they run as one flash-style kernel, and loops-plan-memory gives the
scores and probabilities no memory. A chain whose last op already has an attention
schedule keeps it (copied to its other ops); a chain with any other schedule on one
of its ops, or one the CPU kernel does not take (`attention.schedule` says which), is
scheduled op by op.

    stepwell-opt in.mlir -p 'loops-schedule-cpu{vector-width=16}'

Options:
  vector-width  f32 lanes of the target's vectors (0: this host's, so the printed IR
                depends on the machine; give it to print the same IR everywhere)
  max-chunks    pieces of one call's outer range, at most
  chunk-work    scalar bodies per piece, at least (fewer pieces when the work is small)

An op that already has a schedule keeps it (a schedule written by hand is respected).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects import func
from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass

from stepwell.dialects.loops import ComputeOp, CpuScheduleAttr, KernelOp
from stepwell.dialects.loops.attention import chains
from stepwell.lowering.loops_to_llvm import attention
from stepwell.lowering.loops_to_llvm.planning import (
    CHUNK_WORK,
    MAX_CHUNKS,
    SCHEDULE,
    host_vector_width,
    schedule,
    target_of,
    wanted_chunks,
)


@dataclass(frozen=True)
class LoopsScheduleCpu(ModulePass):
    name = "loops-schedule-cpu"

    vector_width: int = 0
    """f32 lanes of the vectors to schedule for (0: this host's)."""
    max_chunks: int = MAX_CHUNKS
    """The most pieces the runtime cuts one call's outer range into."""
    chunk_work: int = CHUNK_WORK
    """The least work (scalar bodies) of one piece."""

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        for fn in op.ops:  # (not a walk: the bodies of the kernels are not visited)
            if not isinstance(fn, func.FuncOp) or not fn.body.blocks:
                continue
            self.fuse_attention(fn)
            for kernel in fn.body.block.ops:
                if isinstance(kernel, (KernelOp, ComputeOp)) and SCHEDULE not in kernel.attributes:
                    kernel.attributes[SCHEDULE] = schedule(
                        target_of(kernel), self.vector_width, self.max_chunks, self.chunk_work
                    )

    def fuse_attention(self, fn: func.FuncOp) -> None:
        """An attention schedule on each op of every chain the CPU kernel takes."""
        for chain in chains(fn):
            if any(SCHEDULE in m.attributes and not _attention(m) for m in chain.members):
                continue
            if _attention(chain.end):
                attr = chain.end.attributes[SCHEDULE]
            else:
                batch, s, t, d, e = chain.sizes
                want = wanted_chunks(math.prod(batch) * s * t * (d + e), self.max_chunks, self.chunk_work)
                end_dims = target_of(chain.end).space.d_map(chain.pv)
                attr = attention.schedule(chain, end_dims, self.vector_width or host_vector_width(), want)
            if attr is not None:
                for m in chain.members:
                    m.attributes[SCHEDULE] = attr


def _attention(op) -> bool:
    sched = op.attributes.get(SCHEDULE)
    return isinstance(sched, CpuScheduleAttr) and sched.keys is not None
