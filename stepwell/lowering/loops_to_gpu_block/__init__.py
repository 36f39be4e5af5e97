"""`convert-loops-to-gpu_block`: loops-level functions -> `gpu_block` kernels and launches.

The first slice of the Triton path (issue 9): each function-level compute op becomes
one `gpu_block.kernel` and a `gpu_block.launch` in its place.

Each op follows its `tile = #loops.gpu<...>` (loops-tile's decision or a user's);
where there is none it decides as loops-tile would (kernels.DECIDE).

- A lone `loops.pointwise` of any rank is flattened: program instance `pid` works on
  the BLOCK elements `pid * BLOCK + arange(BLOCK)` of the output's linear index
  (pointwise.tile: BLOCK up to 1024, smaller while there are few program instances
  per SM). The output's d-dims
  are recovered from the flat index with div/mod, and each load's offset is the
  access analysis's linear offset of its index (stepwell/dialects/loops/access.py)
  over them, so broadcast and transposed reads need nothing special. A mask guards
  the tail block.
- A lone pointwise op that reads some buffer contiguously along its second-to-last
  dim (a transpose) gets 2-D tiles over its last two dims instead (tiles.py).
- A row reduction (a `loops.reduce` over one dim that every load reads contiguously
  or not at all, rows of at most MAX_ROW elements, a value kind) is persistent: one
  program instance per output element, the whole row in registers, masked lanes set
  to the kind's identity, one `gpu_block.reduce`.
- A fused `loops.kernel` with at most one reduction dim k0 that every load from memory
  reads contiguously or not at all (softmax, layer_norm's statistics) is a row kernel
  (rows.py): rows longer than MAX_ROW are walked in chunks by a loop per pass of
  reductions (`looped`); shorter ones are persistent too: one program instance per parallel
  point, each (buffer, offset) loaded once into a row block, then the kernel's ops in
  order: a reduction (sum, max, min) a map on the row block (masked lanes = identity)
  and a `gpu_block.reduce`, a pointwise op over k0 a map on the row block, one over
  the parallel dims only scalar arith on the program instance's values. Kernel-local
  values stay in registers; only the yielded buffers are stored (rows with the mask).
- Any other fused `loops.kernel` (its reduction along a dim its loads do not read
  contiguously, a softmax over axis 0; or over several dims, a variance over [1, 2])
  with at most MAX_ROW reduced points is persistent over 2-D blocks (fused.py): a
  program instance owns XBLOCK parallel points and the whole flattened reduced extent,
  reductions along the block's R axis, vectors broadcast back over it.

Index arithmetic is i32 where the access analysis proves every offset fits
(`fits_i32`), else i64. Problem sizes are literals in the kernel body
(`sizes=literal`, so Triton proves alignment and vectorizes) or, with `sizes=args`,
integer kernel arguments the launch passes, the grid an expression over them
(common.finish_sizes; every size goes through `Builder.size`). Anything else at function level is refused at the op
with an error saying the Triton path does not support it yet.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects import func
from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass
from xdsl.utils.exceptions import PassFailedException

from stepwell.ir import report
from stepwell.lowering.loops_to_gpu_block.common import SIZES, Unsupported
from stepwell.lowering.loops_to_gpu_block.kernels import convert_function


@dataclass(frozen=True)
class ConvertLoopsToGpuBlock(ModulePass):
    name = "convert-loops-to-gpu_block"

    sizes: str = "literal"
    """Problem sizes in the kernels: `literal` (Triton proves alignment and vectorizes)
    or `args` (integer kernel arguments the launch passes; the grid an expression over them)."""

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        if self.sizes not in SIZES:
            raise PassFailedException(f"sizes is one of {', '.join(SIZES)}, got '{self.sizes}'")
        failed = 0
        for fn in list(op.ops):
            if not isinstance(fn, func.FuncOp) or fn.is_declaration:
                continue
            try:
                kernels = convert_function(fn, self.sizes)
            except Unsupported as e:
                report.error(e.op, str(e))
                failed += 1
                continue
            for k in kernels:
                op.body.block.insert_op_before(k, fn)
        if failed:
            raise PassFailedException(f"{failed} op(s) the Triton path does not support yet")
