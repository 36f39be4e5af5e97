"""`convert-gpu_block-to-nvvm`: `gpu_block` kernels -> per-thread `llvm.func`s for NVPTX.

Each kernel becomes an `llvm.func` marked `nvvm.kernel` with `nvvm.maxntid` (its
threads); pointers are `!llvm.ptr<1>` (global memory). Shared memory is dynamic: one
external zero-length `!llvm.ptr<3>` array per kernel (`.extern .shared` in the PTX),
its size the kernel's `nvvm.shared_bytes`, which the launch passes (and opts into
above 48 KiB); a kernel needing more than `max-shared` bytes (the target's limit,
227 KiB on sm_90) is refused. The pieces:

- layout.py: the blocked layout of every block (strips of up to 16 bytes along the
  fastest dim, threads then warps along it), as bit fields of the flat index;
- values.py: how a block value is held (registers of a layout, a reduction's slice)
  and evaluated in the view of its consumer; what is known of its strips (strides,
  divisibility: vector loads);
- kernel.py: the kernel in program order: scalars, loads and stores strip by strip
  (unmasked, aligned strips become `ld.global.v4`, `.nc` for read-only arguments),
  `gpu_block.for` with carried blocks, layout changes through shared memory;
- reduce.py: reductions in-thread, then `shfl.sync.bfly`, then shared memory;
- dot.py: `gpu_block.dot`, `mma.sync.m16n8k16` for f16/bf16 (the accumulator in the
  mma layout), `fma` for f32/f64, operands staged in shared memory;
- pipeline.py: a dot's K loop, its tiles copied by `cp.async` stages ahead; wgmma.py:
  that loop on sm_90a's `wgmma.mma_async` (option `wgmma=true`; the kernel is then
  marked `nvvm.arch = "sm_90a"` and the PTX emitter targets sm_90a);
- atomic.py: `gpu_block.atomic_rmw`, one relaxed device-scope `llvm.atomicrmw` per
  element its thread holds (PTX `atom.global`).

Bodies are lowered op by op by convert-loops-to-llvm's scalar rules (bf16 as i16
bits); exp, log, erf, sin and cos become calls into libdevice (libdevice.py: declared
once per module, linked in and inlined by the PTX emitter); the lower-to-ptx pipeline
expands the other transcendentals first (`loops-expand-math{ops=tanh,powf,ipowi}`),
so the PTX calls nothing. The host functions (their launches) are dropped: each
`llvm.func` keeps its grid as `gpu_block.grid`. Dots of other types (integers) are
refused at the op with "not supported by the PTX path yet": an error at the op where it
was written (FILE:LINE:COL), or, in a kernel a pass made, at its launch
(`report.stand_in`), for stepwell-opt and stepwell.compile alike.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects import func
from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass
from xdsl.utils.exceptions import PassFailedException

from stepwell.dialects import gpu_block as gb
from stepwell.ir import report
from stepwell.lowering.gpu_block_to_nvvm import libdevice
from stepwell.lowering.gpu_block_to_nvvm.kernel import (
    UNSUPPORTED,
    Kernel,
    Unsupported,
    global_ptr,
)
from stepwell.targets.ptx.target import MAX_SHARED

__all__ = ["UNSUPPORTED", "ConvertGpuBlockToNvvm", "Kernel", "Unsupported", "global_ptr"]


@dataclass(frozen=True)
class ConvertGpuBlockToNvvm(ModulePass):
    name = "convert-gpu_block-to-nvvm"

    max_shared: int = MAX_SHARED  # bytes of shared memory a CTA may use
    wgmma: bool = False  # pipelined K loops on wgmma.mma_async where they can (sm_90a only: wgmma.py)

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        hosts = [f for f in op.ops if isinstance(f, func.FuncOp) and any(isinstance(o, gb.LaunchOp) for o in f.walk())]
        launches = {o.callee.root_reference.data: o for f in hosts for o in f.walk() if isinstance(o, gb.LaunchOp)}
        failed = 0
        declared: dict = {}
        for top in list(op.ops):
            if not isinstance(top, gb.KernelOp):
                continue
            if (launch := launches.get(top.sym_name.data)) is not None:
                report.stand_in(top, launch)  # a kernel a pass made: placed at its launch
            try:
                kernel = Kernel(top, self.max_shared, self.wgmma)
                lowered = kernel.lower()
                declared.update(kernel.declared)
            except Unsupported as e:  # at the op where it was written
                report.error(e.op, f"kernel @{top.sym_name.data}: {e}")
                failed += 1
                continue
            for new in lowered:
                op.body.block.insert_op_before(new, top)
            top.detach()
            top.erase()
        if failed:
            raise PassFailedException(f"{failed} kernel(s) the PTX path does not support yet")
        for f in hosts:
            f.detach()
            f.erase()
        first = op.body.block.first_op  # (a kernel, where any callee was declared)
        for decl in libdevice.declarations(declared):  # once each, before the kernels
            op.body.block.insert_op_before(decl, first)
