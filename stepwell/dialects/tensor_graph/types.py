"""Element types and shape rules of `tensor_graph`, shared by the verifiers, the
builders, the decompositions and the reference interpreter."""

from __future__ import annotations

from collections.abc import Sequence

from xdsl.dialects.builtin import (
    BFloat16Type,
    Float16Type,
    Float32Type,
    Float64Type,
    IntegerType,
    TensorType,
)
from xdsl.ir import Attribute
from xdsl.utils.exceptions import VerifyException

f16, bf16, f32, f64 = Float16Type(), BFloat16Type(), Float32Type(), Float64Type()
i1, i8, i32, i64 = IntegerType(1), IntegerType(8), IntegerType(32), IntegerType(64)

FLOATS: tuple[Attribute, ...] = (f16, bf16, f32, f64)
INTS: tuple[Attribute, ...] = (i8, i32, i64)
ELEMENT_TYPES: tuple[Attribute, ...] = FLOATS + (i1,) + INTS

# Names of element-type classes, as used in verifier messages.
CLASSES: dict[str, tuple[Attribute, ...]] = {
    "any": ELEMENT_TYPES,
    "float": FLOATS,
    "numeric": FLOATS + INTS,  # everything but i1
    "float or integer": FLOATS + INTS,
    "i1": (i1,),
    "integer index": (i32, i64),
}


def is_float(t: Attribute) -> bool:
    return t in FLOATS


def is_int(t: Attribute) -> bool:
    return t in INTS


def tensor(shape: Sequence[int], element_type: Attribute) -> TensorType:
    return TensorType(element_type, list(shape))


def shape_of(t: Attribute) -> tuple[int, ...]:
    assert isinstance(t, TensorType)
    return tuple(t.get_shape())


def broadcast_shapes(*shapes: Sequence[int]) -> tuple[int, ...] | None:
    """numpy broadcasting; None when the shapes do not broadcast."""
    rank = max((len(s) for s in shapes), default=0)
    out: list[int] = []
    for i in range(rank):
        dims = {s[len(s) - rank + i] for s in shapes if len(s) - rank + i >= 0}
        dims.discard(1)
        if len(dims) > 1:
            return None
        out.append(dims.pop() if dims else 1)
    return tuple(out)


def broadcasts_to(src: Sequence[int], dst: Sequence[int]) -> bool:
    return len(src) <= len(dst) and broadcast_shapes(src, dst) == tuple(dst)


def normalize_axis(axis: int, rank: int, what: str = "axis") -> int:
    """A numpy-style axis (negative counts from the end) as an index in [0, rank)."""
    if not -rank <= axis < rank:
        raise VerifyException(f"{what} {axis} is out of range for rank {rank}")
    return axis % rank


def normalize_dims(dims: Sequence[int], rank: int) -> tuple[int, ...]:
    """Reduction dims: each in range, no repeats, sorted; empty means all."""
    if not dims:
        return tuple(range(rank))
    out = [normalize_axis(d, rank, "dimension") for d in dims]
    if len(set(out)) != len(out):
        raise VerifyException(f"dims {list(dims)} repeat a dimension")
    return tuple(sorted(out))


def reduced_shape(
    shape: Sequence[int], dims: Sequence[int], keepdim: bool
) -> tuple[int, ...]:
    if keepdim:
        return tuple(1 if i in dims else s for i, s in enumerate(shape))
    return tuple(s for i, s in enumerate(shape) if i not in dims)
