"""A pipelined K loop (pipeline.py) whose mmas are Hopper's `wgmma.mma_async` (sm_90a
only: convert-gpu_block-to-nvvm's `wgmma` option, the ptx target's arch `sm_90a`).

**Which plans (`takes`).** The accumulator in `MmaLayout.for_warpgroups` (4 warps of a
warpgroup along M, 16 rows each, one 16-row tile per warp: BM a multiple of 64; a
warpgroup's N columns at most 256, a multiple of a 64-column panel), K steps of 16, at
least 3 stages, and tiles that start at multiples of 1024 bytes. Others keep
mma.sync (the kernel's `nvvm.dot_pipeline` says which: `mma = "wgmma"` or
`"mma.sync"`).

**Operands.** The copies lay both tiles out in panels (pipeline.py, "Panels"); each
wgmma (`m64nNk16`, N the warpgroup's columns) reads them through 64-bit shared memory
matrix descriptors (PTX ISA, "Matrix Descriptor Format"): start address >> 4 (bits
0-13), leading dimension byte offset >> 4 (16-29), stride dimension byte offset >> 4
(32-45), swizzle mode (62-63: 1, 2, 3 for 128-, 64-, 32-byte rows). A is K-major: its
warpgroup's 64 rows from the start, 8-row groups `SBO` = 8 rows apart (the K extent of
one wgmma, 32 bytes, lies within a row, so `LBO` is unused); K step s starts 32 * s
bytes into the row (the swizzle is applied to address bits, so the start may sit
inside a swizzle row). B is N-major (the instruction's `tnspB` = 1): 8-row K groups
`SBO` apart, 64-column panels `LBO` = BK rows apart; K step s starts 16 * s rows on.
`Tiles` computes these; tests/unit/test_ptx_wgmma.py
simulates the addresses the hardware reads from them.

**The loop.** Prologue: tiles 0 .. S - 2 copied (a group each), a wait for tile 0, a
proxy fence (`fence.proxy.async.shared::cta`: the copies are generic-proxy writes,
wgmma reads through the async proxy) and a barrier. Iteration j: `wgmma.fence`, the
wgmmas of tile j (one per K step of 16, all into the same accumulator registers),
`wgmma.commit_group`, `wgmma.wait_group 1` (this warpgroup's wgmmas of tile j - 1 are
done; tile j's run on), a wait for this thread's copies of tile j + 1
(`cp.async.wait_group S - 3`), the proxy fence, one barrier (every warpgroup is done
with tile j - 1 and every copy of tile j + 1 landed), then the copies of tile j + S - 1
into the buffer tile j - 1 held. After the loop, `wgmma.wait_group 0`. The waits pass
the accumulator through (tied registers), so nothing reads it before its wgmmas end.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from xdsl.dialects import llvm
from xdsl.dialects.builtin import f16, f32, i1, i32, i64
from xdsl.ir import SSAValue

from stepwell.dialects import gpu_block as gb
from stepwell.dialects.gpu_block.types import element_of, shape_of
from stepwell.lowering.gpu_block_to_nvvm import dot as dt
from stepwell.lowering.gpu_block_to_nvvm import pipeline as pl
from stepwell.lowering.gpu_block_to_nvvm.layout import WARP, log2
from stepwell.lowering.gpu_block_to_nvvm.values import Fact, Regs
from stepwell.lowering.loops_to_llvm.builder import dense_i64

ARCH = "sm_90a"  # the architecture whose PTX has wgmma
WG_M, K = 64, 16  # rows of a warpgroup's wgmma, its K
ALIGN = 1024  # bytes: the 128-byte swizzle's period (8 rows of 128 bytes)
SWIZZLE = {128: 1, 64: 2, 32: 3}  # the descriptor's mode for panel rows of that many bytes


@dataclass(frozen=True)
class Operand:
    """How a warpgroup's wgmmas read one tile: panel rows of `row_bytes`, the
    descriptor's leading and stride byte offsets."""

    row_bytes: int
    lbo: int
    sbo: int

    def bits(self) -> int:
        """The descriptor without its start address."""
        return (self.lbo >> 4) << 16 | (self.sbo >> 4) << 32 | SWIZZLE[self.row_bytes] << 62


