"""A loop whose tensor-core dots read their B tiles from global memory in the loop
(a fused attention's K loop, loops_to_gpu_block/attention.py: s = q k^T, then
acc += p v), its B tiles copied global -> shared memory by `cp.async` a few
iterations ahead and read with `ldmatrix`; the rest of the body (the softmax, the
other operands) is lowered as in any loop.

**Which loops.** A `gpu_block.for` (no loop inside) with f16/bf16 `gpu_block.dot`s
whose B [K, N] is a `gpu_block.load` of the body used only by that dot, contiguous
along N (v: stored [K, N] as it is, read with `ldmatrix.trans`, like pipeline.py's B)
or along K (k^T, k's rows: stored [N, K], read with plain `ldmatrix`, whose 8x8
matrices then are the `.col` B fragments of `mma.m16n8k16`), both dims powers of two
and rows of whole 16-byte chunks. A plain matmul's loop is pipeline.py's.

**Stages.** The kernel's `num_stages` S (at least 2; fewer where S stages would take
more than half the target's shared memory) buffers of every such tile, at the start
of shared memory; the kernel's other uses of shared memory (layout changes,
reductions across warps) go above them while the loop runs (`Kernel.reserved`).
Before the loop, the copies of the first S - 1 iterations, one commit group each.
Iteration n waits for all but the S - 2 newest groups (its own tiles landed), passes
one barrier (every thread's copies landed; every thread done with the buffer that
iteration n - 1 read), issues the copies of iteration n + S - 1 (if there is one)
into that buffer, commits, and runs the body, whose dots read their B fragments from
buffer n mod S. After the loop, a wait for every group and a barrier. The copies are
pipeline.py's (`_copy`: 16-byte `cp.async` for whole aligned strips, lane by lane with
the load's `other` for partial ones), in a copy layout over the tile as it lies in
shared memory, XOR-swizzled as there (`swizzled`).

**wgmma.** Where the kernel may use wgmma (sm_90a: convert-gpu_block-to-nvvm's `wgmma`
option) and every streamed tile can be read through a shared memory matrix descriptor
(wgmma.py), the loop's dots are `wgmma.mma_async` m64nNk16 in the RS form: A from
registers (q's fragments, hoisted; p packed from s's accumulator: per warp the
m16n8k16 A fragment, which is also wgmma's), B through a descriptor, so no ldmatrix.
The conditions (`takes_wgmma`): tile rows of 128, 64 or 32 bytes (a head dim of at
most 64: exactly the copies' XOR swizzle, pipeline.py's "Panels"), tiles a multiple of
1024 bytes (so each starts on a swizzle period: the buffers start at 0 of shared
memory, aligned to 1024), whole warpgroups (threads a multiple of 128), every warp
owning whole rows (`warps_n` 1, no replicated warps), N at most 256 and a multiple of
8, A held in registers. Warp w of a warpgroup supplies rows 16w .. 16w + 15 of the
group's 64-row A and gets those rows of D, so with A from registers the rows may be
any the warp owns: its 16-row tile mi (of the layout's `mr`) is one m64 wgmma, its
registers part mi of the accumulator. k's tile [N, K] is K-major (transpose bit 0: K
step s at byte 32 s of the rows, 8-row groups SBO = 8 rows apart), v's [K, N] N-major
(bit 1: step s 16 s rows on, N within one swizzle row). Hazards: the stream's wait for
the copies is followed by `fence.proxy.async.shared::cta` before the barrier (the
copies are generic-proxy writes; wgmma reads through the async proxy); each dot is a
`wgmma.fence`, its wgmmas (s's first K step with no input accumulator, so no
instruction writes its registers after the fence), one commit group and
`wgmma.wait_group 0`, with the accumulator passed through the wait, before anything
reads it (the softmax, the next step's rescale of o) and before the barrier after
which the buffer it read is refilled. Elsewhere the loop keeps mma.sync.

The decision (mma, stages, the tiles) is recorded on the kernel as `nvvm.dot_stream`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from xdsl.dialects import llvm
from xdsl.dialects.builtin import (
    ArrayAttr,
    BoolAttr,
    DictionaryAttr,
    FloatAttr,
    IntegerAttr,
    StringAttr,
    TensorType,
    VectorType,
    f16,
    i32,
)
from xdsl.ir import SSAValue

from stepwell.dialects import gpu_block as gb
from stepwell.dialects.gpu_block.types import shape_of
from stepwell.lowering.gpu_block_to_nvvm import dot as dt
from stepwell.lowering.gpu_block_to_nvvm import pipeline as pl
from stepwell.lowering.gpu_block_to_nvvm import wgmma as wg
from stepwell.lowering.gpu_block_to_nvvm.layout import WARP, Layout, log2
from stepwell.lowering.gpu_block_to_nvvm.values import Fact
from stepwell.lowering.loops_to_llvm.builder import dense_i64


@dataclass(frozen=True)
class Tile:
    """One dot's B tile as it lies in shared memory: row-major `shape`, [K, N] if
    `trans` (read with ldmatrix .trans), else [N, K]; `offset` bytes into a stage."""

    load: gb.LoadOp
    trans: bool
    shape: tuple[int, int]
    offset: int

    @property
    def nbytes(self) -> int:
        return self.shape[0] * self.shape[1] * pl.ELEM

    def view(self, k):
        """The copy layout over the tile in shared memory, and the load's dims in it."""
        return Layout.of(self.shape, k.threads, pl.ELEM), (0, 1) if self.trans else (1, 0)

    @property
    def dot(self) -> gb.DotOp:
        return next(iter(self.load.result.uses)).operation  # type: ignore[return-value]

    @property
    def operand(self) -> wg.Operand:
        """How a wgmma reads the tile (module docstring, "wgmma"): rows of 128, 64 or 32
        bytes, 8-row groups SBO apart; [K, N] N-major (one atom along N: LBO unused), [N, K]
        K-major (a K step within a row: LBO unused)."""
        row = self.shape[1] * pl.ELEM
        return wg.Operand(row, self.shape[0] * row if self.trans else 16, 8 * row)

    def step_start(self, s: int) -> int:
        """The byte offset in the tile of K step s (16 rows of [K, N], 16 columns of [N, K])."""
        return s * wg.K * (self.shape[1] * pl.ELEM if self.trans else pl.ELEM)


