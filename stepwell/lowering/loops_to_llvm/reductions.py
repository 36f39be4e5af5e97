"""What a `loops.reduce` kind means in LLVM: its accumulator type, identity, combine.

f16 and bf16 accumulate in f32 (rounded once at the store). Float sums and products
carry the `reassoc` flag, so LLVM may vectorize the reduction (partial sums per lane);
nothing else is reassociated. max/min propagate NaN (llvm.maximum / llvm.minimum), as
numpy. On i1, sum and max are `or`, prod and min are `and` (numpy's bool reductions).
argmax/argmin keep (best value, first position): a later value wins only if strictly
better, or if it is the first NaN.
"""

from __future__ import annotations

import math

from xdsl.dialects import llvm
from xdsl.dialects.builtin import AnyFloat, IntegerType, f32, f64, i1
from xdsl.ir import Attribute, SSAValue

from stepwell.lowering.loops_to_llvm import conversions as cv
from stepwell.lowering.loops_to_llvm.builder import REASSOC, FuncBuilder, mangle


def acc_type(body_type: Attribute) -> Attribute:
    """The type a reduction accumulates in."""
    if isinstance(body_type, AnyFloat) and body_type not in (f32, f64):
        return f32
    return body_type


def widen(b: FuncBuilder, v: SSAValue, body_type: Attribute) -> SSAValue:
    """A body value in the accumulator type."""
    return cv.extf(b, v, body_type, acc_type(body_type)) if isinstance(body_type, AnyFloat) else v


def identity(b: FuncBuilder, kind: str, t: Attribute) -> SSAValue:
    """The kind's value over zero elements (argmax/argmin: of the compared value)."""
    base = kind.removeprefix("arg")
    if isinstance(t, AnyFloat):
        value = {"sum": 0.0, "prod": 1.0, "max": -math.inf, "min": math.inf}[base]
        return b.const(t, value)
    assert isinstance(t, IntegerType)
    width = t.width.data
    if width == 1:
        return b.const(t, int(base in ("prod", "min")))
    lo, hi = -(1 << (width - 1)), (1 << (width - 1)) - 1
    return b.const(t, {"sum": 0, "prod": 1, "max": lo, "min": hi}[base])


def combine(b: FuncBuilder, kind: str, acc: SSAValue, v: SSAValue) -> SSAValue:
    t = acc.type
    if isinstance(t, AnyFloat):
        if kind == "sum":
            return b.op(llvm.FAddOp(acc, v, REASSOC))
        if kind == "prod":
            return b.op(llvm.FMulOp(acc, v, REASSOC))
        name = "llvm.maximum" if kind == "max" else "llvm.minimum"
        return b.intrinsic(mangle(name, t), [acc, v], t, fastmath=REASSOC)
    if t == i1:
        cls = llvm.OrOp if kind in ("sum", "max") else llvm.AndOp
        return b.op(cls(acc, v))
    if kind == "sum":
        return b.add(acc, v, nsw=False)
    if kind == "prod":
        return b.mul(acc, v, nsw=False)
    name = "llvm.smax" if kind == "max" else "llvm.smin"
    return b.intrinsic(mangle(name, t), [acc, v], t)


def takes(b: FuncBuilder, kind: str, best: SSAValue, v: SSAValue) -> SSAValue:
    """Whether argmax/argmin replaces `best` by the later value `v` (i1)."""
    t = v.type
    if isinstance(t, AnyFloat):
        better = b.fcmp("ogt" if kind == "argmax" else "olt", v, best)
        first_nan = b.op(llvm.AndOp(b.fcmp("uno", v, v), b.fcmp("ord", best, best)))
        return b.op(llvm.OrOp(better, first_nan))
    if t == i1:  # false < true
        return b.icmp("ugt" if kind == "argmax" else "ult", v, best)
    return b.icmp("sgt" if kind == "argmax" else "slt", v, best)


def finish(b: FuncBuilder, acc: SSAValue, result_type: Attribute) -> SSAValue:
    """The accumulated value in the result's element type (rounded once)."""
    if isinstance(result_type, AnyFloat) and acc.type != cv.value_type(result_type):
        return cv.truncf(b, acc, acc.type, result_type)
    return acc
