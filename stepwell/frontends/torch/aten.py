"""Core ATen ops (after AOTAutograd's decompositions) as `tensor_graph`: one table.

`TRANSLATIONS` maps an ATen overload (`aten.add.Tensor`) to a small function
`translate(n, *args, **kwargs)`: `n` is the `Node` (the builder and what torch says the
result is), the arguments are the FX node's, with each tensor replaced by a builder
`Value`; it returns a `Value` or, for ops with several results, a tuple of them.
A translation raises `Unsupported` for a case the spec's ops cannot express
exactly (the node then runs in eager PyTorch); it never approximates.

The elementwise entries are derived from the project's table of op meanings
(`stepwell.semantics.ELEMENTWISE` and `PREDICATES`): an ATen op of the same name (or
the name in `ATEN_NAMES`) is that op. Torch promotes types implicitly, `tensor_graph`
does not: each translation casts its operands to the dtype torch computes in.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import torch
from torch._prims_common import ELEMENTWISE_TYPE_PROMOTION_KIND, elementwise_dtypes
from xdsl.dialects.builtin import TensorType
from xdsl.ir import Attribute

from stepwell.dialects.tensor_graph import ops
from stepwell.dialects.tensor_graph.builder import GraphBuilder, Value
from stepwell.dialects.tensor_graph.types import bf16, f16, f32, f64, i1, i8, i32, i64, is_float, tensor
from stepwell.semantics import ELEMENTWISE, PREDICATES

aten = torch.ops.aten


class Unsupported(Exception):
    """This node cannot be expressed in tensor_graph; the message says why."""


DTYPES: dict[torch.dtype, Attribute] = {
    torch.float16: f16,
    torch.bfloat16: bf16,
    torch.float32: f32,
    torch.float64: f64,
    torch.bool: i1,
    torch.int8: i8,
    torch.int32: i32,
    torch.int64: i64,
}
"""torch dtypes with a tensor_graph element type."""


def element_type(dtype: torch.dtype) -> Attribute:
    if dtype not in DTYPES:
        raise Unsupported(f"dtype {dtype}")
    return DTYPES[dtype]


def tensor_type(val: Any) -> TensorType:
    """The tensor type of a (fake) tensor with a static shape."""
    if not isinstance(val, torch.Tensor):
        raise Unsupported(f"a {type(val).__name__} value, not a tensor")
    if not all(isinstance(d, int) for d in val.shape):
        raise Unsupported(f"dynamic shape {list(val.shape)}")
    return tensor(list(val.shape), element_type(val.dtype))


class Node:
    """What a translation sees of its FX node: the builder, and torch's result(s)."""

    def __init__(self, b: GraphBuilder, val: Any, aten: str = ""):
        self.b, self.val, self.aten = b, val, aten

    @property
    def out(self) -> torch.Tensor:
        """torch's (first) result."""
        return self.val[0] if isinstance(self.val, (tuple, list)) else self.val

    @property
    def dtype(self) -> Attribute:
        return element_type(self.out.dtype)

    @property
    def shape(self) -> list[int]:
        return list(tensor_type(self.out).get_shape())

    def to(self, x: Value | float, et: Attribute) -> Value:
        """x as a tensor of element type et (a number becomes a rank-0 constant)."""
        if isinstance(x, Value):
            return x if x.element_type == et else x.cast(et)
        try:
            return self.b.scalar(x, et)
        except ValueError as e:
            raise Unsupported(str(e)) from None

    def op(self, op_type: type[ops.TensorGraphOp], *operands: Value, **props: Any) -> Value:
        return self.b.op(op_type, *operands, **props)

    def reshape(self, x: Value, shape: Sequence[int]) -> Value:
        return x if list(x.shape) == list(shape) else x.reshape(shape)


Translation = Callable[..., Any]
TRANSLATIONS: dict[Any, Translation] = {}