@dataclass(frozen=True)
class Plan:
    tiles: tuple[Tile, ...]
    stages: int
    wgmma: bool = False  # the loop's dots are wgmma.mma_async's (module docstring, "wgmma")

    @property
    def stage_bytes(self) -> int:
        return sum(t.nbytes for t in self.tiles)

    def attribute(self) -> DictionaryAttr:
        return DictionaryAttr({
            "mma": StringAttr("wgmma" if self.wgmma else "mma.sync"),
            "stages": IntegerAttr(self.stages, i32),
            "tiles": ArrayAttr([DictionaryAttr({
                "shape": ArrayAttr([IntegerAttr(v, i32) for v in t.shape]), "trans": BoolAttr(t.trans, 1)})
                for t in self.tiles]),
        })  # fmt: skip


def plan(k, loop: gb.ForOp) -> Plan | None:
    """The streaming of `loop`'s B tiles, or None where none can stream."""
    body = loop.body.block
    if any(isinstance(op, gb.ForOp) for op in body.walk()):
        return None
    tiles: list[Tile] = []
    offset = 0
    for dot in body.ops:
        if not isinstance(dot, gb.DotOp) or not dt.mma_dot(dot) or not isinstance(k.ident(dot.acc)[0], dt.MmaLayout):
            continue
        load = dot.b.owner
        if not isinstance(load, gb.LoadOp) or load.parent_block() is not body or dot.b.uses.get_length() != 1:
            continue
        if k._chain(load.ptr) is None:
            continue
        kk, n = shape_of(dot.b.type)
        for trans, shape in ((True, (kk, n)), (False, (n, kk))):
            rows, cols = shape
            if cols * pl.ELEM % pl.CHUNK or cols & (cols - 1) or rows & (rows - 1):
                continue
            tile = Tile(load, trans, shape, offset)
            strides = [k.fact(o, tile.view(k)).stride for o in k._chain(load.ptr)[1]]
            if None not in strides and sum(strides) == 1:  # contiguous along the tile's rows
                tiles.append(tile)
                offset += tile.nbytes
                break
    if not tiles:
        return None
    stages = max(2, k.kernel.num_stages.value.data if k.kernel.num_stages is not None else 2)
    p = Plan(tuple(tiles), stages)
    while p.stages >= 2 and p.stages * p.stage_bytes > k.max_shared // 2:
        p = Plan(p.tiles, p.stages - 1)
    return Plan(p.tiles, p.stages, takes_wgmma(k, p.tiles)) if p.stages >= 2 else None


def takes_wgmma(k, tiles: tuple[Tile, ...]) -> bool:
    """Whether the dots of the streamed `tiles` run on wgmma (module docstring, "wgmma")."""
    if not k.wgmma or k.threads % (4 * WARP):
        return False
    for tile in tiles:
        dot, n = tile.dot, tile.shape[1] if tile.trans else tile.shape[0]
        layout = k.ident(dot.acc)[0]
        if tile.shape[1] * pl.ELEM not in wg.SWIZZLE or tile.nbytes % wg.ALIGN or min(tile.shape) < wg.K:
            return False
        if layout.warps_n != 1 or layout.active != k.threads or n % 8 or n > 256 or not dt.a_held(k, dot, layout):
            return False
    return True


