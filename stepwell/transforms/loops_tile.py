"""`loops-tile`: the GPU tiling decision as printed IR.

Puts `tile = #loops.gpu<kind, block = [...], warps = W>` on every function-level
compute op and `loops.kernel` that a kernel module of convert-loops-to-gpu_block
decides for (each module's `tile(op)`, beside the builder that follows it: 2-D tiles
for transposes, 1-D blocks for other lone pointwise ops, persistent rows). An op that
already carries a `tile` keeps it (a user's choice wins); an op no module handles is
left as it is. convert-loops-to-gpu_block follows the attribute, and decides the same
way itself where it is absent, so running this pass changes no kernel by itself: it
makes the decision visible and editable.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects import func
from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass

from stepwell.dialects.loops import ComputeOp, KernelOp


@dataclass(frozen=True)
class LoopsTile(ModulePass):
    name = "loops-tile"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        from stepwell.lowering.loops_to_gpu_block.kernels import DECIDE

        for fn in op.ops:
            if not isinstance(fn, func.FuncOp) or fn.is_declaration:
                continue
            for inner in fn.body.block.ops:
                if not isinstance(inner, ComputeOp | KernelOp) or "tile" in inner.attributes:
                    continue
                for d in DECIDE:
                    if (attr := d(inner)) is not None:
                        inner.attributes["tile"] = attr
                        break
