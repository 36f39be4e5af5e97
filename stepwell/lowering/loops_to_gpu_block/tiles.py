"""Lone `loops.pointwise` ops whose reads and writes are contiguous along different
dims (a transpose, a permute of the last two dims): 2-D tiles over the output's last
two dims, so that Triton can coalesce both sides.

Program instance `pid` of a 1-D grid owns one BM x BN tile: `pid` splits into the
tile's column block, row block and the batch point (the leading dims, flattened)
in that order. The tile's rows and columns are blocks of BM and BN indices expanded
to BM x BN; each load's offset is the access analysis's linear offset over them, a
2-D block Triton walks along whichever dim is contiguous for that buffer. A mask on
both dims guards the edge tiles."""

from __future__ import annotations

import math
from collections.abc import Sequence

import sympy
from xdsl.dialects import arith
from xdsl.ir import Operation, SSAValue

from stepwell.dialects import gpu_block as gb
from stepwell.dialects.loops import PointwiseOp
from stepwell.dialects.loops.access import I32_LIMIT, linear_offset, load_access
from stepwell.dialects.loops.gpu_tile import GpuTileAttr
from stepwell.dialects.loops.index import dims
from stepwell.lowering.loops_to_gpu_block.common import (
    Builder,
    IndexEmitter,
    OpKernel,
    Unsupported,
    cdiv,
    pow2,
    size_symbol,
    tiling,
    unflatten,
)

SIDE = 64  # the longest side of a tile: 64 x 64 f32 is 16 KiB through shared memory


def transposed(op: Operation) -> bool:
    """Whether a lone pointwise op reads some buffer contiguously along its
    second-to-last dim and strided along its last, where its output is contiguous
    (a read that does not move along the last dim, a broadcast column, coalesces
    in 1-D blocks as it is)."""
    if type(op) is not PointwiseOp or len(op.shape) < 2 or min(op.shape[-2:]) < 2:
        return False
    rows, cols = dims(len(op.shape))[-2:]
    accesses = [load_access(load) for load in op.loads()]
    return all(a.is_affine for a in accesses) and any(a.stride(rows) == 1 and a.stride(cols) not in (0, 1) for a in accesses)


def tile(op: Operation) -> GpuTileAttr | None:
    """A transposing pointwise op: tiles of up to 64 x 64 (each side the next power of
    two of a shorter dim), 4 warps (16 elements per thread at 64 x 64)."""
    if not transposed(op):
        return None
    m, n = op.shape[-2:]
    bm, bn = min(SIDE, pow2(m)), min(SIDE, pow2(n))
    return GpuTileAttr.make("tile", [bm, bn], max(1, min(4, bm * bn // 256)))


def tiled(op: PointwiseOp, name: str) -> gb.KernelOp:
    attr = tiling(op, tile)
    assert attr is not None
    if attr.kind.data != "tile" or len(attr.block) != 2 or len(op.shape) < 2:
        raise Unsupported(op, f"2-D tiles need an output of rank >= 2 and two block sizes, got {attr}")
    shape = op.shape
    batch, (m, n) = shape[:-2], shape[-2:]
    bm, bn = attr.block
    tm, tn = -(-m // bm), -(-n // bn)
    total = math.prod(shape)
    wide = total + bm * n + bn > I32_LIMIT or not all(load_access(load).fits_i32 for load in op.loads())
    k = OpKernel(op, name, wide)
    b = k.body
    t = k.itype
    pid = k.index(b.add(gb.ProgramIdOp(0)).result, "pid")
    col_tile = b.add(arith.RemSIOp(pid, b.size(tn, t))).result if tn > 1 else b.const(0, t)
    rest = b.add(arith.DivSIOp(pid, b.size(tn, t))).result if tn > 1 else pid
    row_tile = b.add(arith.RemSIOp(rest, b.size(tm, t))).result if tm > 1 else b.const(0, t)
    point = b.add(arith.DivSIOp(rest, b.size(tm, t))).result if tm > 1 else rest
    point.name_hint = "batch"

    def lanes(tile_index: SSAValue, size: int, axis: int) -> list[SSAValue]:
        """The tile's first index along a dim (splat) and its lanes, both BM x BN."""
        first = b.add(arith.MuliOp(tile_index, b.const(size, t))).result
        line = b.add(gb.ArangeOp(0, size)).result
        lane = b.add(gb.BroadcastOp(b.add(gb.ExpandDimsOp(line, axis)).result, [bm, bn])).result
        return [b.add(gb.SplatOp(first, [bm, bn])).result, lane]

    args = [b.add(gb.SplatOp(point, [bm, bn])).result, *lanes(row_tile, bm, 1), *lanes(col_tile, bn, 0)]
    out = linear_offset(shape, dims(len(shape)))

    def index(ib: Builder, a: Sequence[SSAValue]) -> tuple[dict[sympy.Symbol, SSAValue], list[tuple[SSAValue, str]]]:
        env = unflatten(ib, a[0], batch, t) if batch else {}
        env = {dims(len(shape))[i]: env[dims(len(batch))[i]] for i in range(len(batch))}
        rows = ib.add(arith.AddiOp(a[1], k.widen(ib, a[2]))).result
        cols = ib.add(arith.AddiOp(a[3], k.widen(ib, a[4]))).result
        env[dims(len(shape))[-2]], env[dims(len(shape))[-1]] = rows, cols
        in_rows = ib.add(arith.CmpiOp(rows, ib.size(m, t), "slt")).result
        in_cols = ib.add(arith.CmpiOp(cols, ib.size(n, t), "slt")).result
        mask = ib.add(arith.AndIOp(in_rows, in_cols)).result
        offs = IndexEmitter(ib, env, t).emit(out, op)
        return env, [(offs, "offs"), (mask, "mask")]

    k.flat = out
    (offs, mask), loads, indices = k.offsets(args, index)
    values = k.load(loads, mask)
    (value,) = k.compute(values, indices, [mask])  # (the mask: a block, also for a body that reads nothing)
    k.store(offs, value, mask)
    grid = sympy.Mul(*(size_symbol(d) for d in batch)) * cdiv(m, bm) * cdiv(n, bn)
    return k.finish([grid], attr.warps)