# --- the loop -----------------------------------------------------------------------------


class Stream:
    """The state of one streamed loop while the kernel lowers it."""

    def __init__(self, k, p: Plan, loop: gb.ForOp, lo: SSAValue, hi: SSAValue, step: SSAValue):
        self.k, self.p, self.loop, self.hi, self.step = k, p, loop, hi, step
        b = k.b
        k.use_shared(p.stages * p.stage_bytes)
        k.streams.append(p)
        for tile in p.tiles:  # the copies' loop-invariant offsets and masks, once
            view = tile.view(k)
            for o in k._chain(tile.load.ptr)[1]:
                if o.owner.parent_block() is not loop.body.block:
                    k.at(o, view)
            if (m := tile.load.mask) is not None and m.owner.parent_block() is not loop.body.block:
                k.at(m, view)
        # the scalars the copies' addresses and masks are computed from, re-evaluated
        # for the iteration a copy is issued for
        self.scalars = [
            op for op in loop.body.block.ops
            if not isinstance(op, gb.LoadOp | gb.StoreOp | gb.YieldOp) and not any(isinstance(r.type, TensorType) for r in op.results)
        ]  # fmt: skip
        self.read = b.alloca(i32, 1)  # the buffer of this iteration
        b.op(llvm.StoreOp(b.const(i32, 0), self.read))
        for s in range(p.stages - 1):
            self._issue(b.add(lo, b.mul(step, b.const(step.type, s))) if s else lo, b.const(i32, s))
            pl.commit(k)
        k.reserved = p.stages * p.stage_bytes

    def top(self, iv: SSAValue) -> None:
        """The start of an iteration: wait, barrier, the copies S - 1 iterations ahead,
        and the body's B tiles bound to this iteration's buffer."""
        k, b, p = self.k, self.k.b, self.p
        read = b.op(llvm.LoadOp(self.read, i32))
        last = b.const(i32, p.stages - 1)
        write = b.select(b.icmp("eq", read, b.const(i32, 0)), last, b.sub(read, b.const(i32, 1)))
        pl.wait(k, p.stages - 2)
        if p.wgmma:
            wg.proxy_fence(k)
        k.barrier()
        self._issue(b.add(iv, b.mul(self.step, b.const(self.step.type, p.stages - 1))), write)
        pl.commit(k)
        b.op(llvm.StoreOp(b.select(b.icmp("eq", read, last), b.const(i32, 0), b.add(read, b.const(i32, 1))), self.read))
        base = b.mul(read, b.const(i32, p.stage_bytes))
        for tile in p.tiles:
            at = b.add(base, b.const(i32, tile.offset))
            k.env[tile.load.result] = dt.StagedB(_fragments(k, tile, at), _wgmma(k, tile, at) if p.wgmma else None)
        k.env[self.loop.induction_var] = iv

    def _issue(self, iv: SSAValue, buffer: SSAValue) -> None:
        """The copies of the iteration at `iv` (if it is one) into `buffer`."""
        k, b, p = self.k, self.k.b, self.p
        var = self.loop.induction_var
        with b.when(b.icmp("slt", iv, self.hi)):
            k.memo.append({})
            k.env[var] = iv
            k.sfacts[var] = Fact(0, math.gcd(k.sfact(self.loop.lower).div, k.sfact(self.loop.step).div))
            k._ops(self.scalars)
            base = b.mul(buffer, b.const(i32, p.stage_bytes))
            reserved, k.reserved = k.reserved, 0
            for tile in p.tiles:
                pl.copy_strips(k, tile.load, b.add(base, b.const(i32, tile.offset)), tile.view(k))
            k.reserved = reserved
            k.memo.pop()

    def finish(self) -> None:
        pl.wait(self.k, 0)
        self.k.barrier()  # (what follows may use the shared memory the copies wrote)
        self.k.reserved = 0


def tile_lane(lane: int, wn: int, ni: int, s: int, cols_per_warp: int, trans: bool) -> tuple[int, int]:
    """The (row, col) in shared memory of the 16 bytes lane `lane` gives the ldmatrix
    of N tiles ni, ni + 1 at K step s (`_fragments` computes it in the kernel): a [K, N]
    tile's (.trans) as pipeline.b_lane; an [N, K] tile's: N row l mod 8 + 8 (l / 16),
    K chunk (l / 8) mod 2, so that matrices 0-3 are b0b1, b2b3 of tile ni, then of ni + 1."""
    if trans:
        return pl.b_lane(lane, wn, ni, s, cols_per_warp)
    return wn * cols_per_warp + ni * dt.MMA_N + (lane & 7) + 8 * (lane >> 4), s * dt.MMA_K + 8 * (lane >> 3 & 1)


