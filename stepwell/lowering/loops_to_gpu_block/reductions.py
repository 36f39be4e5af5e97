"""Lone `loops.reduce` ops of every kind, dtype and reduced space: 2-D blocks of
XBLOCK outputs x RBLOCK reduced points.

The outputs are numbered flat (row-major over the op's shape) and so are the reduced
points (row-major over its reduced space: argmax/argmin give that position). Program
instance `pid` owns outputs `pid * XBLOCK + arange(XBLOCK)`; its block is XBLOCK x
RBLOCK, each load's offset the access analysis's linear offset of its index over the
d- and r-dims recovered from the two flat indices, so any reduced dims (non-trailing,
several, the whole tensor) and any read pattern are one code path; `tile` picks the
block shape that makes the reads fast:

- `persistent, block = [R]` (R = RBLOCK >= the reduced size, XBLOCK = 1): a row
  reduction of at most MAX_ROW = 8192 points (Inductor stops at 1024) whose loads are
  contiguous along the reduced space: the whole row in registers, read once, one
  `gpu_block.reduce`. Warps grow with the row (8192 f32 over 16 warps: 16 values per
  thread, four 16-byte loads in flight each).
- `looped, block = [X, R]`: otherwise. When RBLOCK covers the reduced space there is no
  loop (short rows: several rows per program instance, ~2048 elements a block, so a
  program is not one warp's worth of work); else a `gpu_block.for` walks the reduced
  space in steps of RBLOCK carrying an XBLOCK x RBLOCK accumulator (combined lane by
  lane, the kind's combine op), reduced once after the loop.
  - long rows (> 8192): X = 1, R = 4096, 8 warps (16 values per thread per step);
  - column reductions (the loads contiguous along the outputs, `reads_along_output`'s
    test, arg kinds included): X = 64 consecutive outputs (coalesced 256-byte rows),
    R = 32 (8 KB a step).
- split: a reduction with fewer outputs than ~2 per SM is cut by `loops-split-reduction`
  (min-parallelism 264 in lower-to-triton) before it reaches here, into a partial
  reduction (its own kernel, a row or column one as above, `%x_part`) and a small
  combine kernel: two kernels rather than float atomics, so results are deterministic.

Numerics. Masked-off lanes hold the kind's identity. f16/bf16 sums and products
accumulate in f32 and round once when stored. argmax/argmin carry (value, position)
pairs: lane by lane a later value replaces the carried one only when strictly better
or the first NaN, so ties keep the earlier position; the final `gpu_block.reduce`
with indices picks the lowest position among equal values (NaN first). The carried
positions start at 0: a lane never replaced holds the identity, which wins only when
every value equals it, and then position 0 is the answer. i1 compares false < true
(as i8).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from xdsl.dialects import arith
from xdsl.dialects.builtin import AnyFloat, TensorType, f32, i1, i8, i64
from xdsl.ir import Attribute, Block, Region, SSAValue

from stepwell.dialects import gpu_block as gb
from stepwell.dialects.loops import ContractOp, IndexOp, KernelOp, PointwiseOp, ReduceOp
from stepwell.dialects.loops.access import I32_LIMIT, load_access
from stepwell.dialects.loops.gpu_tile import GpuTileAttr
from stepwell.dialects.loops.index import dims
from stepwell.dtypes import numpy_dtype
from stepwell.lowering.loops_to_gpu_block.common import (
    MAX_ROW,
    Builder,
    OpKernel,
    clone_body,
    pow2,
    unflatten,
)
from stepwell.semantics import ARG_KINDS, REDUCTIONS

LOOP_STEP = 4096  # RBLOCK of a long row
SHORT_BLOCK = 2048  # elements of a block of short rows
COLUMN_BLOCK = (64, 32)  # XBLOCK x RBLOCK of a column reduction

COMBINE = {
    "arith.addf": arith.AddfOp, "arith.addi": arith.AddiOp, "arith.xori": arith.XOrIOp,
    "arith.mulf": arith.MulfOp, "arith.muli": arith.MuliOp, "arith.andi": arith.AndIOp,
    "arith.maximumf": arith.MaximumfOp, "arith.maxsi": arith.MaxSIOp, "arith.ori": arith.OrIOp,
    "arith.minimumf": arith.MinimumfOp, "arith.minsi": arith.MinSIOp,
}  # fmt: skip


def is_lone_reduction(op) -> bool:
    return isinstance(op, ReduceOp) and not isinstance(op, ContractOp)


def reduction_parts(op) -> tuple[ReduceOp, list[PointwiseOp]] | None:
    """A lone reduction, or a kernel of one reduction followed by an epilogue on its
    outputs only (an f16 sum's rounding, a mean's division: pointwise ops over the
    reduction's points that read nothing but the kernel's values there); else None."""
    if is_lone_reduction(op):
        return op, []
    if not isinstance(op, KernelOp):
        return None
    ops = op.compute_ops()
    if not ops or not is_lone_reduction(ops[0]):
        return None
    red, local = ops[0], {o.result for o in ops}
    point = (red.dim_map or ())[: len(red.shape)]
    for e in ops[1:]:
        if not isinstance(e, PointwiseOp) or e.shape != red.shape or (e.dim_map or ()) != point:
            return None
        if any(isinstance(o, IndexOp) for o in e.body.walk()):
            return None
        for ld in e.loads():
            here = all(x == d or (n == 1 and x == 0) for x, d, n in zip(ld.index_exprs, dims(len(e.shape)), e.shape))
            if ld.buffer not in local or not here:
                return None
    return red, ops[1:]


def reads_columns(op: ReduceOp) -> bool:
    """Whether the loads walk memory along the innermost output dim more than along the
    innermost reduced dim (a column sum): then consecutive outputs share a block."""
    if not op.shape or not op.reduce_shape:
        return False
    d, r = dims(len(op.shape))[-1], dims(len(op.reduce_shape), "r")[-1]
    along_d = sum(load_access(load).stride(d) == 1 for load in op.loads())
    along_r = sum(load_access(load).stride(r) == 1 for load in op.loads())
    return along_d > along_r


def warps_for(elements: int) -> int:
    return max(4, min(16, elements // 512))


def tile(op) -> GpuTileAttr | None:
    """The tiling of a lone `loops.reduce` (the module docstring); None for anything else."""
    parts = reduction_parts(op)
    if parts is None:
        return None
    op = parts[0]
    outputs, size = math.prod(op.shape), math.prod(op.reduce_shape)
    if reads_columns(op):
        x, r = min(COLUMN_BLOCK[0], pow2(outputs)), min(COLUMN_BLOCK[1], pow2(size))
        return GpuTileAttr.make("looped", [x, r], warps_for(x * r))
    if size > MAX_ROW:
        return GpuTileAttr.make("looped", [1, LOOP_STEP], warps_for(LOOP_STEP))
    r = pow2(size)
    if 2 * r <= SHORT_BLOCK and outputs > 1:
        x = min(pow2(outputs), SHORT_BLOCK // r)
        return GpuTileAttr.make("looped", [x, r], warps_for(x * r))
    return GpuTileAttr.make("persistent", [r], warps_for(r))


def reduction(kernel: ReduceOp | KernelOp, name: str) -> gb.KernelOp:
    """The kernel of a lone `loops.reduce` (or of a reduction and its epilogue,
    `reduction_parts`), tiled by its `tile` attribute (or `tile(op)`)."""
    t = kernel.attributes.get("tile")
    t = t if isinstance(t, GpuTileAttr) else tile(kernel)
    parts = reduction_parts(kernel)
    assert t is not None and parts is not None
    op, epilogue = parts
    xb, rb = (1, t.block[0]) if t.kind.data == "persistent" else t.block
    kind = op.kind.data
    arg = kind in ARG_KINDS
    outputs, size = math.prod(op.shape), math.prod(op.reduce_shape)
    value_type = op.yield_type()
    looped = rb < size
    wide = (pow2(outputs) + xb) * max(size, rb) > I32_LIMIT or not all(load_access(ld).fits_i32 for ld in op.loads())
    k = OpKernel(op, name, wide, kernel.results)
    it = k.itype
    b = k.body
    pid = k.index(b.add(gb.ProgramIdOp(0)).result, "pid")
    start = b.add(arith.MuliOp(pid, b.const(xb, it))).result
    start.name_hint = "xstart"

    # the outputs of this program instance: flat indices and mask, [XBLOCK]
    xlanes = b.add(gb.ArangeOp(0, xb)).result
    xm = Block(arg_types=[it, xlanes.type.element_type])  # type: ignore[attr-defined]
    xbld = Builder(xm)
    xflat = xbld.add(arith.AddiOp(xm.args[0], k.widen(xbld, xm.args[1]))).result
    xbld.add(gb.YieldOp(xflat, xbld.add(arith.CmpiOp(xflat, xbld.const(outputs, it), "slt")).result))
    xmap = b.add(gb.MapOp([b.add(gb.SplatOp(start, [xb])).result, xlanes], [it, i1], Region(xm)))
    xindex, xmask = xmap.outputs
    xindex.name_hint, xmask.name_hint = "xindex", "xmask"
    shape2 = [xb, rb]
    x2 = b.add(gb.BroadcastOp(b.add(gb.ExpandDimsOp(xindex, 1)).result, shape2)).result
    r2 = b.add(gb.BroadcastOp(b.add(gb.ExpandDimsOp(b.add(gb.ArangeOp(0, rb)).result, 0)).result, shape2)).result

    acc_type = _accumulator(kind, value_type)
    identity = REDUCTIONS[ARG_KINDS.get(kind, kind)].identity(numpy_dtype(value_type))

    def block_values(bb: Builder, base: SSAValue | None) -> tuple[SSAValue, SSAValue]:
        """The body's values over the block at reduced offset `base` (masked lanes: the
        identity), in the accumulator's type, and the flat reduced positions."""
        k.body = bb
        args = [x2, r2] if base is None else [x2, r2, bb.add(gb.SplatOp(base, shape2)).result]

        def index(ib: Builder, a: Sequence[SSAValue]):
            r = k.widen(ib, a[1])
            if base is not None:
                r = ib.add(arith.AddiOp(a[2], r)).result
            in_x = ib.add(arith.CmpiOp(a[0], ib.const(outputs, it), "slt")).result
            in_r = ib.add(arith.CmpiOp(r, ib.const(size, it), "slt")).result
            mask = ib.add(arith.AndIOp(in_x, in_r)).result
            env = unflatten(ib, a[0], op.shape, it)
            renv = unflatten(ib, r, op.reduce_shape, it)
            env.update({rs: renv[ds] for rs, ds in zip(dims(len(op.reduce_shape), "r"), dims(len(op.reduce_shape)))})
            return env, [(mask, "mask"), (r, "rindex")]

        (mask, rindex), ptrs, indices = k.offsets(args, index)
        (value,) = k.compute(k.load(ptrs, mask), indices, [mask], identity)
        value.name_hint = "vals"
        if acc_type != value_type:
            value = _convert(bb, value, acc_type)
        return value, rindex

    if not looped:
        value, positions = block_values(b, None)
    else:
        lo, hi, step = b.const(0, it), b.const(size, it), b.const(rb, it)
        init = [b.add(gb.SplatOp(b.const(identity.item() if hasattr(identity, "item") else identity, acc_type), shape2)).result]
        if arg:
            init.append(b.add(gb.SplatOp(b.const(0, it), shape2)).result)
        loop = gb.ForOp(lo, hi, step, init)
        body = Builder(loop.body.block)
        roff, *carried = loop.body.block.args
        roff.name_hint = "roff"
        carried[0].name_hint = "acc"
        if arg:
            carried[1].name_hint = "acc_index"
        value, rindex = block_values(body, roff)
        if arg:
            new = _take_better(body, kind, carried[0], carried[1], value, rindex)
        else:
            new = [_map(body, [carried[0], value], acc_type, lambda mb, a: mb.add(_combine(kind, a[0], a[1])).result)]
        body.add(gb.YieldOp(*new))
        b.add(loop)
        k.body = b
        value = loop.outputs[0]
        positions = loop.outputs[1] if arg else None

    if arg:
        total = b.add(gb.ReduceOp(kind, value, 1, positions)).result
        if it != i64:
            total = _convert(b, total, i64)
    else:
        total = b.add(gb.ReduceOp(kind, value, 1)).result
        if acc_type != value_type:
            total = _convert(b, total, value_type)
    total.name_hint = op.result.name_hint or "total"
    value_of = {op.result: total}
    for e in epilogue:
        ins = list(dict.fromkeys(value_of[ld.buffer] for ld in e.loads()))
        blk = Block(arg_types=[gb.ops.element_of(v.type) for v in ins])
        mb = Builder(blk)
        result = clone_body(mb, e, {ld.result: blk.args[ins.index(value_of[ld.buffer])] for ld in e.loads()})
        mb.add(gb.YieldOp(result))
        value_of[e.result] = b.add(gb.MapOp(ins, [e.yield_type()], Region(blk))).outputs[0]
        value_of[e.result].name_hint = e.result.name_hint
    yielded = [op.result] if kernel is op else list(kernel.body.block.last_op.operands)  # type: ignore[union-attr]
    for i, v in enumerate(yielded):
        k.store(xindex, value_of[v], xmask, i)
    return k.finish([str(-(-outputs // xb))], t.warps)


def _accumulator(kind: str, t: Attribute) -> Attribute:
    """What the blocks hold: f32 for f16/bf16 sums and products, i8 for i1 positions."""
    if kind in ("sum", "prod") and isinstance(t, AnyFloat) and t.bitwidth < 32:
        return f32
    if kind in ARG_KINDS and t == i1:
        return i8
    return t


def _combine(kind: str, acc: SSAValue, v: SSAValue):
    t = acc.type
    return COMBINE[REDUCTIONS[kind].combine_op(isinstance(t, AnyFloat), t == i1)](acc, v)


def _map(b: Builder, inputs: Sequence[SSAValue], result: Attribute | Sequence[Attribute], body) -> SSAValue | list[SSAValue]:
    """A map over `inputs` whose scalar body is `body(builder, args)` (a value or a list)."""
    results = [result] if isinstance(result, Attribute) else list(result)
    blk = Block(arg_types=[gb.ops.element_of(v.type) for v in inputs])
    mb = Builder(blk)
    out = body(mb, blk.args)
    mb.add(gb.YieldOp(*(out if isinstance(out, list) else [out])))
    m = b.add(gb.MapOp(inputs, results, Region(blk)))
    return m.outputs[0] if isinstance(result, Attribute) else list(m.outputs)


def _convert(b: Builder, block: SSAValue, to: Attribute) -> SSAValue:
    """`block` (or a scalar) in type `to`: extf / truncf / extsi / extui (i1)."""
    src = gb.ops.element_of(block.type)

    def cast(mb: Builder, v: SSAValue) -> SSAValue:
        if isinstance(to, AnyFloat):
            return mb.add((arith.ExtFOp if to.bitwidth > src.bitwidth else arith.TruncFOp)(v, to)).result  # type: ignore[attr-defined]
        return mb.add((arith.ExtUIOp if src == i1 else arith.ExtSIOp)(v, to)).result

    if not isinstance(block.type, TensorType):
        return cast(b, block)
    return _map(b, [block], to, lambda mb, a: cast(mb, a[0]))  # type: ignore[return-value]


def _take_better(b: Builder, kind: str, best: SSAValue, best_at: SSAValue, v: SSAValue, at: SSAValue) -> list[SSAValue]:
    """Lane by lane: (v, at) where v is strictly better than `best` or the first NaN,
    else (best, best_at)."""

    def body(mb: Builder, a: Sequence[SSAValue]) -> list[SSAValue]:
        old, old_at, new, new_at = a
        if isinstance(new.type, AnyFloat):
            better = mb.add(arith.CmpfOp(new, old, "ogt" if kind == "argmax" else "olt")).result
            new_nan = mb.add(arith.CmpfOp(new, new, "une")).result
            old_num = mb.add(arith.CmpfOp(old, old, "oeq")).result
            better = mb.add(arith.OrIOp(better, mb.add(arith.AndIOp(new_nan, old_num)).result)).result
        else:
            better = mb.add(arith.CmpiOp(new, old, "sgt" if kind == "argmax" else "slt")).result
        return [mb.add(arith.SelectOp(better, new, old)).result, mb.add(arith.SelectOp(better, new_at, old_at)).result]

    return _map(b, [best, best_at, v, at], [best.type.element_type, best_at.type.element_type], body)  # type: ignore[return-value,attr-defined]

