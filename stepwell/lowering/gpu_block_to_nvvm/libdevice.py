"""Transcendentals on the GPU as calls into libdevice (`__nv_expf`, `__nv_erf`, ...).

The PTX path keeps the math ops that libdevice computes fast and within the spec's
Numerics (exp, log, erf, sin, cos: at most 2 ulp over the whole range, in f32 and f64)
instead of expanding them (the `lower-to-ptx` pipeline runs `loops-expand-math` only on
the others, as the Triton path does). Each becomes `llvm.call @__nv_NAME[f]` on f32 or
f64, f16/bf16 widened to f32 and rounded once back; the callee is declared once per
module. The PTX emitter (stepwell/targets/ptx) links `libdevice.10.bc` into the module
and inlines it, so the PTX has no `call`.
"""

from __future__ import annotations

from collections.abc import Sequence

from xdsl.dialects import llvm
from xdsl.dialects.builtin import f32, f64
from xdsl.ir import Attribute, Operation, SSAValue

from stepwell.lowering.loops_to_llvm.builder import FuncBuilder
from stepwell.lowering.loops_to_llvm.scalar import in_compute_type

FUNCTIONS = {"math.exp": "exp", "math.log": "log", "math.erf": "erf", "math.sin": "sin", "math.cos": "cos"}
"""The math ops the PTX path computes through libdevice, and libdevice's names (f64;
f32 adds an `f`)."""

PREFIX = "__nv_"


def callee(name: str, t: Attribute) -> str:
    """libdevice's function for op `name` ("math.erf") on `t` (f32 or f64)."""
    return f"{PREFIX}{FUNCTIONS[name]}{'f' if t == f32 else ''}"


def call(b: FuncBuilder, op: Operation, args: Sequence[SSAValue], declared: dict[str, Attribute]) -> SSAValue:
    """`llvm.call @__nv_...` for `op` (in f32 for f16/bf16); records the callee and its
    type in `declared`."""

    def compute(b: FuncBuilder, t: Attribute, wide: Sequence[SSAValue]) -> SSAValue:
        assert t in (f32, f64)
        name = callee(op.name, t)
        declared[name] = t
        return b.op(llvm.CallOp(name, *wide, return_type=t))

    return in_compute_type(compute)(b, op, args)


def declarations(declared: dict[str, Attribute]) -> list[llvm.FuncOp]:
    """`llvm.func @__nv_expf(f32) -> f32` (and so on) for each callee in `declared`, in
    name order."""
    return [
        llvm.FuncOp(name, llvm.LLVMFunctionType([t], t), linkage=llvm.LinkageAttr("external"))
        for name, t in sorted(declared.items())
    ]
