"""The numpy evaluator of the `loops` level: the oracle for lowerings into and out of
loops and for the passes on it (fusion, index simplification).

    from stepwell.reference import loops
    y = loops.run(lowered_text, "softmax", x)     # as stepwell.reference.run

- `run(source, entry, *arrays)`, `run_function(func_op, *arrays)`: the one driver of
  `stepwell.reference` (reference/interpreter.py), in which the loops ops register
  their implementations (`impl`); so a program may mix the levels.
- Per op: `evaluate_compute(op, buffers)`, `evaluate_kernel(op, buffers)`,
  `evaluate_body(block, symbols, buffers)` (compute.py); scalar ops are in
  `SCALAR_OPS` (scalar.py, extensible with `@scalar_op`); index expressions compile
  with `index_function(expr)` (index.py).

A function body may hold `loops.pointwise`, `loops.reduce`, `loops.contract` (a sum), `loops.kernel`,
`loops.check_index` (raises IndexOutOfRange as the reference's `gather`), `func.return`, `func.call`, and any op the reference interpreter knows (so
`tensor_graph.constant`, the way constant buffers enter the loops level, and the
tensor_graph ops of a partly lowered program). Bodies follow the loops conventions:
f16/bf16 loads are extended to f32 and truncated once before the yield; every
conversion rounds once, as the reference interpreter does. So a faithful lowering gives
the reference's bits except where the order of float sums differs (reductions, matmul)
and where an f16/bf16 value is computed in f32 and rounded again (the reference rounds
some composites and erf once).
"""

from __future__ import annotations

from stepwell.dialects.loops import CheckIndexOp, ContractOp, KernelOp, PointwiseOp, ReduceOp
from stepwell.reference.evaluators import check_indices
from stepwell.reference.interpreter import impl, run, run_function
from stepwell.reference.loops.compute import (
    evaluate_body,
    evaluate_compute,
    evaluate_kernel,
)
from stepwell.reference.loops.index import index_function, space_symbols
from stepwell.reference.loops.scalar import SCALAR_OPS, scalar_op

# The loops ops, for the one driver (reference/interpreter.py).
impl(PointwiseOp, ReduceOp, ContractOp)(lambda op, env: [evaluate_compute(op, env)])
impl(KernelOp)(evaluate_kernel)


@impl(CheckIndexOp)
def _check_index(op: CheckIndexOp, env) -> list:
    check_indices(op.op_name.data, env[op.indices], op.axis.value.data, op.size.value.data)
    return []


__all__ = [
    "SCALAR_OPS",
    "evaluate_body",
    "evaluate_compute",
    "evaluate_kernel",
    "index_function",
    "run",
    "run_function",
    "scalar_op",
    "space_symbols",
]
