"""`gpu_block.reduce` along an axis: in each thread, then across lanes, then across warps.

The source is held in its layout; the axis' bits of the flat index (layout.py) say
which of a thread's registers combine in the thread, which lanes combine by
`shfl.sync.bfly` (one xor per lane bit of the axis), and which warps combine through
shared memory: every thread writes its partials at [kept register][thread], a
barrier, then each thread reads the partials of the warps that differ from its own in
the axis' warp bits, in a fixed order, so that every replica computes the same
value. The result is a `Slice` of the source's layout (a scalar when the source has
rank 1). argmax/argmin carry (value, position) pairs and keep, of two, the better
value, or the lower position among equal ones (the first NaN counts as best).
"""

from __future__ import annotations

from xdsl.dialects import llvm
from xdsl.dialects.builtin import AnyFloat, IntegerType, TensorType, i32, i64
from xdsl.ir import SSAValue

from stepwell.dialects import gpu_block as gb
from stepwell.dialects.gpu_block.types import element_of
from stepwell.lowering.gpu_block_to_nvvm import convert as cvt
from stepwell.lowering.gpu_block_to_nvvm.layout import WARP
from stepwell.lowering.gpu_block_to_nvvm.values import Slice, identity
from stepwell.lowering.loops_to_llvm import reductions as red
from stepwell.lowering.loops_to_llvm.builder import FuncBuilder

ARG = ("argmax", "argmin")
FULL_MASK = -1  # every lane of the warp takes part


def reduce(k, op: gb.ReduceOp) -> Slice | SSAValue:
    b: FuncBuilder = k.b
    kind = op.kind.data
    view = cvt.reduce_view(k, op)
    layout, axis = view[0], view[1][op.axis.value.data]  # the layout's dim
    body_type = element_of(op.source.type)
    values = [red.widen(b, v, body_type) for v in k.at(op.source, view)]
    if kind in ARG:
        out_t = element_of(op.result.type)
        if op.indices is not None:
            positions = k.at(op.indices, view)
        else:
            positions = [_int(b, c, out_t) for c in k.coord(layout, axis)]
        parts = [(v, p) for v, p in zip(values, positions)]
    else:
        parts = [(v,) for v in values]

    def join(x: tuple, y: tuple) -> tuple:
        if kind not in ARG:
            return (red.combine(b, kind, x[0], y[0]),)
        return _choose(b, kind, x, y)

    groups: dict[int, tuple] = {}  # in the thread
    for reg, part in enumerate(parts):
        kept = layout.kept(reg, axis)
        groups[kept] = join(groups[kept], part) if kept in groups else part
    tid_bits = layout.axis_tid_bits(axis)
    for bit in (t for t in tid_bits if t < 5):  # across lanes
        for kept, part in groups.items():
            groups[kept] = join(part, tuple(_shuffle(b, x, 1 << bit) for x in part))
    warp_bits = [t for t in tid_bits if t >= 5]
    if warp_bits:
        groups = _across_warps(k, groups, warp_bits, join)
    result_t = element_of(op.result.type)
    done = {kept: (p[1] if kind in ARG else red.finish(b, p[0], result_t)) for kept, p in groups.items()}
    if not isinstance(op.result.type, TensorType):
        return done[0]
    kept = tuple(d for i, d in enumerate(view[1]) if i != op.axis.value.data)
    return Slice(layout, axis, done, None if view == identity(layout) else kept)


