"""`loops-expand-math`: the math approximations as `arith`/`math` primitives in loops bodies.

    stepwell-opt f.mlir -p 'loops-expand-math{ops=exp,log}'

Every `math.exp`, `math.log`, `math.tanh`, `math.erf`, `math.sin`, `math.cos`,
`math.powf` and `math.ipowi` in a `loops.pointwise` / `loops.reduce` body (inside a
kernel too) becomes the branch-free arithmetic of its approximation
(stepwell/transforms/expand_math/): range reduction, polynomial, special values, with
`math.fma`, `math.absf`, `math.copysign`, `math.floor`, `math.roundeven`, compares,
selects and integer bit tricks. So every backend computes the same numbers, and
`convert-loops-to-llvm` translates them mechanically.

`ops` names the ops to expand (default: all of them, what the CPU needs); a backend
with a native instruction for one leaves it out and keeps the op. The ops that a
fused attention kernel replaces (stepwell/dialects/loops/attention.py: `held`) keep
theirs: no target lowers their bodies (the kernel computes its own exp), and the
chain's recognizer reads the `math.exp` there.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass
from xdsl.utils.exceptions import PassFailedException

from stepwell.dialects.loops.attention import held_in
from stepwell.transforms.expand_math import EXPANDABLE, expand_math


@dataclass(frozen=True)
class LoopsExpandMath(ModulePass):
    name = "loops-expand-math"

    ops: tuple[str, ...] = EXPANDABLE
    """The math ops to expand, by name without `math.` (exp, log, tanh, erf, sin, cos,
    powf, ipowi)."""

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        unknown = [n for n in self.ops if n not in EXPANDABLE]
        if unknown:
            raise PassFailedException(
                f"loops-expand-math: no expansion for {', '.join(repr(n) for n in unknown)} in ops= "
                f"(expected some of {', '.join(EXPANDABLE)})"
            )
        expand_math(op, self.ops, held_in(op))
