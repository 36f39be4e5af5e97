"""Fused row kernels (softmax, log_softmax, layer_norm): a `loops.kernel` with at most
one reduction dim k0 that every load from memory reads contiguously or not at all.
One program instance per parallel point (a row); its ops are reductions over the row
(sum, max, min), pointwise ops over the row (blocks) and pointwise ops on the row's
scalars (the statistics). Two forms (`tile`):

- `persistent, block = [R]` (rows of at most MAX_ROW; R the next power of two): the
  whole row in registers, each (buffer, offset) loaded once, the ops in order: a
  reduction a map on the row block (masked lanes = identity) and a `gpu_block.reduce`.
- `looped, block = [1, R]` (longer rows: R = 4096, 8 warps): the row walked in chunks of
  R. Each reduction is a `gpu_block.for` over the chunks carrying an R-wide accumulator
  (combined lane by lane, reduced once after the loop; f16/bf16 sums in f32);
  reductions that read none of each other's results share one loop (a pass). The row
  ops a reduction reads are recomputed inside its loop from the inputs reloaded there;
  the row outputs are computed again and stored in a last loop. A softmax reads its
  row three times (max, sum, store): the re-reads of one program's row hit L2.

Kernel-local values stay in registers; only the yielded buffers are stored (rows with
the mask, the scalars once per program). Lone reductions, and a reduction with an
epilogue, are reductions.py's."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import sympy
from xdsl.dialects import arith
from xdsl.dialects.builtin import IntegerAttr, TensorType, i1, i32, i64
from xdsl.ir import Block, Operation, Region, SSAValue

from stepwell.dialects import gpu_block as gb
from stepwell.dialects.loops import ComputeOp, IndexOp, KernelOp, LoadOp, PointwiseOp, ReduceOp
from stepwell.dialects.loops.access import I32_LIMIT, buffer_shape, linear_offset, load_access
from stepwell.dialects.loops.contract import UNIT
from stepwell.dialects.loops.gpu_tile import GpuTileAttr
from stepwell.dialects.loops.index import dims, sym
from stepwell.dtypes import numpy_dtype
from stepwell.lowering.loops_to_gpu_block.common import (
    MAX_ROW, UNSUPPORTED, Builder, IndexEmitter, Unsupported, clone_body, kernel_inputs, load_slots, pow2, tiling,
    unflatten,
)
from stepwell.lowering.loops_to_gpu_block.reductions import LOOP_STEP, _accumulator, _combine, _convert, _map, warps_for
from stepwell.semantics import REDUCTIONS


ROW_KINDS = ("sum", "max", "min")
"""The reductions a row kernel computes (fused.py takes the other value kinds)."""


def row_kind(op: ReduceOp) -> bool:
    return type(op) is ReduceOp and op.kind.data in ROW_KINDS and op.yield_type() != i1


def tile(op: Operation) -> GpuTileAttr | None:
    """A fused row kernel this module can build: persistent up to MAX_ROW, looped
    beyond; None for anything else (lone reductions and a reduction with an epilogue
    are reductions.py's, decided before this)."""
    if not isinstance(op, KernelOp):
        return None
    try:
        row = RowKernel(op).row
    except Unsupported:
        return None
    if row > MAX_ROW:
        return GpuTileAttr.make("looped", [1, LOOP_STEP], warps_for(LOOP_STEP))
    block = pow2(row)
    return GpuTileAttr.make("persistent", [block], warps_for(block))


def row_kernel(kernel: KernelOp, name: str) -> gb.KernelOp:
    """The kernel of a fused row kernel, as its `tile` (or `tile(kernel)`) says."""
    t = tiling(kernel, tile)
    if t is not None and t.kind.data == "looped":
        return looped(kernel, name, t.block[-1], t.warps)
    return persistent(kernel, name, t)


class RowKernel:
    """What both forms need: the checks, each load's offset in kernel dims (P the
    parallel dims, K = k0), the outputs, then (`start`) the kernel's frame."""

    def __init__(self, kernel: KernelOp):
        self.kernel = kernel
        self.parallel, reduction = kernel.parallel_sizes, kernel.reduction_sizes
        self.ops = kernel.compute_ops()
        if len(reduction) > 1:
            raise Unsupported(kernel, UNSUPPORTED)
        self.row = reduction[0] if reduction else 1  # no k dim: rows of one element
        self.local = {op.result: op for op in self.ops}
        self.P = [sympy.Symbol(f"P{i}", integer=True, nonnegative=True) for i in range(len(self.parallel))]
        self.K = sympy.Symbol("K", integer=True, nonnegative=True)
        for op in self.ops:
            if isinstance(op, ReduceOp):
                if not row_kind(op):
                    raise Unsupported(kernel, UNSUPPORTED)
                names = op.dim_map or ()
                if list(names[len(op.shape):]) not in (["k0"], [UNIT]) or "k0" in names[: len(op.shape)]:
                    raise Unsupported(kernel, UNSUPPORTED)
            elif not isinstance(op, PointwiseOp):
                raise Unsupported(kernel, UNSUPPORTED)
            if any(isinstance(o, IndexOp) for o in op.body.walk()):
                raise Unsupported(kernel, UNSUPPORTED)
        # every load from memory: its offset in kernel dims, contiguous (or constant) along k0
        self.offsets: dict[LoadOp, sympy.Expr] = {}  # of the ops on the row block
        self.scalar_loads: dict[LoadOp, sympy.Expr] = {}  # of the ops on scalars (one element per row)
        for op in self.ops:
            env = self.kernel_syms(op)
            for load in op.loads():
                if load.buffer in self.local:
                    continue
                offset = sympy.expand(linear_offset(buffer_shape(load), load.index_exprs).subs(env, simultaneous=True))
                if sympy.diff(offset, self.K) not in (0, 1):
                    raise Unsupported(kernel, UNSUPPORTED)
                (self.offsets if self.on_block(op) else self.scalar_loads)[load] = offset
        self.outputs = list(kernel.body.block.last_op.values)  # type: ignore[union-attr]
        self.row_outputs = [v for v in self.outputs if self.over_row(self.local[v])]
        self.scalar_outputs = [v for v in self.outputs if not self.over_row(self.local[v])]

    def kernel_syms(self, op: ComputeOp) -> dict[sympy.Symbol, sympy.Expr]:
        """The op's d/r symbols as kernel dims."""
        env = {}
        for i, nm in enumerate(op.dim_map or ()):
            own = sym(f"d{i}") if i < len(op.shape) else sym(f"r{i - len(op.shape)}")
            env[own] = 0 if nm == UNIT else self.K if nm == "k0" else self.P[int(nm[1:])]
        return env

    def over_row(self, op: ComputeOp) -> bool:
        """Whether the op's result is a row (a block); a reduction's is a scalar."""
        return "k0" in (op.dim_map or ())[: len(op.shape)]

    def on_block(self, op: ComputeOp) -> bool:
        return isinstance(op, ReduceOp) or self.over_row(op)

    def out_offset(self, v: SSAValue) -> sympy.Expr:
        op = self.local[v]
        return sympy.expand(linear_offset(op.shape, dims(len(op.shape))).subs(self.kernel_syms(op), simultaneous=True))

    # --- the kernel's frame ----------------------------------------------------------

    def start(self, name: str, block: int) -> None:
        """The kernel's arguments, the program id and the lanes of a `block`-wide row block."""
        self.name, self.block = name, block
        self.rows = math.prod(self.parallel)
        loads = (*self.offsets, *self.scalar_loads)
        wide = self.rows * self.row + block > I32_LIMIT or not all(load_access(ld).fits_i32 for ld in loads)
        self.itype = i64 if wide else i32
        self.inputs = kernel_inputs(self.kernel)
        types = [gb.PtrType(t.type.element_type) for t in (*self.inputs, *self.kernel.results)]  # type: ignore[attr-defined]
        self.blk = Block(arg_types=types)
        for arg, v in zip(self.blk.args, (*self.inputs, *self.kernel.results)):
            arg.name_hint = f"{v.name_hint or 'buf'}_ptr"
        self.out_ptr = dict(zip(self.outputs, self.blk.args[len(self.inputs):]))
        self.b = b = Builder(self.blk)
        pid = b.add(gb.ProgramIdOp(0)).result
        pid.name_hint = "pid"
        self.pid = b.add(arith.ExtSIOp(pid, i64)).result if wide else pid
        self.pids = b.add(gb.SplatOp(self.pid, [block])).result
        self.lanes = b.add(gb.ArangeOp(0, block)).result
        self._scalar_index: IndexEmitter | None = None

    def chunk(self, b: Builder, base: SSAValue | None, ops: Sequence[ComputeOp], outs: Sequence[SSAValue]) -> Chunk:
        """One map from the row block at offset `base` along k0 (None: 0) to its mask,
        the offsets of the memory loads of `ops` and those of the row outputs `outs`."""
        it = self.itype
        args = [self.pids, self.lanes] + ([b.add(gb.SplatOp(base, [self.block])).result] if base is not None else [])
        ib = Builder(Block(arg_types=[it, i32] + ([it] if base is not None else [])))
        r = ib.block.args[1] if it == i32 else ib.add(arith.ExtSIOp(ib.block.args[1], i64)).result
        if base is not None:
            r = ib.add(arith.AddiOp(ib.block.args[2], r)).result
        penv = unflatten(ib, ib.block.args[0], self.parallel, it)
        env = {**{self.P[i]: penv[d] for i, d in enumerate(dims(len(self.parallel)))}, self.K: r}
        emit = IndexEmitter(ib, env, it)
        yielded = [ib.add(arith.CmpiOp(r, ib.const(self.row, it), "slt")).result]
        hints = ["rmask"]
        loads = [(ld, self.offsets[ld]) for op in ops for ld in op.loads() if ld in self.offsets]
        load_slot = load_slots(loads, emit, yielded, hints)
        out_slot = {}
        for v in outs:
            out_slot[v] = len(yielded)
            yielded.append(emit.emit(self.out_offset(v), self.local[v]))
            hints.append(f"{v.name_hint or 'out'}_offs")
        ib.add(gb.YieldOp(*yielded))
        m = b.add(gb.MapOp(args, [v.type for v in yielded], Region(ib.block)))
        for res, h in zip(m.outputs, hints):
            res.name_hint = h
        return Chunk(self, b, m.outputs[0], {ld: m.outputs[s] for ld, s in load_slot.items()},
                     {v: m.outputs[s] for v, s in out_slot.items()})

    def block_of(self, chunk: Chunk, op: ComputeOp, value: Callable[[SSAValue], SSAValue]) -> SSAValue:
        """An op on the row block as a map over its inputs at `chunk` (memory loads, and
        `value` of each kernel-local buffer it reads: a block or a scalar); a reduction's
        masked-off lanes hold its identity (the block is not reduced here)."""
        b = chunk.b
        ins: list[SSAValue] = []
        where: dict[SSAValue, int] = {}  # a block (or scalar) -> its map operand

        def operand(v: SSAValue) -> int:
            if v not in where:
                where[v] = len(ins)
                ins.append(v if isinstance(v.type, TensorType) else b.add(gb.SplatOp(v, [self.block])).result)
            return where[v]

        slots = {ld.result: operand(value(ld.buffer) if ld.buffer in self.local else chunk.load(ld)) for ld in op.loads()}
        identity = None
        if isinstance(op, ReduceOp):
            identity = REDUCTIONS[op.kind.data].identity(numpy_dtype(op.yield_type()))
            operand(chunk.mask)
        body = Block(arg_types=[gb.ops.element_of(v.type) for v in ins])
        mb = Builder(body)
        result = clone_body(mb, op, {res: body.args[i] for res, i in slots.items()})
        if identity is not None:
            fill = mb.const(identity.item() if hasattr(identity, "item") else identity, result.type)
            result = mb.add(arith.SelectOp(body.args[where[chunk.mask]], result, fill)).result
        mb.add(gb.YieldOp(result))
        out = b.add(gb.MapOp(ins, [op.yield_type()], Region(body))).outputs[0]
        out.name_hint = f"{op.result.name_hint or 'acc'}_row" if identity is not None else op.result.name_hint
        return out

    def scalar_op(self, op: ComputeOp, value: Callable[[SSAValue], SSAValue]) -> SSAValue:
        """An op on the row's scalars: scalar arith on the program instance's values."""
        b = self.b
        mapping = {}
        for load in op.loads():
            if load.buffer in self.local:
                mapping[load.result] = value(load.buffer)
            else:
                base = self.blk.args[self.inputs.index(load.buffer)]
                ptr = b.add(gb.AddPtrOp(base, self.scalar_offset(self.scalar_loads[load], load))).result
                mapping[load.result] = b.add(gb.LoadOp(ptr)).result
        out = clone_body(b, op, mapping)
        out.name_hint = op.result.name_hint
        return out

    def scalar_offset(self, offset: sympy.Expr, where: Operation) -> SSAValue:
        """`offset` (in the p dims only) as scalar arithmetic on the program id."""
        if self._scalar_index is None:
            penv = unflatten(self.b, self.pid, self.parallel, self.itype)
            self._scalar_index = IndexEmitter(self.b, {p: penv[d] for p, d in zip(self.P, dims(len(self.parallel)))}, self.itype)
        return self._scalar_index.emit(offset, where)

    def store(self, chunk: Chunk, v: SSAValue, block: SSAValue) -> None:
        b = chunk.b
        ptrs = b.add(gb.AddPtrOp(b.add(gb.SplatOp(self.out_ptr[v], [self.block])).result, chunk.outs[v])).result
        b.add(gb.StoreOp(ptrs, block, chunk.mask))

    def finish(self, scalars: dict[SSAValue, SSAValue], warps: int) -> gb.KernelOp:
        """The scalar outputs stored, then the kernel: one program instance per row."""
        b = self.b
        for v in self.scalar_outputs:
            b.add(gb.StoreOp(b.add(gb.AddPtrOp(self.out_ptr[v], self.scalar_offset(self.out_offset(v), self.local[v]))).result, scalars[v]))
        b.add(gb.ReturnOp())
        facts = [{"divisibility": IntegerAttr(16, i64)}] * len(self.blk.args)
        types = [a.type for a in self.blk.args]
        return gb.KernelOp(self.name, types, [str(self.rows)], warps, None, facts, Region(self.blk))


class Chunk:
    """The row block at one offset: its mask, and each (buffer, offset) loaded once."""

    def __init__(self, rk: RowKernel, b: Builder, mask: SSAValue, load_offs: dict, outs: dict):
        self.rk, self.b, self.mask, self.load_offs, self.outs = rk, b, mask, load_offs, outs
        self.loaded: dict[SSAValue, SSAValue] = {}

    def load(self, load: LoadOp) -> SSAValue:
        offs = self.load_offs[load]
        if offs not in self.loaded:
            b = self.b
            base = self.rk.blk.args[self.rk.inputs.index(load.buffer)]
            ptrs = b.add(gb.AddPtrOp(b.add(gb.SplatOp(base, [self.rk.block])).result, offs)).result
            ptrs.name_hint = f"{load.buffer.name_hint or 'buf'}_ptrs"
            self.loaded[offs] = b.add(gb.LoadOp(ptrs, self.mask, b.const(0, load.result.type))).result
            self.loaded[offs].name_hint = load.buffer.name_hint
        return self.loaded[offs]


def persistent(kernel: KernelOp, name: str, t: GpuTileAttr | None = None) -> gb.KernelOp:
    """The whole row (the next power of two of its length, or the tile's block) in
    registers, each (buffer, offset) loaded once, the ops in order."""
    rk = RowKernel(kernel)
    if t is None and rk.row > MAX_ROW:
        raise Unsupported(kernel, UNSUPPORTED)
    block = t.block[0] if t is not None else pow2(rk.row)
    if block < rk.row:
        raise Unsupported(kernel, f"a persistent tile of {block} does not hold its rows of {rk.row}")
    rk.start(name, block)
    chunk = rk.chunk(rk.b, None, [op for op in rk.ops if rk.on_block(op)], rk.row_outputs)
    value: dict[SSAValue, SSAValue] = {}  # a kernel-local result -> its block (over k0) or scalar
    for op in rk.ops:
        if rk.on_block(op):
            out = rk.block_of(chunk, op, value.__getitem__)
            if isinstance(op, ReduceOp):
                out = rk.b.add(gb.ReduceOp(op.kind.data, out, 0)).result
                out.name_hint = op.result.name_hint
        else:
            out = rk.scalar_op(op, value.__getitem__)
        value[op.result] = out
    for v in rk.row_outputs:
        rk.store(chunk, v, value[v])
    return rk.finish(value, t.warps if t is not None else warps_for(block))


def looped(kernel: KernelOp, name: str, step: int, warps: int) -> gb.KernelOp:
    """The row in chunks of `step`: a loop per pass of reductions, a last loop storing
    the row outputs (the module docstring)."""
    rk = RowKernel(kernel)
    rk.start(name, step)
    b, it = rk.b, rk.itype
    scalars: dict[SSAValue, SSAValue] = {}  # reductions' totals and the ops on them
    pending: list[ReduceOp] = []  # the reductions of the next pass

    def row_ops(roots: Sequence[ComputeOp]) -> list[ComputeOp]:
        """`roots` and the row ops they read, in kernel order."""
        need, todo = set(), list(roots)
        while todo:
            op = todo.pop()
            if op not in need:
                need.add(op)
                todo.extend(rk.local[ld.buffer] for ld in op.loads() if ld.buffer in rk.local and rk.over_row(rk.local[ld.buffer]))
        return [op for op in rk.ops if op in need]

    def ready(op: ComputeOp) -> bool:
        """Whether every scalar `op` reads (through row ops too) is computed."""
        return all(
            ld.buffer in scalars
            for o in row_ops([op])
            for ld in o.loads()
            if ld.buffer in rk.local and not rk.over_row(rk.local[ld.buffer])
        )

    def loop(inits: Sequence[SSAValue], roots: Sequence[ComputeOp], outs: Sequence[SSAValue], body) -> gb.ForOp:
        """A loop over the row's chunks; `body(chunk, evaluate, carried)` gives what it yields."""
        f = gb.ForOp(b.const(0, it), b.const(rk.row, it), b.const(step, it), list(inits))
        roff, *carried = f.body.block.args
        roff.name_hint = "roff"
        chunk = rk.chunk(Builder(f.body.block), roff, row_ops(roots), outs)
        rows: dict[SSAValue, SSAValue] = {}

        def evaluate(op: ComputeOp) -> SSAValue:
            def value(v: SSAValue) -> SSAValue:
                if v in scalars:
                    return scalars[v]
                if v not in rows:
                    rows[v] = evaluate(rk.local[v])
                return rows[v]

            return rk.block_of(chunk, op, value)

        chunk.b.add(gb.YieldOp(*body(chunk, evaluate, carried)))
        b.add(f)
        return f

    def flush() -> None:
        """The pending reductions as one loop, each carrying a block accumulator."""
        if not pending:
            return
        accs = [_accumulator(op.kind.data, op.yield_type()) for op in pending]
        inits = []
        for op, t in zip(pending, accs):
            identity = REDUCTIONS[op.kind.data].identity(numpy_dtype(t))
            inits.append(b.add(gb.SplatOp(b.const(identity.item() if hasattr(identity, "item") else identity, t), [step])).result)

        def body(chunk: Chunk, evaluate, carried: Sequence[SSAValue]) -> list[SSAValue]:
            new = []
            for op, acc, t in zip(pending, carried, accs):
                acc.name_hint = f"{op.result.name_hint}_acc" if op.result.name_hint else "acc"
                v = evaluate(op)
                if t != op.yield_type():
                    v = _convert(chunk.b, v, t)
                new.append(_map(chunk.b, [acc, v], t, lambda mb, a, kind=op.kind.data: mb.add(_combine(kind, a[0], a[1])).result))
            return new

        f = loop(inits, pending, [], body)
        for op, acc in zip(pending, f.outputs):
            total = b.add(gb.ReduceOp(op.kind.data, acc, 0)).result
            if acc.type.element_type != op.yield_type():  # type: ignore[attr-defined]
                total = _convert(b, total, op.yield_type())
            total.name_hint = op.result.name_hint
            scalars[op.result] = total
        pending.clear()

    for op in rk.ops:
        if rk.over_row(op):
            continue  # computed where it is read, and stored in the last loop
        if not ready(op):
            flush()
        if isinstance(op, ReduceOp):
            pending.append(op)
        else:
            scalars[op.result] = rk.scalar_op(op, scalars.__getitem__)
    flush()
    if rk.row_outputs:

        def store(chunk: Chunk, evaluate, carried) -> list[SSAValue]:
            for v in rk.row_outputs:
                rk.store(chunk, v, evaluate(rk.local[v]))
            return []

        loop([], [rk.local[v] for v in rk.row_outputs], rk.row_outputs, store)
    return rk.finish(scalars, warps)
