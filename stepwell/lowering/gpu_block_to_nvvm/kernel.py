"""One `gpu_block.kernel` lowered to a per-thread `llvm.func` (see the package docstring).

The kernel's ops are emitted in program order where order matters (scalars, loads,
stores, reductions, loops); block index math is evaluated where it is used, in the
consumer's view (values.py). Loads and stores go strip by strip: a strip whose mask
holds in every lane is read and written without masks (contiguous, aligned strips
become `ld.global.v4`), others lane by lane from safe addresses.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Sequence
from dataclasses import dataclass

from xdsl.dialects import llvm
from xdsl.dialects.builtin import (
    ArrayAttr,
    DictionaryAttr,
    IntAttr,
    IntegerAttr,
    IntegerType,
    StringAttr,
    TensorType,
    UnitAttr,
    f32,
    i8,
    i16,
    i32,
    i64,
)
from xdsl.ir import Attribute, Block, Operation, SSAValue

from stepwell.dialects import gpu_block as gb
from stepwell.dialects.gpu_block.types import element_of, shape_of
from stepwell.lowering.gpu_block_to_nvvm import atomic as am
from stepwell.lowering.gpu_block_to_nvvm import attention as at
from stepwell.lowering.gpu_block_to_nvvm import convert as cvt
from stepwell.lowering.gpu_block_to_nvvm import dot as dt
from stepwell.lowering.gpu_block_to_nvvm import libdevice
from stepwell.lowering.gpu_block_to_nvvm import pipeline as pl
from stepwell.lowering.gpu_block_to_nvvm import reduce as rd
from stepwell.lowering.gpu_block_to_nvvm.layout import Layout, log2
from stepwell.lowering.gpu_block_to_nvvm.values import (
    UNIFORM,
    UNKNOWN,
    Fact,
    Regs,
    Slice,
    View,
    identity,
    induction,
    infer_scalar,
    lowbit,
)
from stepwell.lowering.gpu_block_to_nvvm.wgmma import ARCH as WGMMA_ARCH
from stepwell.lowering.loops_to_llvm import conversions as cv
from stepwell.lowering.loops_to_llvm.builder import FuncBuilder
from stepwell.lowering.loops_to_llvm.scalar import UnsupportedOp, lower_scalar

UNSUPPORTED = "not supported by the PTX path yet"


class Unsupported(Exception):
    def __init__(self, op: Operation, what: str):
        super().__init__(f"{what} is {UNSUPPORTED}")
        self.op = op


def global_ptr() -> llvm.LLVMPointerType:
    """`!llvm.ptr<1>`: a pointer to global memory."""
    return llvm.LLVMPointerType(IntAttr(1))


def shared_ptr() -> llvm.LLVMPointerType:
    """`!llvm.ptr<3>`: a pointer to the CTA's shared memory."""
    return llvm.LLVMPointerType(IntAttr(3))


_LAZY = (gb.ArangeOp, gb.SplatOp, gb.ExpandDimsOp, gb.BroadcastOp, gb.AddPtrOp, gb.MapOp)
_MEMORY = gb.LoadOp | gb.StoreOp | gb.AtomicRmwOp


