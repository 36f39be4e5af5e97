"""What every `tensor_graph` op computes, one small numpy function per op.

An evaluator is called as `fn(op, *operands)`. The operands arrive in their compute
dtype (`f32` for `f16`/`bf16` tensors, the storage dtype otherwise: see `stepwell/dtypes.py`), and
the interpreter rounds whatever the evaluator returns to the result's storage type once.
So an evaluator is just the math: `f16` and `bf16` ops, reductions and matmuls compute
and accumulate in `f32`, `f32` in `f32`, `f64` in `f64`, integers in their own type
(numpy's integer arrays wrap on overflow, which is the two's complement arithmetic of
the element type).

Evaluators that need the result's element type (`cast`, `constant`, `iota`) return it
in the storage dtype themselves. Composites are evaluated directly, never through their
decomposition, so the decomposition can be tested against them.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from xdsl.ir import Operation

from stepwell.dialects.tensor_graph import ops
from stepwell.dialects.tensor_graph.constants import to_numpy
from stepwell.dialects.tensor_graph.ops import aval, bval, fval, ival, sval
from stepwell.dialects.tensor_graph.types import normalize_axis, normalize_dims
from stepwell.dtypes import compute_dtype, convert, numpy_dtype, scalar
from stepwell.semantics import ELEMENTWISE, PREDICATES, REDUCTIONS, erf_values, reduce_values

Evaluator = Callable[..., np.ndarray]
EVALUATORS: dict[str, Evaluator] = {}
"""Op name -> evaluator. Plugins may add entries for their own ops."""


class EvaluationError(ValueError):
    """The program is valid but this input has no defined result (e.g. a gather index
    out of range)."""


class IndexOutOfRange(EvaluationError, IndexError):
    """An index outside [-n, n) (`gather`): raised by the reference interpreters and by
    compiled code alike, with the message of `check_indices`."""


def check_indices(op_name: str, indices: np.ndarray, axis: int, size: int) -> None:
    """Raise IndexOutOfRange for the first (row-major) index outside [-size, size)."""
    bad = (indices < -size) | (indices >= size)
    if bad.any():
        raise index_out_of_range(op_name, int(indices[bad].flat[0]), axis, size)


def index_out_of_range(op_name: str, index: int, axis: int, size: int) -> IndexOutOfRange:
    return IndexOutOfRange(f"'{op_name}': index {index} is out of range for axis {axis} of size {size}")


def evaluates(*op_classes: type[Operation]):
    """Register the decorated function as the evaluator of `op_classes`."""

    def register(fn: Evaluator) -> Evaluator:
        for cls in op_classes:
            EVALUATORS[cls.name] = fn
        return fn

    return register


def storage_of(op: Operation) -> np.dtype:
    """The numpy dtype that stores the op's result."""
    return numpy_dtype(op.results[0].type.element_type)


def shape_of(op: Operation) -> tuple[int, ...]:
    return tuple(op.results[0].type.get_shape())


# --- elementwise ops: their meaning is the semantic table (stepwell/semantics.py) --------


def _elementwise(numpy_fn) -> Evaluator:
    def evaluate(op, *xs):
        return numpy_fn(*xs)

    return evaluate


for _name, _meaning in ELEMENTWISE.items():
    EVALUATORS[_name] = _elementwise(_meaning.numpy)
del _name, _meaning


@evaluates(ops.CmpOp)
def cmp(op, a, b):
    return PREDICATES[sval(op.properties, "predicate")].numpy(a, b)  # NaN: only "ne" is true


# --- composites, one operand --------------------------------------------------------


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


@evaluates(ops.SigmoidOp)
def sigmoid(op, x):
    return _sigmoid(x)


@evaluates(ops.ReluOp)
def relu(op, x):
    return np.maximum(x, 0)  # NaN stays NaN


@evaluates(ops.SiluOp)
def silu(op, x):
    return x * _sigmoid(x)


@evaluates(ops.GeluOp)
def gelu(op, x):
    if sval(op.properties, "approximate") == "tanh":
        inner = math.sqrt(2.0 / math.pi) * (x + 0.044715 * x * x * x)
        return 0.5 * x * (1.0 + np.tanh(inner))
    return 0.5 * x * (1.0 + erf_values(x * (1.0 / math.sqrt(2.0))).astype(x.dtype))


@evaluates(ops.ClampOp)
def clamp(op, x):
    # The bounds are first converted to the element type (integers: saturating at the
    # type's range, so an infinite bound is no bound); NaN in x stays NaN.
    storage = storage_of(op)
    lo = scalar(fval(op.properties, "min"), storage)
    hi = scalar(fval(op.properties, "max"), storage)
    return np.minimum(np.maximum(x, lo), hi)


# --- type and shape -------------------------------------------------------------------


@evaluates(ops.CastOp)
def cast(op, x):
    # float -> int truncates toward zero, saturating, NaN -> 0; int -> int wraps;
    # -> float rounds to nearest once; -> i1 is x != 0; i1 -> numbers is 0 / 1.
    return convert(x, storage_of(op))


@evaluates(ops.ConstantOp)
def constant(op):
    return to_numpy(op.properties["value"])  # dense<...> or dense_resource<...>


@evaluates(ops.IotaOp)
def iota(op):
    # Indices that do not fit the element type wrap (integers) or round (floats).
    shape = shape_of(op)
    dim = normalize_axis(ival(op.properties, "dim"), len(shape))
    index_shape = [1] * len(shape)
    index_shape[dim] = shape[dim]
    indices = np.arange(shape[dim], dtype=np.int64).reshape(index_shape)
    return convert(np.broadcast_to(indices, shape), storage_of(op))


@evaluates(ops.BroadcastToOp)
def broadcast_to(op, x):
    return np.broadcast_to(x, shape_of(op))


