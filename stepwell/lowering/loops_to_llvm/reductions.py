"""What a `loops.reduce` kind means in LLVM: its accumulator type, identity, combine.

f16 and bf16 accumulate in f32 (rounded once at the store). Float sums and products
carry the `reassoc` flag, so LLVM may vectorize the reduction (partial sums per lane);
nothing else is reassociated. max/min propagate NaN (llvm.maximum / llvm.minimum), as
numpy. The identity and the combine op of each kind are the semantic table's
(stepwell/semantics.py; on i1, sum is `xor`, prod and min `and`, max `or`).
argmax/argmin keep (best value, first position): a later value wins only if strictly
better, or if it is the first NaN.
"""

from __future__ import annotations

import numpy as np
from xdsl.dialects import llvm
from xdsl.dialects.builtin import AnyFloat, f32, f64, i1
from xdsl.ir import Attribute, SSAValue

from stepwell.dtypes import F32, numpy_dtype
from stepwell.lowering.loops_to_llvm import conversions as cv
from stepwell.lowering.loops_to_llvm.builder import REASSOC, FuncBuilder, mangle
from stepwell.semantics import ARG_KINDS, REDUCTIONS


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
    value = REDUCTIONS[ARG_KINDS.get(kind, kind)].identity(_dtype(t))
    return b.const(t, float(value) if isinstance(t, AnyFloat) else int(value))


def _dtype(t: Attribute) -> np.dtype:
    return F32 if isinstance(t, AnyFloat) and t not in (f32, f64) else numpy_dtype(t)


def _min_max(name: str):
    def emit(b: FuncBuilder, acc: SSAValue, v: SSAValue) -> SSAValue:
        fastmath = REASSOC if isinstance(acc.type, AnyFloat) else None
        return b.intrinsic(mangle(name, acc.type), [acc, v], acc.type, fastmath=fastmath)

    return emit


_COMBINE = {
    "arith.addf": lambda b, acc, v: b.op(llvm.FAddOp(acc, v, REASSOC)),
    "arith.mulf": lambda b, acc, v: b.op(llvm.FMulOp(acc, v, REASSOC)),
    "arith.maximumf": _min_max("llvm.maximum"),
    "arith.minimumf": _min_max("llvm.minimum"),
    "arith.addi": lambda b, acc, v: b.add(acc, v, nsw=False),
    "arith.muli": lambda b, acc, v: b.mul(acc, v, nsw=False),
    "arith.maxsi": _min_max("llvm.smax"),
    "arith.minsi": _min_max("llvm.smin"),
    "arith.andi": lambda b, acc, v: b.op(llvm.AndOp(acc, v)),
    "arith.ori": lambda b, acc, v: b.op(llvm.OrOp(acc, v)),
    "arith.xori": lambda b, acc, v: b.op(llvm.XOrOp(acc, v)),
}
"""The combine ops of the semantic table's reductions, as LLVM (float sums and
products reassociate; nothing else does)."""


def combine(b: FuncBuilder, kind: str, acc: SSAValue, v: SSAValue) -> SSAValue:
    """`acc` combined with `v` by the kind's combine op (stepwell/semantics.py)."""
    t = acc.type
    name = REDUCTIONS[kind].combine_op(isinstance(t, AnyFloat), t == i1)
    return _COMBINE[name](b, acc, v)


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
