"""Lone `loops.pointwise` ops: flat 1-D blocks over the output (the package docstring)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import sympy
from xdsl.dialects import arith
from xdsl.ir import SSAValue

from stepwell.dialects import gpu_block as gb
from stepwell.dialects.loops import PointwiseOp
from stepwell.dialects.loops.access import I32_LIMIT, linear_offset, load_access
from stepwell.dialects.loops.index import dims

from stepwell.lowering.loops_to_gpu_block.common import BLOCK, Builder, OpKernel, pow2, unflatten


def pointwise(op: PointwiseOp, name: str) -> gb.KernelOp:
    shape = op.shape
    n = math.prod(shape)
    block = min(BLOCK, pow2(n))
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
        mask = ib.add(arith.CmpiOp(flat, ib.const(n, k.itype), "slt"))
        env = unflatten(ib, flat.result, shape, k.itype)
        return env, [(flat.result, "offs"), (mask.result, "mask")]

    k.flat = linear_offset(shape, dims(len(shape)))  # a load at the output's own index reads at `offs`

    (offs, mask), loads, indices = k.offsets(flat_args, index)
    values = k.load(loads, mask)
    (value,) = k.compute(values, indices, [])
    k.store(offs, value, mask)
    return k.finish([f"{-(-n // block)}"])


