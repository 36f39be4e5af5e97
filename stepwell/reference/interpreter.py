"""The one interpreter driver, for every level: check the arguments against the
signature, evaluate the body op by op, return the results.

An op is evaluated by its implementation in `IMPLS` when it has one (`@impl`: the loops
ops register theirs in reference/loops, plugins may add their own), else by its
evaluator in `EVALUATORS` (evaluators.py: one numpy function per `tensor_graph` op, on
its operand values). `func.call` and `func.return` are the driver's own."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
from xdsl.dialects import func
from xdsl.dialects.builtin import ModuleOp, TensorType
from xdsl.ir import Operation, SSAValue
from xdsl.traits import SymbolTable

from stepwell.ir import DiagnosticError, parse_module, verify_module
from stepwell.dtypes import numpy_dtype, store
from stepwell.reference.evaluators import EVALUATORS, EvaluationError, operand_compute

MAX_CALL_DEPTH = 64


def load_module(source: str | ModuleOp, name: str = "<input>") -> ModuleOp:
    """Parse (when text) and verify a module; DiagnosticError if it is not valid."""
    if isinstance(source, str):
        from stepwell.registry import make_context

        module, locations = parse_module(make_context(), source, name)
    elif isinstance(source, ModuleOp):
        module, locations = source, {}
    else:
        raise TypeError(
            f"source must be MLIR text or a builtin.module, got {type(source).__name__}"
        )
    diagnostics = verify_module(module, locations, name)
    if diagnostics:
        raise DiagnosticError(diagnostics)
    return module


def find_function(module: ModuleOp, entry: str | None = None) -> func.FuncOp:
    """The func.func called `entry` (a leading '@' is allowed), or, for None, the first
    one with a body."""
    if entry is not None and not isinstance(entry, str):
        raise TypeError(f"entry must be a function name or None, got {type(entry).__name__}")
    functions = [op for op in module.walk() if isinstance(op, func.FuncOp)]
    if entry is None:
        for f in functions:
            if f.body.blocks:
                return f
        raise ValueError("the module has no func.func with a body")
    wanted = entry.removeprefix("@")
    for f in functions:
        if f.sym_name.data == wanted:
            if not f.body.blocks:
                raise ValueError(f"function @{wanted} is a declaration without a body")
            return f
    known = ", ".join("@" + f.sym_name.data for f in functions) or "none"
    raise ValueError(f"no function @{wanted} in the module (functions: {known})")


def run(source: str | ModuleOp, entry: str | None = None, *arrays):
    """Evaluate function `entry` of `source` (MLIR text or a parsed module) on numpy
    arrays, one per argument. Returns one array, or a tuple for several results."""
    return run_function(find_function(load_module(source), entry), *arrays)


def run_function(function: func.FuncOp, *arrays):
    """Evaluate a func.func already in memory (its ops must be valid: verify first).
    Returns one array, or a tuple for zero or several results."""
    args = check_arguments(function, arrays)
    with np.errstate(all="ignore"):
        results = _evaluate_function(function, args, depth=0)
    copies = tuple(np.array(r, copy=True) for r in results)
    return copies[0] if len(copies) == 1 else copies


def _signature_name(function: func.FuncOp) -> str:
    return "@" + function.sym_name.data


def check_arguments(function: func.FuncOp, arrays: Sequence) -> list[np.ndarray]:
    """The arguments as arrays, after checking count, dtypes and shapes."""
    inputs = function.function_type.inputs.data
    name = _signature_name(function)
    if len(arrays) != len(inputs):
        raise TypeError(f"{name} takes {len(inputs)} argument(s), got {len(arrays)}")
    block_args = function.body.block.args
    out = []
    for i, (array, expected) in enumerate(zip(arrays, inputs)):
        hint = block_args[i].name_hint if i < len(block_args) else None
        what = f"argument #{i}" + (f" (%{hint})" if hint else "") + f" of {name}"
        if not isinstance(expected, TensorType):
            raise TypeError(f"{what} has type {expected}: only ranked tensors are supported")
        dtype, shape = numpy_dtype(expected.element_type), tuple(expected.get_shape())
        value = np.asarray(array)
        if value.dtype != dtype:
            raise TypeError(
                f"{what}: expected dtype {dtype} ({expected}), got {value.dtype}"
            )
        if value.shape != shape:
            raise ValueError(
                f"{what}: expected shape {shape} ({expected}), got {value.shape}"
            )
        out.append(value)
    return out


OpImpl = Callable[[Operation, Mapping[SSAValue, np.ndarray]], Sequence[np.ndarray]]
IMPLS: dict[str, OpImpl] = {}
"""Op name -> `impl(op, env)`: the op's result values, given the values of every SSA
value defined before it (a loops op reads buffers it does not take as operands)."""


def impl(*op_types: type[Operation]):
    """Register the decorated function as the implementation of `op_types`."""

    def register(fn: OpImpl) -> OpImpl:
        for cls in op_types:
            IMPLS[cls.name] = fn
        return fn

    return register


def _evaluate_function(
    function: func.FuncOp, args: Sequence[np.ndarray], depth: int
) -> list[np.ndarray]:
    if depth > MAX_CALL_DEPTH:
        raise EvaluationError(f"calls nest deeper than {MAX_CALL_DEPTH} (recursion?)")
    env: dict[SSAValue, np.ndarray] = dict(zip(function.body.block.args, args))
    for op in function.body.block.ops:
        if isinstance(op, func.ReturnOp):
            return [env[v] for v in op.operands]
        env.update(zip(op.results, _evaluate(op, env, depth)))
    raise EvaluationError(f"{_signature_name(function)} ends without func.return")


def _evaluate(op: Operation, env: dict[SSAValue, np.ndarray], depth: int) -> Sequence[np.ndarray]:
    if op.name in IMPLS:
        return IMPLS[op.name](op, env)
    operands = [env[v] for v in op.operands]
    if isinstance(op, func.CallOp):
        callee = SymbolTable.lookup_symbol(op, op.callee)
        if not isinstance(callee, func.FuncOp) or not callee.body.blocks:
            raise EvaluationError(f"func.call: no function body for {op.callee}")
        return _evaluate_function(callee, operands, depth + 1)
    return [evaluate_op(op, *operands)]


def evaluate_op(op: Operation, *operands: np.ndarray) -> np.ndarray:
    """One op's result from its operand values (in their storage dtypes), rounded once
    to the result's storage type."""
    evaluator = EVALUATORS.get(op.name)
    if evaluator is None:
        raise EvaluationError(f"the reference interpreter has no semantics for '{op.name}'")
    result_type = op.results[0].type
    dtype, shape = numpy_dtype(result_type.element_type), tuple(result_type.get_shape())
    with np.errstate(all="ignore"):
        value = store(evaluator(op, *(operand_compute(np.asarray(v)) for v in operands)), dtype)
    if value.shape != shape:
        raise EvaluationError(
            f"internal error: '{op.name}' computed shape {value.shape}, its type says {shape}"
        )
    return value
