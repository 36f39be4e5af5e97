"""The scalar ops of a body (`arith`, `math`) as `llvm` ops: one small rule per op.

A rule is `rule(b, op, args) -> value`, with `args` the LLVM values of the operands.
Semantics are numpy's: maximumf/minimumf propagate NaN, fptosi truncates toward zero
and saturates (NaN -> 0), integer division by zero gives 0 and INT_MIN / -1 wraps,
as the reference interpreter. bf16 (i16 bits here) and f16 operands of float ops are
widened to f32, computed, and narrowed back. Transcendentals (exp, log, tanh, erf,
sin, cos, powf) and ipowi have no rule: `loops-expand-math` turns them into the
primitives here first (ConvertLoopsToLlvm runs it on what is left), so no libm call.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import ml_dtypes
import numpy as np
from xdsl.dialects import llvm
from xdsl.dialects.arith import CMPF_COMPARISON_OPERATIONS, CMPI_COMPARISON_OPERATIONS
from xdsl.dialects.builtin import AnyFloat, FloatAttr, IntegerAttr, f16, f32, f64, i1, i16
from xdsl.ir import Attribute, Block, Operation, SSAValue

from stepwell.lowering.loops_to_llvm import conversions as cv
from stepwell.lowering.loops_to_llvm.builder import FuncBuilder, mangle
from stepwell.transforms.expand_math import _Tables, expand_one

Rule = Callable[[FuncBuilder, Operation, Sequence[SSAValue]], SSAValue]
RULES: dict[str, Rule] = {}


class UnsupportedOp(ValueError):
    """A body op this lowering does not know."""


def rule(*names: str):
    def register(fn: Rule) -> Rule:
        for name in names:
            RULES[name] = fn
        return fn

    return register


def lower_scalar(b: FuncBuilder, op: Operation, args: Sequence[SSAValue]) -> SSAValue:
    if op.name not in RULES:
        raise UnsupportedOp(f"convert-loops-to-llvm: no lowering for '{op.name}' in a loops body")
    return RULES[op.name](b, op, args)


def _type(op: Operation) -> Attribute:
    return op.results[0].type


def _operand_type(op: Operation, i: int = 0) -> Attribute:
    return op.operands[i].type


# --- floats computed in f32 when narrower ------------------------------------------------


def in_compute_type(fn):
    """Run `fn(b, t, args) -> value` in t = f32 for f16/bf16 operands, in their own type
    otherwise, and narrow the result back to the op's result type if it is a float."""

    def lowered(b: FuncBuilder, op: Operation, args: Sequence[SSAValue]) -> SSAValue:
        src = _operand_type(op)
        wide = src if src in (f32, f64) else f32
        wide_args = [cv.extf(b, a, o.type, wide) if isinstance(o.type, AnyFloat) else a for a, o in zip(args, op.operands)]
        result = fn(b, wide, wide_args)
        out = _type(op)
        if isinstance(out, AnyFloat) and out != wide:
            return cv.truncf(b, result, wide, out)
        return result

    return lowered


def _native_or_wide(llvm_op: type[Operation]) -> Rule:
    """An IEEE op: native for f16/f32/f64 (exactly rounded either way), widened for bf16."""

    def lowered(b: FuncBuilder, op: Operation, args: Sequence[SSAValue]) -> SSAValue:
        if cv.is_bf16(_type(op)):
            return in_compute_type(lambda b, t, a: b.op(llvm_op(*a)))(b, op, args)
        return b.op(llvm_op(*args))

    return lowered


for _name, _cls in {
    "arith.addf": llvm.FAddOp,
    "arith.subf": llvm.FSubOp,
    "arith.mulf": llvm.FMulOp,
    "arith.divf": llvm.FDivOp,
}.items():
    RULES[_name] = _native_or_wide(_cls)


@rule("arith.negf")
def _negf(b, op, args):
    if cv.is_bf16(_type(op)):
        return b.op(llvm.XOrOp(args[0], b.const(i16, -0x8000)))
    return b.op(llvm.FNegOp(args[0]))


_MIN_MAX = {
    "arith.maximumf": "llvm.maximum",  # NaN propagates
    "arith.minimumf": "llvm.minimum",
    "arith.maxnumf": "llvm.maxnum",  # NaN ignored
    "arith.minnumf": "llvm.minnum",
}


@rule(*_MIN_MAX)
def _maximumf(b, op, args):
    name = _MIN_MAX[op.name]

    def fn(b, t, a):
        return b.intrinsic(mangle(name, t), a, t)

    if _type(op) in (f16, f32, f64):
        return b.intrinsic(mangle(name, _type(op)), args, _type(op))
    return in_compute_type(fn)(b, op, args)


@rule("arith.cmpf")
def _cmpf(b, op, args):
    pred = CMPF_COMPARISON_OPERATIONS[op.properties["predicate"].value.data]
    if pred in ("false", "true"):
        return b.const(i1, int(pred == "true"))
    return in_compute_type(lambda b, t, a: b.fcmp(pred, *a))(b, op, args)


@rule("arith.constant")
def _constant(b, op, args):
    attr, t = op.properties["value"], _type(op)
    if isinstance(attr, FloatAttr):
        if cv.is_bf16(t):
            bits = int(np.array(attr.value.data).astype(ml_dtypes.bfloat16).view(np.int16))
            return b.const(i16, bits)
        return b.const(t, attr.value.data)
    assert isinstance(attr, IntegerAttr), f"unsupported constant {attr}"
    return b.const(t, attr.value.data)


