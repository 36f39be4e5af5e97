"""`convert-loops-to-llvm`: loops-level functions -> `llvm.func` kernels for the CPU.

Each `loops.kernel` (or lone compute op) becomes
`llvm.func @F_kN(i64 begin, i64 end, ptr noalias ...)` running outer points
[begin, end) of its loop nest (planning.py, kernels.py); constants become
`llvm.mlir.global`s (those above `bind-constants-above` bytes, 64 KiB by default,
declarations that the loader binds to the bytes the artifact holds); each `func.func` leaves a plan in the module attribute
`stepwell.functions` saying which kernels to call on which buffers (program.py).
The result holds only `llvm` and `builtin` ops, so `mlir-translate --mlir-to-llvmir`
accepts it; `stepwell.targets.llvm` turns it into machine code.

Math ops with an approximation (exp, log, tanh, erf, sin, cos, powf, ipowi) are
`loops-expand-math`'s (stepwell/transforms/expand_math/): the `lower-to-cpu` pipeline
runs it just before this pass, and this pass runs the same expansions on any such op
still present, so it also lowers loops IR on its own. What it translates is then
primitives only (arith, math.fma / absf / copysign / floor / sqrt ...), one rule each.

Modules: builder (blocks, loops), index_expr (sympy -> i64), scalar (arith/math rules),
conversions (types, rounding), reductions (kinds), planning, kernels, program.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects import func, llvm
from xdsl.dialects.builtin import ArrayAttr, ModuleOp
from xdsl.passes import ModulePass
from xdsl.utils.exceptions import PassFailedException

from stepwell.dialects.loops.attention import held_in
from stepwell.ir import report
from stepwell.ir.checks import first_dynamic_size
from stepwell.lowering.loops_to_llvm.index_expr import UnsupportedIndex
from stepwell.lowering.loops_to_llvm.program import FunctionLowering, LoweringError
from stepwell.lowering.loops_to_llvm.scalar import UnsupportedOp
from stepwell.targets import BIND_CONSTANTS_ABOVE
from stepwell.transforms.expand_math import expand_math

PLAN_ATTR = "stepwell.functions"


@dataclass(frozen=True)
class ConvertLoopsToLlvm(ModulePass):
    """`bind-constants-above=N`: a constant of more than N bytes (not a splat) is a
    declaration the loader binds to its bytes (program.py `bound_global`), so they
    never pass through LLVM; -1: every constant is a global holding its elements."""

    name = "convert-loops-to-llvm"

    bind_constants_above: int = BIND_CONSTANTS_ABOVE

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        check_static_shapes(op)
        expand_math(op, keep=held_in(op))  # what loops-expand-math left (the CPU has no instruction for any)
        plans, lowered = [], []
        for fn in list(op.ops):
            if isinstance(fn, (llvm.FuncOp, llvm.GlobalOp)):
                continue
            if not isinstance(fn, func.FuncOp):
                raise PassFailedException(f"convert-loops-to-llvm: cannot lower top-level '{fn.name}'")
            if fn.is_declaration:
                fn.detach()
                continue
            try:
                function = FunctionLowering(fn, None if self.bind_constants_above < 0 else self.bind_constants_above)
                plans.append(function.lower())
            except (LoweringError, UnsupportedOp, UnsupportedIndex) as e:
                raise PassFailedException(str(e)) from None
            lowered += function.ops
            fn.detach()
        op.body.block.add_ops(lowered)
        previous = op.attributes.get(PLAN_ATTR)
        op.attributes[PLAN_ATTR] = ArrayAttr([*(previous.data if previous else ()), *plans])  # type: ignore[union-attr]


def check_static_shapes(module: ModuleOp) -> None:
    """Refuse a `?` size at the op that has it: the input may come from a pass that
    made it, and `stepwell.compile` does not verify between passes."""
    found = [(op, problem) for op in module.walk() if (problem := first_dynamic_size(op)) is not None]
    for op, problem in found:
        report.error(op, problem)
    if found:
        raise PassFailedException(
            f"{len(found)} op(s) with a dynamic size: stepwell supports static shapes only"
        )