def translates(*overloads: Any) -> Callable[[Translation], Translation]:
    def register(fn: Translation) -> Translation:
        for overload in overloads:
            TRANSLATIONS[overload] = fn
        return fn

    return register


def _no_extras(kwargs: dict[str, Any], allowed: dict[str, Any]) -> None:
    """Refuse keyword arguments whose value differs from the default we implement."""
    for key, value in kwargs.items():
        if key not in allowed or value != allowed[key]:
            raise Unsupported(f"argument {key}={value!r}")


def _dim(d: int, rank: int) -> int:
    return d % rank if rank else 0


def _dims(dims: int | Sequence[int] | None, rank: int) -> list[int]:
    if dims is None:
        return []
    return [_dim(d, rank) for d in ([dims] if isinstance(dims, int) else dims)]


# --- elementwise, from the table of meanings ---------------------------------------------

ATEN_NAMES = {
    "max": "maximum",
    "min": "minimum",
    "and": "logical_and",
    "or": "logical_or",
    "xor": "logical_xor",
    "not": "logical_not",
    "select": "where",
}
"""tensor_graph elementwise op -> the ATen op of that meaning, where the names differ."""

COMPOSITE_UNARY = ("sigmoid", "relu", "silu")
"""Composite one-operand ops whose ATen op has the same name and no options."""

_OP_TYPES = {op.name: op for op in ops.ALL_OPS}
_OVERLOADS = ("default", "Tensor", "Scalar", "Tensor_Tensor", "Tensor_Scalar", "self")
_LOGICAL = ("and", "or", "xor", "not")


def _elementwise(name: str) -> Translation:
    op_type = _OP_TYPES[f"tensor_graph.{name}"]

    def translate(n: Node, *args: Any, alpha: Any = 1) -> Value:
        if name in _LOGICAL:
            et = i1  # torch: any nonzero is true, as tensor_graph's cast to i1
        elif name == "select":
            return n.op(op_type, n.to(args[0], i1), *(n.to(a, n.dtype) for a in args[1:]))
        else:
            et = n.dtype
        if name == "pow" and not is_float(et) and not (isinstance(args[1], int) and args[1] >= 0):
            raise Unsupported("integer pow with a possibly negative exponent (torch raises)")
        values = [n.to(a, et) for a in args]
        if alpha != 1:
            if name not in ("add", "sub"):
                raise Unsupported(f"alpha={alpha}")
            values[1] = values[1] * n.to(alpha, et)
        result = n.op(op_type, *values)
        return n.to(result, n.dtype)

    translate.__doc__ = f"`{name}` (elementwise; operands cast to torch's computation type)"
    return translate


def _compare(predicate: str) -> Translation:
    def translate(n: Node, a: Any, b: Any) -> Value:
        et = _compute_type(a, b)
        return n.op(ops.CmpOp, n.to(a, et), n.to(b, et), predicate=predicate)

    translate.__doc__ = f'`cmp` "{predicate}" (operands promoted as torch does)'
    return translate


def _compute_type(a: Any, b: Any) -> Attribute:
    """The dtype torch compares a and b in (its type promotion)."""
    metas = [_meta(x) for x in (a, b)]
    _, dtype = elementwise_dtypes(*metas, type_promotion_kind=ELEMENTWISE_TYPE_PROMOTION_KIND.DEFAULT)
    return element_type(dtype)


_TORCH_DTYPES = {v: k for k, v in DTYPES.items()}


def _meta(x: Any) -> Any:
    """A Value as an empty torch tensor of its type (for torch's promotion rules)."""
    if isinstance(x, Value):
        return torch.empty([0] * x.rank, dtype=_TORCH_DTYPES[x.element_type], device="meta")
    return x


def _register_elementwise() -> None:
    for full_name in ELEMENTWISE:
        name = full_name.removeprefix("tensor_graph.")
        _register(ATEN_NAMES.get(name, name), _elementwise(name))
    for name in COMPOSITE_UNARY:
        _register(name, _elementwise(name))
    for predicate in PREDICATES:
        _register(predicate, _compare(predicate))


