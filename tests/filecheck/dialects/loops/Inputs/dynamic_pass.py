"""A test-only pass (--load-pass-plugin) that makes the first size of every
`loops.pointwise` result dynamic, as a buggy pass might."""

from dataclasses import dataclass

from xdsl.dialects.builtin import DYNAMIC_INDEX, TensorType
from xdsl.passes import ModulePass

from stepwell.dialects.loops import PointwiseOp
from stepwell.registry import register_pass


@dataclass(frozen=True)
class TestMakeDynamic(ModulePass):
    name = "test-make-dynamic"

    def apply(self, ctx, op):
        for pointwise in [o for o in op.walk() if isinstance(o, PointwiseOp)]:
            t = pointwise.result.type
            shape = [DYNAMIC_INDEX, *t.get_shape()[1:]]
            pointwise.result._type = TensorType(t.element_type, shape)


register_pass(TestMakeDynamic)
