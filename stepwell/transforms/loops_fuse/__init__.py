"""`loops-fuse`: fuse the compute ops of a loops-level function, scored by bytes of
memory traffic saved (TorchInductor-style).

Two steps, each one module:

1. vertical.py -- inline pointwise producers into their consumers: elementwise chains
   collapse into one op, pointwise prologues go into reductions (softmax's
   exp(x - max) into the sum). A producer with several consumers, or read at a
   broadcast, is recomputed only when cheap, and the consumer says so in its
   `recompute` attribute.
2. grouping.py + space.py + kernels.py -- group what is left into `loops.kernel`s: a
   reduction with the epilogues (and later reductions) that read its result at the
   same parallel point, so the result stays in the kernel (softmax, log_softmax,
   layer_norm, rms_norm: one kernel each, over any axis: softmax over axis 0 is
   parallel over the columns, its division walks the reduced axis as its d0), and
   siblings that read the same input over the same space (horizontal fusion). The
   kernel's dims come from the reads (space.py): its parallel dims may be any dims of
   each op. A reduction is never duplicated and never read at another parallel point
   than its own: such a reader stays outside the kernel.

Fusion never changes results: bodies are copied op for op (f16/bf16 values keep
their rounding where the producer stored them).

## What a `loops.kernel` means (the contract with the backends)

    %y = loops.kernel parallel [p0 = 4] reduction [k0 = 8] -> tensor<4x8xf32> {
      %m = loops.reduce max over [8] : tensor<4x1xf32> at (p0, 0 | k0) { ... %x[d0, r0] ... }
      %s = loops.reduce sum over [8] : tensor<4x1xf32> at (p0, 0 | k0) { ... %m[d0, 0] ... }
      %p = loops.pointwise : tensor<4x8xf32> at (p0, k0) { ... %m[d0, 0] ... %s[d0, 0] ... }
      loops.yield %p : tensor<4x8xf32>
    }

The kernel declares its parallel dims (the outer sizes O of its members' shapes) and
its reduction dims, and each member maps its dims onto them; a kernel-local value is
read only at the current parallel point. stepwell/dialects/loops/contract.py states
the rules, and KernelOp's verifier checks them.

The pass checks the contract (contract.reads_parallel_point, with the maps space.py
proposes) before it forms a kernel, and does not fuse otherwise, nor when the kernel
would read an input in two orders, close a cycle, pass `max-kernel-ops`, or expose
fewer than `min-parallelism` parallel points where one of the two groups alone had at
least that many (grouping.py). Ops that stay alone stay at the function level (no
kernel of one op). Kernels already in the input are left as they are.

Options (`loops-fuse{max-recompute=4 max-body-cost=32 trivial-cost=4 max-kernel-ops=256
min-parallelism=64 remarks=false}`; `vertical=false` or `kernels=false` turns a step
off): see vertical.py for the recomputation rule and the size limit.

Remarks. With `remarks=true`, or `stepwell-opt --remarks=loops-fuse` (or `all`; the
pass asks `report.remarks_enabled("loops-fuse")`), every decision that would save
bytes is reported as a remark at its op (`report.remark`), in this wording:

    inlined %p into %c: saves N bytes
    recomputed %e in %z, %y (x2: arith.subf, math.exp): saves N bytes
    not inlined %p into %c: REASON (would save N bytes)
    fused %z into the kernel of %m (parallel [4, 1]): saves N bytes
    not fused %y into the kernel of %m: REASON (would save N bytes)

An op is named by its SSA name, else by its op name (and a reduction's kind). The
REASONs of `not fused`: `%y reads %m at [0, d1 + 1], not at the current parallel
point`; `the kernel would read %x in two orders (along p0 by different strides)`;
`the kernel would expose 4 parallel points, %y alone 400000 (min-parallelism=64)`;
`the kernel would hold N ops (max-kernel-ops=256)`; `another op both uses the kernel
and is used by it (a cycle)`. Those of `not inlined`: `a reduction reads each value
N times`, `its body costs N (max-body-cost=32)`, `it would be computed xN
(max-recompute=4)`, `a body would pass max-kernel-ops=N, so it is materialized`.
Merges and inlinings are reported as they happen; a rejected pair once, at the end,
with its last reason, if the two groups stayed apart.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects import func
from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass

from stepwell.dialects.loops.contract import MIN_PARALLELISM
from stepwell.ir import report
from stepwell.transforms.loops_fuse.grouping import Limits as GroupLimits
from stepwell.transforms.loops_fuse.grouping import form_groups
from stepwell.transforms.loops_fuse.kernels import build_kernels
from stepwell.transforms.loops_fuse.vertical import Limits, fuse_vertically


@dataclass(frozen=True)
class LoopsFuse(ModulePass):
    name = "loops-fuse"

    max_recompute: int = 4
    """A producer of moderate cost is recomputed at most this many times per value."""
    max_body_cost: int = 32
    """The largest body (ops; a transcendental counts 8) that is ever recomputed."""
    trivial_cost: int = 4
    """Bodies of at most this many ops, none transcendental, are recomputed freely."""
    max_kernel_ops: int = 256
    """The most ops one fused body, or one kernel's bodies together, may hold; past it a
    producer is written to memory (`materialized`) or groups do not merge."""
    vertical: bool = True
    """Inline producers into consumers."""
    kernels: bool = True
    """Group reductions with their epilogues, and siblings, into loops.kernel ops."""
    min_parallelism: int = MIN_PARALLELISM
    """A merge may not leave a kernel with fewer parallel points than this when one of
    the two groups had at least this many on its own."""
    remarks: bool = False
    """Report every merge, rejected merge and recompute as a remark (as does
    `stepwell-opt --remarks=loops-fuse`)."""

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        remarks = self.remarks or report.remarks_enabled(self.name)
        limits = Limits(self.trivial_cost, self.max_body_cost, self.max_recompute, self.max_kernel_ops, remarks)
        grouping = GroupLimits(self.max_kernel_ops, self.min_parallelism, remarks)
        for f in [o for o in op.walk() if isinstance(o, func.FuncOp) and o.body.blocks]:
            block = f.body.block
            if self.vertical:
                fuse_vertically(block, limits)
            if self.kernels:
                build_kernels(block, form_groups(block, grouping))
