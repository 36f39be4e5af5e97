"""The `tensor_graph` dialect: value-semantic tensor ops, the contract of stepwell."""

from xdsl.ir import Dialect

from stepwell.dialects.tensor_graph.ops import *  # noqa: F401,F403
from stepwell.dialects.tensor_graph.ops import ALL_OPS, COMPOSITES, TensorGraphOp

TensorGraph = Dialect("tensor_graph", ALL_OPS, [])

__all__ = ["TensorGraph", "TensorGraphOp", "ALL_OPS", "COMPOSITES"]
