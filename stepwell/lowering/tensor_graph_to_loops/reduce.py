"""Reductions and contractions: one `loops.reduce` each, plus a pointwise epilogue
where the reduced value is not yet the result (loops-fuse merges the two):

    sum/prod/max/min   reduce over the `dims` (r0, r1, ... in order); kept dimensions
                       are d-symbols (with keepdim, at their own position)
    mean               sum, then a pointwise divide by the count (0/0 = NaN when empty)
    f16/bf16           the reduce accumulates in f32; the epilogue truncates
    i1 max/min         any/all: a max/min reduce of the bits extended to i8 (0/1), then
                       truncated back: max(-128 identity) -> false, min(127) -> true
    argmax/argmin      loops.reduce argmax/argmin over the axis, body type the compute
                       type of the input (i1 extended to i8, so false < true)
    matmul             loops.contract over [K] of a[batch, d_m, r0] * b[batch, r0, d_n]
                       (a sum with the roles stated), the batch dimensions broadcast as
                       in elementwise ops; f16/bf16 accumulate in f32
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import sympy
from xdsl.dialects import arith
from xdsl.ir import Attribute, SSAValue

from stepwell.dialects.loops.index import dims
from stepwell.dialects.tensor_graph import ops as tg
from stepwell.dialects.tensor_graph.ops import aval, bval, ival, sval
from stepwell.dialects.tensor_graph.types import (
    f32,
    i1,
    i8,
    i64,
    is_float,
    normalize_axis,
    normalize_dims,
    shape_of,
)
from stepwell.lowering.tensor_graph_to_loops.body import Body, Lowering, compute_type, element_type
from stepwell.lowering.tensor_graph_to_loops.views import broadcast_index


def _reduced_index(rank: int, reduced: Sequence[int], keepdim: bool) -> list[sympy.Expr]:
    """The index into the input: reduced dimension k is r_k, the others d-symbols."""
    r, d, out, kept = dims(len(reduced), "r"), dims(rank), [], 0
    for i in range(rank):
        if i in reduced:
            out.append(r[reduced.index(i)])
        else:
            out.append(d[i] if keepdim else d[kept])
            kept += 1
    return out


def _load_value(b: Body, x: SSAValue, index: Sequence[sympy.Expr]) -> SSAValue:
    """A loaded value to combine: the compute type; i1 extended to i8 (0 or 1)."""
    v = b.load(x, index)
    return b.add(arith.ExtUIOp(v, i8)) if v.type == i1 else v


def _epilogue(lw: Lowering, value: SSAValue, elt: Attribute, divisor: int | None) -> SSAValue:
    """Pointwise: divide by the count (mean), truncate to the element type."""
    if divisor is None and element_type(value) == elt:
        return value
    shape = shape_of(value.type)

    def build(b: Body) -> SSAValue:
        v = b.load(value, dims(len(shape)))
        if divisor is not None:  # the count rounded to the compute type, as the reference
            count = float(np.float32(divisor)) if v.type == f32 else float(divisor)
            v = b.add(arith.DivfOp(v, b.constant(count, v.type)))
        if v.type == i8 and elt == i1:
            v = b.add(arith.TruncIOp(v, i1))
        return v

    return lw.pointwise(shape, elt, build)


def lower_reduce(op: tg.ReduceOp, lw: Lowering) -> SSAValue:
    x, shape = shape_of(op.x.type), shape_of(op.result.type)
    kind, keep = sval(op.properties, "kind"), bval(op.properties, "keepdim")
    reduced = list(normalize_dims(aval(op.properties, "dims"), len(x)))
    elt = element_type(op.result)
    index = _reduced_index(len(x), reduced, keep)
    if not reduced:  # a rank-0 input: the value itself
        return lw.pointwise(shape, elt, lambda b: b.load(op.x, index))
    over = [x[i] for i in reduced]
    combine = "sum" if kind == "mean" else kind
    acc = i8 if elt == i1 else compute_type(elt)
    total = lw.reduce(combine, shape, over, acc, lambda b: _load_value(b, op.x, index))
    return _epilogue(lw, total, elt, math.prod(over) if kind == "mean" else None)


def lower_arg(op: tg.ArgOp, lw: Lowering) -> SSAValue:
    x, shape = shape_of(op.x.type), shape_of(op.result.type)
    axis = normalize_axis(ival(op.properties, "axis"), len(x))
    index = _reduced_index(len(x), [axis], bval(op.properties, "keepdim"))
    kind = "argmax" if isinstance(op, tg.ArgmaxOp) else "argmin"
    return lw.reduce(kind, shape, [x[axis]], i64, lambda b: _load_value(b, op.x, index))


def lower_matmul(op: tg.MatmulOp, lw: Lowering) -> SSAValue:
    a, bshape, shape = shape_of(op.lhs.type), shape_of(op.rhs.type), shape_of(op.result.type)
    elt = element_type(op.result)
    batch = shape[:-2]
    d, r0 = dims(len(shape)), dims(1, "r")[0]
    m, n = d[-2], d[-1]

    def batch_index(operand: Sequence[int]) -> list[sympy.Expr]:
        return list(broadcast_index(operand[:-2], batch))

    def build(b: Body) -> SSAValue:
        x = b.load(op.lhs, batch_index(a) + [m, r0])
        y = b.load(op.rhs, batch_index(bshape) + [r0, n])
        return b.add((arith.MulfOp if is_float(elt) else arith.MuliOp)(x, y))

    total = lw.contract(shape, a[-1], build)
    return _epilogue(lw, total, elt, None)
