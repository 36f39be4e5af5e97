"""Persistent fused kernels over any reduced dims: a `loops.kernel` that rows.py's
persistent row kernels cannot take (its reduction is not along the contiguous dim of
its loads, a softmax over axis 0; or it reduces several dims, a variance over [1, 2]).

The kernel's parallel points are numbered flat, X (row-major over p0, p1, ...), and
so are its reduced points, R (row-major over k0, k1, ...). Program instance `pid`
owns the XBLOCK parallel points `pid * XBLOCK + arange(XBLOCK)` and the whole
reduced extent, an XBLOCK x RBLOCK block (RBLOCK >= R, a power of two) in registers:
`tile` is `#loops.gpu<persistent, block = [RBLOCK, XBLOCK], warps = W>` with RBLOCK *
XBLOCK at most MAX_ROW = 8192 elements and XBLOCK at most 128. Each load's offset is
the access analysis's linear offset of its index over the kernel dims, written over
X and R (p_i = floor(X / stride_i) - size_i * floor(X / (stride_i * size_i)), the
same for k_j over R, so the flat forms cancel: a column read is `x + N * r`, which
Triton sees contiguous along the block's X axis and coalesces). Each (buffer,
offset) is loaded once.

The ops run in order. An op over some k dim is a map on the XBLOCK x RBLOCK block;
a reduction (every value kind but bool) is a map on the block (masked lanes: the
kind's identity; f16/bf16 sums and products in f32, rounded once) and a
`gpu_block.reduce` along the R axis, giving an [XBLOCK] vector; an op over the
parallel dims only is a map on [XBLOCK] vectors. A vector read by a block op is
broadcast back (`expand_dims`, `broadcast`). Kernel-local values stay in registers;
each yielded buffer is stored with its mask (the block's, or the vector's).

Reductions of more than MAX_ROW elements per parallel point are refused with an
error naming the limit (contiguous long rows are rows.py's looped kernels)."""

from __future__ import annotations

import math

import sympy
from xdsl.dialects import arith
from xdsl.dialects.builtin import ArrayAttr, IntegerAttr, StringAttr, i1, i32, i64
from xdsl.ir import Block, Operation, Region, SSAValue

from stepwell.dialects import gpu_block as gb
from stepwell.dialects.loops import ComputeOp, IndexOp, KernelOp, LoadOp, PointwiseOp, ReduceOp
from stepwell.dialects.loops.access import I32_LIMIT, buffer_shape, linear_offset, load_access
from stepwell.dialects.loops.contract import UNIT
from stepwell.dialects.loops.gpu_tile import GpuTileAttr
from stepwell.dialects.loops.index import dims, sym
from stepwell.dtypes import numpy_dtype
from stepwell.lowering.loops_to_gpu_block.common import (
    MAX_ROW, SIZE, UNSUPPORTED, Builder, IndexEmitter, Unsupported, cdiv, clone_body, kernel_inputs, load_slots, pow2,
)
from stepwell.lowering.loops_to_gpu_block.reductions import _accumulator, _convert, warps_for
from stepwell.lowering.loops_to_gpu_block.rows import row_kind
from stepwell.semantics import ARG_KINDS, REDUCTIONS

MAX_XBLOCK = 128  # parallel points of a program instance

X = sympy.Symbol("X", integer=True, nonnegative=True)
R = sympy.Symbol("R", integer=True, nonnegative=True)


def _flat(sizes, prefix: str, flat: sympy.Symbol) -> dict[str, sympy.Expr]:
    """Each kernel dim (`p0`, ... or `k0`, ...) as an expression of the flat index
    `flat` over them (row-major), in floors of `flat` only so that they cancel."""
    out, stride = {}, 1
    for i in reversed(range(len(sizes))):
        n = sizes[i]
        if n == 1:
            out[f"{prefix}{i}"] = sympy.Integer(0)
        else:
            here = flat if stride == 1 else sympy.floor(flat / stride)
            outermost = all(m == 1 for m in sizes[:i])
            out[f"{prefix}{i}"] = here if outermost else here - n * sympy.floor(flat / (stride * n))
        stride *= n
    return out


def _kernel_dims(kernel: KernelOp) -> dict[str, sympy.Expr]:
    return {**_flat(kernel.parallel_sizes, "p", X), **_flat(kernel.reduction_sizes, "k", R), UNIT: sympy.Integer(0)}


def _env(op: ComputeOp, kdims: dict[str, sympy.Expr]) -> dict[sympy.Symbol, sympy.Expr]:
    """The op's d/r symbols as expressions of X and R."""
    env = {}
    for i, name in enumerate(op.dim_map or ()):
        own = sym(f"d{i}") if i < len(op.shape) else sym(f"r{i - len(op.shape)}")
        env[own] = kdims[name]
    return env


