"""`convert-gpu_block-to-nvvm`: `gpu_block` kernels -> per-thread `llvm.func`s for NVPTX.

The first slice of issue 10 covers the kernels convert-loops-to-gpu_block makes of a
lone `loops.pointwise` (program_id, arange, splat, addptr, maps of scalar arith/math,
masked loads and stores). Each kernel becomes an `llvm.func` marked `nvvm.kernel` with
`nvvm.maxntid` (its threads); pointers are `!llvm.ptr<1>` (global memory).

Layout (blocked): the CTA's T = 32 * num_warps threads split the block of BLOCK
elements into strips of VEC contiguous elements (up to 16 bytes of the widest element
type); thread `tid` owns lanes `r * T' * VEC + tid * VEC + j` for repetition r and
j < VEC (T' = the threads that have work, T unless BLOCK < T). Per strip, the kernel
tests whether every lane's mask holds: if so, loads and stores are unmasked, and those
whose offsets are contiguous with a provably aligned start carry the strip's alignment
(LLVM's load/store vectorizer merges them into `ld.global.v4` ...); otherwise each
lane loads from a safe address (the buffer's start) and selects `other`, and stores
under a branch. Bodies are lowered op by op by convert-loops-to-llvm's scalar rules
(bf16 as i16 bits); run `loops-expand-math` first so that no transcendental is left
(the `lower-to-ptx` pipeline does), hence no libcall.

The host functions (their launches) are dropped: each `llvm.func` keeps its grid as
`gpu_block.grid`. Everything else (reductions, dots, loops, 2-D tiles) is refused at
the op with "not supported by the PTX path yet". Next: reductions (warp shuffles,
shared memory), 2-D tiles, dots, and a runtime that launches these kernels.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects import arith, func, llvm
from xdsl.dialects.builtin import (
    ArrayAttr,
    DictionaryAttr,
    IntAttr,
    IntegerAttr,
    ModuleOp,
    TensorType,
    UnitAttr,
    i32,
    i64,
)
from xdsl.ir import Attribute, Block, Operation, SSAValue
from xdsl.passes import ModulePass
from xdsl.utils.exceptions import PassFailedException

from stepwell.dialects import gpu_block as gb
from stepwell.ir import report
from stepwell.lowering.loops_to_llvm import conversions as cv
from stepwell.lowering.loops_to_llvm.builder import FuncBuilder
from stepwell.lowering.loops_to_llvm.scalar import UnsupportedOp, lower_scalar

VECTOR_BYTES = 16  # the widest global access of one thread
UNSUPPORTED = "not supported by the PTX path yet"


class Unsupported(Exception):
    def __init__(self, op: Operation, what: str):
        super().__init__(f"{what} is {UNSUPPORTED}")
        self.op = op


def global_ptr() -> llvm.LLVMPointerType:
    """`!llvm.ptr<1>`: a pointer to global memory."""
    return llvm.LLVMPointerType(IntAttr(1))


@dataclass(frozen=True)
class Fact:
    """What is known of a block value: element j of a strip is element 0 plus
    `stride * j` (stride 0: uniform, 1: contiguous, None: unknown), and element 0 is a
    multiple of `div`."""

    stride: int | None = None
    div: int = 1


def _lowbit(c: int) -> int:
    return 1 << 30 if c == 0 else min(c & -c, 1 << 30)


class Kernel:
    """One gpu_block.kernel lowered to an llvm.func."""

    def __init__(self, kernel: gb.KernelOp):
        self.kernel = kernel
        ops = list(kernel.body.block.ops)
        for op in ops:
            self._check(op)
        aranges = [op for op in ops if isinstance(op, gb.ArangeOp)]
        if len(aranges) != 1:
            raise Unsupported(kernel, "a kernel without exactly one gpu_block.arange")
        arange = aranges[0]
        self.block = arange.end.value.data - arange.start.value.data
        self.threads = 32 * kernel.num_warps.value.data
        widest = max((cv.element_bytes(self._elem(op.ptr)) for op in ops if isinstance(op, gb.LoadOp | gb.StoreOp)), default=4)
        self.per = max(1, self.block // self.threads)
        self.vec = min(self.per, max(1, VECTOR_BYTES // widest))
        self.active = self.block // self.per
        self.reps = self.per // self.vec
        self.ops = ops
        self.facts: dict[SSAValue, Fact] = {}
        masks = {op.mask for op in ops if isinstance(op, gb.LoadOp | gb.StoreOp) and op.mask is not None}
        if len(masks) > 1:
            raise Unsupported(kernel, "a kernel whose loads and stores have different masks")
        self.mask = masks.pop() if masks else None

    # --- what this slice accepts --------------------------------------------------

    def _check(self, op: Operation) -> None:
        if isinstance(op, gb.ProgramIdOp | gb.ArangeOp | gb.SplatOp | gb.AddPtrOp | gb.ReturnOp | gb.MapOp):
            if isinstance(op, gb.MapOp):
                for inner in op.body.block.ops:
                    if not isinstance(inner, gb.YieldOp) and not inner.name.startswith(("arith.", "math.")):
                        raise Unsupported(inner, f"'{inner.name}' in a gpu_block.map")
            return
        if isinstance(op, gb.LoadOp | gb.StoreOp):
            if not isinstance(op.ptr.owner, gb.AddPtrOp) or not isinstance(op.ptr.owner.base.owner, gb.SplatOp):
                raise Unsupported(op, f"'{op.name}' from pointers other than splat(arg) + offsets")
            return
        if op.name.startswith("arith.") and not any(isinstance(r.type, TensorType) for r in op.results):
            return
        raise Unsupported(op, f"'{op.name}' in a kernel")

    @staticmethod
    def _elem(ptrs: SSAValue) -> Attribute:
        return ptrs.type.element_type.pointee  # tensor<Bx!gpu_block.ptr<T>>

    # --- facts: strides and divisibility ------------------------------------------

    def _fact(self, v: SSAValue) -> Fact:
        return self.facts.get(v, Fact())

    def _infer(self, op: Operation) -> None:
        f = self._fact
        if isinstance(op, arith.ConstantOp) and isinstance(op.value, IntegerAttr):
            self.facts[op.result] = Fact(0, _lowbit(op.value.value.data))
        elif isinstance(op, gb.ProgramIdOp):
            self.facts[op.result] = Fact(0, 1)
        elif isinstance(op, arith.MuliOp) and f(op.lhs).stride == 0 and f(op.rhs).stride == 0:
            self.facts[op.result] = Fact(0, min(f(op.lhs).div * f(op.rhs).div, 1 << 30))
        elif isinstance(op, arith.AddiOp):
            a, b = f(op.lhs), f(op.rhs)
            if a.stride is not None and b.stride is not None and a.stride + b.stride <= 1:
                self.facts[op.result] = Fact(a.stride + b.stride, math.gcd(a.div, b.div))
        elif isinstance(op, arith.ExtSIOp | arith.ExtUIOp):
            self.facts[op.result] = f(op.input)
        elif isinstance(op, gb.ArangeOp):
            self.facts[op.result] = Fact(1, math.gcd(self.vec, _lowbit(op.start.value.data)))
        elif isinstance(op, gb.SplatOp):
            self.facts[op.result] = f(op.source)
        elif isinstance(op, gb.MapOp):
            block = op.body.block
            for arg, x in zip(block.args, op.inputs):
                self.facts[arg] = f(x)
            for inner in block.ops:
                self._infer(inner)
            yield_ = block.last_op
            for r, y in zip(op.outputs, yield_.operands):
                self.facts[r] = f(y)

    def _aligned(self, ptrs: SSAValue) -> int:
        """The alignment in bytes of the first lane of a strip of `ptrs`, when the strip is
        contiguous (else one element's)."""
        addptr = ptrs.owner
        size = cv.element_bytes(self._elem(ptrs))
        offs = self._fact(addptr.offsets)
        arg = addptr.base.owner.source
        base_div = self.kernel.facts(arg.index).get("divisibility") if arg in self.kernel.args else None
        base_div = base_div.value.data if base_div is not None else size
        if offs.stride != 1 or self.vec == 1:
            return size
        return min(self.vec * size, _lowbit(offs.div * size), base_div)

    # --- emission -----------------------------------------------------------------

    def lower(self) -> llvm.FuncOp:
        k = self.kernel
        for op in self.ops:
            self._infer(op)
        arg_types = [global_ptr() if isinstance(a.type, gb.PtrType) else cv.value_type(a.type) for a in k.args]
        self.b = b = FuncBuilder(arg_types)
        self.env: dict[SSAValue, object] = dict(zip(k.args, b.args))
        stored = {op.ptr.owner.base.owner.source for op in self.ops if isinstance(op, gb.StoreOp)}
        for op in self.ops:  # the scalar prologue
            if not op.results or any(isinstance(r.type, TensorType) for r in op.results):
                continue
            if isinstance(op, gb.ProgramIdOp):
                self.env[op.result] = b.intrinsic(f"llvm.nvvm.read.ptx.sreg.ctaid.{'xyz'[op.axis.value.data]}", [], i32)
            else:
                self.env[op.results[0]] = self._scalar(op, [self.env[o] for o in op.operands])
        tid = b.intrinsic("llvm.nvvm.read.ptx.sreg.tid.x", [], i32)
        if self.active < self.threads:
            with b.when(b.icmp("slt", tid, b.const(i32, self.active))):
                self._strips(tid)
        else:
            self._strips(tid)
        arg_attrs = []
        for a in k.args:
            attrs: dict[str, Attribute] = {}
            if isinstance(a.type, gb.PtrType):
                attrs["llvm.noalias"] = UnitAttr()
                if a not in stored:
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
        return fn

    def _strips(self, tid: SSAValue) -> None:
        b = self.b
        first = b.mul(tid, b.const(i32, self.vec))
        tensor_ops = [op for op in self.ops if op.results and any(isinstance(r.type, TensorType) for r in op.results)]
        effects = [op for op in self.ops if isinstance(op, gb.StoreOp)]
        for r in range(self.reps):
            base = b.add(first, b.const(i32, r * self.active * self.vec))
            lanes = [b.add(base, b.const(i32, j)) for j in range(self.vec)]
            env = dict(self.env)
            split = self.ops.index(self._first_masked()) if self.mask is not None else None
            before = [op for op in tensor_ops if split is None or self.ops.index(op) < split]
            after = [op for op in self.ops[split:] if op in tensor_ops or op in effects] if split is not None else effects
            for op in before:
                self._tensor(op, env, lanes, full=True)
            if self.mask is None:
                for op in after:
                    self._tensor(op, env, lanes, full=True)
                continue
            all_in = env[self.mask][0]
            for m in env[self.mask][1:]:
                all_in = b.op(llvm.AndOp(all_in, m))
            full, part, join = (Block() for _ in range(3))
            b.op(llvm.CondBrOp(all_in, full, [], part, []))
            for block, is_full in ((full, True), (part, False)):
                b.region.add_block(block)
                b.block = block
                branch_env = dict(env)
                for op in after:
                    self._tensor(op, branch_env, lanes, full=is_full)
                b.op(llvm.BrOp(join))
            b.region.add_block(join)
            b.block = join

    def _first_masked(self) -> Operation:
        return next(op for op in self.ops if isinstance(op, gb.LoadOp | gb.StoreOp) and op.mask is not None)

    def _scalar(self, op: Operation, args: list) -> SSAValue:
        try:
            return lower_scalar(self.b, op, args)
        except UnsupportedOp:
            raise Unsupported(op, f"'{op.name}'") from None

    def _tensor(self, op: Operation, env: dict, lanes: list[SSAValue], full: bool) -> None:
        b = self.b
        if isinstance(op, gb.ArangeOp):
            start = op.start.value.data
            env[op.result] = [b.add(lane, b.const(i32, start)) if start else lane for lane in lanes]
        elif isinstance(op, gb.SplatOp):
            env[op.result] = [env[op.source]] * self.vec
        elif isinstance(op, gb.AddPtrOp):
            env[op.result] = None  # loads and stores read base and offsets themselves
        elif isinstance(op, gb.MapOp):
            block = op.body.block
            outs: list[list[SSAValue]] = [[] for _ in op.outputs]
            for j in range(self.vec):
                local = {arg: env[x][j] for arg, x in zip(block.args, op.inputs)}
                for inner in block.ops:
                    if isinstance(inner, gb.YieldOp):
                        for out, y in zip(outs, inner.operands):
                            out.append(local[y] if y in local else env[y])
                        continue
                    args = [local[o] if o in local else self._outer(o, env) for o in inner.operands]
                    local[inner.results[0]] = self._scalar(inner, args)
            for r, out in zip(op.outputs, outs):
                env[r] = out
        elif isinstance(op, gb.LoadOp):
            env[op.result] = self._load(op, env, full)
        elif isinstance(op, gb.StoreOp):
            self._store(op, env, full)
        else:
            raise Unsupported(op, f"'{op.name}'")

    def _outer(self, v: SSAValue, env: dict) -> SSAValue:
        value = env[v]
        if isinstance(value, list):
            raise Unsupported(v.owner, "a block value used inside a map without being its input")
        return value

    def _addresses(self, ptrs: SSAValue, env: dict, elem: Attribute) -> tuple[SSAValue, list[SSAValue]]:
        addptr = ptrs.owner
        base = env[addptr.base.owner.source]
        return base, [b_gep(self.b, base, off, elem) for off in env[addptr.offsets]]

    def _load(self, op: gb.LoadOp, env: dict, full: bool) -> list[SSAValue]:
        b, t = self.b, self._elem(op.ptr)
        st = cv.storage_type(t)
        base, addrs = self._addresses(op.ptr, env, st)
        align, size = self._aligned(op.ptr), cv.element_bytes(t)
        out = []
        for j, addr in enumerate(addrs):
            if full or op.mask is None:
                v = b.op(llvm.LoadOp(addr, st, alignment=_lane_align(align, size, j)))
                out.append(cv.from_storage(b, v, t))
            else:
                mask = env[op.mask][j]
                v = b.op(llvm.LoadOp(b.select(mask, addr, base), st, alignment=size))
                other = env[op.other] if op.other is not None else b.const(st, 0)
                out.append(b.select(mask, cv.from_storage(b, v, t), other))
        return out

    def _store(self, op: gb.StoreOp, env: dict, full: bool) -> None:
        b, t = self.b, self._elem(op.ptr)
        st = cv.storage_type(t)
        _, addrs = self._addresses(op.ptr, env, st)
        align, size = self._aligned(op.ptr), cv.element_bytes(t)
        for j, addr in enumerate(addrs):
            value = cv.to_storage(b, env[op.value][j], t)
            if full or op.mask is None:
                b.op(llvm.StoreOp(value, addr, alignment=_lane_align(align, size, j)))
            else:
                with b.when(env[op.mask][j]):
                    b.op(llvm.StoreOp(value, addr, alignment=size))


def _lane_align(align: int, size: int, j: int) -> int:
    """The alignment of lane j of a strip whose lane 0 is `align`-aligned."""
    return align if j == 0 else min(align, _lowbit(j * size))


def b_gep(b: FuncBuilder, base: SSAValue, offset: SSAValue, elem: Attribute) -> SSAValue:
    return b.op(llvm.GEPOp(base, [llvm.GEP_USE_SSA_VAL], elem, [offset], inbounds=True, result_type=global_ptr()))


@dataclass(frozen=True)
class ConvertGpuBlockToNvvm(ModulePass):
    name = "convert-gpu_block-to-nvvm"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        hosts = [f for f in op.ops if isinstance(f, func.FuncOp) and any(isinstance(o, gb.LaunchOp) for o in f.walk())]
        launches = {o.callee.root_reference.data: o for f in hosts for o in f.walk() if isinstance(o, gb.LaunchOp)}
        failed = 0
        for top in list(op.ops):
            if not isinstance(top, gb.KernelOp):
                continue
            try:
                fn = Kernel(top).lower()
            except Unsupported as e:  # at the launch: it has the source's location
                where = launches.get(top.sym_name.data, e.op)
                report.error(where, f"kernel @{top.sym_name.data}: {e}")
                failed += 1
                continue
            op.body.block.insert_op_before(fn, top)
            top.detach()
            top.erase()
        if failed:
            raise PassFailedException(f"{failed} kernel(s) the PTX path does not support yet")
        for f in hosts:
            f.detach()
            f.erase()
