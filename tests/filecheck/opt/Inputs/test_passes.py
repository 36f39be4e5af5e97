"""Test-only passes for stepwell-opt's own tests (loaded with --load-pass-plugin)."""

from dataclasses import dataclass

from xdsl.dialects.builtin import TensorType
from xdsl.passes import ModulePass

from stepwell.dialects.tensor_graph import ops as tg
from stepwell.dialects.tensor_graph.types import f32
from stepwell.ir import report
from stepwell.registry import register_pass, register_pipeline


@dataclass(frozen=True)
class TestRaise(ModulePass):
    """Fails with an exception, as a buggy pass would."""

    name = "test-raise"

    def apply(self, ctx, op):
        raise RuntimeError("boom")


@dataclass(frozen=True)
class TestInvalidIR(ModulePass):
    """Puts a tensor_graph.add with a wrong result type before every neg."""

    name = "test-invalid-ir"

    def apply(self, ctx, op):
        for neg in [o for o in op.walk() if isinstance(o, tg.NegOp)]:
            bad = tg.AddOp.create(operands=[neg.x, neg.x], result_types=[TensorType(f32, [7])])
            neg.parent_block().insert_op_before(bad, neg)


@dataclass(frozen=True)
class TestReport(ModulePass):
    """Reports a remark on every tensor_graph op, a warning on every neg, and
    (with `error=true`) an error on every neg."""

    name = "test-report"
    error: bool = False

    def apply(self, ctx, op):
        for o in op.walk():
            if o.name.startswith("tensor_graph."):
                report.remark(o, "seen")
            if isinstance(o, tg.NegOp):
                report.warning(o, "a neg")
                if self.error:
                    report.error(o, "negs are not allowed")


@dataclass(frozen=True)
class TestOptions(ModulePass):
    """Does nothing; has options of each kind."""

    name = "test-options"
    count: int = 1
    ratio: float = 0.5
    flag: bool = False
    label: str = "x"
    sizes: tuple[int, ...] = ()

    def apply(self, ctx, op):
        pass


for p in (TestRaise, TestInvalidIR, TestReport, TestOptions):
    register_pass(p)

register_pipeline("test-cleanup", "builtin.module(func.func(cse),canonicalize)")
register_pipeline("test-loop", "cse,test-loop")
