"""Elementwise ops, `cast` and `iota`: one `loops.pointwise` each, whose body loads
every operand at its broadcast index (a size-1 dimension reads index 0, a missing
leading one is dropped) and applies the scalar function of the op.

A scalar function gets the body, the loaded values (in the compute type) and the
operands' element type, and returns the value of the point. Semantics follow the spec
where arith is looser: integer `div` is guarded so that x / 0 = 0 and INT_MIN / -1 =
INT_MIN (as the reference) with no undefined `arith.divsi`; integer `pow` uses
`math.ipowi` only with a non-negative exponent and selects the spec's result for a
negative one; i1 orders false < true, so its max/min are or/and and its comparisons
are unsigned.
"""

from __future__ import annotations

from collections.abc import Callable

from xdsl.dialects import arith, math
from xdsl.ir import Attribute, SSAValue

from stepwell.dialects.loops.index import sym
from stepwell.dialects.tensor_graph import ops as tg
from stepwell.dialects.tensor_graph.ops import ival, sval
from stepwell.dialects.tensor_graph.types import f64, i1, i64, is_float, normalize_axis, shape_of
from stepwell.lowering.tensor_graph_to_loops.body import Body, Lowering, compute_type, element_type
from stepwell.lowering.tensor_graph_to_loops.views import broadcast_index
from stepwell.semantics import ELEMENTWISE, PREDICATES

Scalar = Callable[..., SSAValue]  # (body, *values, element type) -> value


def lower_elementwise(op: tg.TensorGraphOp, lw: Lowering) -> SSAValue:
    """Any elementwise op of the semantic table (stepwell/semantics.py) and `cmp`."""
    elt = element_type(op.operands[-1])  # select: the type of a and b
    fn = cmp(sval(op.properties, "predicate")) if isinstance(op, tg.CmpOp) else scalar_function(op.name)
    shape = shape_of(op.results[0].type)

    def build(b: Body) -> SSAValue:
        values = [b.load(v, broadcast_index(shape_of(v.type), shape)) for v in op.operands]
        return fn(b, *values, elt)

    return lw.pointwise(shape, element_type(op.results[0]), build)


def scalar_function(name: str) -> Scalar:
    """The builder of op `name`'s scalar form: CUSTOM's, or the table's one scalar op."""
    if name in CUSTOM:
        return CUSTOM[name]
    meaning = ELEMENTWISE[name]

    def fn(b: Body, *args) -> SSAValue:
        *values, elt = args
        scalar_op = meaning.scalar_op(is_float(elt), elt == i1)
        assert scalar_op is not None, f"{name} has no scalar op for {elt}"
        return b.add(scalar_op(*values))

    return fn


# --- one operand ------------------------------------------------------------------------


def _neg_int(b: Body, x: SSAValue, elt: Attribute) -> SSAValue:
    return b.add(arith.SubiOp(b.constant(0, elt), x))


def sign(b: Body, x: SSAValue, elt: Attribute) -> SSAValue:
    """1, -1 or 0 (numpy: +0 for +-0, NaN stays NaN)."""
    t = compute_type(elt)
    zero, one, minus = b.constant(0, t), b.constant(1, t), b.constant(-1, t)
    if is_float(elt):
        nan = b.add(arith.CmpfOp(x, x, "uno"))
        rest = b.add(arith.SelectOp(nan, x, zero))
        rest = b.add(arith.SelectOp(b.add(arith.CmpfOp(x, zero, "olt")), minus, rest))
        return b.add(arith.SelectOp(b.add(arith.CmpfOp(x, zero, "ogt")), one, rest))
    rest = b.add(arith.SelectOp(b.add(arith.CmpiOp(x, zero, "slt")), minus, zero))
    return b.add(arith.SelectOp(b.add(arith.CmpiOp(x, zero, "sgt")), one, rest))


def reciprocal(b: Body, x: SSAValue, elt: Attribute) -> SSAValue:
    return b.add(arith.DivfOp(b.constant(1.0, compute_type(elt)), x))


def logical_not(b: Body, x: SSAValue, elt: Attribute) -> SSAValue:
    return b.add(arith.XOrIOp(x, b.constant(True, i1)))


# --- two or three operands -------------------------------------------------------------


def divide(b: Body, x: SSAValue, y: SSAValue, elt: Attribute) -> SSAValue:
    """True division for floats; for integers toward zero, x / 0 = 0, MIN / -1 = MIN."""
    if is_float(elt):
        return b.add(arith.DivfOp(x, y))
    zero, one, minus = b.constant(0, elt), b.constant(1, elt), b.constant(-1, elt)
    by_zero = b.add(arith.CmpiOp(y, zero, "eq"))
    by_minus = b.add(arith.CmpiOp(y, minus, "eq"))
    safe = b.add(arith.SelectOp(b.add(arith.OrIOp(by_zero, by_minus)), one, y))
    q = b.add(arith.DivSIOp(x, safe))
    q = b.add(arith.SelectOp(by_minus, b.add(arith.SubiOp(zero, x)), q))
    return b.add(arith.SelectOp(by_zero, zero, q))