def _offset(shape, exprs, env) -> sympy.Expr:
    return sympy.expand(linear_offset(shape, exprs).subs(env, simultaneous=True))


def reads_rows(kernel: KernelOp) -> bool:
    """What rows.py's persistent kernels take: at most one reduced dim k0, along which
    every load from memory is contiguous or constant, and reductions of its kinds."""
    if len(kernel.reduction_sizes) > 1:
        return False
    if not all(row_kind(op) for op in kernel.compute_ops() if isinstance(op, ReduceOp)):
        return False
    local = {op.result for op in kernel.compute_ops()}
    names = {f"p{i}": sympy.Symbol(f"p{i}") for i in range(len(kernel.parallel_sizes))}
    k0 = sympy.Symbol("k0")
    kdims = {**names, "k0": k0, UNIT: sympy.Integer(0)}
    for op in kernel.compute_ops():
        env = _env(op, kdims)
        for load in op.loads():
            if load.buffer not in local and sympy.diff(_offset(buffer_shape(load), load.index_exprs, env), k0) not in (0, 1):
                return False
    return True


def fused_kind(op: ReduceOp) -> bool:
    """The reductions this module computes: every value kind (no argmax/argmin), not i1."""
    return type(op) is ReduceOp and op.kind.data not in ARG_KINDS and op.yield_type() != i1


def _takes(kernel: KernelOp) -> bool:
    return all(fused_kind(op) for op in kernel.compute_ops() if isinstance(op, ReduceOp))


def claims(op: Operation) -> bool:
    """Whether a kernel is this module's: its `tile` says so (a 2-element persistent
    block), or it has none and rows.py's persistent kernels cannot read it."""
    t = op.attributes.get("tile")
    if isinstance(t, GpuTileAttr):
        return t.kind.data == "persistent" and len(t.block) == 2
    return isinstance(op, KernelOp) and not reads_rows(op) and _takes(op)