def _register(aten_name: str, fn: Translation) -> None:
    packet = getattr(aten, aten_name, None)
    assert packet is not None, f"no ATen op {aten_name}"
    for overload in _OVERLOADS:
        if overload in packet.overloads() and _on_tensors(getattr(packet, overload)):
            TRANSLATIONS[getattr(packet, overload)] = fn


def _on_tensors(op: Any) -> bool:
    """An overload that returns a tensor (not one of the Python-scalar ones)."""
    return [str(r.type) for r in op._schema.returns] == ["Tensor"]


_register_elementwise()


@translates(aten.bitwise_not.default)
def _bitwise_not(n: Node, x: Value) -> Value:
    """`not` (bool); `-x - 1` (integers)"""
    if x.element_type == i1:
        return n.op(ops.NotOp, x)
    return -x - 1  # two's complement, wrapping as ~x does


def _bitwise(name: str) -> Translation:
    logical = _elementwise(name)

    def translate(n: Node, a: Any, b: Any) -> Value:
        if n.dtype != i1:
            raise Unsupported("bitwise ops on integers")
        return logical(n, a, b)

    translate.__doc__ = f"`{name}` (bool only)"
    return translate


for _name in ("and", "or", "xor"):
    TRANSLATIONS[getattr(aten, f"bitwise_{_name}").Tensor] = _bitwise(_name)


@translates(aten.gelu.default)
def _gelu(n: Node, x: Value, approximate: str = "none") -> Value:
    """`gelu` (approximate none / tanh)"""
    return n.op(ops.GeluOp, n.to(x, n.dtype), approximate=approximate)


@translates(aten.clamp.default, aten.hardtanh.default)
def _clamp(n: Node, x: Value, min: Any = None, max: Any = None) -> Value:
    """`clamp` (an absent bound is infinite)"""
    lo = -math.inf if min is None else float(min)
    hi = math.inf if max is None else float(max)
    if not is_float(n.dtype) and not all(math.isinf(v) or v == int(v) for v in (lo, hi)):
        raise Unsupported("integer clamp with fractional bounds")
    return n.op(ops.ClampOp, n.to(x, n.dtype), min=lo, max=hi)


# --- type and shape ---------------------------------------------------------------------


@translates(aten._to_copy.default)
def _to_copy(n: Node, x: Value, **kwargs: Any) -> Value:
    """`cast` (same device)"""
    _no_extras({k: v for k, v in kwargs.items() if k not in ("dtype", "layout", "device", "pin_memory")},
               {"non_blocking": False, "memory_format": torch.preserve_format})  # fmt: skip
    return n.to(x, n.dtype)


@translates(aten.clone.default, aten.alias.default, aten.lift_fresh_copy.default, aten.detach.default)
def _identity(n: Node, x: Value, **kwargs: Any) -> Value:
    """the operand itself"""
    _no_extras(kwargs, {"memory_format": torch.contiguous_format})
    return x


@translates(
    aten.view.default, aten._unsafe_view.default, aten.reshape.default,
    aten.squeeze.default, aten.squeeze.dim, aten.squeeze.dims, aten.unsqueeze.default,
)  # fmt: skip
def _reshape(n: Node, x: Value, *_: Any) -> Value:
    """`reshape`"""
    return n.reshape(x, n.shape)


@translates(aten.expand.default)
def _expand(n: Node, x: Value, size: Any, implicit: bool = False) -> Value:
    """`broadcast_to`"""
    return x if list(x.shape) == n.shape else n.op(ops.BroadcastToOp, x, result_type=tensor(n.shape, x.element_type))


@translates(aten.permute.default)
def _permute(n: Node, x: Value, dims: Sequence[int]) -> Value:
    """`transpose`"""
    return x.transpose([_dim(d, x.rank) for d in dims])


