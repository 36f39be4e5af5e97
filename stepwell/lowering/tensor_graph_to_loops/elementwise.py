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

Scalar = Callable[..., SSAValue]  # (body, *values, element type) -> value


def lower_elementwise(op: tg.TensorGraphOp, lw: Lowering) -> SSAValue:
    """Any elementwise op with a scalar function in SCALAR."""
    elt = element_type(op.operands[-1])  # select: the type of a and b
    fn = cmp(sval(op.properties, "predicate")) if isinstance(op, tg.CmpOp) else SCALAR[type(op)]
    shape = shape_of(op.results[0].type)

    def build(b: Body) -> SSAValue:
        values = [b.load(v, broadcast_index(shape_of(v.type), shape)) for v in op.operands]
        return fn(b, *values, elt)

    return lw.pointwise(shape, element_type(op.results[0]), build)


# --- one operand ------------------------------------------------------------------------


def _float_or_int(float_op, int_fn: Scalar | None = None) -> Scalar:
    def fn(b: Body, x: SSAValue, elt: Attribute) -> SSAValue:
        if is_float(elt):
            return b.add(float_op(x))
        assert int_fn is not None, f"{float_op.name} has no integer form"
        return int_fn(b, x, elt)

    return fn


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


def _binary(float_op, int_op, bool_op=None) -> Scalar:
    def fn(b: Body, x: SSAValue, y: SSAValue, elt: Attribute) -> SSAValue:
        if is_float(elt):
            return b.add(float_op(x, y))
        if elt == i1 and bool_op is not None:
            return b.add(bool_op(x, y))
        return b.add(int_op(x, y))

    return fn


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


_FLOAT_PREDICATES = {"eq": "oeq", "ne": "une", "lt": "olt", "le": "ole", "gt": "ogt", "ge": "oge"}
_INT_PREDICATES = {"eq": "eq", "ne": "ne", "lt": "slt", "le": "sle", "gt": "sgt", "ge": "sge"}
_BOOL_PREDICATES = {"eq": "eq", "ne": "ne", "lt": "ult", "le": "ule", "gt": "ugt", "ge": "uge"}


def cmp(predicate: str) -> Scalar:
    """Ordered float predicates except "ne" (true for NaN, as numpy); i1 is unsigned."""

    def fn(b: Body, x: SSAValue, y: SSAValue, elt: Attribute) -> SSAValue:
        if is_float(elt):
            return b.add(arith.CmpfOp(x, y, _FLOAT_PREDICATES[predicate]))
        table = _BOOL_PREDICATES if elt == i1 else _INT_PREDICATES
        return b.add(arith.CmpiOp(x, y, table[predicate]))

    return fn


def select(b: Body, cond: SSAValue, x: SSAValue, y: SSAValue, elt: Attribute) -> SSAValue:
    return b.add(arith.SelectOp(cond, x, y))


SCALAR: dict[type, Scalar] = {
    tg.NegOp: _float_or_int(arith.NegfOp, _neg_int),
    tg.AbsOp: _float_or_int(math.AbsFOp, lambda b, x, elt: b.add(math.AbsIOp(x))),
    tg.SignOp: sign,
    tg.ExpOp: _float_or_int(math.ExpOp),
    tg.Exp2Op: _float_or_int(math.Exp2Op),
    tg.LogOp: _float_or_int(math.LogOp),
    tg.Log2Op: _float_or_int(math.Log2Op),
    tg.SqrtOp: _float_or_int(math.SqrtOp),
    tg.RsqrtOp: _float_or_int(math.RsqrtOp),
    tg.ReciprocalOp: reciprocal,
    tg.TanhOp: _float_or_int(math.TanhOp),
    tg.SinOp: _float_or_int(math.SinOp),
    tg.CosOp: _float_or_int(math.CosOp),
    tg.ErfOp: _float_or_int(math.ErfOp),
    tg.FloorOp: _float_or_int(math.FloorOp),
    tg.CeilOp: _float_or_int(math.CeilOp),
    tg.RoundOp: _float_or_int(math.RoundEvenOp),
    tg.NotOp: logical_not,
    tg.AddOp: _binary(arith.AddfOp, arith.AddiOp),
    tg.SubOp: _binary(arith.SubfOp, arith.SubiOp),
    tg.MulOp: _binary(arith.MulfOp, arith.MuliOp),
    tg.DivOp: divide,
    tg.PowOp: power,
    tg.MaxOp: _binary(arith.MaximumfOp, arith.MaxSIOp, arith.OrIOp),
    tg.MinOp: _binary(arith.MinimumfOp, arith.MinSIOp, arith.AndIOp),
    tg.AndOp: _binary(None, arith.AndIOp),
    tg.OrOp: _binary(None, arith.OrIOp),
    tg.XorOp: _binary(None, arith.XOrIOp),
    tg.SelectOp: select,
}


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
