"""The numpy reference interpreter of `tensor_graph`: the executable form of
`spec/tensor_graph.md`, the oracle every pass and target is tested against.

    from stepwell.reference import run
    y = run(mlir_text, "softmax", x)           # one result: an array; several: a tuple

- `run(source, entry, *arrays)`: `source` is MLIR text or a parsed `builtin.module`,
  `entry` a function name (None: the first func.func). Invalid IR raises
  `stepwell.ir.DiagnosticError`; wrong argument count or dtype raises TypeError, a
  wrong shape ValueError.
- `run_function(func_op, *arrays)`: the same for a func.func already in memory.
- `evaluate_op(op, *arrays)`: one op on its operand values.
- `numpy_dtype(element_type)` / `element_type_of(dtype)`: bf16 is `ml_dtypes.bfloat16`,
  i1 is `np.bool_`.

Choices where the spec is silent (also noted at each evaluator):
- integer `div` by zero gives 0; `INT_MIN / -1` wraps to `INT_MIN`; integer `pow` with
  base 0 and a negative exponent gives 0 (the spec's "0 unless the base is +-1").
- float -> int `cast` saturates at the type's range and maps NaN to 0; int -> int wraps.
- `clamp` and `pad` convert their f64 bounds / value to the element type first (as
  `cast` would: integers truncate and saturate, so an infinite bound is no bound).
- `iota` indices that do not fit the element type wrap (integers) or round (floats).
- `gather` with an index outside [-n, n) raises IndexOutOfRange (an EvaluationError and
  an IndexError), as compiled code does.
- `var` divides by max(N - correction, 0), as numpy and torch.
- `erf` (also inside `gelu`) is computed in f64 and rounded to the compute type.
- `layer_norm` uses the biased variance computed in two passes, mean((x - mean)^2).
- A function with no results returns ().
"""

from stepwell.dtypes import element_type_of, numpy_dtype
from stepwell.reference.evaluators import EVALUATORS, EvaluationError, IndexOutOfRange, evaluates
from stepwell.reference.interpreter import (
    check_arguments,
    evaluate_op,
    find_function,
    load_module,
    run,
    run_function,
)
from stepwell.reference import loops  # noqa: E402  (registers the loops ops with the driver)

__all__ = [
    "EVALUATORS",
    "EvaluationError",
    "IndexOutOfRange",
    "check_arguments",
    "element_type_of",
    "evaluate_op",
    "evaluates",
    "find_function",
    "loops",
    "load_module",
    "numpy_dtype",
    "run",
    "run_function",
]