@translates(aten.t.default)
def _t(n: Node, x: Value) -> Value:
    """`transpose`"""
    return x if x.rank < 2 else x.transpose([1, 0])


@translates(aten.transpose.int)
def _transpose(n: Node, x: Value, a: int, b: int) -> Value:
    """`transpose`"""
    perm = list(range(x.rank))
    a, b = _dim(a, x.rank), _dim(b, x.rank)
    perm[a], perm[b] = perm[b], perm[a]
    return x.transpose(perm)


def _slice(n: Node, x: Value, dim: int, start: int, stop: int, step: int = 1) -> Value:
    starts, stops, steps = [0] * x.rank, list(x.shape), [1] * x.rank
    starts[dim], stops[dim], steps[dim] = start, stop, step
    return n.op(ops.SliceOp, x, start=starts, stop=stops, step=steps)


@translates(aten.slice.Tensor)
def _slice_tensor(n: Node, x: Value, dim: int = 0, start: int | None = None, end: int | None = None, step: int = 1) -> Value:
    """`slice` (bounds clamped as Python's)"""
    dim = _dim(dim, x.rank)
    size = x.shape[dim]
    lo, hi, _ = slice(start, end, step).indices(size)  # Python's clamping, as torch's
    if step < 1:
        raise Unsupported(f"slice step {step}")
    return _slice(n, x, dim, lo, max(lo, hi), step)


@translates(aten.select.int)
def _select(n: Node, x: Value, dim: int, index: int) -> Value:
    """`slice`, `reshape`"""
    dim = _dim(dim, x.rank)
    index = index % x.shape[dim] if -x.shape[dim] <= index < x.shape[dim] else None
    if index is None:
        raise Unsupported("select index out of range (torch raises)")
    return n.reshape(_slice(n, x, dim, index, index + 1), n.shape)


@translates(aten.split_with_sizes.default, aten.split.Tensor)
def _split(n: Node, x: Value, sizes: int | Sequence[int], dim: int = 0) -> tuple[Value, ...]:
    """one `slice` per part"""
    dim = _dim(dim, x.rank)
    if isinstance(sizes, int):
        total = x.shape[dim]
        sizes = [min(sizes, total - s) for s in range(0, total, sizes)] if total else [0]
    parts, start = [], 0
    for size in sizes:
        parts.append(_slice(n, x, dim, start, start + size))
        start += size
    return tuple(parts)


@translates(aten.cat.default)
def _cat(n: Node, tensors: Sequence[Value], dim: int = 0) -> Value:
    """`concat` (operands cast to the result type)"""
    values = [n.to(t, n.dtype) for t in tensors]
    if any(v.rank != len(n.shape) for v in values):
        raise Unsupported("cat of tensors of different ranks")
    return n.op(ops.ConcatOp, *values, axis=_dim(dim, len(n.shape)))


