"""Shape ops. The views (`broadcast_to`, `reshape`, `transpose`, `slice`) return a
`View` and emit nothing: their consumers read the source through composed index
expressions. `concat` and `pad` become select chains over loads whose indices are
clamped (min/max) so that no load is out of bounds, even on the side a select drops.
`gather` is preceded by a `loops.check_index` of its indices (unless they are a
constant in range): an index outside [-n, n) fails the call with an error naming the
op. The gather itself loads the index, wraps a negative one (+ size), clamps it (so
no load is out of bounds, whatever runs first), and loads the source at it through a
`syms(...)` operand.
"""

from __future__ import annotations

import math

import numpy as np
import sympy
from xdsl.dialects import arith
from xdsl.ir import SSAValue
from xdsl.rewriter import Rewriter

from stepwell.dialects.loops import CheckIndexOp
from stepwell.dialects.loops.index import dims, sym
from stepwell.dialects.tensor_graph import ops as tg
from stepwell.dialects.tensor_graph.constants import to_numpy
from stepwell.dialects.tensor_graph.ops import aval, fval, ival
from stepwell.dialects.tensor_graph.types import i64, is_float, normalize_axis, shape_of
from stepwell.lowering.tensor_graph_to_loops.body import Body, Lowering, compute_type, element_type
from stepwell.lowering.tensor_graph_to_loops.views import (
    View,
    broadcast_index,
    reshape_index,
    slice_index,
    transpose_index,
)
from stepwell.dtypes import convert, numpy_dtype

# --- views ------------------------------------------------------------------------------


def lower_broadcast_to(op: tg.BroadcastToOp, lw: Lowering) -> View:
    return lw.make_view(op.x, broadcast_index(shape_of(op.x.type), shape_of(op.result.type)))


def lower_reshape(op: tg.ReshapeOp, lw: Lowering) -> View:
    return lw.make_view(op.x, reshape_index(shape_of(op.x.type), shape_of(op.result.type)))


def lower_transpose(op: tg.TransposeOp, lw: Lowering) -> View:
    return lw.make_view(op.x, transpose_index(aval(op.properties, "perm")))


def lower_slice(op: tg.SliceOp, lw: Lowering) -> View:
    props = op.properties
    return lw.make_view(op.x, slice_index(aval(props, "start"), aval(props, "step")))


# --- concat and pad -----------------------------------------------------------------------


def _clamp(e: sympy.Expr, size: int, low: bool, high: bool) -> sympy.Expr:
    """e limited to [0, size - 1] on the sides that need it."""
    if low:
        e = sympy.Max(e, 0)
    if high:
        e = sympy.Min(e, size - 1)
    return e


def lower_concat(op: tg.ConcatOp, lw: Lowering) -> SSAValue:
    shape = shape_of(op.result.type)
    axis = normalize_axis(ival(op.properties, "axis"), len(shape))
    parts, offset = [], 0
    for x in op.inputs:
        n = shape_of(x.type)[axis]
        if n:
            parts.append((x, offset, n))
        offset += n
    if not parts:  # no element at all
        parts = [(op.inputs[0], 0, 0)]
    d = dims(len(shape))

    def build(b: Body) -> SSAValue:
        def read(k: int) -> SSAValue:
            x, start, n = parts[k]
            index = list(d)
            index[axis] = _clamp(d[axis] - start, n, k > 0, k < len(parts) - 1)
            return b.load(x, index)

        value = read(len(parts) - 1)
        position = b.index(d[axis]) if len(parts) > 1 else None
        for k in reversed(range(len(parts) - 1)):
            before = b.add(arith.CmpiOp(position, b.constant(parts[k + 1][1], i64), "slt"))
            value = b.add(arith.SelectOp(before, read(k), value))
        return value

    return lw.pointwise(shape, element_type(op.result), build)


def _constant_in_range(indices: SSAValue, n: int) -> bool:
    """Whether `indices` is a constant whose every element lies in [-n, n)."""
    if not isinstance(indices.owner, tg.ConstantOp):
        return False
    values = to_numpy(indices.owner.value).astype(np.int64)
    return bool(((values >= -n) & (values < n)).all())


def lower_pad(op: tg.PadOp, lw: Lowering) -> SSAValue:
    src, shape = shape_of(op.x.type), shape_of(op.result.type)
    low, high = aval(op.properties, "low"), aval(op.properties, "high")
    elt = element_type(op.result)
    # The f64 value as `cast` converts it to the element type (as the reference).
    stored = convert(np.asarray(fval(op.properties, "value")), numpy_dtype(elt))
    value = float(stored) if is_float(elt) else int(stored)

    def build(b: Body) -> SSAValue:
        if math.prod(src) == 0:
            return b.constant(value, compute_type(elt))
        index, inside = [], None
        for d, lo, n, hi in zip(dims(len(shape)), low, src, high):
            index.append(_clamp(d - lo, n, lo > 0, hi > 0))
            checks = ([(lo, "sge")] if lo > 0 else []) + ([(lo + n, "slt")] if hi > 0 else [])
            for bound, predicate in checks:
                ok = b.add(arith.CmpiOp(b.index(d), b.constant(bound, i64), predicate))
                inside = ok if inside is None else b.add(arith.AndIOp(inside, ok))
        loaded = b.load(op.x, index)
        if inside is None:
            return loaded
        return b.add(arith.SelectOp(inside, loaded, b.constant(value, compute_type(elt))))

    return lw.pointwise(shape, elt, build)


# --- gather -------------------------------------------------------------------------------


def lower_gather(op: tg.GatherOp, lw: Lowering) -> SSAValue:
    x, idx, shape = shape_of(op.x.type), shape_of(op.indices.type), shape_of(op.result.type)
    axis = normalize_axis(ival(op.properties, "axis"), len(x))
    n, k = x[axis], len(idx)
    d = dims(len(shape))
    if not _constant_in_range(op.indices, n):  # an index outside [-n, n) fails the call
        Rewriter.insert_op(CheckIndexOp(op.indices, n, op.name, axis), lw.point)

    def build(b: Body) -> SSAValue:
        i = b.load(op.indices, d[axis : axis + k])
        if i.type != i64:
            i = b.add(arith.ExtSIOp(i, i64))
        zero = b.constant(0, i64)
        negative = b.add(arith.CmpiOp(i, zero, "slt"))
        i = b.add(arith.SelectOp(negative, b.add(arith.AddiOp(i, b.constant(n, i64))), i))
        i = b.add(arith.MinSIOp(b.add(arith.MaxSIOp(i, zero)), b.constant(n - 1, i64)))
        index = d[:axis] + [sym("s0")] + d[axis + k :]
        return b.load(op.x, index, [i])

    return lw.pointwise(shape, element_type(op.result), build)


def _constant_in_range(indices: SSAValue, n: int) -> bool:
    """Whether `indices` is a constant whose every element lies in [-n, n)."""
    if not isinstance(indices.owner, tg.ConstantOp):
        return False
    values = to_numpy(indices.owner.value).astype(np.int64)
    return bool(((values >= -n) & (values < n)).all())