class Kernel:
    """One gpu_block.kernel lowered to an llvm.func."""

    def __init__(self, kernel: gb.KernelOp, max_shared: int, wgmma: bool = False):
        self.kernel = kernel
        self.max_shared = max_shared  # bytes of (dynamic) shared memory a CTA may use
        self.wgmma = wgmma  # K loops may use wgmma (sm_90a; wgmma.py)
        self.threads = 32 * kernel.num_warps.value.data
        ops = [op for op in kernel.body.walk() if op is not kernel]
        for op in ops:
            self._check(op)
        moved = [self._elem(op.ptr) for op in ops if isinstance(op, _MEMORY)]
        self.widest = max((cv.element_bytes(t) for t in moved), default=4)
        self.stored = {self._arg(op.ptr) for op in ops if isinstance(op, gb.StoreOp | gb.AtomicRmwOp)}
        self.smem = 0  # bytes of shared memory the kernel uses
        self.declared: dict[str, Attribute] = {}  # the libdevice functions it calls
        self.sfacts: dict[SSAValue, Fact] = {}
        self.layouts = dt.layouts(kernel, self.threads, wgmma)  # the mma accumulators' shapes
        self.pipelines: list[pl.Plan] = []  # the K loops pipelined (pipeline.py)
        self.streams: list[at.Plan] = []  # the loops whose dots' B tiles stream (attention.py)
        self.reserved = 0  # bytes at the start of shared memory a streamed loop's buffers hold

    # --- what is accepted ---------------------------------------------------------

    def _check(self, op: Operation) -> None:
        if isinstance(op, gb.DotOp) and (why := dt.refusal(op)) is not None:
            raise Unsupported(op, why)
        if isinstance(op, gb.AtomicRmwOp) and (why := am.refusal(op)) is not None:
            raise Unsupported(op, why)
        if isinstance(op, _MEMORY):
            ptr = op.ptr
            if isinstance(ptr.type, TensorType):
                if (chain := self._chain(ptr)) is None:
                    raise Unsupported(op, f"'{op.name}' from pointers other than splat(pointer) + offsets")
                ptr = chain[0]
            if self._root(ptr) is None:
                raise Unsupported(op, f"'{op.name}' from a pointer other than a kernel argument plus offsets")
        if isinstance(op, gb.ArangeOp | gb.ReduceOp | gb.DotOp | gb.ForOp | gb.YieldOp | gb.ReturnOp | gb.ProgramIdOp | _MEMORY):
            return
        if isinstance(op, _LAZY):
            return
        parent = op.parent_op()
        if op.name.startswith(("arith.", "math.")) and (
            isinstance(parent, gb.MapOp) or not any(isinstance(r.type, TensorType) for r in op.results)
        ):
            return
        raise Unsupported(op, f"'{op.name}' in a kernel")

    @staticmethod
    def _elem(ptrs: SSAValue) -> Attribute:
        return element_of(ptrs.type).pointee  # tensor<...x!gpu_block.ptr<T>>

    def _root(self, ptr: SSAValue) -> SSAValue | None:
        """The kernel argument a scalar pointer is an offset of."""
        while isinstance(ptr.owner, gb.AddPtrOp):
            ptr = ptr.owner.base
        return ptr if ptr in self.kernel.args else None

    def _arg(self, ptrs: SSAValue) -> SSAValue:
        """The kernel argument a load or store's pointers are offsets of."""
        if isinstance(ptrs.type, TensorType):
            ptrs = self._chain(ptrs)[0]
        return self._root(ptrs)

    @staticmethod
    def _chain(ptrs: SSAValue) -> tuple[SSAValue, list[SSAValue]] | None:
        """A block of pointers as (pointer, offsets): splat(pointer) moved by each of the
        offsets in turn (a pointer block moved along K in a loop: addptr of addptr)."""
        offsets = []
        while isinstance(ptrs.owner, gb.AddPtrOp):
            offsets.append(ptrs.owner.offsets)
            ptrs = ptrs.owner.base
        if not offsets or not isinstance(ptrs.owner, gb.SplatOp):
            return None
        return ptrs.owner.source, offsets

    def layout(self, shape: Sequence[int]) -> Layout:
        return self.layouts.get(tuple(shape)) or Layout.of(tuple(shape), self.threads, self.widest)

    def ident(self, v: SSAValue) -> View:
        return identity(self.layout(shape_of(v.type)))

    # --- the function -------------------------------------------------------------

    def lower(self) -> list[Operation]:
        """The kernel's llvm.func, after the shared memory it uses (if any): an external
        zero-length array, its size the function's `nvvm.shared_bytes` (dynamic shared
        memory, given at the launch)."""
        k = self.kernel
        arg_types = [global_ptr() if isinstance(a.type, gb.PtrType) else cv.value_type(a.type) for a in k.args]
        self.b = b = FuncBuilder(arg_types)
        self.env: dict[SSAValue, object] = dict(zip(k.args, b.args))
        for a in k.args:
            if (d := k.facts(a.index).get("divisibility")) is not None and not isinstance(a.type, gb.PtrType):
                self.sfacts[a] = Fact(0, d.value.data)
        self.memo: list[dict] = [{}]
        self.tid = b.intrinsic("llvm.nvvm.read.ptx.sreg.tid.x", [], i32)
        self.smem_name = f"{k.sym_name.data}_smem"
        self._ops(k.body.block.ops)
        arg_attrs = []
        for a in k.args:
            attrs: dict[str, Attribute] = {}
            if isinstance(a.type, gb.PtrType):
                attrs["llvm.noalias"] = UnitAttr()
                if a not in self.stored:
                    attrs["llvm.readonly"] = UnitAttr()
                if (d := k.facts(a.index).get("divisibility")) is not None:
                    attrs["llvm.align"] = IntegerAttr(d.value.data, i64)
            arg_attrs.append(DictionaryAttr(attrs))
        fn = llvm.FuncOp(
            k.sym_name.data,
            llvm.LLVMFunctionType(arg_types),
            linkage=llvm.LinkageAttr("external"),
            body=b.finish(),
            other_props={"arg_attrs": ArrayAttr(arg_attrs)},
        )
        fn.attributes["nvvm.kernel"] = UnitAttr()
        fn.attributes["nvvm.maxntid"] = IntegerAttr(self.threads, i32)
        fn.attributes["gpu_block.grid"] = k.grid
        if self.pipelines:
            fn.attributes["nvvm.dot_pipeline"] = ArrayAttr([p.attribute() for p in self.pipelines])
        wgmma = any(p.wgmma for p in (*self.pipelines, *self.streams))
        if wgmma:
            fn.attributes["nvvm.arch"] = StringAttr(WGMMA_ARCH)
        if self.streams:
            fn.attributes["nvvm.dot_stream"] = ArrayAttr([p.attribute() for p in self.streams])
        if not self.smem:
            return [fn]
        if self.smem > self.max_shared:
            raise Unsupported(k, f"a kernel needing {self.smem} bytes of shared memory (more than {self.max_shared})")
        fn.attributes["nvvm.shared_bytes"] = IntegerAttr(self.smem, i32)
        align = 1024 if wgmma else 16  # (wgmma's swizzled tiles start at multiples of 1024 bytes)
        smem = llvm.GlobalOp(llvm.LLVMArrayType(0, i8), self.smem_name, "external", addr_space=3, alignment=align)
        return [smem, fn]

    def _ops(self, ops) -> None:
        for op in ops:
            if isinstance(op, gb.ReturnOp | gb.YieldOp) or (
                isinstance(op, _LAZY) and any(isinstance(r.type, TensorType) for r in op.results)
            ):
                continue
            if isinstance(op, gb.AddPtrOp):  # a scalar pointer
                elem = cv.storage_type(op.result.type.pointee)
                self.env[op.result] = gep(self.b, self.env[op.base], self.env[op.offsets], elem)
            elif isinstance(op, gb.AtomicRmwOp):
                am.lower(self, op)
            elif isinstance(op, gb.LoadOp | gb.StoreOp) and not isinstance(op.ptr.type, TensorType):
                self._scalar_memory(op)
            elif isinstance(op, gb.ProgramIdOp):
                axis = op.axis.value.data
                self.env[op.result] = self.b.intrinsic(f"llvm.nvvm.read.ptx.sreg.ctaid.{'xyz'[axis]}", [], i32)
                grid = self.kernel.grid.data[axis].data if axis < len(self.kernel.grid.data) else "1"
                self.sfacts[op.result] = Fact(0, 1, (0, int(grid) - 1) if grid.isdigit() else None)
            elif isinstance(op, gb.LoadOp):
                if not isinstance(self.env.get(op.result), dt.StagedB):  # (else streamed: attention.py)
                    self.env[op.result] = cvt.load(self, op)
            elif isinstance(op, gb.StoreOp):
                self._store(op)
            elif isinstance(op, gb.ReduceOp):
                self.env[op.result] = rd.reduce(self, op)
            elif isinstance(op, gb.DotOp):
                self.env[op.result] = dt.lower(self, op)
            elif isinstance(op, gb.ForOp):
                self._for(op)
            else:  # a scalar arith/math op
                self.env[op.results[0]] = self.scalar(op, [self.env[o] for o in op.operands])
                if (f := infer_scalar(op, self.sfact)) is not None:
                    self.sfacts[op.results[0]] = f

    def scalar(self, op: Operation, args: list) -> SSAValue:
        if op.name == "math.exp2" and op.results[0].type == f32:
            # left for the target where loops-expand-math does not expand (a fused
            # attention chain's softmax): `ex2.approx.f32`, as Triton's tl.exp2
            return self.b.intrinsic("llvm.exp2.f32", args, f32)
        if op.name == "arith.truncf" and cv.is_bf16(op.results[0].type) and args[0].type == f32:
            # one `cvt.rn.bf16.f32` (round to nearest even, as cv.f32_to_bf16's integer
            # sequence; a NaN becomes the canonical one)
            return self.b.op(llvm.InlineAsmOp(dt.BF16_CVT, "=h,f", args, [i16]))
        if op.name in libdevice.FUNCTIONS:
            return libdevice.call(self.b, op, args, self.declared)
        try:
            return lower_scalar(self.b, op, args)
        except UnsupportedOp:
            raise Unsupported(op, f"'{op.name}'") from None

    def sfact(self, v: SSAValue) -> Fact:
        return self.sfacts.get(v, UNIFORM)  # a scalar is the same in every lane

    # --- positions ----------------------------------------------------------------

    def _cached(self, key, make):
        for scope in reversed(self.memo):
            if key in scope:
                return scope[key]
        value = self.memo[-1][key] = make()
        return value

    def tid_in(self, layout: Layout) -> SSAValue:
        """The thread's index among the layout's distinct threads."""
        if layout.active == self.threads:
            return self.tid
        return self._cached(("tid", layout.active), lambda: self.b.op(llvm.AndOp(self.tid, self.b.const(i32, layout.active - 1))))

    def flat(self, layout: Layout) -> list[SSAValue]:
        """Each register's flat index in the layout's block."""

        def make():
            b = self.b
            if isinstance(layout, dt.MmaLayout):
                first = dt.thread_offset(self, layout)
            else:
                first = b.mul(self.tid_in(layout), b.const(i32, layout.vec))
            return [b.add(first, b.const(i32, layout.reg_offset(k))) if layout.reg_offset(k) else first for k in range(layout.per)]

        return self._cached(("flat", layout), make)

    def coord(self, layout: Layout, d: int) -> list[SSAValue]:
        """Each register's coordinate along dim d of the layout's block."""

        def make():
            b, bits = self.b, layout.dim_bits(d)
            out = []
            for k, f in enumerate(self.flat(layout)):
                if j := k % layout.vec:  # a strip lies in one row: lane 0's, plus j along it
                    last = d == len(layout.shape) - 1
                    out.append(b.add(out[k - j], b.const(i32, j)) if last else out[k - j])
                    continue
                c = b.op(llvm.LShrOp(f, b.const(i32, bits.start))) if bits.start else f
                out.append(b.op(llvm.AndOp(c, b.const(i32, layout.shape[d] - 1))))
            return out

        return self._cached(("coord", layout, d), make)

    # --- block values in a view ---------------------------------------------------

    def at(self, v: SSAValue, view: View) -> list[SSAValue]:
        """`v`'s elements that a consumer in `view` needs, one per register."""
        return self._cached((v, view), lambda: self._eval(v, view))

    def _eval(self, v: SSAValue, view: View) -> list[SSAValue]:
        layout, dims = view
        held = self.env.get(v)
        if isinstance(held, Slice) and held.serves(view):
            return [held.regs[held.layout.kept(k, held.axis)] for k in range(layout.per)]
        if isinstance(held, Regs) and view == held.view:
            return held.regs
        if isinstance(held, Regs):
            return cvt.convert(self, held, view)
        if isinstance(held, Slice):
            return dt.rows_in(held, view) or self.through_shared(v, held, view)
        op = v.owner
        if isinstance(op, gb.ArangeOp):
            start, d = op.start.value.data, dims[0]
            if d is None:
                return [self.b.const(i32, start)] * layout.per
            return [self.b.add(c, self.b.const(i32, start)) if start else c for c in self.coord(layout, d)]
        if isinstance(op, gb.SplatOp):
            return [self.env[op.source]] * layout.per
        if isinstance(op, gb.ExpandDimsOp):
            a = op.axis.value.data
            return self.at(op.source, (layout, dims[:a] + dims[a + 1 :]))
        if isinstance(op, gb.BroadcastOp):
            src = shape_of(op.source.type)
            return self.at(op.source, (layout, tuple(None if n == 1 else d for n, d in zip(src, dims))))
        if isinstance(op, gb.MapOp):
            fact = self.fact(v, view)
            if fact.span is not None and fact.span[0] == fact.span[1] and isinstance(element_of(v.type), IntegerType):
                return [self.b.const(element_of(v.type), fact.span[0])] * layout.per  # a mask proven everywhere
            regs = self._map(op, view)[op.outputs.index(v)]
            if fact.stride == 0:  # the same along a strip: its lane 0's (the others' math is left dead)
                regs = [regs[k - k % layout.vec] for k in range(layout.per)]
            return regs
        raise Unsupported(op, f"'{op.name}' feeding a block")

    def _map(self, op: gb.MapOp, view: View) -> list[list[SSAValue]]:
        def make():
            block = op.body.block
            inputs = [self.at(x, view) for x in op.inputs]
            outs: list[list[SSAValue]] = [[] for _ in op.outputs]
            for k in range(view[0].per):
                local = {arg: x[k] for arg, x in zip(block.args, inputs)}
                for inner in block.ops:
                    if isinstance(inner, gb.YieldOp):
                        for out, y in zip(outs, inner.operands):
                            out.append(local[y] if y in local else self.env[y])
                        continue
                    args = [local[o] if o in local else self._outer(o) for o in inner.operands]
                    local[inner.results[0]] = self.scalar(inner, args)
            return outs

        return self._cached((op, view), make)

    def _outer(self, v: SSAValue) -> SSAValue:
        value = self.env.get(v)
        if not isinstance(value, SSAValue):
            raise Unsupported(v.owner, "a block value used inside a map without being its input")
        return value

    # --- facts of block values in a view --------------------------------------------

    def fact(self, v: SSAValue, view: View) -> Fact:
        if not isinstance(v.type, TensorType):
            return self.sfact(v)
        layout, dims = view
        op = v.owner
        if v in self.env:
            return UNKNOWN
        if isinstance(op, gb.ArangeOp):
            start, d = op.start.value.data, dims[0]
            if d is None:
                return Fact(0, lowbit(start), (start, start))
            span = (start, op.end.value.data - 1)
            if d == len(layout.shape) - 1:
                return Fact(1, min(layout.vec, lowbit(start)), span)
            return Fact(0, 1, span)
        if isinstance(op, gb.SplatOp):
            return self.sfact(op.source)
        if isinstance(op, gb.ExpandDimsOp):
            a = op.axis.value.data
            return self.fact(op.source, (layout, dims[:a] + dims[a + 1 :]))
        if isinstance(op, gb.BroadcastOp):
            src = shape_of(op.source.type)
            return self.fact(op.source, (layout, tuple(None if n == 1 else d for n, d in zip(src, dims))))
        if isinstance(op, gb.MapOp):
            block = op.body.block
            local = {arg: self.fact(x, view) for arg, x in zip(block.args, op.inputs)}

            def get(u: SSAValue) -> Fact:
                return local.get(u, self.sfact(u))

            for inner in block.ops:
                if isinstance(inner, gb.YieldOp):
                    return get(inner.operands[op.outputs.index(v)])
                if (f := infer_scalar(inner, get, layout.vec)) is None:  # uniform only if all it reads is
                    f = UNIFORM if all(get(o).stride == 0 for o in inner.operands) else UNKNOWN
                local[inner.results[0]] = f
        return UNKNOWN

    # --- shared memory --------------------------------------------------------------

    def shared(self, offset: SSAValue, elem: Attribute, base: int = 0) -> SSAValue:
        """The address of element `offset` of a shared array of `elem` starting at byte
        `base` (above the `reserved` bytes)."""
        b = self.b
        base += self.reserved
        start = b.op(llvm.AddressOfOp(self.smem_name, shared_ptr()))
        if base:
            assert base % _bytes(elem) == 0
            offset = b.add(offset, b.const(i32, base // _bytes(elem)))
        return b.op(llvm.GEPOp(start, [llvm.GEP_USE_SSA_VAL], elem, [offset], inbounds=True, result_type=shared_ptr()))

    def use_shared(self, nbytes: int) -> None:
        self.smem = max(self.smem, (nbytes + self.reserved + 15) // 16 * 16)

    def barrier(self) -> None:
        self.b.op(llvm.CallIntrinsicOp("llvm.nvvm.barrier0", [], []))

    def through_shared(self, v: SSAValue, held: Slice, view: View) -> list[SSAValue]:
        """`held` (the value of `v`) written to shared memory at its row-major index,
        then read at `view`'s elements: a reduction's result in another layout (blocks
        in registers change layout in convert.py)."""
        b, shape = self.b, shape_of(v.type)
        strides = [1] * len(shape)
        for d in reversed(range(len(shape) - 1)):
            strides[d] = strides[d + 1] * shape[d + 1]
        regs = list(held.regs.values())
        elem = regs[0].type
        self.use_shared(len(regs) and _bytes(elem) * math.prod(shape))

        def index(coords: list[SSAValue | None]) -> SSAValue:
            total = None
            for c, s in zip(coords, strides):
                if c is None:
                    continue
                term = b.mul(c, b.const(i32, s)) if s != 1 else c
                total = term if total is None else b.add(total, term)
            return total if total is not None else b.const(i32, 0)

        coords = [self.coord(held.layout, d) for d in held.kept_dims]
        for kk, r in held.regs.items():
            b.op(llvm.StoreOp(r, self.shared(index([c[kk] for c in coords]), elem)))
        self.barrier()
        layout, dims = view
        coords = [self.coord(layout, d) if d is not None else None for d in dims]
        out = [b.op(llvm.LoadOp(self.shared(index([c[k] if c else None for c in coords]), elem), elem)) for k in range(layout.per)]
        self.barrier()
        return out

    # --- global memory ----------------------------------------------------------------

    def _aligned(self, ptrs: SSAValue, view: View) -> int:
        """The alignment in bytes of a strip's first lane (one element's unless the
        strip is contiguous)."""
        size = cv.element_bytes(self._elem(ptrs))
        source, chain = self._chain(ptrs)
        facts = [self.fact(o, view) for o in chain]
        strides = [f.stride for f in facts]
        offs = Fact(None if None in strides else sum(strides), math.gcd(*(f.div for f in facts)))
        base_div = self.kernel.facts(source.index).get("divisibility") if source in self.kernel.args else None
        base_div = base_div.value.data if base_div is not None else size
        if offs.stride != 1 or view[0].vec == 1:
            return size
        return min(view[0].vec * size, lowbit(offs.div) * size, base_div)

    def _mask(self, op: gb.LoadOp | gb.StoreOp, view: View) -> list[SSAValue] | None:
        """The mask's registers; None where there is none or it holds for every element
        of every program (an exact grid: the masked tails are never taken)."""
        if op.mask is None or self.fact(op.mask, view).span == (1, 1):
            return None
        return self.at(op.mask, view)

    def _strips(self, view: View, mask: list[SSAValue] | None, whole: bool = False):
        """(registers, all lanes in) of each strip (None: no mask); `whole`: the mask is
        the same in every lane of a strip (its lane 0 says)."""
        vec = view[0].vec
        for s in range(0, view[0].per, vec):
            ks = list(range(s, s + vec))
            if mask is None:
                yield ks, None
                continue
            all_in = mask[ks[0]]
            for k in ks[1:] if not whole else ():
                all_in = self.b.op(llvm.AndOp(all_in, mask[k]))
            yield ks, all_in

    def _scalar_memory(self, op: gb.LoadOp | gb.StoreOp) -> None:
        """A load every thread makes (one address), or a store thread 0 makes."""
        b, t = self.b, op.ptr.type.pointee
        st, size = cv.storage_type(t), cv.element_bytes(t)
        ptr = self.env[op.ptr]
        mask = self.env[op.mask] if op.mask is not None else None
        if isinstance(op, gb.LoadOp):
            safe = b.select(mask, ptr, self.env[self._arg(op.ptr)]) if mask is not None else ptr
            value = cv.from_storage(b, b.op(llvm.LoadOp(safe, st, alignment=size)), t)
            if mask is not None:
                other = self.env[op.other] if op.other is not None else b.const(cv.value_type(t), 0)
                value = b.select(mask, value, other)
            self.env[op.result] = value
            return
        cond = b.icmp("eq", self.tid, b.const(i32, 0))
        if mask is not None:
            cond = b.op(llvm.AndOp(cond, mask))
        with b.when(cond):
            b.op(llvm.StoreOp(cv.to_storage(b, self.env[op.value], t), ptr, alignment=size))

    def _addresses(self, ptrs: SSAValue, view: View, elem: Attribute) -> tuple[SSAValue, list[SSAValue]]:
        source, chain = self._chain(ptrs)
        base = self.env[source]
        offsets = self.at(chain[0], view)
        for more in chain[1:]:
            offsets = [self.b.add(x, y) for x, y in zip(offsets, self.at(more, view))]
        strides = [self.fact(c, view).stride for c in chain]
        contiguous = None not in strides and sum(strides) == 1
        addrs: list[SSAValue] = []
        for k, off in enumerate(offsets):
            j = k % view[0].vec if contiguous else 0  # lane j of a contiguous strip: lane 0's plus j
            addrs.append(gep(self.b, addrs[k - j], self.b.const(i32, j), elem) if j else gep(self.b, base, off, elem))
        return base, addrs

    def _load(self, op: gb.LoadOp, view: View) -> list[SSAValue]:
        b, t = self.b, self._elem(op.ptr)
        st, size = cv.storage_type(t), cv.element_bytes(t)
        base, addrs = self._addresses(op.ptr, view, st)
        align = self._aligned(op.ptr, view)
        mask = self._mask(op, view)
        other = None
        if op.other is not None:
            other = self.env[op.other]
        fallback = cv.to_storage(b, other, t) if other is not None else b.const(st, 0)
        whole = mask is not None and self.fact(op.mask, view).stride == 0
        out: list[SSAValue] = []
        for ks, all_in in self._strips(view, mask, whole):
            if all_in is None:
                out += [b.op(llvm.LoadOp(addrs[k], st, alignment=_lane_align(align, size, j))) for j, k in enumerate(ks)]
                continue
            full, part, join = Block(), Block(), Block(arg_types=[st] * len(ks))
            b.op(llvm.CondBrOp(all_in, full, [], part, []))
            b.region.add_block(full)
            b.block = full
            vals = [b.op(llvm.LoadOp(addrs[k], st, alignment=_lane_align(align, size, j))) for j, k in enumerate(ks)]
            b.op(llvm.BrOp(join, *vals))
            b.region.add_block(part)
            b.block = part
            if whole:  # no lane of the strip is in: a predicated vector load
                vals = [fallback] * len(ks)
            else:
                vals = [b.select(mask[k], b.op(llvm.LoadOp(b.select(mask[k], addrs[k], base), st, alignment=size)), fallback) for k in ks]
            b.op(llvm.BrOp(join, *vals))
            b.region.add_block(join)
            b.block = join
            out += list(join.args)
        return [cv.from_storage(b, v, t) for v in out]

    def _store(self, op: gb.StoreOp) -> None:
        b, t = self.b, self._elem(op.ptr)
        view = self.ident(op.ptr)
        layout = view[0]
        st, size = cv.storage_type(t), cv.element_bytes(t)
        _, addrs = self._addresses(op.ptr, view, st)
        values = [cv.to_storage(b, v, t) for v in self.at(op.value, view)]
        align = self._aligned(op.ptr, view)
        mask = self._mask(op, view)
        whole = mask is not None and self.fact(op.mask, view).stride == 0
        with self.owners(layout):  # replicas store nothing
            self._store_strips(view, mask, whole, values, addrs, align, size)

    def owners(self, layout: Layout):
        """A context in which only the threads that own elements of `layout` run (a
        block smaller than the CTA is replicated; its replicas must not write twice)."""
        if layout.active < self.threads:
            return self.b.when(self.b.icmp("ult", self.tid, self.b.const(i32, layout.active)))
        return contextlib.nullcontext()

    def _store_strips(self, view, mask, whole, values, addrs, align, size) -> None:
        b = self.b
        for ks, all_in in self._strips(view, mask, whole):
            if all_in is None or whole:  # (whole: a predicated vector store)
                with b.when(all_in) if all_in is not None else contextlib.nullcontext():
                    for j, k in enumerate(ks):
                        b.op(llvm.StoreOp(values[k], addrs[k], alignment=_lane_align(align, size, j)))
                continue
            full, part, join = Block(), Block(), Block()
            b.op(llvm.CondBrOp(all_in, full, [], part, []))
            b.region.add_block(full)
            b.block = full
            for j, k in enumerate(ks):
                b.op(llvm.StoreOp(values[k], addrs[k], alignment=_lane_align(align, size, j)))
            b.op(llvm.BrOp(join))
            b.region.add_block(part)
            b.block = part
            for k in ks:
                with b.when(mask[k]):
                    b.op(llvm.StoreOp(values[k], addrs[k], alignment=size))
            b.op(llvm.BrOp(join))
            b.region.add_block(join)
            b.block = join

    # --- loops --------------------------------------------------------------------

    def _for(self, op: gb.ForOp) -> None:
        """A counted loop; carried blocks live in one stack slot per register (SROA
        makes them phis again)."""
        if (plan := pl.plan(self, op)) is not None:
            self._pipelined_for(op, plan)
            return
        b = self.b
        lo, hi, step = (self.env[v] for v in (op.lower, op.upper, op.step))
        for dot in op.body.block.ops:  # loop-invariant A operands: fragments read once
            if isinstance(dot, gb.DotOp) and dot.a.owner.parent_block() is not op.body.block:
                dt.hoist_a(self, dot)
        stream = at.Stream(self, streamed, op, lo, hi, step) if (streamed := at.plan(self, op)) is not None else None
        slots: list[tuple[View | None, list[SSAValue]]] = []
        yielded = op.body.block.last_op.operands
        for init, y in zip(op.iter_args, yielded):
            if isinstance(init.type, TensorType):
                view = self._carried_slice(y) or cvt.carried_view(self, y, self.ident(init))
                regs = self._carried_regs(init, view)
                cells = [b.alloca(r.type, 1) for r in regs]
                for r, c in zip(regs, cells):
                    b.op(llvm.StoreOp(r, c))
                slots.append((view, cells))
            else:
                value = self.env[init]
                cell = b.alloca(value.type, 1)
                b.op(llvm.StoreOp(value, cell))
                slots.append((None, [cell]))
        types = [_slot_types(op.iter_args[i], slots[i]) for i in range(len(slots))]
        with b.loop(lo, hi, step) as iv:
            self.env[op.induction_var] = iv
            self.sfacts[op.induction_var] = induction(*(self.sfact(v) for v in (op.lower, op.upper, op.step)))
            self._restore(op.body.block.args[1:], slots, types)
            self.memo.append({})
            if stream is not None:
                stream.top(iv)
            self._ops(op.body.block.ops)
            for v, (view, cells) in zip(yielded, slots):
                regs = self._carried_regs(v, view) if view is not None else [self.env[v]]
                for r, c in zip(regs, cells):
                    b.op(llvm.StoreOp(r, c))
            self.memo.pop()
        if stream is not None:
            stream.finish()
        self._restore(op.outputs, slots, types)

    def _pipelined_for(self, op: gb.ForOp, plan: pl.Plan) -> None:
        """A dot's K loop, software-pipelined (pipeline.py)."""
        pl.emit(self, op, plan)

    def _restore(self, values: Sequence[SSAValue], slots, types) -> None:
        for v, (view, cells), ts in zip(values, slots, types):
            regs = [self.b.op(llvm.LoadOp(c, ty)) for c, ty in zip(cells, ts)]
            if isinstance(view, _SliceCarry):
                self.env[v] = Slice(view.layout, view.axis, dict(zip(view.keys, regs)))
            else:
                self.env[v] = Regs.of(view, regs) if view is not None else regs[0]

    def _carried_slice(self, yielded: SSAValue) -> _SliceCarry | None:
        """How a loop carries a block computed elementwise from a reduction's result
        (an attention's row max and row sum): as that result is held, a slice of the
        reduced block's layout, so that the loop body changes no layout."""
        for v in cvt._elementwise(yielded):
            if isinstance(op := v.owner, gb.ReduceOp):
                view = cvt.reduce_view(self, op)
                if view != identity(view[0]):
                    return None
                axis = op.axis.value.data
                return _SliceCarry(view[0], axis, tuple(sorted({view[0].kept(r, axis) for r in range(view[0].per)})))
        return None

    def _carried_regs(self, v: SSAValue, view) -> list[SSAValue]:
        """`v`'s registers as the loop carries it (a view, or a slice: its kept registers)."""
        if not isinstance(view, _SliceCarry):
            return self.at(v, view)
        kept = tuple(d for d in range(len(view.layout.shape)) if d != view.axis)
        regs = self.at(v, (view.layout, kept))
        return [regs[r] for r in view.keys]


@dataclass(frozen=True)
class _SliceCarry:
    """A loop-carried block held as a `Slice` of `layout` along `axis` (its registers
    `keys`)."""

    layout: Layout
    axis: int
    keys: tuple[int, ...]


def _slot_types(v: SSAValue, slot) -> list[Attribute]:
    return [cv.value_type(element_of(v.type))] * len(slot[1])


def _bytes(t: Attribute) -> int:
    if isinstance(t, IntegerType):
        return max(1, t.width.data // 8)
    return t.bitwidth // 8  # type: ignore[attr-defined]


def _lane_align(align: int, size: int, j: int) -> int:
    """The alignment of lane j of a strip whose lane 0 is `align`-aligned."""
    return align if j == 0 else min(align, lowbit(j * size))


def gep(b: FuncBuilder, base: SSAValue, offset: SSAValue, elem: Attribute) -> SSAValue:
    return b.op(llvm.GEPOp(base, [llvm.GEP_USE_SSA_VAL], elem, [offset], inbounds=True, result_type=global_ptr()))


__all__ = ["UNSUPPORTED", "Kernel", "Unsupported", "log2"]
