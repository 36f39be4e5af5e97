"""`loops-fuse-attention`: the decision to compute an attention chain as one
flash-style GPU kernel, as printed IR.

    stepwell-opt f.mlir -p loops-fuse-attention

Finds each chain q @ k^T -> (causal mask) -> softmax rows -> @ v at the loops level
whose scores, mask and probabilities have no other reader (stepwell/dialects/loops/
attention.py: `match`, and why a `loops.kernel` cannot hold it), of f16, bf16 or f32
(the Triton kernel's types), and puts `tile = #loops.gpu<attention, block = [BM, BN], warps = W,
stages = S>` on each of its ops. A chain whose last op already carries an attention
tile keeps it (a user's choice wins: it is copied to the other ops); a chain with any
other `tile` on one of its ops is left alone. loops-plan-memory then gives the
chain's inner buffers no memory, and convert-loops-to-gpu_block builds one kernel at
its last op. The pass runs in `lower-to-triton` before loops-tile; the CPU makes its
own decision on the same chains (loops-schedule-cpu: `#loops.cpu<attention, ...>`).
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects import func
from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass

from stepwell.ir import report


@dataclass(frozen=True)
class LoopsFuseAttention(ModulePass):
    name = "loops-fuse-attention"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        from stepwell.lowering.loops_to_gpu_block.attention import TYPES, chains, is_tiled, tile

        for fn in op.ops:
            if not isinstance(fn, func.FuncOp) or fn.is_declaration:
                continue
            for chain in chains(fn):
                if chain.element not in TYPES or any("tile" in m.attributes and not is_tiled(m) for m in chain.members):
                    continue
                attr = chain.end.attributes["tile"] if is_tiled(chain.end) else tile(chain)
                for m in chain.members:
                    m.attributes["tile"] = attr
                if report.remarks_enabled(self.name):
                    report.remark(chain.end, f"fused attention ({'causal, ' if chain.causal else ''}scale {chain.scale:g}) into one kernel: "
                                  f"scores and probabilities of {chain.scores.result.type} stay on chip")
