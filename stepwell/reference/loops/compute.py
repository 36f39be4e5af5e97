"""Compute ops evaluated with numpy, vectorized over their whole index space.

The index space of a compute op has one numpy axis per output dimension (d0, d1, ...)
followed by one per reduced dimension (r0, r1, ...). Each symbol is an int64 grid along
its own axis (`index.space_symbols`), so every value in the body is an array that
broadcasts against that space: `load %b[d1]` of a 4x8 op is a 1x8 array, a constant a
0-d one. The yielded value is broadcast to the full space and, for a reduction,
combined along the r axes.

    evaluate_compute(op, buffers)   one pointwise/reduce op -> its result array
    evaluate_kernel(op, buffers)    a loops.kernel -> its yielded arrays
    evaluate_body(block, symbols, buffers)   a scalar body -> the yielded array

`buffers` maps the SSA values a body loads from (function arguments, results of
earlier ops) to their arrays. A load outside its buffer raises EvaluationError: the
loops level has no out-of-bounds reads, even on the side of a select that is dropped.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
from xdsl.ir import Block, SSAValue

from stepwell.dialects.loops import ComputeOp, IndexOp, KernelOp, LoadOp, ReduceOp, YieldOp
from stepwell.dialects.loops.index import format_index
from stepwell.dtypes import numpy_dtype
from stepwell.reference.evaluators import EvaluationError
from stepwell.reference.loops.index import (
    IndexExpressionError,
    Symbols,
    index_function,
    space_symbols,
)
from stepwell.reference.loops.scalar import SCALAR_OPS
from stepwell.semantics import REDUCTIONS, reduce_values

Buffers = Mapping[SSAValue, np.ndarray]


def evaluate_compute(op: ComputeOp, buffers: Buffers) -> np.ndarray:
    """The result buffer of one `loops.pointwise` or `loops.reduce`."""
    shape, over = op.shape, op.reduce_shape
    if math.prod(shape + over) == 0:  # no point runs the body (its loads are never made)
        value = np.zeros(shape + over, numpy_dtype(op.yield_type()))
    else:
        value = evaluate_body(op.body.block, space_symbols(shape, over), buffers)
    value = np.broadcast_to(value, shape + over)
    if isinstance(op, ReduceOp):
        value = combine(op.kind.data, value, len(over), op)
    dtype = numpy_dtype(op.result.type.element_type)  # type: ignore[attr-defined]
    if value.dtype != dtype:
        raise EvaluationError(f"'{op.name}' computed {value.dtype}, its result holds {dtype}")
    return np.array(value, copy=True)


def evaluate_kernel(op: KernelOp, buffers: Buffers) -> list[np.ndarray]:
    """The yielded buffers of a `loops.kernel`: its compute ops run in order."""
    env = dict(buffers)
    for inner in op.body.block.ops:
        if isinstance(inner, YieldOp):
            return [env[v] for v in inner.values]
        assert isinstance(inner, ComputeOp), inner.name
        env[inner.result] = evaluate_compute(inner, env)
    raise EvaluationError("'loops.kernel' has no loops.yield")


def evaluate_body(block: Block, symbols: Symbols, buffers: Buffers) -> np.ndarray:
    """The value a scalar body yields, as an array that broadcasts over the space."""
    env: dict[SSAValue, np.ndarray] = {}
    for op in block.ops:
        if isinstance(op, YieldOp):
            return np.asarray(_scalar(env, op.values[0], op))
        if isinstance(op, LoadOp):
            value = load(op, symbols, buffers, [_scalar(env, s, op) for s in op.syms])
        elif isinstance(op, IndexOp):
            value = np.asarray(_index(op.index_expr, symbols, op.name), dtype=np.int64)
        else:
            evaluator = SCALAR_OPS.get(op.name)
            if evaluator is None:
                raise EvaluationError(f"the loops evaluator has no semantics for '{op.name}'")
            value = evaluator(op, *(_scalar(env, v, op) for v in op.operands))
        env[op.results[0]] = np.asarray(value)
    raise EvaluationError("a loops body has no loops.yield")


def _scalar(env: dict[SSAValue, np.ndarray], value: SSAValue, user) -> np.ndarray:
    if value not in env:
        raise EvaluationError(
            f"'{user.name}' uses {_name(value)}, a value defined outside its body: a body "
            "may only use its own scalars (buffers are read with loops.load)"
        )
    return env[value]


def load(op: LoadOp, symbols: Symbols, buffers: Buffers, syms: list[np.ndarray]) -> np.ndarray:
    """`loops.load`: the buffer at the op's index expressions, checked to be in bounds."""
    if op.buffer not in buffers:
        raise EvaluationError(f"'loops.load' reads {_name(op.buffer)}, which has no value here")
    buffer = buffers[op.buffer]
    if syms:
        symbols = {**symbols, **{f"s{k}": np.asarray(s).astype(np.int64) for k, s in enumerate(syms)}}
    index = []
    for dim, (expr, size) in enumerate(zip(op.index_exprs, buffer.shape)):
        i = np.asarray(_index(expr, symbols, op.name))
        outside = (i < 0) | (i >= size)
        if outside.any():
            raise EvaluationError(
                f"'loops.load' of {_name(op.buffer)} reads index {int(i[outside].flat[0])} in "
                f"dimension {dim} of size {size} (index expression '{format_index(expr)}')"
            )
        index.append(i)
    return buffer[tuple(index)]


def _index(expr, symbols: Symbols, where: str):
    try:
        return index_function(expr)(symbols)
    except IndexExpressionError as e:
        raise EvaluationError(f"'{where}': {e}") from None


def _name(value: SSAValue) -> str:
    return f"%{value.name_hint}" if value.name_hint else "a buffer"


# --- reductions -----------------------------------------------------------------------------


def combine(kind: str, value: np.ndarray, count: int, op: ReduceOp) -> np.ndarray:
    """Combine the last `count` axes of `value` with `kind`, as the semantic table says
    (stepwell/semantics.py: over zero elements, the identity; on i1, sum is xor);
    argmax/argmin give the first row-major position of the best value (NaN wins, as
    numpy)."""
    axes = tuple(range(value.ndim - count, value.ndim))
    if kind in ("argmax", "argmin"):
        outer = value.shape[: value.ndim - count]
        flat = value.reshape(outer + (math.prod(value.shape[value.ndim - count :]),))
        if flat.shape[-1] == 0:
            if math.prod(outer) == 0:
                return np.zeros(outer, np.int64)  # no point to answer for
            raise EvaluationError(f"'{op.name}' {kind} over zero elements has no answer")
        return (np.argmax if kind == "argmax" else np.argmin)(flat, axis=-1).astype(np.int64)
    if kind in REDUCTIONS:
        return reduce_values(kind, value, axes)
    raise EvaluationError(f"'{op.name}' has an unknown kind '{kind}'")
