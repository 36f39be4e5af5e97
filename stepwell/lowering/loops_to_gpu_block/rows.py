"""Persistent fused row kernels (softmax, layer_norm): a whole row in registers (the
package docstring). Lone reductions, and a reduction with an epilogue, are reductions.py's."""

from __future__ import annotations

import math

import sympy
from xdsl.dialects import arith
from xdsl.dialects.builtin import IntegerAttr, TensorType, i1, i32, i64
from xdsl.ir import Block, Operation, Region, SSAValue

from stepwell.dialects import gpu_block as gb
from stepwell.dialects.loops import ComputeOp, IndexOp, KernelOp, LoadOp, PointwiseOp, ReduceOp
from stepwell.dialects.loops.contract import UNIT
from stepwell.dialects.loops.gpu_tile import GpuTileAttr
from stepwell.dialects.loops.access import I32_LIMIT, buffer_shape, linear_offset, load_access
from stepwell.dialects.loops.index import dims, sym
from stepwell.dtypes import numpy_dtype
from stepwell.semantics import REDUCTIONS

from stepwell.lowering.loops_to_gpu_block.common import (
    MAX_ROW, UNSUPPORTED, Builder, IndexEmitter, Unsupported, clone_body, kernel_inputs, load_slots, pow2, unflatten,
)


