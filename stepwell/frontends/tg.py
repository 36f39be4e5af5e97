"""Every `tensor_graph` op as a Python function over builder `Value`s, for traced code
(`stepwell.jit`, `stepwell.trace`):

    from stepwell import tg
    y = tg.softmax(x, axis=-1)
    z = tg.layer_norm(x, scale, bias, axis=-1, epsilon=1e-5)
    e = tg.gather(table, ids, axis=0)

A function per op of the spec, named as the op (`and`, `or`, `xor`, `not` also as
`logical_and` ...), made from the op definitions: operands positionally, properties
as keywords, exactly as the spec names them. A Python number among the operands is a
rank-0 constant of the first tensor operand's element type. The ops whose result
type is not implied by their operands take it as an argument: `reshape(x, shape)`,
`broadcast_to(x, shape)`, `cast(x, dtype)`, `iota(like, shape, dim, dtype)`.
`where(cond, a, b)` is `select`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from xdsl.ir import Attribute

from stepwell.dialects.tensor_graph import ops
from stepwell.dialects.tensor_graph.builder import Value
from stepwell.dialects.tensor_graph.types import tensor
from stepwell.dtypes import element_type_of


def _first_value(operands: Sequence[Any], name: str) -> Value:
    for o in operands:
        if isinstance(o, Value):
            return o
    raise TypeError(f"tg.{name} needs at least one tensor operand (got {', '.join(type(o).__name__ for o in operands)})")


def _op_function(op_type: type[ops.TensorGraphOp]) -> Callable[..., Value]:
    name = op_type.name.removeprefix("tensor_graph.")

    def build(*operands: Any, **props: Any) -> Value:
        like = _first_value(operands, name)
        return like.b.op(op_type, *(like._coerce(o) for o in operands), **props)

    build.__name__ = build.__qualname__ = name
    build.__doc__ = op_type.__doc__
    return build


_SHORT = {"f16": "float16", "bf16": "bfloat16", "f32": "float32", "f64": "float64", "i1": "bool",
          "i8": "int8", "i32": "int32", "i64": "int64"}  # fmt: skip


def element_type(dtype: Any) -> Attribute:
    """An element type from a name (`"f32"`, `"float32"`), a numpy dtype or a torch dtype."""
    if isinstance(dtype, Attribute):
        return dtype
    if isinstance(dtype, str) or type(dtype).__module__ == "torch":
        name = str(dtype).removeprefix("torch.")
        dtype = _SHORT.get(name, name)
    if dtype == "bfloat16":
        import ml_dtypes

        dtype = ml_dtypes.bfloat16
    try:
        return element_type_of(dtype)
    except (TypeError, ValueError):
        raise TypeError(f"no tensor_graph element type for {dtype!r} (f16, bf16, f32, f64, i1, i8, i32, i64)") from None


def reshape(x: Value, shape: Sequence[int]) -> Value:
    return x.reshape(list(shape))


def broadcast_to(x: Value, shape: Sequence[int]) -> Value:
    return x.b.op(ops.BroadcastToOp, x, result_type=tensor(list(shape), x.element_type))


def cast(x: Value, dtype: Any) -> Value:
    return x.cast(element_type(dtype))


def iota(like: Value, shape: Sequence[int], dim: int, dtype: Any = "i64") -> Value:
    """Indices along `dim` (`like` is any traced Value: it says where to build)."""
    return like.b.iota(list(shape), dim, element_type(dtype))


def where(cond: Value, a: Value | float, b: Value | float) -> Value:
    return cond.b.select(cond, a, b)


_SPECIAL = {"reshape", "broadcast_to", "cast", "iota", "constant"}
_ALIASES = {"and": "logical_and", "or": "logical_or", "xor": "logical_xor", "not": "logical_not"}

OPS: dict[str, Callable[..., Value]] = {}
"""The op functions by name (what `tg.NAME` finds)."""
for _op_type in ops.ALL_OPS:
    _name = _op_type.name.removeprefix("tensor_graph.")
    if _name not in _SPECIAL:
        OPS[_name] = _op_function(_op_type)
        if _name in _ALIASES:
            OPS[_ALIASES[_name]] = OPS[_name]
OPS.update(reshape=reshape, broadcast_to=broadcast_to, cast=cast, iota=iota, where=where)
globals().update({k: v for k, v in OPS.items() if k.isidentifier() and k not in _ALIASES})


def __getattr__(name: str) -> Any:  # `and`, `or` ... are Python keywords: getattr(tg, "and")
    if name in OPS:
        return OPS[name]
    raise AttributeError(f"tg has no op {name!r} (ops: {', '.join(sorted(OPS))})")
