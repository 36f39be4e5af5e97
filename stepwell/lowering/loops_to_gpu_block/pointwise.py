"""Lone `loops.pointwise` ops: flat 1-D blocks over the output (the package docstring)."""

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
from stepwell.dtypes import numpy_dtype
from stepwell.lowering.loops_to_gpu_block.common import (
    BLOCK,
    Builder,
    OpKernel,
    Unsupported,
    cdiv,
    pow2,
    tiling,
    unflatten,
)

SMS = 132  # streaming multiprocessors of the H200
MIN_BLOCK = 128  # one 16-byte vector per thread of one warp at f32
VECTOR_BYTES = 16  # the widest global access of one thread (ld.global.v4.b32)


def tile(op: Operation) -> GpuTileAttr | None:
    """A lone pointwise op: blocks of BLOCK elements (Inductor's cap), halved down to
    MIN_BLOCK while there are fewer than two program instances per SM, so a small
    output still occupies the GPU; warps so that each thread moves at least one
    16-byte vector (4 f32, 8 f16 ...) per access, at most 4 (a 1024-element f32
    block: 8 elements, two vectors, per thread)."""
    if type(op) is not PointwiseOp:
        return None
    n = math.prod(op.shape)
    block = BLOCK
    while block > MIN_BLOCK and -(-n // block) < 2 * SMS:
        block //= 2
    block = min(block, pow2(n))
    vector = max(1, VECTOR_BYTES // numpy_dtype(op.yield_type()).itemsize)
    warps = max(1, min(4, pow2(block // (32 * vector) or 1)))
    return GpuTileAttr.make("pointwise", [block], warps)


def pointwise(op: PointwiseOp, name: str) -> gb.KernelOp:
    attr = tiling(op, tile)
    assert attr is not None
    if attr.kind.data != "pointwise" or len(attr.block) != 1:
        raise Unsupported(op, f"a lone loops.pointwise is tiled as pointwise (one block size) or tile (two), got {attr}")
    shape = op.shape
    n = math.prod(shape)
    (block,) = attr.block
    wide = n + block > I32_LIMIT or not all(load_access(load).fits_i32 for load in op.loads())
    k = OpKernel(op, name, wide)
    b = k.body
    pid = k.index(b.add(gb.ProgramIdOp(0)).result, "pid")
    start = b.add(arith.MuliOp(pid, b.const(block, k.itype)))
    start.result.name_hint = "start"
    lanes = b.add(gb.ArangeOp(0, block)).result
    flat_args = [b.add(gb.SplatOp(start.result, [block])).result, lanes]

    def index(ib: Builder, args: Sequence[SSAValue]) -> tuple[dict[sympy.Symbol, SSAValue], list[tuple[SSAValue, str]]]:
        flat = ib.add(arith.AddiOp(args[0], k.widen(ib, args[1])))
        mask = ib.add(arith.CmpiOp(flat, ib.size(n, k.itype), "slt"))
        env = unflatten(ib, flat.result, shape, k.itype)
        return env, [(flat.result, "offs"), (mask.result, "mask")]

    k.flat = linear_offset(shape, dims(len(shape)))  # a load at the output's own index reads at `offs`

    (offs, mask), loads, indices = k.offsets(flat_args, index)
    values = k.load(loads, mask)
    (value,) = k.compute(values, indices, [mask])  # (the mask: a block, also for a body that reads nothing)
    k.store(offs, value, mask)
    return k.finish([cdiv(n, block)], attr.warps)
