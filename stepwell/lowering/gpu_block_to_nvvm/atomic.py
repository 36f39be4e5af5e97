"""`gpu_block.atomic_rmw`: one `llvm.atomicrmw` per element, in its masked-on lanes.

Each element of the block of pointers is combined by the one thread that holds it in
the pointers' layout (replicas do nothing; a scalar pointer: thread 0 of the program,
as Triton runs a scalar atomic once per program). The atomics are relaxed (`monotonic`)
at device scope (`syncscope("device")`, PTX's `.gpu`): what a split reduction's program
instances need, whose partial results meet in memory only read after the kernel.

The LLVM kind of each gpu_block kind, by element type (the reduction kinds of
stepwell/semantics.py):

    floats (f16, bf16, f32, f64)   add: fadd   max: fmaximum   min: fminimum
    i1 (a byte in memory)          add: xor    max: or         min: and
    other integers (signed)        add: add    max: max        min: min

`fmaximum`/`fminimum` propagate NaN as `arith.maximumf` does. The NVPTX backend emits
`atom.global.add` for integers, f32, f64, and `.noftz` f16/bf16 (sm_90), `atom.global.max/
min.s32/s64`, and a compare-and-swap loop (`atom.global.cas`) where PTX has no such
atomic (float max/min, 8- and 16-bit integers).
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from xdsl.dialects import llvm
from xdsl.dialects.builtin import AnyFloat, IntegerType, TensorType, i32

from stepwell.dialects import gpu_block as gb
from stepwell.dialects.gpu_block.types import element_of
from stepwell.lowering.loops_to_llvm import conversions as cv
from stepwell.lowering.loops_to_llvm.llvm_ops import AtomicRMWOp

if TYPE_CHECKING:
    from stepwell.lowering.gpu_block_to_nvvm.kernel import Kernel

KINDS = {
    "float": {"add": "fadd", "max": "fmaximum", "min": "fminimum"},
    "bool": {"add": "xor", "max": "or", "min": "and"},
    "int": {"add": "add", "max": "max", "min": "min"},
}
ORDERING, SCOPE = "monotonic", "device"


def _class(t) -> str | None:
    if isinstance(t, AnyFloat):
        return "float"
    if isinstance(t, IntegerType):
        width = t.width.data
        return "bool" if width == 1 else "int" if width in (8, 16, 32, 64) else None
    return None


def refusal(op: gb.AtomicRmwOp) -> str | None:
    """Why `op` cannot be lowered (an element type without atomics), or None."""
    t = element_of(op.ptr.type).pointee
    if _class(t) is None:
        return f"'{op.name}' on {t} (expected a float, i1, i8, i16, i32 or i64)"
    return None


def lower(k: Kernel, op: gb.AtomicRmwOp) -> None:
    b = k.b
    t = element_of(op.ptr.type).pointee
    kind = KINDS[_class(t)][op.kind.data]

    def rmw(ptr, value) -> None:
        b.op(AtomicRMWOp(kind, ptr, cv.to_storage(b, value, t), ORDERING, SCOPE))

    if not isinstance(op.ptr.type, TensorType):  # once per program
        cond = b.icmp("eq", k.tid, b.const(i32, 0))
        if op.mask is not None:
            cond = b.op(llvm.AndOp(cond, k.env[op.mask]))
        with b.when(cond):
            rmw(k.env[op.ptr], k.env[op.value])
        return
    view = k.ident(op.ptr)
    _, addrs = k._addresses(op.ptr, view, cv.storage_type(t))
    values = k.at(op.value, view)
    mask = k._mask(op, view)

    with k.owners(view[0]):  # replicas combine nothing
        for i, (ptr, value) in enumerate(zip(addrs, values)):
            with b.when(mask[i]) if mask is not None else contextlib.nullcontext():
                rmw(ptr, value)
