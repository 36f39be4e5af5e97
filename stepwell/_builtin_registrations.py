"""The dialects and passes that ship with stepwell, registered lazily by name."""

from xdsl.dialects.arith import Arith
from xdsl.dialects.builtin import Builtin
from xdsl.dialects.func import Func
from xdsl.dialects.math import Math

from stepwell.registry import register_dialect, register_pass

for dialect in (Builtin, Func, Arith, Math):
    register_dialect(dialect)


def _tensor_graph():
    from stepwell.dialects.tensor_graph import TensorGraph

    return TensorGraph


register_dialect(_tensor_graph, "tensor_graph")


def _loops():
    from stepwell.dialects.loops import Loops

    return Loops


register_dialect(_loops, "loops")


def _xdsl_pass(module: str, cls: str):
    def load():
        import importlib

        return getattr(importlib.import_module(module), cls)

    return load


register_pass(_xdsl_pass("xdsl.transforms.canonicalize", "CanonicalizePass"), "canonicalize")
register_pass(
    _xdsl_pass("xdsl.transforms.common_subexpression_elimination", "CommonSubexpressionElimination"),
    "cse",
)
register_pass(_xdsl_pass("xdsl.transforms.dead_code_elimination", "DeadCodeElimination"), "dce")
register_pass(
    _xdsl_pass("stepwell.transforms.tensor_graph_decompose", "TensorGraphDecompose"),
    "tensor_graph-decompose",
)
register_pass(
    _xdsl_pass("stepwell.lowering.tensor_graph_to_loops", "ConvertTensorGraphToLoops"),
    "convert-tensor_graph-to-loops",
)
register_pass(_xdsl_pass("stepwell.transforms.loops_simplify_index", "LoopsSimplifyIndex"), "loops-simplify-index")
register_pass(_xdsl_pass("stepwell.transforms.loops_fuse", "LoopsFuse"), "loops-fuse")