def _wgmma(k, tile: Tile, base: SSAValue):
    """The StagedB dot of `tile` in the buffer at byte `base` on wgmma (module docstring,
    "wgmma"): for each K step, each 16-row tile mi of the warp's A registers times the
    tile through a descriptor, into registers mi of the accumulator; then a wait for all."""

    def mma(layout: dt.MmaLayout, a_frags: dict, acc: list[SSAValue]) -> list[SSAValue]:
        b, per = k.b, 4 * layout.nr
        reserved, k.reserved = k.reserved, 0
        start = b.add(b.op(llvm.PtrToIntOp(pl.smem_address(k, b.const(i32, 0)), i32)), base)
        k.reserved = reserved
        t = k._elem(tile.load.ptr)
        parts = [acc[mi * per : (mi + 1) * per] for mi in range(layout.mr)]
        if all(_zero(v) for v in acc):  # (s = q k^T: the first step's wgmmas take no input)
            parts = [per] * layout.mr
        wg.fence(k)  # (the accumulator and A were written by ordinary instructions)
        for s in range(shape_of(tile.dot.a.type)[1] // wg.K):
            db = wg.make_descriptor(k, b.add(start, b.const(i32, tile.step_start(s))), tile.operand)
            for mi in range(layout.mr):
                parts[mi] = wg.mma_rs(k, t, layout.shape[1], parts[mi], a_frags[mi, s], db, tile.trans)
        return wg.commit_and_wait(k, [v for part in parts for v in part], 0)

    return mma


def _zero(v: SSAValue) -> bool:
    return isinstance(v.owner, llvm.ConstantOp) and isinstance(v.owner.value, FloatAttr) and v.owner.value.value.data == 0


def _fragments(k, tile: Tile, base: SSAValue):
    """The StagedB reader of `tile` in the buffer at byte `base`: for each N tile of
    the warp, b0b1, b2b3 at K step s (module docstring)."""

    def read(layout: dt.MmaLayout, s: int) -> list[list[SSAValue]]:
        b = k.b
        frag = dt._frag_type(k._elem(tile.load.ptr))
        tid = k.tid_in(layout)
        lane = b.op(llvm.AndOp(tid, b.const(i32, WARP - 1)))
        warp = pl.shr(b, tid, 5)
        wn = b.op(llvm.AndOp(pl.shr(b, warp, log2(layout.warps_m)), b.const(i32, layout.warps_n - 1)))
        n0 = b.mul(wn, b.const(i32, layout.nr * dt.MMA_N))
        cols = tile.shape[1]
        if tile.trans:  # lane l: K row s * 16 + l mod 16, N chunk l / 16
            row = b.add(b.op(llvm.AndOp(lane, b.const(i32, 15))), b.const(i32, s * dt.MMA_K))
            col = b.add(n0, b.op(llvm.ShlOp(pl.shr(b, lane, 4), b.const(i32, 3))))
            at = lambda ni: pl.swizzled(b, row, b.add(col, b.const(i32, ni * dt.MMA_N)), cols)
        else:  # lane l: N row l mod 8 + 8 (l / 16), K chunk (l / 8) mod 2
            row = b.add(n0, b.add(b.op(llvm.AndOp(lane, b.const(i32, 7))), b.op(llvm.ShlOp(pl.shr(b, lane, 4), b.const(i32, 3)))))
            col = b.add(b.op(llvm.ShlOp(b.op(llvm.AndOp(pl.shr(b, lane, 3), b.const(i32, 1))), b.const(i32, 3))),
                        b.const(i32, s * dt.MMA_K))  # fmt: skip
            at = lambda ni: pl.swizzled(b, b.add(row, b.const(i32, ni * dt.MMA_N)), col, cols)
        out: list[list[SSAValue]] = []
        reserved, k.reserved = k.reserved, 0
        for ni in range(0, layout.nr, 2):
            n = 4 if ni + 1 < layout.nr else 2
            regs = llvm.LLVMStructType.from_type_list([i32] * n)
            which = ".trans" if tile.trans else ""
            addr = pl.smem_address(k, b.add(base, at(ni)))
            got = b.intrinsic(f"llvm.nvvm.ldmatrix.sync.aligned.m8n8.x{n}{which}.b16", [addr], regs)
            vals = [b.op(llvm.ExtractValueOp(dense_i64([j]), got, i32)) for j in range(n)]
            if frag != i32:
                vals = [b.op(llvm.BitcastOp(v, VectorType(f16, [2]))) for v in vals]
            out += [vals[j : j + 2] for j in range(0, n, 2)]
        k.reserved = reserved
        return out

    return read


__all__ = ["Plan", "Stream", "Tile", "plan", "tile_lane"]
