"""The numpy evaluator of the `loops` level: the oracle for lowerings into and out of
loops and for the passes on it (fusion, index simplification).

    from stepwell.reference import loops
    y = loops.run(lowered_text, "softmax", x)     # as stepwell.reference.run

- `run(source, entry, *arrays)`: `source` is MLIR text or a parsed `builtin.module`,
  `entry` a function name (None: the first func.func). Arguments are checked against
  the signature as `stepwell.reference.run` checks them.
- `run_function(func_op, *arrays)`: the same for a func.func already in memory.
- Per op: `evaluate_compute(op, buffers)`, `evaluate_kernel(op, buffers)`,
  `evaluate_body(block, symbols, buffers)` (compute.py); scalar ops are in
  `SCALAR_OPS` (scalar.py, extensible with `@scalar_op`); index expressions compile
  with `index_function(expr)` (index.py).

A function body may hold `loops.pointwise`, `loops.reduce`, `loops.kernel`,
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

from collections.abc import Sequence

import numpy as np
from xdsl.dialects import func
from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import Operation, SSAValue
from xdsl.traits import SymbolTable

from stepwell.dialects.loops import CheckIndexOp, ComputeOp, KernelOp
from stepwell.reference.evaluators import EVALUATORS, EvaluationError, check_indices
from stepwell.reference.interpreter import (
    MAX_CALL_DEPTH,
    check_arguments,
    evaluate_op,
    find_function,
    load_module,
)
from stepwell.reference.loops.compute import (
    evaluate_body,
    evaluate_compute,
    evaluate_kernel,
)
from stepwell.reference.loops.index import index_function, space_symbols
from stepwell.reference.loops.scalar import SCALAR_OPS, scalar_op


def run(source: str | ModuleOp, entry: str | None = None, *arrays):
    """Evaluate loops-level function `entry` of `source` on numpy arrays, one per
    argument. Returns one array, or a tuple for zero or several results."""
    return run_function(find_function(load_module(source), entry), *arrays)


def run_function(function: func.FuncOp, *arrays):
    args = check_arguments(function, arrays)
    with np.errstate(all="ignore"):
        results = _evaluate_function(function, args, 0)
    copies = tuple(np.array(r, copy=True) for r in results)
    return copies[0] if len(copies) == 1 else copies


def _evaluate_function(function: func.FuncOp, args: Sequence[np.ndarray], depth: int) -> list[np.ndarray]:
    if depth > MAX_CALL_DEPTH:
        raise EvaluationError(f"calls nest deeper than {MAX_CALL_DEPTH} (recursion?)")
    env: dict[SSAValue, np.ndarray] = dict(zip(function.body.block.args, args))
    for op in function.body.block.ops:
        if isinstance(op, func.ReturnOp):
            return [env[v] for v in op.operands]
        env.update(zip(op.results, _evaluate_op(op, env, depth)))
    raise EvaluationError(f"@{function.sym_name.data} ends without func.return")


def _evaluate_op(op: Operation, env: dict[SSAValue, np.ndarray], depth: int) -> list[np.ndarray]:
    if isinstance(op, ComputeOp):
        return [evaluate_compute(op, env)]
    if isinstance(op, KernelOp):
        return evaluate_kernel(op, env)
    if isinstance(op, CheckIndexOp):
        check_indices(op.op_name.data, env[op.indices], op.axis.value.data, op.size.value.data)
        return []
    operands = [env[v] for v in op.operands]
    if isinstance(op, func.CallOp):
        callee = SymbolTable.lookup_symbol(op, op.callee)
        if not isinstance(callee, func.FuncOp) or not callee.body.blocks:
            raise EvaluationError(f"func.call: no function body for {op.callee}")
        return _evaluate_function(callee, operands, depth + 1)
    if op.name in EVALUATORS:
        return [evaluate_op(op, *operands)]
    raise EvaluationError(f"the loops evaluator has no semantics for '{op.name}' at function level")


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
