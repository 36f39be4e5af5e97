"""The values of `tensor_graph.constant`s as numpy arrays, and back.

A constant's `value` is either `dense<...>` (the elements in the IR) or
`dense_resource<NAME>` (the elements in a blob of stepwell's resource store,
stepwell/ir/resources.py: how big constants, such as a model's weights, stay out of the
text). Everything that reads a constant's elements -- the reference interpreter,
constant folding, the lowerings, the GPU launchers, the frontends -- reads them through
`to_numpy`, which gives the same array for either form.
"""

from __future__ import annotations

import math

import numpy as np
from xdsl.dialects.builtin import (
    BytesAttr,
    DenseIntOrFPElementsAttr,
    DenseResourceAttr,
    TensorType,
)

from stepwell.dialects.tensor_graph.types import i1, shape_of
from stepwell.dtypes import numpy_dtype
from stepwell.ir import resources
from stepwell.ir.parse import MAX_DENSE_ELEMENTS

ConstantAttr = DenseIntOrFPElementsAttr | DenseResourceAttr


def raw_bytes(attr: ConstantAttr) -> bytes:
    """The stored bytes of a constant: a dense attribute's (a splat: one element), or
    its blob's."""
    if isinstance(attr, DenseResourceAttr):
        blob = resources.lookup(attr)
        if blob is None:
            raise KeyError(f"dense_resource<{attr.resource_handle.data}> has no blob")
        return blob.data
    return attr.data.data


def element_bytes(attr: ConstantAttr) -> bytes:
    """Every element of a constant in its storage (`storage_bytes`: i1 one byte, 0 or
    1): a blob's bytes as they are, a dense attribute's expanded (a splat) or converted."""
    if isinstance(attr, DenseResourceAttr):
        return raw_bytes(attr)
    return storage_bytes(to_numpy(attr), attr.type)


def is_splat_attr(attr: ConstantAttr) -> bool:
    """Whether every element of a constant has the same bits, or it has none (`is_splat`
    of its array, read from the stored bytes without a copy)."""
    raw, count = raw_bytes(attr), math.prod(shape_of(attr.type))
    size = numpy_dtype(attr.type.element_type).itemsize
    if count == 0 or len(raw) == size:
        return True
    bits = np.frombuffer(raw, f"u{size}")
    return bool((bits == bits[0]).all())


def to_numpy(attr: ConstantAttr) -> np.ndarray:
    """The elements of a constant, as a fresh array of its shape and dtype."""
    elt, shape = attr.type.element_type, shape_of(attr.type)
    raw = raw_bytes(attr)
    flat = np.frombuffer(raw, np.int8) != 0 if elt == i1 else np.frombuffer(raw, numpy_dtype(elt))
    if flat.size == 1 and math.prod(shape) != 1:
        return np.full(shape, flat[0], flat.dtype)
    return flat.reshape(shape).copy()


def is_splat(array: np.ndarray) -> bool:
    """Whether every element of a non-empty array has the same bits (by `==`,
    [0.0, -0.0] would be one, and a NaN none)."""
    bits = np.ascontiguousarray(array).reshape(-1)
    bits = bits.view(f"u{bits.dtype.itemsize}")
    return bool((bits == bits[0]).all())


def storage_bytes(array: np.ndarray, type_: TensorType, true: int = 1) -> bytes:
    """`array` as the bytes of `type_`'s elements (i1: one byte, `true` or 0)."""
    array = np.ascontiguousarray(np.asarray(array).reshape(shape_of(type_)))
    if type_.element_type == i1:
        return np.where(array, true, 0).astype(np.int8).tobytes()
    return array.astype(numpy_dtype(type_.element_type), copy=False).tobytes()


def to_dense(array: np.ndarray, type_: TensorType) -> DenseIntOrFPElementsAttr:
    """`array` (already of the element type's dtype) as a dense attribute of `type_`."""
    # xDSL stores i1 `true` as the byte 0xFF
    return DenseIntOrFPElementsAttr(type_, BytesAttr(storage_bytes(array, type_, true=-1)))


def to_resource(array: np.ndarray, type_: TensorType, name: str) -> DenseResourceAttr:
    """`array` as a `dense_resource` of `type_`, in a blob named `name` (or `name_N`
    when the store holds other bytes under `name`), aligned to its element size."""
    alignment = numpy_dtype(type_.element_type).itemsize
    return resources.resource(name, storage_bytes(array, type_), alignment, type_)


def to_attr(array: np.ndarray, type_: TensorType, name: str, inline_limit: int) -> ConstantAttr:
    """A dense attribute when `array` is at most `inline_limit` bytes, or a splat
    (every element the same bits: it prints as one) that the parser takes back; else a
    resource named `name`."""
    raw, count = storage_bytes(array, type_), math.prod(shape_of(type_))
    one = raw[: len(raw) // count] if count else raw
    if len(raw) <= inline_limit or (count <= MAX_DENSE_ELEMENTS and raw == one * count):
        return to_dense(array, type_)
    return to_resource(array, type_, name)