def tile(op: Operation) -> GpuTileAttr | None:
    """`persistent, block = [RBLOCK, XBLOCK]` for a kernel that rows.py's persistent
    kernels cannot read and whose reduction fits (the module docstring); else None."""
    if not isinstance(op, KernelOp) or reads_rows(op) or not _takes(op):
        return None
    reduced = math.prod(op.reduction_sizes)
    if reduced > MAX_ROW:
        return None
    rb = pow2(reduced)
    xb = min(MAX_XBLOCK, MAX_ROW // rb, pow2(math.prod(op.parallel_sizes)))
    return GpuTileAttr.make("persistent", [rb, xb], warps_for(rb * xb))


def fused(kernel: KernelOp, name: str) -> gb.KernelOp:
    """The kernel of a fused `loops.kernel` (the module docstring), tiled by its
    `tile` attribute (or `tile(kernel)`)."""
    parallel, reduction = kernel.parallel_sizes, kernel.reduction_sizes
    points, reduced = math.prod(parallel), math.prod(reduction)
    ops = kernel.compute_ops()
    local = {op.result: op for op in ops}
    kdims = _kernel_dims(kernel)
    k_names = {f"k{j}" for j in range(len(reduction))}

    def reduces(op: ComputeOp) -> bool:
        """Whether the op is a reduction over the block (one over [1] is a pointwise op)."""
        return isinstance(op, ReduceOp) and any(n != UNIT for n in (op.dim_map or ())[len(op.shape):])

    def spans(op: ComputeOp) -> bool:
        """Whether the op's result spans the reduced points (a block, not a vector)."""
        return any(n in k_names for n in (op.dim_map or ())[: len(op.shape)])

    def on_block(op: ComputeOp) -> bool:
        """Whether the op computes on the block (a reduction's body does)."""
        return reduces(op) or spans(op)

    def out_offset(op: ComputeOp) -> sympy.Expr:
        return _offset(op.shape, dims(len(op.shape)), _env(op, kdims))

    block_loads: dict[LoadOp, sympy.Expr] = {}
    vector_loads: dict[LoadOp, sympy.Expr] = {}
    for op in ops:
        if isinstance(op, ReduceOp):
            if not fused_kind(op):
                raise Unsupported(kernel, UNSUPPORTED)
            mapped = [n for n in (op.dim_map or ())[len(op.shape):] if n != UNIT]
            if reduces(op) and (sorted(mapped) != sorted(k_names) or spans(op)):
                raise Unsupported(
                    kernel,
                    "a fused kernel with a reduction over only some of its reduced dims (a split reduction's "
                    "partial results) is not supported by the Triton path yet",
                )
        elif not isinstance(op, PointwiseOp):
            raise Unsupported(kernel, UNSUPPORTED)
        if any(isinstance(o, IndexOp) for o in op.body.walk()):
            raise Unsupported(kernel, UNSUPPORTED)
        env = _env(op, kdims)
        for load in op.loads():
            offset = _offset(buffer_shape(load), load.index_exprs, env)
            if load.buffer in local:  # a kernel-local value: read at its own point, in registers
                producer = local[load.buffer]
                if offset != out_offset(producer) or (spans(producer) and not on_block(op)):
                    raise Unsupported(
                        kernel, "a fused kernel that reads a value of its own away from where it is computed "
                        "is not supported by the Triton path yet"
                    )
                continue
            (block_loads if on_block(op) else vector_loads)[load] = offset

    if reduced > MAX_ROW:
        raise Unsupported(
            kernel,
            f"reduces {reduced} elements per parallel point over "
            + ("several dims" if len(reduction) > 1 else "a dim its loads do not read contiguously")
            + f": the Triton path keeps at most {MAX_ROW} of them in registers (a persistent fused kernel); "
            "longer ones are not supported yet",
        )
    t = kernel.attributes.get("tile")
    t = t if isinstance(t, GpuTileAttr) else tile(kernel)
    if t is None or t.kind.data != "persistent" or len(t.block) != 2:
        raise Unsupported(kernel, UNSUPPORTED)
    rb, xb = t.block
    if rb < reduced:
        raise Unsupported(kernel, f"the tile's block [{rb}, {xb}] does not hold the {reduced} reduced elements of a parallel point")

    outputs = list(kernel.body.block.last_op.values)  # type: ignore[union-attr]
    wide = (pow2(points) + xb) * max(reduced, rb, 1) > I32_LIMIT or not all(
        load_access(load).fits_i32 for load in (*block_loads, *vector_loads)
    )
    it = i64 if wide else i32

    inputs = kernel_inputs(kernel)
    types = [gb.PtrType(v.type.element_type) for v in (*inputs, *kernel.results)]  # type: ignore[attr-defined]
    blk = Block(arg_types=types)
    for arg, v in zip(blk.args, (*inputs, *kernel.results)):
        arg.name_hint = f"{v.name_hint or 'buf'}_ptr"
    b = Builder(blk)
    pid = b.add(gb.ProgramIdOp(0)).result
    pid.name_hint = "pid"
    if wide:
        pid = b.add(arith.ExtSIOp(pid, i64)).result
    xstart = b.add(arith.MuliOp(pid, b.const(xb, it))).result
    xstart.name_hint = "xstart"

    def index_map(args: list[SSAValue], loads, stores) -> tuple[list[SSAValue], dict, dict]:
        """One map to the mask, each distinct load offset and each output offset: from
        (xstart, X lanes) to [XBLOCK] (the X indices first), or from the X and R
        indices to [XBLOCK, RBLOCK]."""
        ib = Builder(Block(arg_types=[gb.ops.element_of(a.type) for a in args]))
        a = [v if v.type == it else ib.add(arith.ExtSIOp(v, it)).result for v in ib.block.args]
        vector = len(gb.ops.shape_of(args[0].type)) == 1
        env = {X: ib.add(arith.AddiOp(a[0], a[1])).result} if vector else {X: a[0], R: a[1]}
        mask = ib.add(arith.CmpiOp(env[X], ib.size(points, it), "slt")).result
        if not vector:
            in_r = ib.add(arith.CmpiOp(env[R], ib.size(reduced, it), "slt")).result
            mask = ib.add(arith.AndIOp(mask, in_r)).result
        emit = IndexEmitter(ib, env, it)
        yielded, hints = ([env[X], mask], ["xindex", "xmask"]) if vector else ([mask], ["mask"])
        load_slot = load_slots(loads.items(), emit, yielded, hints)
        out_slot = {}
        for v in stores:
            out_slot[v] = len(yielded)
            yielded.append(emit.emit(out_offset(local[v]), local[v]))
            hints.append(f"{v.name_hint or 'out'}_offs")
        ib.add(gb.YieldOp(*yielded))
        m = b.add(gb.MapOp(args, [v.type for v in yielded], Region(ib.block)))
        for res, h in zip(m.outputs, hints):
            res.name_hint = h
        return list(m.outputs), load_slot, out_slot

    # the parallel points: [XBLOCK] indices, mask, the vector loads' and outputs' offsets
    block_outputs = [v for v in outputs if spans(local[v])]
    vector_outputs = [v for v in outputs if v not in block_outputs]
    lanes = b.add(gb.ArangeOp(0, xb)).result
    xres, xload_slot, xout_slot = index_map([b.add(gb.SplatOp(xstart, [xb])).result, lanes], vector_loads, vector_outputs)
    xindex, xmask = xres[0], xres[1]
    # the block: [XBLOCK, RBLOCK] mask, the block loads' and outputs' offsets
    shape = [xb, rb]
    x2 = b.add(gb.BroadcastOp(b.add(gb.ExpandDimsOp(xindex, 1)).result, shape)).result
    r2 = b.add(gb.BroadcastOp(b.add(gb.ExpandDimsOp(b.add(gb.ArangeOp(0, rb)).result, 0)).result, shape)).result
    rres, rload_slot, rout_slot = index_map([x2, r2], block_loads, block_outputs)
    mask = rres[0]

    def load_all(slots: dict[LoadOp, int], res: list[SSAValue], lanes_shape: list[int], m: SSAValue) -> dict[LoadOp, SSAValue]:
        loaded: dict[int, SSAValue] = {}
        for load, s in slots.items():
            if s not in loaded:
                base = blk.args[inputs.index(load.buffer)]
                ptrs = b.add(gb.AddPtrOp(b.add(gb.SplatOp(base, lanes_shape)).result, res[s])).result
                ptrs.name_hint = f"{load.buffer.name_hint or 'buf'}_ptrs"
                loaded[s] = b.add(gb.LoadOp(ptrs, m, b.const(0, load.result.type))).result
                loaded[s].name_hint = load.buffer.name_hint
        return {load: loaded[s] for load, s in slots.items()}

    memory = {**load_all(xload_slot, xres, [xb], xmask), **load_all(rload_slot, rres, shape, mask)}

    # the ops in order
    value: dict[SSAValue, SSAValue] = {}  # a kernel-local result -> its block or vector
    spread: dict[SSAValue, SSAValue] = {}  # a vector -> broadcast over the block

    def on_shape(v: SSAValue, block: bool) -> SSAValue:
        if not block or gb.ops.shape_of(v.type) == tuple(shape):
            return v
        if v not in spread:
            spread[v] = b.add(gb.BroadcastOp(b.add(gb.ExpandDimsOp(v, 1)).result, shape)).result
        return spread[v]

    for op in ops:
        block = on_block(op)
        ins: list[SSAValue] = []
        for load in op.loads():
            v = on_shape(value[load.buffer] if load.buffer in local else memory[load], block)
            if v not in ins:
                ins.append(v)
        if reduces(op):
            ins.append(mask)
        if not ins:  # reads nothing: a map over the mask
            ins.append(mask if block else xmask)
        body = Block(arg_types=[gb.ops.element_of(v.type) for v in ins])
        mapping = {
            load.result: body.args[ins.index(on_shape(value[load.buffer] if load.buffer in local else memory[load], block))]
            for load in op.loads()
        }
        mb = Builder(body)
        result = clone_body(mb, op, mapping)
        if reduces(op):
            identity = REDUCTIONS[op.kind.data].identity(numpy_dtype(op.yield_type()))
            fill = mb.const(identity.item() if hasattr(identity, "item") else identity, result.type)
            result = mb.add(arith.SelectOp(body.args[ins.index(mask)], result, fill)).result
        mb.add(gb.YieldOp(result))
        out = b.add(gb.MapOp(ins, [op.yield_type()], Region(body))).outputs[0]
        if reduces(op):
            out.name_hint = f"{op.result.name_hint or 'acc'}_block"
            acc = _accumulator(op.kind.data, op.yield_type())
            if acc != op.yield_type():
                out = _convert(b, out, acc)
            out = b.add(gb.ReduceOp(op.kind.data, out, 1)).result
            if acc != op.yield_type():
                out = _convert(b, out, op.yield_type())
        out.name_hint = op.result.name_hint
        value[op.result] = out

    # the yielded buffers
    out_ptr = dict(zip(outputs, blk.args[len(inputs):]))
    for v in outputs:
        res, slot, lanes_shape, m = (rres, rout_slot, shape, mask) if v in block_outputs else (xres, xout_slot, [xb], xmask)
        ptrs = b.add(gb.AddPtrOp(b.add(gb.SplatOp(out_ptr[v], lanes_shape)).result, res[slot[v]])).result
        b.add(gb.StoreOp(ptrs, value[v], m))
    b.add(gb.ReturnOp())
    facts = [{"divisibility": IntegerAttr(16, i64)}] * len(blk.args)
    grid = cdiv(points, xb)
    result = gb.KernelOp(name, [a.type for a in blk.args], [str(-(-points // xb))], t.warps, None, facts, Region(blk))
    result.attributes[SIZE] = ArrayAttr([StringAttr(str(grid))])
    return result