def _across_warps(k, groups: dict[int, tuple], warp_bits: list[int], join) -> dict[int, tuple]:
    """Partials [kept][thread] in shared memory; each thread combines those of the
    threads that differ from it in `warp_bits` (in increasing order)."""
    b, T = k.b, k.threads
    keys = sorted(groups)
    fields = len(next(iter(groups.values())))
    offsets, base = [], 0
    for f in range(fields):
        t = groups[keys[0]][f].type
        offsets.append(base)
        base += len(keys) * T * _bytes(t)
    k.use_shared(base)
    for i, kept in enumerate(keys):
        slot = b.add(k.tid, b.const(i32, i * T))
        for f, x in enumerate(groups[kept]):
            b.op(llvm.StoreOp(x, k.shared(slot, x.type, offsets[f])))
    k.barrier()
    clear = 0
    for bit in warp_bits:
        clear |= 1 << bit
    mine = b.op(llvm.AndOp(k.tid, b.const(i32, ~clear & 0xFFFFFFFF)))
    out: dict[int, tuple] = {}
    for i, kept in enumerate(keys):
        acc = None
        for c in range(1 << len(warp_bits)):
            other = sum(1 << bit for n, bit in enumerate(warp_bits) if c >> n & 1) + i * T
            slot = b.op(llvm.OrOp(mine, b.const(i32, other)))  # mine < T: no carries
            part = tuple(
                b.op(llvm.LoadOp(k.shared(slot, x.type, offsets[f]), x.type)) for f, x in enumerate(groups[kept])
            )
            acc = part if acc is None else join(acc, part)
        out[kept] = acc
    k.barrier()
    return out


def _choose(b: FuncBuilder, kind: str, x: tuple, y: tuple) -> tuple:
    """Of two (value, position) pairs, the better value; the lower position if neither
    is better."""
    y_wins = red.takes(b, kind, x[0], y[0])
    x_wins = red.takes(b, kind, y[0], x[0])
    lower = b.icmp("slt", y[1], x[1])
    tie = b.op(llvm.AndOp(b.op(llvm.XOrOp(x_wins, b.const(x_wins.type, 1))), lower))
    pick_y = b.op(llvm.OrOp(y_wins, tie))
    return (b.select(pick_y, y[0], x[0]), b.select(pick_y, y[1], x[1]))


def _shuffle(b: FuncBuilder, v: SSAValue, lane_xor: int) -> SSAValue:
    """`v` of the lane whose id differs from this one's by `lane_xor`."""
    t = v.type

    def bfly(x: SSAValue, suffix: str) -> SSAValue:
        args = [b.const(i32, FULL_MASK), x, b.const(i32, lane_xor), b.const(i32, WARP - 1)]
        return b.intrinsic(f"llvm.nvvm.shfl.sync.bfly.{suffix}", args, x.type)

    if isinstance(t, AnyFloat) and t.bitwidth == 32:
        return bfly(v, "f32")
    if isinstance(t, IntegerType) and t.width.data == 32:
        return bfly(v, "i32")
    if isinstance(t, IntegerType) and t.width.data < 32:
        return b.op(llvm.TruncOp(bfly(b.op(llvm.ZExtOp(v, i32)), "i32"), t))
    if isinstance(t, AnyFloat) and t.bitwidth < 32:
        wide = b.op(llvm.ZExtOp(b.op(llvm.BitcastOp(v, IntegerType(t.bitwidth))), i32))
        return b.op(llvm.BitcastOp(b.op(llvm.TruncOp(bfly(wide, "i32"), IntegerType(t.bitwidth))), t))
    # 64 bits: two halves
    bits = b.op(llvm.BitcastOp(v, i64)) if isinstance(t, AnyFloat) else v
    lo = bfly(b.op(llvm.TruncOp(bits, i32)), "i32")
    hi = bfly(b.op(llvm.TruncOp(b.op(llvm.LShrOp(bits, b.const(i64, 32))), i32)), "i32")
    joined = b.op(llvm.OrOp(b.op(llvm.ZExtOp(lo, i64)), b.op(llvm.ShlOp(b.op(llvm.ZExtOp(hi, i64)), b.const(i64, 32)))))
    return b.op(llvm.BitcastOp(joined, t)) if isinstance(t, AnyFloat) else joined


def _int(b: FuncBuilder, v: SSAValue, t) -> SSAValue:
    return b.op(llvm.SExtOp(v, t)) if t != i32 else v


def _bytes(t) -> int:
    return max(1, t.width.data // 8) if isinstance(t, IntegerType) else t.bitwidth // 8