def power(b: Body, x: SSAValue, y: SSAValue, elt: Attribute) -> SSAValue:
    """powf for floats. Integers: exact repeated multiplication (math.ipowi, wrapping)
    for y >= 0; for y < 0 the power rounded toward zero: 1 for x = 1, +-1 for x = -1 by
    parity, else 0."""
    if is_float(elt):
        return b.add(math.PowFOp(x, y))
    zero, one, minus = b.constant(0, elt), b.constant(1, elt), b.constant(-1, elt)
    positive = b.add(math.IPowIOp(x, b.add(arith.MaxSIOp(y, zero))))
    odd = b.add(arith.CmpiOp(b.add(arith.AndIOp(y, one)), zero, "ne"))
    at_minus = b.add(arith.SelectOp(odd, minus, one))
    negative = b.add(arith.SelectOp(b.add(arith.CmpiOp(x, minus, "eq")), at_minus, zero))
    negative = b.add(arith.SelectOp(b.add(arith.CmpiOp(x, one, "eq")), one, negative))
    return b.add(arith.SelectOp(b.add(arith.CmpiOp(y, zero, "slt")), negative, positive))


def cmp(predicate: str) -> Scalar:
    """Ordered float predicates except "ne" (true for NaN, as numpy); i1 is unsigned."""

    def fn(b: Body, x: SSAValue, y: SSAValue, elt: Attribute) -> SSAValue:
        p = PREDICATES[predicate]
        if is_float(elt):
            return b.add(arith.CmpfOp(x, y, p.float_pred))
        return b.add(arith.CmpiOp(x, y, p.bool_pred if elt == i1 else p.int_pred))

    return fn


def select(b: Body, cond: SSAValue, x: SSAValue, y: SSAValue, elt: Attribute) -> SSAValue:
    return b.add(arith.SelectOp(cond, x, y))


def _neg(b: Body, x: SSAValue, elt: Attribute) -> SSAValue:
    return b.add(arith.NegfOp(x)) if is_float(elt) else _neg_int(b, x, elt)


CUSTOM: dict[str, Scalar] = {
    "tensor_graph.neg": _neg,
    "tensor_graph.sign": sign,
    "tensor_graph.reciprocal": reciprocal,
    "tensor_graph.not": logical_not,
    "tensor_graph.div": divide,
    "tensor_graph.pow": power,
    "tensor_graph.select": select,
}
"""The ops whose scalar form is more than the one scalar op of their table entry."""


# --- cast and iota ----------------------------------------------------------------------


def convert(b: Body, x: SSAValue, src: Attribute, dst: Attribute) -> SSAValue:
    """`cast` of a value of element type `src` (held in its compute type) to `dst`
    (returned in dst's compute type, or in dst itself when that rounds only once).
    float -> int is `arith.fptosi`: toward zero; out of range it saturates and NaN gives
    0, as the reference and the loops evaluator read it (a CPU target lowers it to
    llvm.fptosi.sat). int -> float rounds once, straight into dst; -> i1 is x != 0;
    i1 converts as 0 or 1."""
    have = x.type
    if src == dst:
        return x
    if dst == i1:
        if is_float(src):
            return b.add(arith.CmpfOp(x, b.constant(0.0, have), "une"))
        return b.add(arith.CmpiOp(x, b.constant(0, have), "ne"))
    if is_float(dst):
        if src == i1:
            return b.add(arith.UIToFPOp(x, dst))
        if not is_float(src):
            return b.add(arith.SIToFPOp(x, dst))
        if have == compute_type(dst):
            return x  # f16 <-> bf16 <-> f32: finish() rounds once
        if have == f64:
            return b.add(arith.TruncFOp(x, dst))  # f64 -> f32/f16/bf16: one rounding
        return b.add(arith.ExtFOp(x, dst))  # f32 -> f64
    if is_float(src):
        return b.add(arith.FPToSIOp(x, dst))
    if src == i1:
        return b.add(arith.ExtUIOp(x, dst))
    wider = dst.width.data > have.width.data  # type: ignore[attr-defined]
    return b.add((arith.ExtSIOp if wider else arith.TruncIOp)(x, dst))


def lower_cast(op: tg.CastOp, lw: Lowering) -> SSAValue:
    src, dst = element_type(op.x), element_type(op.result)
    shape = shape_of(op.result.type)

    def build(b: Body) -> SSAValue:
        return convert(b, b.load(op.x, broadcast_index(shape, shape)), src, dst)

    return lw.pointwise(shape, dst, build)


def lower_iota(op: tg.IotaOp, lw: Lowering) -> SSAValue:
    shape = shape_of(op.result.type)
    dim = normalize_axis(ival(op.properties, "dim"), len(shape))
    elt = element_type(op.result)
    return lw.pointwise(shape, elt, lambda b: convert(b, b.index(sym(f"d{dim}")), i64, elt))
