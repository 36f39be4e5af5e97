"""A small builder of `llvm.func` bodies: blocks, counted loops, constants, allocas.

Loops are blocks joined by `llvm.br` / `llvm.cond_br`; the induction variable is an
argument of the loop header (a phi in LLVM IR). State carried around a loop lives in
`alloca`s of the entry block, which LLVM's SROA turns back into phis, so a body never
has to thread values through block arguments.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from xdsl.dialects import llvm
from xdsl.dialects.builtin import (
    AnyFloat,
    DenseArrayBase,
    FloatAttr,
    IntegerAttr,
    IntegerType,
    i64,
)
from xdsl.dialects.utils.fast_math import FastMathFlag
from xdsl.ir import Attribute, Block, Operation, Region, SSAValue

PTR = llvm.LLVMPointerType()
NSW = llvm.OverflowAttr([llvm.OverflowFlag.NO_SIGNED_WRAP])
NO_FLAGS = llvm.OverflowAttr(None)
REASSOC = llvm.FastMathAttr([FastMathFlag.REASSOC])


class FuncBuilder:
    """Builds one function body: `entry` holds constants and allocas, then `br` to
    the first block of code; `block` is where the next op goes."""

    def __init__(self, arg_types: Sequence[Attribute]):
        self.entry = Block(arg_types=arg_types)
        self.region = Region(self.entry)
        self.block = Block()
        self._entry_term = llvm.BrOp(self.block)
        self.entry.add_op(self._entry_term)
        self.region.add_block(self.block)
        self._consts: dict[tuple[Attribute, object], SSAValue] = {}

    @property
    def args(self) -> tuple[SSAValue, ...]:
        return self.entry.args

    # --- placing ops --------------------------------------------------------------

    def op(self, op: Operation) -> SSAValue:
        self.block.add_op(op)
        return op.results[0] if op.results else None  # type: ignore[return-value]

    def at_entry(self, op: Operation) -> SSAValue:
        self.entry.insert_op_before(op, self._entry_term)
        return op.results[0]

    # --- constants and stack slots ------------------------------------------------

    def const(self, type_: Attribute, value: int | float) -> SSAValue:
        """A scalar constant, made once per function in the entry block."""
        key = (type_, value if not (isinstance(value, float) and math.isnan(value)) else "nan")
        if isinstance(value, float) and value == 0.0:
            key = (type_, ("zero", math.copysign(1.0, value)))
        if key not in self._consts:
            if isinstance(type_, AnyFloat):
                attr: Attribute = FloatAttr(float(value), type_)
            else:
                assert isinstance(type_, IntegerType)
                attr = IntegerAttr(_wrap(int(value), type_.width.data), type_)
            self._consts[key] = self.at_entry(llvm.ConstantOp(attr, type_))
        return self._consts[key]

    def i64(self, value: int) -> SSAValue:
        return self.const(i64, value)

    def alloca(self, elem_type: Attribute, count: int) -> SSAValue:
        """A stack slot of `count` elements, in the entry block (so SROA promotes it)."""
        size = self.const(i64, max(count, 1))
        return self.at_entry(llvm.AllocaOp(size, elem_type, alignment=64))

    # --- memory -----------------------------------------------------------------

    def gep(self, base: SSAValue, offset: SSAValue, elem_type: Attribute) -> SSAValue:
        return self.op(llvm.GEPOp(base, [llvm.GEP_USE_SSA_VAL], elem_type, [offset], inbounds=True))

    def load(self, base: SSAValue, offset: SSAValue, elem_type: Attribute) -> SSAValue:
        return self.op(llvm.LoadOp(self.gep(base, offset, elem_type), elem_type))

    def store(self, value: SSAValue, base: SSAValue, offset: SSAValue) -> None:
        self.op(llvm.StoreOp(value, self.gep(base, offset, value.type)))

    # --- integer helpers (index arithmetic: nsw, never wraps for valid indices) -----

    def add(self, a: SSAValue, b: SSAValue, nsw: bool = True) -> SSAValue:
        return self.op(llvm.AddOp(a, b, overflow=NSW if nsw else NO_FLAGS))

    def sub(self, a: SSAValue, b: SSAValue, nsw: bool = True) -> SSAValue:
        return self.op(llvm.SubOp(a, b, overflow=NSW if nsw else NO_FLAGS))

    def mul(self, a: SSAValue, b: SSAValue, nsw: bool = True) -> SSAValue:
        return self.op(llvm.MulOp(a, b, overflow=NSW if nsw else NO_FLAGS))

    def icmp(self, pred: str, a: SSAValue, b: SSAValue) -> SSAValue:
        flag = llvm.ICmpPredicateFlag(pred)
        return self.op(llvm.ICmpOp(a, b, IntegerAttr(flag.to_int(), i64)))

    def fcmp(self, pred: str, a: SSAValue, b: SSAValue) -> SSAValue:
        return self.op(llvm.FCmpOp(a, b, pred))

    def select(self, cond: SSAValue, a: SSAValue, b: SSAValue) -> SSAValue:
        return self.op(llvm.SelectOp(cond, a, b))

    def intrinsic(self, name: str, args: Sequence[SSAValue], result: Attribute, fastmath=None) -> SSAValue:
        """`llvm.call_intrinsic "name"(args)`; `name` is the mangled name
        (`llvm.maximum.f32`: see `mangle`)."""
        op = llvm.CallIntrinsicOp(name, list(args), [result])
        if fastmath is not None:
            op.properties["fastmathFlags"] = fastmath
        return self.op(op)

    # --- structured control flow ---------------------------------------------------

    @contextmanager
    def loop(self, lo: SSAValue | int, hi: SSAValue | int, step: SSAValue | int = 1) -> Iterator[SSAValue]:
        """`for iv in range(lo, hi, step)`: the body is emitted inside the `with`. The
        counter has `lo`'s type (i64 when `lo` is a Python int)."""
        lo = self.i64(lo) if isinstance(lo, int) else lo
        hi = self.const(lo.type, hi) if isinstance(hi, int) else hi
        step = self.const(lo.type, step) if isinstance(step, int) else step
        header, body, exit_ = Block(arg_types=[lo.type]), Block(), Block()
        self.op(llvm.BrOp(header, lo))
        self.region.add_block(header)
        self.block = header
        iv = header.args[0]
        self.op(llvm.CondBrOp(self.icmp("slt", iv, hi), body, [], exit_, []))
        self.region.add_block(body)
        self.block = body
        yield iv
        self.op(llvm.BrOp(header, self.add(iv, step)))
        self.region.add_block(exit_)
        self.block = exit_

    @contextmanager
    def when(self, cond: SSAValue) -> Iterator[None]:
        """`if cond:`: the body is emitted inside the `with`."""
        body, exit_ = Block(), Block()
        self.op(llvm.CondBrOp(cond, body, [], exit_, []))
        self.region.add_block(body)
        self.block = body
        yield
        self.op(llvm.BrOp(exit_))
        self.region.add_block(exit_)
        self.block = exit_

    def finish(self) -> Region:
        self.op(llvm.ReturnOp())
        return self.region


def _wrap(value: int, width: int) -> int:
    """`value` as a signed `width`-bit integer (i1 true is -1, as MLIR prints it)."""
    value &= (1 << width) - 1
    return value - (1 << width) if value >> (width - 1) else value


def mangle(name: str, *types: Attribute) -> str:
    """An overloaded intrinsic's full name: `mangle("llvm.maximum", f32)` is
    `llvm.maximum.f32`."""
    return ".".join([name, *(_suffix(t) for t in types)])


def _suffix(t: Attribute) -> str:
    if isinstance(t, IntegerType):
        return f"i{t.width.data}"
    assert isinstance(t, AnyFloat)
    return {16: "f16", 32: "f32", 64: "f64"}[t.bitwidth]


def dense_i64(values: Sequence[int]) -> DenseArrayBase:
    return DenseArrayBase.from_list(i64, list(values))


__all__ = ["FuncBuilder", "PTR", "NSW", "REASSOC", "mangle", "dense_i64"]