def descriptor(address: int, op: Operand) -> int:
    """The descriptor of the tile `op` at shared memory byte `address` (tests)."""
    return (address >> 4) & 0x3FFF | op.bits()


@dataclass(frozen=True)
class Tiles:
    """A plan's tiles as its wgmmas read them: A [bm, bk], B [bk, bn] in one stage's
    buffer (B after A), `warps_n` warpgroup columns."""

    bm: int
    bn: int
    bk: int
    warps_n: int

    @staticmethod
    def of(p: pl.Plan) -> Tiles:
        (bm, bk), bn = shape_of(p.dot.a.type), shape_of(p.dot.b.type)[1]
        return Tiles(bm, bn, bk, p.layout.warps_n)

    @property
    def n(self) -> int:
        """The columns of a warpgroup's wgmma."""
        return self.bn // self.warps_n

    @property
    def a(self) -> Operand:
        row = min(self.bk, pl.PANEL) * pl.ELEM
        return Operand(row, 16, 8 * row)  # (LBO unused: 16, the least it can say)

    @property
    def b(self) -> Operand:
        row = min(self.bn, pl.PANEL) * pl.ELEM
        return Operand(row, self.bk * row, 8 * row)

    def a_start(self, gm: int, s: int) -> int:
        """The byte offset in the stage's buffer of warpgroup row `gm`'s A at K step s."""
        row, width = self.a.row_bytes, self.a.row_bytes // pl.ELEM
        return gm * WG_M * row + (s * K // width) * self.bm * row + (s * K % width) * pl.ELEM

    def b_start(self, gn: int, s: int) -> int:
        """The byte offset in the stage's buffer of warpgroup column `gn`'s B at K step s."""
        b = self.b
        return self.bm * self.bk * pl.ELEM + gn * self.n // (b.row_bytes // pl.ELEM) * b.lbo + s * K * b.row_bytes


def group(warp: int, warps_m: int, warps_n: int) -> tuple[int, int]:
    """The warpgroup row and column of `warp` in `MmaLayout.for_warpgroups` (what `emit`
    computes in the kernel)."""
    return (warp & (warps_m - 1)) >> 2, (warp >> log2(warps_m)) & (warps_n - 1)


def takes(k, p: pl.Plan) -> bool:
    """Whether the loop of plan `p` runs on wgmma (module docstring)."""
    t = Tiles.of(p)
    acc = tuple(shape_of(p.dot.acc.type))
    return (
        p.layout == dt.MmaLayout.for_warpgroups(acc, k.threads)  # type: ignore[arg-type]
        and t.bk % K == 0
        and min(t.bn, t.bk) >= 16
        and p.stages >= 3
        and k.reserved % ALIGN == 0
        and p.tile_bytes[0] % ALIGN == 0
        and p.stage_bytes % ALIGN == 0
    )


# --- the instructions -----------------------------------------------------------------


def _mma(k, p: pl.Plan, acc: list, da, db) -> list:
    b, n = k.b, len(acc)
    t = "f16" if element_of(p.dot.a.type) == f16 else "bf16"
    regs = ",".join(f"${i}" for i in range(n))
    asm = f"wgmma.mma_async.sync.aligned.m64n{Tiles.of(p).n}k16.f32.{t}.{t} {{{regs}}}, ${2 * n}, ${2 * n + 1}, ${2 * n + 2}, 1, 1, 0, 1;"
    constraints = ",".join(["=f"] * n + [str(i) for i in range(n)] + ["l", "l", "b"])
    return _results(k, llvm.InlineAsmOp(asm, constraints, [*acc, da, db, b.const(i1, 1)], [_struct(n)], has_side_effects=True), n)


def mma_rs(k, t, n: int, acc: list | int, a: list, db: SSAValue, trans_b: bool) -> list:
    """`wgmma.mma_async` m64nNk16 of the warpgroup, A (4 32-bit registers of the warp's
    16 rows, laid out as mma.m16n8k16's A fragment) from registers, B through the
    descriptor `db` (N-major with `trans_b`, else K-major): `acc` + A B, or A B where
    `acc` is a count of registers (no input: nothing to move into them, so no ordinary
    instruction writes them after the `wgmma.fence`)."""
    b = k.b
    scale_d = not isinstance(acc, int)
    if isinstance(acc, int):
        acc = [b.op(llvm.UndefOp(f32)) for _ in range(acc)]
    m = len(acc)
    a = [v if v.type == i32 else b.op(llvm.BitcastOp(v, i32)) for v in a]
    name = "f16" if t == f16 else "bf16"
    regs = ",".join(f"${i}" for i in range(m))
    at = 2 * m
    asm = (f"wgmma.mma_async.sync.aligned.m64n{n}k16.f32.{name}.{name} {{{regs}}}, {{${at},${at + 1},${at + 2},${at + 3}}}, "
           f"${at + 4}, ${at + 5}, 1, 1, {int(trans_b)};")  # fmt: skip
    constraints = ",".join(["=f"] * m + [str(i) for i in range(m)] + ["r"] * 4 + ["l", "b"])
    op = llvm.InlineAsmOp(asm, constraints, [*acc, *a, db, b.const(i1, int(scale_d))], [_struct(m)], has_side_effects=True)
    return _results(k, op, m)


def make_descriptor(k, address: SSAValue, op: Operand) -> SSAValue:
    """The descriptor (`descriptor`) of the tile `op` at the shared memory `address` (i32)."""
    b = k.b
    return b.op(llvm.OrOp(b.op(llvm.ZExtOp(pl.shr(b, address, 4), i64)), b.const(i64, op.bits())))


def fence(k) -> None:
    """`wgmma.fence`: the registers ordinary instructions wrote (accumulators, A) are
    what the next wgmmas read."""
    _call(k, "llvm.nvvm.wgmma.fence.sync.aligned")


def commit_and_wait(k, acc: list, pending: int) -> list:
    """The wgmmas issued since the last commit as one group; wait until at most `pending`
    groups are in flight; `acc` passed through the wait."""
    _call(k, "llvm.nvvm.wgmma.commit_group.sync.aligned")
    return _wait(k, acc, pending)


def _wait(k, acc: list, pending: int) -> list:
    """`wgmma.wait_group pending`, the accumulator passed through (defined after it)."""
    n = len(acc)
    constraints = ",".join(["=f"] * n + [str(i) for i in range(n)])
    op = llvm.InlineAsmOp(f"wgmma.wait_group.sync.aligned {pending};", constraints, acc, [_struct(n)], has_side_effects=True)
    return _results(k, op, n)


def _struct(n: int):
    return llvm.LLVMStructType.from_type_list([f32] * n)


def _results(k, op, n: int) -> list:
    out = k.b.op(op)
    return [k.b.op(llvm.ExtractValueOp(dense_i64([i]), out, f32)) for i in range(n)]


def _call(k, name: str) -> None:
    k.b.op(llvm.CallIntrinsicOp(name, [], []))


def proxy_fence(k) -> None:
    """Generic-proxy writes to shared memory (cp.async, st.shared) seen by the async
    proxy wgmma reads through (before the barrier that publishes them)."""
    _call(k, "llvm.nvvm.fence.proxy.async.shared_cta")


# --- the loop ---------------------------------------------------------------------------


def emit(k, loop: gb.ForOp, p: pl.Plan) -> None:
    """The K loop (module docstring, "The loop"): its result's registers into `k.env`."""
    b, stages, layout = k.b, p.stages, p.layout
    lo, hi, step = (k.env[v] for v in (loop.lower, loop.upper, loop.step))
    pl.prepare(k, p, loop)
    k.pipelines.append(p)
    acc_view = k.ident(loop.iter_args[0])
    k.sfacts[loop.induction_var] = Fact(0, math.gcd(k.sfact(loop.lower).div, k.sfact(loop.step).div))
    for s in range(stages - 1):  # prologue: tiles 0 .. S - 2 into buffers 0 .. S - 2
        pl.copy_tile(k, p, loop, b.add(lo, b.mul(step, b.const(step.type, s))), b.const(i32, s * p.stage_bytes))
    pl.wait(k, stages - 2)
    proxy_fence(k)
    k.barrier()

    # the warpgroup's start in the tiles (`group`; warp-uniform: a shuffle from lane 0 says so)
    warp = pl.shr(b, k.tid_in(layout), log2(WARP))
    warp = b.intrinsic("llvm.nvvm.shfl.sync.idx.i32", [b.const(i32, -1), warp, b.const(i32, 0), b.const(i32, WARP - 1)], i32)
    gm = pl.shr(b, b.op(llvm.AndOp(warp, b.const(i32, layout.warps_m - 1))), 2)
    gn = b.op(llvm.AndOp(pl.shr(b, warp, log2(layout.warps_m)), b.const(i32, layout.warps_n - 1)))
    base = b.op(llvm.PtrToIntOp(pl.smem_address(k, b.const(i32, 0)), i32))
    t = Tiles.of(p)
    a_group = b.add(base, b.mul(gm, b.const(i32, t.a_start(1, 0))))
    b_group = b.add(base, b.mul(gn, b.const(i32, t.b_start(1, 0) - t.b_start(0, 0))))

    def desc(start: SSAValue, offset: int, op: Operand) -> SSAValue:
        return make_descriptor(k, b.add(start, b.const(i32, offset)), op)

    def cells(values: list) -> list:
        out = [b.alloca(v.type, 1) for v in values]
        for v, c in zip(values, out):
            b.op(llvm.StoreOp(v, c))
        return out

    acc_cells = cells(k.at(loop.iter_args[0], acc_view))
    read_cell, write_cell = cells([b.const(i32, 0), b.const(i32, (stages - 1) * p.stage_bytes)])
    steps = t.bk // K
    with b.loop(lo, hi, step) as iv:
        read, write = b.op(llvm.LoadOp(read_cell, i32)), b.op(llvm.LoadOp(write_cell, i32))
        acc = [b.op(llvm.LoadOp(c, f32)) for c in acc_cells]
        a_at, b_at = b.add(a_group, read), b.add(b_group, read)
        _call(k, "llvm.nvvm.wgmma.fence.sync.aligned")
        for s in range(steps):
            acc = _mma(k, p, acc, desc(a_at, t.a_start(0, s), t.a), desc(b_at, t.b_start(0, s), t.b))
        _call(k, "llvm.nvvm.wgmma.commit_group.sync.aligned")
        acc = _wait(k, acc, 1)
        pl.wait(k, stages - 3)  # tile j + 1 landed (this thread's copies)
        proxy_fence(k)
        k.barrier()  # every warpgroup's wgmmas of tile j - 1 done, every copy of tile j + 1 landed
        pl.copy_tile(k, p, loop, b.add(iv, b.mul(step, b.const(step.type, stages - 1))), write)
        for v, c in zip(acc, acc_cells):
            b.op(llvm.StoreOp(v, c))
        after = b.add(read, b.const(i32, p.stage_bytes))
        after = b.select(b.icmp("eq", after, b.const(i32, stages * p.stage_bytes)), b.const(i32, 0), after)
        b.op(llvm.StoreOp(after, read_cell))
        b.op(llvm.StoreOp(read, write_cell))
    acc = _wait(k, [b.op(llvm.LoadOp(c, f32)) for c in acc_cells], 0)
    pl.wait(k, 0)
    k.barrier()  # (the epilogue may use the shared memory)
    k.env[loop.outputs[0]] = Regs.of(acc_view, acc)


__all__ = ["ARCH", "Operand", "Tiles", "commit_and_wait", "descriptor", "emit", "fence", "group", "make_descriptor", "mma_rs", "proxy_fence", "takes"]