@translates(aten.constant_pad_nd.default)
def _pad(n: Node, x: Value, pad: Sequence[int], value: float = 0.0) -> Value:
    """`pad` (non-negative padding)"""
    low, high = [0] * x.rank, [0] * x.rank
    for i in range(len(pad) // 2):
        low[x.rank - 1 - i], high[x.rank - 1 - i] = pad[2 * i], pad[2 * i + 1]
    if min(low + high) < 0:
        raise Unsupported("negative padding")
    return n.op(ops.PadOp, x, low=low, high=high, value=float(value))


@translates(aten.embedding.default)
def _embedding(n: Node, weight: Value, indices: Value, padding_idx: int = -1, *flags: bool) -> Value:
    """`gather` on axis 0"""
    return n.op(ops.GatherOp, weight, indices, axis=0)


@translates(aten.index_select.default)
def _index_select(n: Node, x: Value, dim: int, index: Value) -> Value:
    """`gather`"""
    return n.op(ops.GatherOp, x, index, axis=_dim(dim, x.rank))


@translates(aten.scalar_tensor.default, aten.full.default, aten.full_like.default)
def _full(n: Node, *args: Any, **kwargs: Any) -> Value:
    """`constant`, `broadcast_to`"""
    value = args[-1]
    return n.b.op(ops.BroadcastToOp, n.to(value, n.dtype), result_type=tensor(n.shape, n.dtype))


@translates(aten.arange.default, aten.arange.start, aten.arange.start_step)
def _arange(n: Node, *args: Any, **kwargs: Any) -> Value:
    """`iota`, `mul`, `add` (integral start and step), `cast`"""
    start, step = (0, 1) if len(args) == 1 else (args[0], (*args, 1)[2])  # the end is in n.shape
    if not all(isinstance(v, int) for v in (start, step)):
        raise Unsupported("arange with fractional start or step")
    wide = f64 if is_float(n.dtype) else i64  # start + i * step, exact before the one rounding
    index = n.b.iota(n.shape, 0, wide)
    return n.to(index * step + start, n.dtype)


# --- reductions ---------------------------------------------------------------------------


def _reduction(kind: str) -> Translation:
    def translate(n: Node, x: Value, dims: Any = None, keepdim: bool = False, **kwargs: Any) -> Value:
        _no_extras(kwargs, {"dtype": n.out.dtype})
        if kind in ("max", "min") and not isinstance(dims, (list, tuple, type(None))):
            dims = [dims]
        x = n.to(x, n.dtype)
        return n.reshape(x.reduce(kind, _dims(dims, x.rank), keepdim), n.shape)

    translate.__doc__ = f'`reduce` "{kind}" (over torch\'s result type)'
    return translate


for _kind, _overloads in {
    "sum": (aten.sum.dim_IntList, aten.sum.default),
    "mean": (aten.mean.dim, aten.mean.default),
    "prod": (aten.prod.dim_int, aten.prod.default),
    "max": (aten.amax.default, aten.max.default),
    "min": (aten.amin.default, aten.min.default),
}.items():
    translates(*_overloads)(_reduction(_kind))


@translates(aten.any.default, aten.any.dim, aten.any.dims, aten.all.default, aten.all.dim, aten.all.dims)
def _any_all(n: Node, x: Value, dims: Any = None, keepdim: bool = False) -> Value:
    """`cast` to i1, `reduce` max (any) / min (all)"""
    kind = "max" if n.aten.startswith("aten.any") else "min"
    return n.reshape(n.to(x, i1).reduce(kind, _dims(dims, x.rank), keepdim), n.shape)


@translates(aten.argmax.default, aten.argmin.default)
def _arg(n: Node, x: Value, dim: int | None = None, keepdim: bool = False) -> Value:
    """`argmax` / `argmin` (no dim: over the flattened tensor)"""
    op_type = ops.ArgmaxOp if "argmax" in n.aten else ops.ArgminOp
    if dim is None:
        x, dim = x.reshape([math.prod(x.shape)]), 0
    return n.reshape(n.op(op_type, x, axis=_dim(dim, x.rank), keepdim=keepdim), n.shape)


@translates(aten.max.dim, aten.min.dim)
def _max_dim(n: Node, x: Value, dim: int, keepdim: bool = False) -> tuple[Value, Value]:
    """`reduce` max / min and `argmax` / `argmin`"""
    is_max = n.aten.startswith("aten.max")
    dim = _dim(dim, x.rank)
    values = x.reduce("max" if is_max else "min", [dim], keepdim)
    return values, n.op(ops.ArgmaxOp if is_max else ops.ArgminOp, x, axis=dim, keepdim=keepdim)


@translates(aten.var.correction)
def _var(n: Node, x: Value, dims: Any = None, correction: Any = None, keepdim: bool = False) -> Value:
    """`var` (integral correction)"""
    correction = 1 if correction is None else correction
    if correction != int(correction):
        raise Unsupported(f"fractional correction {correction}")
    return n.op(ops.VarOp, n.to(x, n.dtype), dims=_dims(dims, x.rank), correction=int(correction), keepdim=keepdim)


# --- contractions and composites ---------------------------------------------------------


@translates(aten.mm.default, aten.bmm.default, aten.matmul.default)
def _matmul(n: Node, a: Value, b: Value) -> Value:
    """`matmul` (rank >= 2)"""
    if a.rank < 2 or b.rank < 2:
        raise Unsupported("matmul of a vector")
    return n.to(a, n.dtype) @ n.to(b, n.dtype)


@translates(aten.addmm.default)
def _addmm(n: Node, bias: Value, a: Value, b: Value, beta: Any = 1, alpha: Any = 1) -> Value:
    """`matmul`, `mul`, `add` (beta = 0 ignores the bias)"""
    product = _matmul(n, a, b)
    product = product if alpha == 1 else product * alpha
    if beta == 0:  # torch ignores the bias then, NaN or not
        return product
    bias = n.to(bias, n.dtype)
    return product + (bias if beta == 1 else bias * beta)


@translates(aten._softmax.default, aten._log_softmax.default)
def _softmax(n: Node, x: Value, dim: int, half_to_float: bool) -> Value:
    """`softmax` / `log_softmax`"""
    op_type = ops.LogSoftmaxOp if "log" in n.aten else ops.SoftmaxOp
    return n.op(op_type, n.to(x, n.dtype), axis=_dim(dim, x.rank))


@translates(aten.native_layer_norm.default)
def _layer_norm(n: Node, x: Value, shape: Sequence[int], weight: Any, bias: Any, eps: float) -> tuple[Value, ...]:
    """`layer_norm`, and its mean and rstd by `reduce` / `var`"""
    axis = x.rank - len(shape)
    norm = tensor(list(shape), x.element_type)
    scale = weight if weight is not None else n.b.op(ops.BroadcastToOp, n.to(1, x.element_type), result_type=norm)
    shift = bias if bias is not None else n.b.op(ops.BroadcastToOp, n.to(0, x.element_type), result_type=norm)
    y = n.op(ops.LayerNormOp, x, n.to(scale, x.element_type), n.to(shift, x.element_type), axis=axis, epsilon=eps)
    dims = list(range(axis, x.rank))
    stats = [element_type(v.dtype) for v in n.val[1:]]
    mean = n.to(x, stats[0]).mean(dims, keepdim=True)
    variance = n.op(ops.VarOp, n.to(x, stats[1]), dims=dims, correction=0, keepdim=True)
    return y, mean, (variance + eps).rsqrt()


@translates(aten._native_batch_norm_legit_no_training.default)
def _batch_norm(n: Node, x: Value, weight: Any, bias: Any, mean: Value, var: Value, momentum: float, eps: float):
    """`sub`, `rsqrt`, `mul`, `add` per channel (inference)"""
    et = x.element_type
    shape = [1] * x.rank
    shape[1] = x.shape[1]

    def per_channel(v: Value) -> Value:
        return n.to(v, et).reshape(shape)

    y = (x - per_channel(mean)) * (per_channel(var) + eps).rsqrt()
    if weight is not None:
        y = y * per_channel(weight)
    if bias is not None:
        y = y + per_channel(bias)
    empty = n.b.op(ops.BroadcastToOp, n.to(0, et), result_type=tensor([0], et))
    return y, empty, empty


def translate(b: GraphBuilder, target: Any, val: Any, args: Sequence[Any], kwargs: dict[str, Any]) -> Any:
    """The Value(s) of one ATen call (`Unsupported` when there is no exact translation)."""
    fn = TRANSLATIONS.get(target)
    if fn is None:
        raise Unsupported(f"no translation of {target}")
    n = Node(b, val, str(target))
    try:
        return fn(n, *args, **kwargs)
    except TypeError as e:  # an argument form this translation does not take
        raise Unsupported(f"{target} with these arguments ({e})") from None