def tile(op: Operation) -> GpuTileAttr | None:
    """What `persistent` does: a fused kernel with at most one reduction, of at most
    MAX_ROW elements, keeps the row (the next power of two of its length) in registers.
    (Lone reductions and a reduction with an epilogue are reductions.py's.)"""
    if isinstance(op, KernelOp) and len(op.reduction_sizes) <= 1 and max(op.reduction_sizes, default=1) <= MAX_ROW:
        row = max(op.reduction_sizes, default=1)
    else:
        return None
    block = pow2(row)
    return GpuTileAttr.make("persistent", [block], max(4, min(16, block // 512)))


def persistent(kernel: KernelOp, name: str) -> gb.KernelOp:
    """A fused kernel with one reduction dim k0, the innermost contiguous dim of
    every load that maps it: one program instance per parallel point, the row in
    registers (each buffer read once per offset), the ops in order; kernel-local
    values stay in registers (a block for an op over k0, a scalar otherwise)."""
    parallel, reduction = kernel.parallel_sizes, kernel.reduction_sizes
    ops = kernel.compute_ops()
    if len(reduction) > 1 or (reduction and reduction[0] > MAX_ROW):
        raise Unsupported(kernel, UNSUPPORTED)
    row = reduction[0] if reduction else 1  # no k dim: rows of one element
    local = {op.result: op for op in ops}
    P = [sympy.Symbol(f"P{i}", integer=True, nonnegative=True) for i in range(len(parallel))]
    K = sympy.Symbol("K", integer=True, nonnegative=True)

    def kernel_syms(op: ComputeOp) -> dict[sympy.Symbol, sympy.Expr]:
        """The op's d/r symbols as kernel dims."""
        names = op.dim_map or ()
        env = {}
        for i, nm in enumerate(names):
            own = sym(f"d{i}") if i < len(op.shape) else sym(f"r{i - len(op.shape)}")
            env[own] = 0 if nm == UNIT else K if nm == "k0" else P[int(nm[1:])]
        return env

    def over_row(op: ComputeOp) -> bool:
        """Whether the op's result is a row (a block); a reduction's is a scalar."""
        return "k0" in (op.dim_map or ())[: len(op.shape)]

    def on_block(op: ComputeOp) -> bool:
        return isinstance(op, ReduceOp) or over_row(op)

    for op in ops:
        if isinstance(op, ReduceOp):
            kind = op.kind.data
            if type(op) is not ReduceOp or kind not in ("sum", "max", "min") or op.yield_type() == i1:
                raise Unsupported(kernel, UNSUPPORTED)
            if list((op.dim_map or ())[len(op.shape):]) not in (["k0"], [UNIT]) or "k0" in (op.dim_map or ())[: len(op.shape)]:
                raise Unsupported(kernel, UNSUPPORTED)
        elif not isinstance(op, PointwiseOp):
            raise Unsupported(kernel, UNSUPPORTED)
        if any(isinstance(o, IndexOp) for o in op.body.walk()):
            raise Unsupported(kernel, UNSUPPORTED)
    # every load from memory: its offset in kernel dims, contiguous (or constant) along k0
    offsets: dict[LoadOp, sympy.Expr] = {}  # of the ops on the row block
    scalar_loads: dict[LoadOp, sympy.Expr] = {}  # of the ops on scalars (one element per row)
    for op in ops:
        env = kernel_syms(op)
        for load in op.loads():
            if load.buffer in local:
                continue
            offset = sympy.expand(linear_offset(buffer_shape(load), load.index_exprs).subs(env, simultaneous=True))
            if sympy.diff(offset, K) not in (0, 1):
                raise Unsupported(kernel, UNSUPPORTED)
            if on_block(op):
                offsets[load] = offset
            else:
                scalar_loads[load] = offset
    outputs = list(kernel.body.block.last_op.values)  # type: ignore[union-attr]
    rows = math.prod(parallel)
    block = pow2(row)
    wide = rows * row + block > I32_LIMIT or not all(load_access(load).fits_i32 for load in (*offsets, *scalar_loads))
    itype = i64 if wide else i32

    inputs = kernel_inputs(kernel)
    types = [gb.PtrType(t.type.element_type) for t in (*inputs, *kernel.results)]  # type: ignore[attr-defined]
    blk = Block(arg_types=types)
    for arg, v in zip(blk.args, (*inputs, *kernel.results)):
        arg.name_hint = f"{v.name_hint or 'buf'}_ptr"
    b = Builder(blk)
    pid = b.add(gb.ProgramIdOp(0)).result
    pid.name_hint = "pid"
    if wide:
        pid = b.add(arith.ExtSIOp(pid, i64)).result
    lanes = b.add(gb.ArangeOp(0, block)).result

    # one map: the row mask and every distinct offset (loads, then row outputs)
    row_outputs = [v for v in outputs if over_row(local[v])]
    scalar_outputs = [v for v in outputs if not over_row(local[v])]
    ib = Builder(Block(arg_types=[itype, i32]))
    r = ib.block.args[1] if not wide else ib.add(arith.ExtSIOp(ib.block.args[1], i64)).result
    penv = unflatten(ib, ib.block.args[0], parallel, itype)
    emit = IndexEmitter(ib, {**{P[i]: penv[dims(len(parallel))[i]] for i in range(len(parallel))}, K: r}, itype)
    yielded = [ib.add(arith.CmpiOp(r, ib.const(row, itype), "slt")).result]
    hints = ["rmask"]
    load_slot = load_slots(offsets.items(), emit, yielded, hints)
    out_slot = {}
    for v in row_outputs:
        op = local[v]
        offset = sympy.expand(linear_offset(op.shape, dims(len(op.shape))).subs(kernel_syms(op), simultaneous=True))
        out_slot[v] = len(yielded)
        yielded.append(emit.emit(offset, op))
        hints.append(f"{v.name_hint or 'out'}_offs")
    ib.add(gb.YieldOp(*yielded))
    m = b.add(gb.MapOp([b.add(gb.SplatOp(pid, [block])).result, lanes], [v.type for v in yielded], Region(ib.block)))
    for res, h in zip(m.outputs, hints):
        res.name_hint = h
    mask = m.outputs[0]

    # the row, loaded once per (buffer, offset)
    loaded: dict[int, SSAValue] = {}
    for load, s_ in load_slot.items():
        if s_ not in loaded:
            base = blk.args[inputs.index(load.buffer)]
            ptrs = b.add(gb.AddPtrOp(b.add(gb.SplatOp(base, [block])).result, m.outputs[s_])).result
            ptrs.name_hint = f"{load.buffer.name_hint or 'buf'}_ptrs"
            zero = b.const(0, load.result.type)
            loaded[s_] = b.add(gb.LoadOp(ptrs, mask, zero)).result
            loaded[s_].name_hint = load.buffer.name_hint

    scalar_index: list[IndexEmitter] = []

    def scalar_offset(offset: sympy.Expr, where: Operation) -> SSAValue:
        """`offset` (in the p dims only) as scalar arithmetic on the program id."""
        if not scalar_index:
            penv_s = unflatten(b, pid, parallel, itype)
            scalar_index.append(IndexEmitter(b, {P[i]: penv_s[dims(len(parallel))[i]] for i in range(len(parallel))}, itype))
        return scalar_index[0].emit(offset, where)

    def scalar_load(load: LoadOp) -> SSAValue:
        base = blk.args[inputs.index(load.buffer)]
        return b.add(gb.LoadOp(b.add(gb.AddPtrOp(base, scalar_offset(scalar_loads[load], load))).result)).result

    # the ops in order
    value: dict[SSAValue, SSAValue] = {}  # a kernel-local result -> its block (over k0) or scalar
    for op in ops:
        if on_block(op):
            ins: list[SSAValue] = []
            where: dict[SSAValue, int] = {}  # a block (or scalar) -> its map operand

            def operand(v: SSAValue) -> int:
                if v not in where:
                    where[v] = len(ins)
                    ins.append(v if isinstance(v.type, TensorType) else b.add(gb.SplatOp(v, [block])).result)
                return where[v]

            mapping_slots = {load.result: operand(value[load.buffer] if load.buffer in local else loaded[load_slot[load]]) for load in op.loads()}
            identity = None
            if isinstance(op, ReduceOp):
                identity = REDUCTIONS[op.kind.data].identity(numpy_dtype(op.yield_type()))
                operand(mask)
            body = Block(arg_types=[gb.ops.element_of(v.type) for v in ins])
            mapping = {res: body.args[i] for res, i in mapping_slots.items()}
            mb = Builder(body)
            result = clone_body(mb, op, mapping)
            if identity is not None:
                fill = mb.const(identity.item() if hasattr(identity, "item") else identity, result.type)
                result = mb.add(arith.SelectOp(body.args[where[mask]], result, fill)).result
            mb.add(gb.YieldOp(result))
            out = b.add(gb.MapOp(ins, [op.yield_type()], Region(body))).outputs[0]
            if isinstance(op, ReduceOp):
                out.name_hint = f"{op.result.name_hint or 'acc'}_row"
                out = b.add(gb.ReduceOp(op.kind.data, out, 0)).result
        else:
            mapping = {load.result: value[load.buffer] if load.buffer in local else scalar_load(load) for load in op.loads()}
            out = clone_body(b, op, mapping)
        out.name_hint = op.result.name_hint
        value[op.result] = out

    # the yielded buffers
    out_ptr = dict(zip(outputs, blk.args[len(inputs):]))
    for v in row_outputs:
        ptrs = b.add(gb.AddPtrOp(b.add(gb.SplatOp(out_ptr[v], [block])).result, m.outputs[out_slot[v]])).result
        b.add(gb.StoreOp(ptrs, value[v], mask))
    for v in scalar_outputs:
        op = local[v]
        offset = sympy.expand(linear_offset(op.shape, dims(len(op.shape))).subs(kernel_syms(op), simultaneous=True))
        b.add(gb.StoreOp(b.add(gb.AddPtrOp(out_ptr[v], scalar_offset(offset, op))).result, value[v]))
    b.add(gb.ReturnOp())
    facts = [{"divisibility": IntegerAttr(16, i64)}] * len(blk.args)
    warps = max(4, min(16, block // 512))  # long rows: more threads, fewer registers each
    return gb.KernelOp(name, [a.type for a in blk.args], [str(rows)], warps, None, facts, Region(blk))


