"""Element types in LLVM, and the float conversions that round exactly once.

A value of type T lives in LLVM as `value_type(T)` and in memory as `storage_type(T)`:
bf16 is i16 in both (its bits: the CPU's bf16 instructions flush subnormals, these
integer sequences round to nearest even like ml_dtypes), i1 is one byte in memory as
numpy's bool. f16 is LLVM's `half` (F16C converts it exactly).

Narrowing f64 to f16 or bf16, and wide integers to them, goes through f32 rounded to
odd, so the result is rounded once (as the reference interpreter does).
"""

from __future__ import annotations

from xdsl.dialects import llvm
from xdsl.dialects.builtin import (
    BFloat16Type,
    Float16Type,
    IntegerType,
    f32,
    f64,
    i8,
    i16,
    i32,
)
from xdsl.ir import Attribute, SSAValue

from stepwell.lowering.loops_to_llvm.builder import FuncBuilder, mangle
from stepwell.lowering.loops_to_llvm.llvm_ops import UIToFPOp


def is_bf16(t: Attribute) -> bool:
    return isinstance(t, BFloat16Type)


def value_type(t: Attribute) -> Attribute:
    return i16 if is_bf16(t) else t


def storage_type(t: Attribute) -> Attribute:
    if isinstance(t, IntegerType) and t.width.data == 1:
        return i8
    return value_type(t)


def element_bytes(t: Attribute) -> int:
    st = storage_type(t)
    return (st.width.data if isinstance(st, IntegerType) else st.bitwidth) // 8  # type: ignore[attr-defined]


def from_storage(b: FuncBuilder, v: SSAValue, t: Attribute) -> SSAValue:
    if storage_type(t) != value_type(t):  # i1 stored as i8
        return b.op(llvm.TruncOp(v, value_type(t)))
    return v


def to_storage(b: FuncBuilder, v: SSAValue, t: Attribute) -> SSAValue:
    if storage_type(t) != value_type(t):
        return b.op(llvm.ZExtOp(v, storage_type(t)))
    return v


# --- floats -----------------------------------------------------------------------


def extf(b: FuncBuilder, v: SSAValue, src: Attribute, dst: Attribute) -> SSAValue:
    """Widen a float (exact)."""
    if src == dst:
        return v
    if is_bf16(src):
        wide = b.op(llvm.ShlOp(b.op(llvm.ZExtOp(v, i32)), b.const(i32, 16)))
        return extf(b, b.op(llvm.BitcastOp(wide, f32)), f32, dst)
    return b.op(llvm.FPExtOp(v, dst))


def truncf(b: FuncBuilder, v: SSAValue, src: Attribute, dst: Attribute) -> SSAValue:
    """Narrow a float, rounding once to nearest even."""
    if src == dst:
        return v
    if src == f64 and dst != f32:
        v, src = f64_to_f32_odd(b, v), f32
    if is_bf16(dst):
        if isinstance(src, Float16Type):
            v = b.op(llvm.FPExtOp(v, f32))
        return f32_to_bf16(b, v)
    return b.op(llvm.FPTruncOp(v, dst))


def f32_to_bf16(b: FuncBuilder, v: SSAValue) -> SSAValue:
    bits = b.op(llvm.BitcastOp(v, i32))
    high = b.op(llvm.LShrOp(bits, b.const(i32, 16)))
    lsb = b.op(llvm.AndOp(high, b.const(i32, 1)))
    rounded = b.add(b.add(bits, b.const(i32, 0x7FFF), nsw=False), lsb, nsw=False)
    result = b.op(llvm.LShrOp(rounded, b.const(i32, 16)))
    quiet_nan = b.op(llvm.OrOp(high, b.const(i32, 0x40)))
    result = b.select(b.fcmp("uno", v, v), quiet_nan, result)
    return b.op(llvm.TruncOp(result, i16))


def f64_to_f32_odd(b: FuncBuilder, v: SSAValue) -> SSAValue:
    """f64 -> f32 rounded to odd: truncate toward zero, and set the last bit if inexact."""
    t = b.op(llvm.FPTruncOp(v, f32))
    back = b.op(llvm.FPExtOp(t, f64))
    inexact = b.fcmp("one", back, v)
    bits = b.op(llvm.BitcastOp(t, i32))
    abs_ = lambda x: b.op(llvm.FAbsOp(x, x.type))  # noqa: E731
    rounded_up = b.fcmp("ogt", abs_(back), abs_(v))
    bits = b.select(rounded_up, b.sub(bits, b.const(i32, 1), nsw=False), bits)
    odd = b.op(llvm.OrOp(bits, b.const(i32, 1)))
    return b.select(inexact, b.op(llvm.BitcastOp(odd, f32)), t)


# --- integers <-> floats ---------------------------------------------------------------


def int_to_float(b: FuncBuilder, v: SSAValue, dst: Attribute, signed: bool) -> SSAValue:
    """sitofp / uitofp, rounding once also to f16 and bf16."""
    width = v.type.width.data  # type: ignore[attr-defined]
    cast = llvm.SIToFPOp if signed else UIToFPOp
    if dst in (f32, f64):
        return b.op(cast(v, dst))
    if width <= 24:  # exact in f32
        return truncf(b, b.op(cast(v, f32)), f32, dst)
    if width <= 53 or not signed:
        return truncf(b, b.op(cast(v, f64)), f64, dst)
    return truncf(b, i64_to_f64_odd(b, v), f64, dst)


def i64_to_f64_odd(b: FuncBuilder, v: SSAValue) -> SSAValue:
    """sitofp i64 -> f64 rounded to odd (the rounding error's sign picks the neighbour
    toward zero, then the last bit is set)."""
    t = v.type
    f = b.op(llvm.SIToFPOp(v, f64))
    back = b.intrinsic(mangle("llvm.fptosi.sat", t, f64), [f], t)
    diff = b.sub(v, back, nsw=False)
    zero = b.const(t, 0)
    inexact = b.icmp("ne", diff, zero)
    away = b.icmp("ne", b.icmp("slt", diff, zero), b.icmp("slt", v, zero))  # |f| > |v|
    bits = b.op(llvm.BitcastOp(f, t))
    bits = b.select(b.op(llvm.AndOp(inexact, away)), b.sub(bits, b.const(t, 1), nsw=False), bits)
    odd = b.op(llvm.OrOp(bits, b.const(t, 1)))
    return b.op(llvm.BitcastOp(b.select(inexact, odd, bits), f64))


def float_to_int(b: FuncBuilder, v: SSAValue, src: Attribute, dst: IntegerType) -> SSAValue:
    """fptosi toward zero, saturating, NaN -> 0 (llvm.fptosi.sat)."""
    if src not in (f32, f64):  # f16 / bf16: exact in f32
        v, src = extf(b, v, src, f32), f32
    return b.intrinsic(mangle("llvm.fptosi.sat", dst, src), [v], dst)
