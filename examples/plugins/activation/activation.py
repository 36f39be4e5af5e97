"""An example stepwell plugin: the `activation` dialect and the `activation-decompose`
pass, written as a user of stepwell would write them.

    stepwell-opt model.mlir --load-dialect-plugin examples/plugins/activation/activation.py \
        -p activation-decompose

Ops (tensor in, the same tensor type out, float elements):

    %y = activation.hardswish %x : tensor<8xf32>     x * clamp(x + 3, 0, 6) / 6
    %y = activation.mish %x : tensor<8xf32>          x * tanh(softplus(x))

`activation-decompose` rewrites them into tensor_graph ops; its option `ops` picks which
(`activation-decompose{ops=mish}`; default: both).

Importing this file registers the dialect and the pass: that is the whole plugin
convention (see examples/plugins/README.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from xdsl.context import Context
from xdsl.dialects.builtin import DenseIntOrFPElementsAttr, ModuleOp, TensorType
from xdsl.ir import Dialect, SSAValue
from xdsl.irdl import irdl_op_definition
from xdsl.passes import ModulePass
from xdsl.pattern_rewriter import (
    GreedyRewritePatternApplier,
    PatternRewriter,
    PatternRewriteWalker,
    RewritePattern,
    op_type_rewrite_pattern,
)

from stepwell.dialects.tensor_graph import ops as tg
from stepwell.registry import register_dialect, register_pass

# --- the dialect ---------------------------------------------------------------------
# Deriving from tensor_graph's UnaryOp gives each op one tensor operand, a result of the
# same type, the element-type check (ELEMENTS) and the custom form `NAME %x : T`.


@irdl_op_definition
class HardswishOp(tg.UnaryOp):
    name = "activation.hardswish"
    ELEMENTS: ClassVar[str] = "float"


@irdl_op_definition
class MishOp(tg.UnaryOp):
    name = "activation.mish"
    ELEMENTS: ClassVar[str] = "float"


Activation = Dialect("activation", [HardswishOp, MishOp], [])


# --- the decomposition --------------------------------------------------------------


class Builder:
    """Appends tensor_graph ops to a list; `ops` is what replaces the matched op."""

    def __init__(self, x: SSAValue):
        self.element_type = x.type.element_type  # type: ignore[attr-defined]
        self.ops: list[tg.TensorGraphOp] = []

    def __call__(self, op_type: type[tg.TensorGraphOp], *operands, **props) -> SSAValue:
        op = op_type.make(*operands, **props)
        self.ops.append(op)
        return op.results[0]

    def scalar(self, value: float) -> SSAValue:
        """A rank-0 constant of the element type; ops broadcast it."""
        scalar_type = TensorType(self.element_type, [])
        return self(tg.ConstantOp, value=DenseIntOrFPElementsAttr.from_list(scalar_type, [value]))


class DecomposeHardswish(RewritePattern):
    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: HardswishOp, rewriter: PatternRewriter):
        b, x = Builder(op.x), op.x
        # hardswish(x) = x * clamp(x + 3, 0, 6) / 6
        gate = b(tg.ClampOp, b(tg.AddOp, x, b.scalar(3.0)), min=0.0, max=6.0)
        b(tg.DivOp, b(tg.MulOp, x, gate), b.scalar(6.0))
        rewriter.replace(op, b.ops)


class DecomposeMish(RewritePattern):
    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: MishOp, rewriter: PatternRewriter):
        b, x = Builder(op.x), op.x
        # softplus(x) = log(1 + exp(x)), computed as max(x, 0) + log(1 + exp(-|x|))
        # so that exp never overflows.
        tail = b(tg.LogOp, b(tg.AddOp, b.scalar(1.0), b(tg.ExpOp, b(tg.NegOp, b(tg.AbsOp, x)))))
        softplus = b(tg.AddOp, b(tg.MaxOp, x, b.scalar(0.0)), tail)
        # mish(x) = x * tanh(softplus(x))
        b(tg.MulOp, x, b(tg.TanhOp, softplus))
        rewriter.replace(op, b.ops)


PATTERNS = {"hardswish": DecomposeHardswish, "mish": DecomposeMish}


@dataclass(frozen=True)
class ActivationDecompose(ModulePass):
    """Rewrite activation ops into tensor_graph ops."""

    name = "activation-decompose"

    ops: tuple[str, ...] = ("hardswish", "mish")
    """Which ops to rewrite."""

    def __post_init__(self):
        unknown = [o for o in self.ops if o not in PATTERNS]
        if unknown:
            raise ValueError(
                f"ops: unknown activation {', '.join(unknown)} (known: {', '.join(PATTERNS)})"
            )

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        patterns = [PATTERNS[name]() for name in self.ops]
        PatternRewriteWalker(GreedyRewritePatternApplier(patterns)).rewrite_module(op)


# --- registration: importing the plugin is what loads it ---------------------------

register_dialect(Activation)
register_pass(ActivationDecompose)