@rule("arith.select")
def _select(b, op, args):
    return b.select(*args)


# --- integers ------------------------------------------------------------------------


for _name, _cls in {
    "arith.addi": llvm.AddOp,
    "arith.subi": llvm.SubOp,
    "arith.muli": llvm.MulOp,
    "arith.andi": llvm.AndOp,
    "arith.ori": llvm.OrOp,
    "arith.xori": llvm.XOrOp,
    "arith.shli": llvm.ShlOp,
    "arith.shrsi": llvm.AShrOp,
    "arith.shrui": llvm.LShrOp,
}.items():
    RULES[_name] = lambda b, op, args, _cls=_cls: b.op(_cls(*args))


@rule("arith.cmpi")
def _cmpi(b, op, args):
    return b.icmp(CMPI_COMPARISON_OPERATIONS[op.properties["predicate"].value.data], *args)


@rule("arith.maxsi", "arith.minsi")
def _maxsi(b, op, args):
    t = _type(op)
    if t == i1:  # signed i1: true is -1
        return b.op((llvm.AndOp if op.name == "arith.maxsi" else llvm.OrOp)(*args))
    name = "llvm.smax" if op.name == "arith.maxsi" else "llvm.smin"
    return b.intrinsic(mangle(name, t), args, t)


@rule("arith.divsi", "arith.remsi")
def _divsi(b, op, args):
    """x / 0 = 0, x % 0 = 0; INT_MIN / -1 = INT_MIN, INT_MIN % -1 = 0 (no UB)."""
    x, y = args
    t = _type(op)
    zero, one, minus_one = b.const(t, 0), b.const(t, 1), b.const(t, -1)
    is_zero, is_minus_one = b.icmp("eq", y, zero), b.icmp("eq", y, minus_one)
    safe = b.select(b.op(llvm.OrOp(is_zero, is_minus_one)), one, y)
    if op.name == "arith.divsi":
        q = b.select(is_minus_one, b.sub(zero, x, nsw=False), b.op(llvm.SDivOp(x, safe)))
        return b.select(is_zero, zero, q)
    r = b.op(llvm.SRemOp(x, safe))
    return b.select(b.op(llvm.OrOp(is_zero, is_minus_one)), zero, r)


@rule("arith.extsi", "arith.extui", "arith.trunci")
def _int_cast(b, op, args):
    cls = {"arith.extsi": llvm.SExtOp, "arith.extui": llvm.ZExtOp, "arith.trunci": llvm.TruncOp}[op.name]
    return b.op(cls(args[0], _type(op)))


# --- conversions ------------------------------------------------------------------------


@rule("arith.extf")
def _extf(b, op, args):
    return cv.extf(b, args[0], _operand_type(op), _type(op))


@rule("arith.truncf")
def _truncf(b, op, args):
    return cv.truncf(b, args[0], _operand_type(op), _type(op))


@rule("arith.sitofp", "arith.uitofp")
def _itofp(b, op, args):
    return cv.int_to_float(b, args[0], _type(op), signed=op.name == "arith.sitofp")


@rule("arith.fptosi")
def _fptosi(b, op, args):
    return cv.float_to_int(b, args[0], _operand_type(op), _type(op))


@rule("arith.bitcast")
def _bitcast(b, op, args):
    target = cv.value_type(_type(op))
    if args[0].type == target:
        return args[0]
    return b.op(llvm.BitcastOp(args[0], target))


# --- math primitives (the approximations are loops-expand-math's) -------------------------


def _math(fn: Callable) -> Rule:
    return in_compute_type(lambda b, t, a: fn(b, t, *a))


for _name, _fn in {
    "math.sqrt": lambda b, t, x: b.op(llvm.FSqrtOp(x)),
    "math.rsqrt": lambda b, t, x: b.op(llvm.FDivOp(b.const(t, 1.0), b.op(llvm.FSqrtOp(x)))),
    "math.floor": lambda b, t, x: b.op(llvm.FFloorOp(x)),
    "math.ceil": lambda b, t, x: b.op(llvm.FCeilOp(x)),
    "math.roundeven": lambda b, t, x: b.intrinsic(mangle("llvm.roundeven", t), [x], t),
    "math.absf": lambda b, t, x: b.op(llvm.FAbsOp(x, t)),
    "math.fma": lambda b, t, x, y, z: b.op(llvm.FMAOp(x, y, z)),
    "math.copysign": lambda b, t, x, y: b.op(llvm.FCopySignOp(x, y)),
}.items():
    RULES[_name] = _math(_fn)


@rule("math.absi")
def _absi(b, op, args):
    t = _type(op)
    return b.intrinsic(mangle("llvm.abs", t), [args[0], b.const(i1, 0)], t)


def expanded(b: FuncBuilder, op_class: type[Operation], *args: SSAValue) -> SSAValue:
    """`op_class(*args)` (a math op of f32 or f64 values, e.g. `math.ExpOp`) through its
    expansion (loops-expand-math's, so no libm call), for a kernel that computes math
    outside a loops body (loops_to_llvm/attention.py)."""
    block = Block(arg_types=[a.type for a in args])
    op = op_class(*block.args)
    block.add_op(op)
    result = expand_one(op, _Tables())  # inserted before `op`, which is then dropped
    values: dict[SSAValue, SSAValue] = dict(zip(block.args, args))
    for inner in block.ops:
        if inner is op:
            break
        values[inner.results[0]] = lower_scalar(b, inner, [values[v] for v in inner.operands])
    return values[result]
