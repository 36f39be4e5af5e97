"""`gpu_block.dot`: f16/bf16 factors on the tensor cores (`mma.sync.m16n8k16`), the
rest as fused multiply-adds, both from operands staged in shared memory.

**The mma layout.** The accumulator of an f16/bf16 dot (f32) is held as the mma
instruction leaves it: `MmaLayout`, a layout in layout.py's sense whose register and
thread bits map to bits of the flat index in another order than the blocked one. In
one 16x8 tile of `mma.m16n8k16` (PTX ISA, "Matrix Fragments for mma.m16n8k16"), lane
`l` holds c0, c1 at row `l >> 2`, columns `2 * (l & 3) + {0, 1}`, and c2, c3 eight rows
lower. So a column's bit 0 is register bit 0, its bits 1-2 lane bits 0-1; a row's bits
0-2 are lane bits 2-4, its bit 3 register bit 1. A warp repeats the tile over
`MR x NR` tiles (more register bits: columns, then rows) and the warps tile the block
(`wm x wn` warps: warp bits, rows then columns; unused warps replicate). Every block of
the accumulator's shape in the kernel takes this layout (kernel.py's `layout`), so the
loop carries the accumulator, and the epilogue reads and stores it, where the mma
leaves it: no conversion.

**Operands.** A [M, K] is written to shared memory row-major with rows padded by 16
bytes (fragment reads of a warp then hit 32 distinct banks), B [K, N] transposed (as
[N, K], padded the same way), so that each 32-bit fragment register (two consecutive
elements along K) is one aligned 32-bit load. If both do not fit in 48 KB, A is staged
and its fragments read first, then B reuses the space.

**FMA.** Other dots (f32 `ieee`, and `tf32`, which is computed exactly here; f64)
stage A and B row-major and each thread computes its accumulator elements (any
layout) with `llvm.fma` over K, one load of A per distinct row and of B per distinct
column of its registers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from xdsl.dialects import llvm
from xdsl.dialects.builtin import AnyFloat, VectorType, bf16, f16, f32, f64, i32
from xdsl.ir import Attribute, SSAValue

from stepwell.dialects import gpu_block as gb
from stepwell.dialects.gpu_block.types import element_of, shape_of
from stepwell.lowering.gpu_block_to_nvvm.layout import WARP, Layout, log2
from stepwell.lowering.gpu_block_to_nvvm.values import Regs, identity
from stepwell.lowering.loops_to_llvm import conversions as cv
from stepwell.lowering.loops_to_llvm.builder import dense_i64

MMA_M, MMA_N, MMA_K = 16, 8, 16
MMA_TYPES = (f16, bf16)
PAD_BYTES = 16  # added to each row of a staged operand


# --- the accumulator's layout ------------------------------------------------------------


@dataclass(frozen=True)
class MmaLayout(Layout):
    """The accumulator of m16n8k16 mmas over a [BM, BN] block (module docstring)."""

    warps_m: int = 1
    warps_n: int = 1

    @staticmethod
    def for_block(shape: tuple[int, int], threads: int) -> MmaLayout:
        """Warps tiling the block as squarely as they can (fewer A and B fragments a warp
        reads), each warp at least one 16x8 tile; of two as square, more warps along M."""
        bm, bn = shape
        warps = threads // WARP
        best = None
        for wm in (1 << i for i in range(log2(warps) + 1)):
            wn = max(1, min(warps // wm, bn // MMA_N))
            if bm // wm < MMA_M:
                break
            score = (-(wm * wn), abs(log2(bm // wm) - log2(bn // wn)), -wm)  # then rows: row reductions stay in a warp
            if best is None or score < best[0]:
                best = (score, wm, wn)
        assert best is not None, shape
        return MmaLayout(tuple(shape), threads, 2, best[1], best[2])

    @staticmethod
    def for_warpgroups(shape: tuple[int, int], threads: int) -> MmaLayout | None:
        """The layout of `wgmma.m64nNk16` (wgmma.py) over a [BM, BN] block, if it has one:
        warpgroups of 4 warps along M (warp w of a group owns 16 rows, as in one 16-row
        tile of mma.sync, over the group's N columns), one 16-row tile per warp, so
        BM / 16 warps along M (a multiple of 4) and the rest along N, N (the group's
        columns) a multiple of 8 and of a 64-column panel (or the whole block), at most 256."""
        bm, bn = shape
        warps, wm = threads // WARP, bm // MMA_M
        if bm % (4 * MMA_M) or warps % wm:
            return None
        wn = warps // wm
        n = bn // wn
        if n * wn != bn or n % min(bn, 64) or n > 256 or bn < 16:
            return None
        return MmaLayout(tuple(shape), threads, 2, wm, wn)

    @cached_property
    def mr(self) -> int:  # tiles of a warp along M
        return self.shape[0] // (self.warps_m * MMA_M)

    @cached_property
    def nr(self) -> int:  # tiles of a warp along N
        return self.shape[1] // (self.warps_n * MMA_N)

    @cached_property
    def active(self) -> int:
        return WARP * self.warps_m * self.warps_n

    @cached_property
    def per(self) -> int:
        return 4 * self.mr * self.nr

    @cached_property
    def reg_bits(self) -> list[int]:
        """The flat index bit of each register bit: col 0, row 3, the warp's tile
        columns, then its tile rows. Register (mi * nr + ni) * 4 + c is c of tile (mi, ni)."""
        row = log2(self.shape[1])
        return [0, row + 3, *(3 + i for i in range(log2(self.nr))), *(row + 4 + i for i in range(log2(self.mr)))]

    @cached_property
    def tid_bits(self) -> list[int]:
        """The flat index bit of each thread bit: lane bits (col 1-2, row 0-2), then warp
        bits (rows above the warp's tiles, then columns)."""
        row = log2(self.shape[1])
        m_hi, n_hi = row + 4 + log2(self.mr), 3 + log2(self.nr)
        return [1, 2, row, row + 1, row + 2, *(m_hi + i for i in range(log2(self.warps_m))),
                *(n_hi + i for i in range(log2(self.warps_n)))]  # fmt: skip

    def flat_bit_of_tid(self, b: int) -> int:
        return self.tid_bits[b]

    def flat_bit_of_reg(self, i: int) -> int:
        return self.reg_bits[i]

    def reg_offset(self, k: int) -> int:
        return sum(1 << bit for i, bit in enumerate(self.reg_bits) if k >> i & 1)

    def thread_offset(self, tid: int) -> int:
        return sum(1 << bit for i, bit in enumerate(self.tid_bits) if tid >> i & 1)

    def flat(self, tid: int, k: int) -> int:
        return self.reg_offset(k) + self.thread_offset(tid % self.active)

    def owner(self, f: int) -> tuple[int, int]:
        tid = sum(1 << i for i, bit in enumerate(self.tid_bits) if f >> bit & 1)
        k = sum(1 << i for i, bit in enumerate(self.reg_bits) if f >> bit & 1)
        return tid, k

    def runs(self) -> list[tuple[int, int, int]]:
        """(first thread bit, width, first flat bit) of each run of thread bits that
        land on consecutive flat bits."""
        out: list[list[int]] = []
        for b, bit in enumerate(self.tid_bits):
            if out and out[-1][0] + out[-1][1] == b and out[-1][2] + out[-1][1] == bit:
                out[-1][1] += 1
            else:
                out.append([b, 1, bit])
        return [tuple(r) for r in out]  # type: ignore[misc]

    def blocked(self) -> dict[str, list[int]]:
        raise TypeError("an mma layout is not a blocked layout")


def mma_dot(op: gb.DotOp) -> bool:
    """Whether `op` runs on the tensor cores: f16/bf16 factors, an f32 accumulator."""
    return element_of(op.a.type) in MMA_TYPES and element_of(op.acc.type) == f32


def layouts(kernel: gb.KernelOp, threads: int, wgmma: bool = False) -> dict[tuple[int, ...], Layout]:
    """The mma layout of each shape an mma dot accumulates in (with `wgmma`, the
    warpgroups' layout where the shape has one). Where a dot's A is
    computed elementwise from another's result (attention's p from s), both take every
    warp along M: the rows stay in a warp (their reductions shuffle) and the first
    accumulator's registers are the second dot's A fragments (`_held_a`)."""
    out: dict[tuple[int, ...], Layout] = {}
    rows: set[tuple[int, ...]] = set()
    for op in kernel.body.walk():
        if isinstance(op, gb.DotOp) and mma_dot(op):
            shape = tuple(shape_of(op.acc.type))
            wg = MmaLayout.for_warpgroups(shape, threads) if wgmma else None  # type: ignore[arg-type]
            out[shape] = wg or MmaLayout.for_block(shape, threads)  # type: ignore[arg-type]
            if (src := _from_dot(op.a)) is not None and mma_dot(src):
                rows |= {shape, tuple(shape_of(src.acc.type))}
    if len({s[0] for s in rows}) == 1:
        bm = next(iter(rows))[0]
        warps = min(threads // WARP, bm // MMA_M)
        for shape in rows:
            out[shape] = MmaLayout(shape, threads, 2, warps, 1)
    return out


def rows_in(held, view) -> list[SSAValue] | None:
    """A row reduction's result (a `Slice` along columns of one mma layout) broadcast
    along the rows of another mma layout of the same rows (an attention's row max of s,
    read with its accumulator): each thread holds the rows it needs, so no shared
    memory; None where the layouts do not agree so."""
    src, (dst, dims) = held.layout, view
    if not (isinstance(src, MmaLayout) and isinstance(dst, MmaLayout) and held.axis == 1 and held.dims is None):
        return None
    if dims != (0,) or src.warps_n != 1 or dst.warps_n != 1 or (src.shape[0], src.warps_m) != (dst.shape[0], dst.warps_m):
        return None
    return [held.regs[k // (4 * dst.nr) * 4 * src.nr + (k & 2)] for k in range(dst.per)]


def _from_dot(v: SSAValue) -> gb.DotOp | None:
    """The dot whose result `v` is computed from elementwise (through maps), if any."""
    todo, seen = [v], set()
    while todo:
        u = todo.pop()
        if u in seen or shape_of(u.type) != shape_of(v.type):
            continue
        seen.add(u)
        if isinstance(u.owner, gb.DotOp):
            return u.owner
        if isinstance(u.owner, gb.MapOp):
            todo.extend(u.owner.inputs)
    return None


def thread_offset(k, layout: MmaLayout) -> SSAValue:
    """The thread's part of its registers' flat indices (their bits are disjoint from
    the registers' part, so the flat index is the sum)."""
    b, tid = k.b, k.tid_in(layout)
    total = None
    for lo, width, at in layout.runs():
        field = b.op(llvm.LShrOp(tid, b.const(i32, lo))) if lo else tid
        field = b.op(llvm.AndOp(field, b.const(i32, (1 << width) - 1)))
        field = b.op(llvm.ShlOp(field, b.const(i32, at))) if at else field
        total = field if total is None else b.op(llvm.OrOp(total, field))
    return total


# --- the op ----------------------------------------------------------------------------------


def lower(k, op: gb.DotOp) -> Regs:
    """The dot's result, held in the accumulator's layout."""
    view = k.ident(op.acc)
    layout = view[0]
    acc = k.at(op.acc, view)
    if isinstance(layout, MmaLayout) and mma_dot(op):
        return Regs(layout, _mma(k, op, layout, acc))
    return Regs(layout, _fma(k, op, layout, acc))


def refusal(op: gb.DotOp) -> str | None:
    """What of `op` the PTX path cannot do, if anything."""
    t, acc_t = element_of(op.a.type), element_of(op.acc.type)
    if mma_dot(op) or t == acc_t and t in (f32, f64):
        return None
    return f"'gpu_block.dot' of {t} factors into a {acc_t} accumulator"


def _pad(t: Attribute) -> int:
    return PAD_BYTES // cv.element_bytes(t)


def _shift(b, v: SSAValue, n: int, cls) -> SSAValue:
    return b.op(cls(v, b.const(i32, n))) if n else v


def _stage(k, v: SSAValue, transpose: bool, base: int) -> tuple[int, int]:
    """Block `v` [R, C] written to shared memory from byte `base`: row-major with rows
    of C + pad elements, or transposed (rows of R + pad). (row length, bytes)."""
    b = k.b
    view = k.ident(v)
    layout, regs = view[0], k.at(v, view)
    rows, cols = shape_of(v.type)
    t = element_of(v.type)
    stride = (rows if transpose else cols) + _pad(t)
    for f, r in zip(k.flat(layout), regs):
        row = _shift(b, f, log2(cols), llvm.LShrOp)
        col = b.op(llvm.AndOp(f, b.const(i32, cols - 1)))
        major, minor = (col, row) if transpose else (row, col)
        index = b.add(b.mul(major, b.const(i32, stride)), minor)
        b.op(llvm.StoreOp(r, k.shared(index, r.type, base)))
    nbytes = (cols if transpose else rows) * stride * cv.element_bytes(t)
    k.use_shared(base + nbytes)
    return stride, (nbytes + 15) // 16 * 16


def _mma(k, op: gb.DotOp, layout: MmaLayout, acc: list[SSAValue]) -> list[SSAValue]:
    b = k.b
    t = element_of(op.a.type)
    bm, kk = shape_of(op.a.type)
    bn = shape_of(op.b.type)[1]
    steps = kk // MMA_K
    staged_b = k.env.get(op.b)
    a_frags = _held_a(k, op, layout)
    if isinstance(staged_b, StagedB) and staged_b.wgmma is not None and a_frags is not None:
        return staged_b.wgmma(layout, a_frags, list(acc))
    if not isinstance(staged_b, StagedB) or a_frags is None:
        tid = k.tid_in(layout)
        lane = b.op(llvm.AndOp(tid, b.const(i32, WARP - 1)))
        group = _shift(b, lane, 2, llvm.LShrOp)
        pair = b.op(llvm.ShlOp(b.op(llvm.AndOp(lane, b.const(i32, 3))), b.const(i32, 1)))  # 2 * (lane & 3)
        warp = _shift(b, tid, 5, llvm.LShrOp)
        wm = b.op(llvm.AndOp(warp, b.const(i32, layout.warps_m - 1)))
        wn = b.op(llvm.AndOp(_shift(b, warp, log2(layout.warps_m), llvm.LShrOp), b.const(i32, layout.warps_n - 1)))
    frag = _frag_type(t)
    a_bytes = 0 if a_frags is not None else bm * (kk + _pad(t)) * cv.element_bytes(t)
    b_bytes = 0 if isinstance(staged_b, StagedB) else bn * (kk + _pad(t)) * cv.element_bytes(t)
    together = a_bytes + b_bytes <= k.max_shared

    def first(w: SSAValue, rows_per_warp: int, stride: int) -> SSAValue:
        """Element index of (row w * rows_per_warp + group, column 2 * (lane & 3))."""
        row = b.add(b.mul(w, b.const(i32, rows_per_warp)), group)
        return b.add(b.mul(row, b.const(i32, stride)), pair)

    def read(start: SSAValue, offset: int, base: int) -> SSAValue:
        elem = cv.value_type(t)
        return b.op(llvm.LoadOp(k.shared(b.add(start, b.const(i32, offset)), elem, base), frag, alignment=4))

    staged = False
    if a_frags is None:
        sa, a_end = _stage(k, op.a, False, 0)
        staged = True
        if not together:
            k.barrier()
        a0 = first(wm, bm // layout.warps_m, sa)
        a_frags = {}
        if not together:  # every A fragment now, before B takes the space
            a_frags = {(mi, s): _a_frag(read, a0, mi, s, sa, 0) for mi in range(layout.mr) for s in range(steps)}
            k.barrier()
    else:
        a_end = 0
    if isinstance(staged_b, StagedB):
        b_frags = staged_b.fragments
    else:
        b_base = a_end if together else 0
        sb, _ = _stage(k, op.b, True, b_base)
        staged = True
        b0 = first(wn, bn // layout.warps_n, sb)

        def b_frags(lay: MmaLayout, s: int) -> list[list[SSAValue]]:
            return [[read(b0, d, b_base) for d in b_parts(sb, ni, s)] for ni in range(lay.nr)]

    if staged:
        k.barrier()
    acc = list(acc)
    struct = llvm.LLVMStructType.from_type_list([f32] * 4)
    name = "llvm.nvvm.mma.m16n8k16.row.col." + ("f32.f32" if t == f16 else "bf16")
    for s in range(steps):
        a_s = [a_frags.get((mi, s)) or _a_frag(read, a0, mi, s, sa, 0) for mi in range(layout.mr)]
        b_s = b_frags(layout, s)
        for ni in range(layout.nr):
            for mi in range(layout.mr):
                at = (mi * layout.nr + ni) * 4
                out = b.intrinsic(name, [*a_s[mi], *b_s[ni], *acc[at : at + 4]], struct)
                for c in range(4):
                    acc[at + c] = b.op(llvm.ExtractValueOp(dense_i64([c]), out, f32))
    if staged:
        k.barrier()
    return acc


@dataclass
class StagedB:
    """A dot's B operand already in shared memory (a pipelined copy, attention.py):
    `fragments(layout, s)` reads, for each of the warp's N tiles, its registers b0b1,
    b2b3 at K step s; where the loop's dots are wgmma's, `wgmma(layout, a_frags, acc)`
    computes the dot from A's fragments in registers (`_held_a`) instead."""

    fragments: Callable[[MmaLayout, int], list[list[SSAValue]]]
    wgmma: Callable[[MmaLayout, dict, list[SSAValue]], list[SSAValue]] | None = None


def _frag_type(t: Attribute) -> Attribute:
    """The type of a 32-bit fragment register of two `t` elements."""
    return VectorType(f16, [2]) if t == f16 else i32


def _held_a(k, op: gb.DotOp, layout: MmaLayout) -> dict | None:
    """The A fragments {(mi, s): [a0a1, a2a3, a4a5, a6a7]} where they need no shared
    memory: read before the loop (`hoist_a`), or A computed elementwise in registers of
    an mma accumulator's layout whose warps own whole rows, as this dot's do."""
    for scope in reversed(k.memo):
        if (held := scope.get(("a_frags", op.a, layout))) is not None:
            return held
    if not a_held(k, op, layout):
        return None
    src = k.layout(shape_of(op.a.type))
    regs = k.at(op.a, identity(src))
    t = element_of(op.a.type)
    pack = lambda at: _pack(k.b, regs[at], regs[at + 1], t)
    steps = shape_of(op.a.type)[1] // MMA_K
    return {(mi, s): [pack(r) for r in a_from_acc(mi, s, src.nr)] for mi in range(layout.mr) for s in range(steps)}


def a_held(k, op: gb.DotOp, layout: MmaLayout) -> bool:
    """Whether `_held_a` gives `op`'s A fragments in registers: hoisted before the loop
    (`hoist_a`), or computed elementwise from an accumulator whose warps own whole rows."""
    if any(("a_frags", op.a, layout) in scope for scope in k.memo):
        return True
    src = k.layout(shape_of(op.a.type))
    return isinstance(src, MmaLayout) and src.warps_n == 1 and src.warps_m == layout.warps_m and _from_dot(op.a) is not None


def a_from_acc(mi: int, s: int, nr: int) -> list[int]:
    """The accumulator registers (of a layout with `nr` tiles along N, its warps owning
    whole rows) whose pairs r, r + 1 are A registers a0a1, a2a3, a4a5, a6a7 of tile mi
    at K step s: c0c1 and c2c3 (8 rows lower) of N tiles 2s and 2s + 1 (columns 16s to
    16s + 15), as the PTX ISA's fragments of m16n8k16 lay out A and C."""
    lo, hi = (mi * nr + 2 * s) * 4, (mi * nr + 2 * s + 1) * 4
    return [lo, lo + 2, hi, hi + 2]


def _pack(b, x: SSAValue, y: SSAValue, t: Attribute) -> SSAValue:
    """Two 16-bit elements as one fragment register, x in the low half."""
    if t == f16:
        v = b.op(llvm.InsertElementOp(b.op(llvm.UndefOp(VectorType(f16, [2]))), x, b.const(i32, 0)))
        return b.op(llvm.InsertElementOp(v, y, b.const(i32, 1)))
    rounded = [v.owner.operands[0] for v in (y, x) if isinstance(v.owner, llvm.InlineAsmOp) and v.owner.asm_string.data == BF16_CVT]
    if len(rounded) == 2:  # two f32 rounded by Kernel.scalar: both at once, y high
        return b.op(llvm.InlineAsmOp("cvt.rn.bf16x2.f32 $0, $1, $2;", "=r,f,f", rounded, [i32]))
    wide = lambda v: b.op(llvm.ZExtOp(v, i32))
    return b.op(llvm.OrOp(wide(x), b.op(llvm.ShlOp(wide(y), b.const(i32, 16)))))


BF16_CVT = "cvt.rn.bf16.f32 $0, $1;"  # Kernel.scalar's f32 -> bf16


def hoist_a(k, op: gb.DotOp) -> None:
    """Before a loop: the fragments of `op`'s loop-invariant A (an attention's q) read
    once into registers, so that each iteration's mmas take them from there."""
    view = k.ident(op.acc)
    layout = view[0]
    if not isinstance(layout, MmaLayout) or not mma_dot(op) or _held_a(k, op, layout) is not None:
        return
    b = k.b
    t = element_of(op.a.type)
    bm, kk = shape_of(op.a.type)
    if layout.mr * (kk // MMA_K) * 4 > MAX_HELD_A:
        return
    frag = _frag_type(t)
    tid = k.tid_in(layout)
    lane = b.op(llvm.AndOp(tid, b.const(i32, WARP - 1)))
    wm = b.op(llvm.AndOp(_shift(b, tid, 5, llvm.LShrOp), b.const(i32, layout.warps_m - 1)))
    sa, _ = _stage(k, op.a, False, 0)
    k.barrier()
    a0 = b.add(b.mul(b.add(b.mul(wm, b.const(i32, bm // layout.warps_m)), _shift(b, lane, 2, llvm.LShrOp)), b.const(i32, sa)),
               b.op(llvm.ShlOp(b.op(llvm.AndOp(lane, b.const(i32, 3))), b.const(i32, 1))))

    def read(start: SSAValue, offset: int, base: int) -> SSAValue:
        return b.op(llvm.LoadOp(k.shared(b.add(start, b.const(i32, offset)), cv.value_type(t), base), frag, alignment=4))

    frags = {(mi, s): _a_frag(read, a0, mi, s, sa, 0) for mi in range(layout.mr) for s in range(kk // MMA_K)}
    k.barrier()
    k.memo[-1][("a_frags", op.a, layout)] = frags


MAX_HELD_A = 64  # registers of A fragments a thread may hold across a loop


def a_parts(stride: int, mi: int, s: int) -> list[int]:
    """Where the 32-bit registers a0a1, a2a3 (eight rows lower), a4a5 (eight columns
    on), a6a7 of tile mi at step s are, from the thread's first element (row-major A
    with rows of `stride` elements)."""
    start = mi * MMA_M * stride + s * MMA_K
    return [start + d for d in (0, 8 * stride, 8, 8 * stride + 8)]


def b_parts(stride: int, ni: int, s: int) -> list[int]:
    """Where b0b1 and b2b3 (eight rows of K on) of tile ni at step s are, from the
    thread's first element (B transposed, rows of `stride` elements)."""
    start = ni * MMA_N * stride + s * MMA_K
    return [start, start + 8]


def first_element(warp: int, lane: int, rows_per_warp: int, stride: int) -> int:
    """The thread's first element of its fragments: row `warp * rows_per_warp +
    lane // 4`, column `2 * (lane % 4)` (what `_mma` computes in the kernel)."""
    return (warp * rows_per_warp + lane // 4) * stride + 2 * (lane % 4)


def _a_frag(read, a0: SSAValue, mi: int, s: int, stride: int, base: int) -> list[SSAValue]:
    return [read(a0, d, base) for d in a_parts(stride, mi, s)]


def _fma(k, op: gb.DotOp, layout: Layout, acc: list[SSAValue]) -> list[SSAValue]:
    b = k.b
    t = element_of(op.acc.type)
    assert isinstance(t, AnyFloat)
    rows, kk = shape_of(op.a.type)
    cols = shape_of(op.b.type)[1]
    sa, a_end = _stage(k, op.a, False, 0)
    sb, _ = _stage(k, op.b, False, a_end)
    k.barrier()
    row, col = k.coord(layout, 0), k.coord(layout, 1)
    col_bits = log2(cols)
    # registers sharing a row (column) differ only in column (row) bits of their offsets
    row_of = [layout.reg_offset(r) >> col_bits for r in range(layout.per)]
    col_of = [layout.reg_offset(r) & (cols - 1) for r in range(layout.per)]
    firsts_a = {key: b.mul(row[r], b.const(i32, sa)) for r, key in reversed(list(enumerate(row_of)))}
    firsts_b = {key: col[r] for r, key in reversed(list(enumerate(col_of)))}
    acc = list(acc)
    fma = f"llvm.fma.{'f32' if t == f32 else 'f64'}"
    for j in range(kk):
        a = {key: b.op(llvm.LoadOp(k.shared(b.add(s, b.const(i32, j)), t), t)) for key, s in firsts_a.items()}
        bb = {key: b.op(llvm.LoadOp(k.shared(b.add(s, b.const(i32, j * sb)), t, a_end), t)) for key, s in firsts_b.items()}
        for r in range(layout.per):
            acc[r] = b.intrinsic(fma, [a[row_of[r]], bb[col_of[r]], acc[r]], t)
    k.barrier()
    del rows
    return acc


__all__ = ["MmaLayout", "StagedB", "a_from_acc", "a_held", "hoist_a", "layouts", "lower", "mma_dot", "refusal", "thread_offset"]