@evaluates(ops.ReshapeOp)
def reshape(op, x):
    return np.reshape(x, shape_of(op))


@evaluates(ops.TransposeOp)
def transpose(op, x):
    return np.transpose(x, aval(op.properties, "perm"))


@evaluates(ops.SliceOp)
def slice_(op, x):
    props = op.properties
    bounds = zip(aval(props, "start"), aval(props, "stop"), aval(props, "step"))
    return x[tuple(slice(lo, hi, step) for lo, hi, step in bounds)]


@evaluates(ops.ConcatOp)
def concat(op, *xs):
    return np.concatenate(xs, axis=ival(op.properties, "axis"))


@evaluates(ops.PadOp)
def pad(op, x):
    # The f64 value is converted to the element type as `cast` would (ints truncate).
    low = aval(op.properties, "low")
    value = scalar(fval(op.properties, "value"), storage_of(op))
    out = np.full(shape_of(op), value, dtype=x.dtype)
    out[tuple(slice(lo, lo + n) for lo, n in zip(low, x.shape))] = x
    return out


@evaluates(ops.GatherOp)
def gather(op, x, indices):
    axis = normalize_axis(ival(op.properties, "axis"), x.ndim)
    n = x.shape[axis]
    check_indices(op.name, indices, axis, n)
    return np.take(x, np.where(indices < 0, indices + n, indices), axis=axis)


# --- reductions -------------------------------------------------------------------------


def _mean(x, dims):
    """Mean over `dims`, keeping them; NaN over zero elements (np.mean would warn)."""
    count = math.prod(x.shape[d] for d in dims)
    return np.sum(x, axis=dims, keepdims=True) / x.dtype.type(count)


def _reduce_dims(op, x) -> tuple[int, ...]:
    return normalize_dims(aval(op.properties, "dims"), x.ndim)


@evaluates(ops.ReduceOp)
def reduce(op, x):
    kind = sval(op.properties, "kind")
    dims, keep = _reduce_dims(op, x), bval(op.properties, "keepdim")
    if kind in REDUCTIONS:
        return reduce_values(kind, x, dims, keep)  # empty: the identity
    assert kind == "mean"
    mean = _mean(x, dims)  # empty: NaN
    return mean if keep else np.squeeze(mean, axis=dims)


@evaluates(ops.ArgmaxOp)
def argmax(op, x):
    # First index on ties; the first NaN wins, as numpy.
    return np.argmax(x, axis=ival(op.properties, "axis"), keepdims=bval(op.properties, "keepdim"))


@evaluates(ops.ArgminOp)
def argmin(op, x):
    return np.argmin(x, axis=ival(op.properties, "axis"), keepdims=bval(op.properties, "keepdim"))


@evaluates(ops.VarOp)
def var(op, x):
    # Two passes; divisor max(N - correction, 0), as numpy and torch (0 gives inf/NaN).
    dims, keep = _reduce_dims(op, x), bval(op.properties, "keepdim")
    count = math.prod(x.shape[d] for d in dims)
    deviation = x - _mean(x, dims)
    squares = np.sum(deviation * deviation, axis=dims, keepdims=keep)
    divisor = max(count - ival(op.properties, "correction"), 0)
    return squares / x.dtype.type(divisor)


# --- contractions and composites ---------------------------------------------------------


@evaluates(ops.MatmulOp)
def matmul(op, a, b):
    return np.matmul(a, b)  # integers wrap in their type; f16/bf16 arrive as f32


@evaluates(ops.LinearOp)
def linear(op, x, w, b):
    return np.matmul(x, w.T) + b


def _softmax(x, axis):
    shifted = x - np.max(x, axis=axis, keepdims=True, initial=-np.inf)
    e = np.exp(shifted)
    return e / np.sum(e, axis=axis, keepdims=True)


def _log_softmax(x, axis):
    shifted = x - np.max(x, axis=axis, keepdims=True, initial=-np.inf)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


@evaluates(ops.SoftmaxOp)
def softmax(op, x):
    return _softmax(x, ival(op.properties, "axis"))


@evaluates(ops.LogSoftmaxOp)
def log_softmax(op, x):
    return _log_softmax(x, ival(op.properties, "axis"))


def _trailing_dims(op, x) -> tuple[int, ...]:
    return tuple(range(normalize_axis(ival(op.properties, "axis"), x.ndim), x.ndim))


@evaluates(ops.LayerNormOp)
def layer_norm(op, x, scale, bias):
    # Biased variance, computed in two passes: mean((x - mean)^2).
    dims, eps = _trailing_dims(op, x), fval(op.properties, "epsilon")
    mean = _mean(x, dims)
    deviation = x - mean
    variance = _mean(deviation * deviation, dims)
    return deviation / np.sqrt(variance + eps) * scale + bias


@evaluates(ops.RmsNormOp)
def rms_norm(op, x, scale):
    dims, eps = _trailing_dims(op, x), fval(op.properties, "epsilon")
    mean_square = _mean(x * x, dims)
    return x / np.sqrt(mean_square + eps) * scale


@evaluates(ops.AttentionOp)
def attention(op, q, k, v):
    scores = np.matmul(q, np.swapaxes(k, -1, -2)) * fval(op.properties, "scale")
    if bval(op.properties, "causal"):
        s, t = scores.shape[-2:]
        future = np.arange(t)[None, :] > np.arange(s)[:, None]  # (i, j) with j > i
        scores = np.where(future, -np.inf, scores).astype(scores.dtype)
    return np.matmul(_softmax(scores, -1), v)


def operand_compute(value: np.ndarray) -> np.ndarray:
    """An operand in the dtype evaluators compute in."""
    return value.astype(compute_dtype(value.dtype), copy=False)
