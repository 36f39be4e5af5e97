"""`loops.check_index` as a kernel of its own, which the runtime calls once:

    void NAME(i64 begin, i64 end, ptr status [, ptr indices])

It scans the indices (a buffer, a constant global, or a splat) and writes status[0] =
the first row-major position of an index outside [-size, size), or -1, and status[1] =
that index. The scan is a min-reduction of positions, so it vectorizes. The plan's call
carries `check = {op, axis, size}`; the runtime turns status[0] >= 0 into the
IndexOutOfRange the reference interpreters raise (stepwell.runtime.cpu).
"""

from __future__ import annotations

import math
from collections.abc import Callable

from xdsl.dialects import llvm
from xdsl.dialects.builtin import ArrayAttr, DictionaryAttr, IntegerType, TensorType, UnitAttr, i64
from xdsl.ir import SSAValue

from stepwell.dialects.loops import CheckIndexOp
from stepwell.lowering.loops_to_llvm.builder import PTR, FuncBuilder, mangle

Load = Callable[[FuncBuilder, SSAValue], SSAValue]  # (builder, flat position) -> the index as i64


def emit_check(op: CheckIndexOp, name: str, symbol: str | None, splat: int | None) -> llvm.FuncOp:
    """The kernel of `op`; its indices are the last parameter, unless they are the
    constant global `symbol` or the splat value `splat`."""
    t = op.indices.type
    assert isinstance(t, TensorType) and isinstance(t.element_type, IntegerType)
    count, size = math.prod(t.get_shape()), op.size.value.data
    by_pointer = symbol is None and splat is None
    b = FuncBuilder([i64, i64, PTR] + ([PTR] if by_pointer else []))
    load = _loader(b, t.element_type, symbol, splat)
    status = b.args[2]
    first = b.alloca(i64, 1)
    b.store(b.i64(count), first, b.i64(0))
    with b.loop(0, count) as k:
        index = load(b, k)
        inside = b.op(llvm.AndOp(b.icmp("sge", index, b.i64(-size)), b.icmp("slt", index, b.i64(size))))
        candidate = b.select(inside, b.i64(count), k)
        b.store(b.intrinsic(mangle("llvm.smin", i64), [b.load(first, b.i64(0), i64), candidate], i64), first, b.i64(0))
    position = b.load(first, b.i64(0), i64)
    found = b.icmp("slt", position, b.i64(count))
    b.store(b.select(found, position, b.i64(-1)), status, b.i64(0))
    b.store(load(b, b.select(found, position, b.i64(0))) if count else b.i64(0), status, b.i64(1))
    n = len(b.args)
    noalias = DictionaryAttr({"llvm.noalias": UnitAttr()})
    return llvm.FuncOp(
        name,
        llvm.LLVMFunctionType([i64] * 2 + [PTR] * (n - 2)),
        linkage=llvm.LinkageAttr("external"),
        body=b.finish(),
        other_props={"arg_attrs": ArrayAttr([DictionaryAttr({})] * 2 + [noalias] * (n - 2))},
    )


def _loader(b: FuncBuilder, elem: IntegerType, symbol: str | None, splat: int | None) -> Load:
    if splat is not None:
        return lambda b, k: b.i64(splat)
    ptr = b.args[3] if symbol is None else b.at_entry(llvm.AddressOfOp(symbol, PTR))

    def load(b: FuncBuilder, k: SSAValue) -> SSAValue:
        value = b.load(ptr, k, elem)
        return value if elem.width.data == 64 else b.op(llvm.SExtOp(value, i64))

    return load


def check_attr(op: CheckIndexOp) -> DictionaryAttr:
    """What the runtime needs to say what failed."""
    return DictionaryAttr({"op": op.op_name, "axis": op.axis, "size": op.size})
