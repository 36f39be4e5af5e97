"""A K loop of one tensor-core dot, software-pipelined: its operand tiles copied
global -> shared memory by `cp.async` a few iterations ahead, the mma fragments read
with `ldmatrix`.

**Which loops.** A `gpu_block.for` whose body is one f16/bf16 `gpu_block.dot` (the
accumulator carried and yielded, nothing else), its A [BM, BK] and B [BK, BN] each a
`gpu_block.load` used only by the dot, contiguous along their last dim (A along K, B
along N), and index math (scalars, and the blocks of their offsets and masks): a matmul's or a linear's main loop. Other loops (an
attention's, whose body also reduces) keep dot.py's staging.

**Stages.** The kernel's `num_stages` S (at least 2; fewer where S tiles do not fit the
target's shared memory) buffers of A and B in dynamic shared memory, tile j in buffer
j mod S. Before the loop, the copies of tiles 0 .. S - 2 (each committed as a group, a
tile past the program's end as an empty one), a wait for tile 0 and a barrier, and the
first K step's fragments of tile 0. The loop then runs the program's iterations; in
iteration j (tile j's mmas): the copies of tile j + S - 1 (if it is one of the
program's) into the buffer tile j - 1 held, committed; the mmas of each 16-wide K step
with the next step's fragments read before them (registers double-buffered); before
the last step's mmas, a wait for tile j + 1 (`cp.async.wait_group S - 2`), one barrier
(every thread's copies of tile j + 1 landed; every fragment of tile j is in registers,
so the next iteration may overwrite its buffer), and tile j + 1's first fragments
(carried to the next iteration: their latency hides behind the last step's mmas). One
barrier per K step; the buffers rotate by a carried byte offset (no remainder).

**Copies.** Each thread copies strips of 16 bytes (8 elements) of the tiles in a
blocked layout of its own: an unmasked, 16-byte aligned strip is one
`cp.async.cg.shared.global` of 16 bytes; a strip whose mask may be partial, or that is
not 16-byte aligned (odd sizes), is read lane by lane (masked lanes take the load's
`other`, else zero) and stored to shared memory (the barrier of the iteration that reads
it orders it as well).

**Layout in shared memory.** Both tiles row-major (A rows along K, B rows along N), in
16-byte chunks; chunk c of row r is stored at chunk `c ^ ((r / P) % Q)` of its row, P =
rows per 128-byte line (`max(1, 8 / chunks)`), Q = `min(chunks, 8)`: the 8 rows an
`ldmatrix` reads at one chunk (8 lanes) and the 8 chunks 8 lanes copy fall on 8
distinct 16-byte bank groups, so neither conflicts.

**Panels (wgmma).** Where the mmas are wgmma's (wgmma.py), which read both tiles from
shared memory through descriptors, each tile is stored as column panels of
`min(cols, 64)` elements (at most 128 bytes a row), panel after panel, each panel
[rows, width] laid out as above: with rows of 128, 64 or 32 bytes, the XOR of chunk
bits with row bits is exactly wgmma's 128-, 64- or 32-byte swizzle (address bits 4-6,
4-5 or 4 with bits 7-9, 7-8 or 7) once the panels start at multiples of 1024 bytes.
A is K-major (its panels along K), B [BK, BN] is N-major (its panels along N).

**Fragments.** For each 16-wide K step, `ldmatrix.x4` reads a 16x16 A tile of the
warp (lane l addresses row l mod 16, chunk l / 16): registers a0a1, a2a3, a4a5, a6a7
of `mma.m16n8k16`; `ldmatrix.x4.trans` reads two 16x8 B tiles (lane l addresses K row
l mod 16, N chunk l / 16): b0b1, b2b3 of each (`.x2.trans` for a lone tile). The
accumulator stays in dot.py's `MmaLayout` (the epilogue reads it where it is).

The decision (stages, warps, tile) is recorded on the kernel as `nvvm.dot_pipeline`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from xdsl.dialects import llvm
from xdsl.dialects.builtin import (
    ArrayAttr,
    DictionaryAttr,
    IntegerAttr,
    StringAttr,
    TensorType,
    VectorType,
    f16,
    f32,
    i8,
    i32,
)
from xdsl.ir import Block, SSAValue

from stepwell.dialects import gpu_block as gb
from stepwell.dialects.gpu_block.types import element_of, shape_of
from stepwell.lowering.gpu_block_to_nvvm import dot as dt
from stepwell.lowering.gpu_block_to_nvvm.layout import WARP, Layout, log2
from stepwell.lowering.gpu_block_to_nvvm.values import Fact, Regs, identity
from stepwell.lowering.loops_to_llvm import conversions as cv
from stepwell.lowering.loops_to_llvm.builder import dense_i64

CHUNK = 16  # bytes of a copy and of an ldmatrix row
ELEM = 2  # bytes of an f16/bf16 element


@dataclass(frozen=True)
class Plan:
    dot: gb.DotOp
    loads: tuple[gb.LoadOp, gb.LoadOp]  # A's, B's
    stages: int
    layout: dt.MmaLayout
    wgmma: bool = False  # the loop's mmas are wgmma.mma_async (wgmma.py), its tiles in panels

    @property
    def tile_bytes(self) -> tuple[int, int]:
        (bm, bk), bn = shape_of(self.dot.a.type), shape_of(self.dot.b.type)[1]
        return bm * bk * ELEM, bk * bn * ELEM

    @property
    def stage_bytes(self) -> int:
        return sum(self.tile_bytes)

    def attribute(self) -> DictionaryAttr:
        (bm, bk), bn = shape_of(self.dot.a.type), shape_of(self.dot.b.type)[1]
        return DictionaryAttr({
            "mma": StringAttr("wgmma" if self.wgmma else "mma.sync"),
            "stages": IntegerAttr(self.stages, i32),
            "tile": ArrayAttr([IntegerAttr(v, i32) for v in (bm, bn, bk)]),
            "warps": ArrayAttr([IntegerAttr(v, i32) for v in (self.layout.warps_m, self.layout.warps_n)]),
        })  # fmt: skip


def plan(k, loop: gb.ForOp) -> Plan | None:
    """The pipelining of `loop`, or None where it is not a plain dot's K loop; its mmas
    `wgmma` where the kernel may use it (`k.wgmma`) and wgmma.py takes the plan."""
    body = list(loop.body.block.ops)
    dots = [op for op in body if isinstance(op, gb.DotOp)]
    if len(dots) != 1 or not dt.mma_dot(dots[0]):
        return None
    dot = dots[0]
    layout = k.ident(dot.acc)[0]
    yielded = body[-1].operands
    if not isinstance(layout, dt.MmaLayout) or list(yielded) != [dot.result] or dot.acc is not loop.body.block.args[1]:
        return None
    if dot.result.uses.get_length() != 1 or len(loop.iter_args) != 1:
        return None
    loads = []
    for x in (dot.a, dot.b):
        op = x.owner
        if not isinstance(op, gb.LoadOp) or op.parent_block() is not loop.body.block or x.uses.get_length() != 1:
            return None
        if k._chain(op.ptr) is None:
            return None
        strides = [k.fact(o, _view(k, op)).stride for o in k._chain(op.ptr)[1]]
        if None in strides or sum(strides) != 1:  # contiguous along the last dim
            return None
        loads.append(op)
    for op in body:
        if op is dot or op in loads or isinstance(op, gb.YieldOp):
            continue
        if isinstance(op, gb.LoadOp | gb.StoreOp | gb.ReduceOp | gb.ForOp | gb.DotOp):
            return None
        if not isinstance(op, gb.SplatOp | gb.AddPtrOp | gb.ExpandDimsOp | gb.BroadcastOp | gb.ArangeOp | gb.MapOp) and any(
            isinstance(r.type, TensorType) for r in op.results
        ):
            return None
    bk, bn = shape_of(dot.a.type)[1], shape_of(dot.b.type)[1]
    if bk % dt.MMA_K or bn % dt.MMA_N or bk & (bk - 1) or bn & (bn - 1):  # rows of whole, power-of-two chunks
        return None
    stages = max(2, k.kernel.num_stages.value.data if k.kernel.num_stages is not None else 2)
    p = Plan(dot, (loads[0], loads[1]), stages, layout)
    while p.stages >= 2 and p.stages * p.stage_bytes > k.max_shared:
        p = Plan(dot, p.loads, p.stages - 1, layout)
    if p.stages < 2:
        return None
    from stepwell.lowering.gpu_block_to_nvvm import wgmma as wg

    return replace(p, wgmma=True) if k.wgmma and wg.takes(k, p) else p


# --- shared memory addresses ---------------------------------------------------------------


def swizzled(b, row: SSAValue, col: SSAValue, cols: int) -> SSAValue:
    """The byte offset of element (row, col) of a [*, cols] 16-bit tile (module docstring)."""
    chunks = cols * ELEM // CHUNK
    per_line = max(1, 8 // chunks)
    key = b.op(llvm.AndOp(shr(b, row, log2(per_line)), b.const(i32, min(chunks, 8) - 1)))
    chunk = b.op(llvm.XOrOp(shr(b, col, 3), key))
    within = b.op(llvm.AndOp(col, b.const(i32, 7)))
    offset = b.add(b.mul(row, b.const(i32, cols * ELEM)), b.op(llvm.ShlOp(chunk, b.const(i32, 4))))
    return b.add(offset, b.op(llvm.ShlOp(within, b.const(i32, 1))))


def swizzle_offset(row: int, col: int, cols: int) -> int:
    """`swizzled` in Python (tests)."""
    chunks = cols * ELEM // CHUNK
    per_line = max(1, 8 // chunks)
    key = (row >> log2(per_line)) & (min(chunks, 8) - 1)
    return row * cols * ELEM + (((col >> 3) ^ key) << 4) + (col & 7) * ELEM


PANEL = 64  # elements (128 bytes) of a panel's rows


def panelled(b, row: SSAValue, col: SSAValue, rows: int, cols: int) -> SSAValue:
    """The byte offset of element (row, col) of a [rows, cols] 16-bit tile laid out for
    wgmma (module docstring, "Panels")."""
    width = min(cols, PANEL)
    if width == cols:
        return swizzled(b, row, col, cols)
    inner = b.op(llvm.AndOp(col, b.const(i32, width - 1)))
    start = b.mul(shr(b, col, log2(width)), b.const(i32, rows * width * ELEM))
    return b.add(start, swizzled(b, row, inner, width))


def panel_offset(row: int, col: int, rows: int, cols: int) -> int:
    """`panelled` in Python (tests)."""
    width = min(cols, PANEL)
    return col // width * rows * width * ELEM + swizzle_offset(row, col % width, width)


def a_lane(lane: int, wm: int, mi: int, s: int, rows_per_warp: int) -> tuple[int, int]:
    """The A element (row, col) whose 16 bytes lane `lane` gives `ldmatrix.x4` for tile
    mi at K step s (what `fragments` reads in the kernel)."""
    return wm * rows_per_warp + mi * dt.MMA_M + (lane & 15), s * dt.MMA_K + 8 * (lane >> 4)


def b_lane(lane: int, wn: int, ni: int, s: int, cols_per_warp: int) -> tuple[int, int]:
    """The B element (row, col) lane `lane` gives `ldmatrix.x4.trans` for tiles ni, ni + 1
    at K step s (`.x2.trans`, tile ni: lanes 0-15)."""
    return s * dt.MMA_K + (lane & 15), wn * cols_per_warp + ni * dt.MMA_N + 8 * (lane >> 4)


def shr(b, v: SSAValue, n: int) -> SSAValue:
    return b.op(llvm.LShrOp(v, b.const(i32, n))) if n else v


def smem_address(k, offset: SSAValue) -> SSAValue:
    """The shared memory address `offset` bytes in."""
    return k.shared(offset, i8)


# --- the loop ---------------------------------------------------------------------------------


def copy_layout(k, shape) -> Layout:
    """Strips of 16 bytes (8 elements) over the kernel's threads."""
    return Layout.of(tuple(shape), k.threads, ELEM)


def prepare(k, p: Plan, loop: gb.ForOp) -> None:
    """Before the loop: the loop-invariant offsets of the copies, evaluated once."""
    for op in p.loads:
        view = _view(k, op)
        _, chain = k._chain(op.ptr)
        for o in chain:
            if o.owner.parent_block() is not loop.body.block:
                k.at(o, view)
        if op.mask is not None and op.mask.owner.parent_block() is not loop.body.block:
            k.at(op.mask, view)
    k.use_shared(p.stages * p.stage_bytes)


def _view(k, op: gb.LoadOp):
    return identity(copy_layout(k, shape_of(op.result.type)))


def issue_at(k, p: Plan, base: SSAValue) -> None:
    """The copies of this iteration's tiles into the buffer at byte `base`."""
    b = k.b
    for op, start in zip(p.loads, (0, p.tile_bytes[0])):
        copy_strips(k, op, b.add(base, b.const(i32, start)) if start else base, panels=p.wgmma)


def copy_strips(k, op: gb.LoadOp, base: SSAValue, view=None, panels: bool = False) -> None:
    """(`view`: a copy layout over the tile as it lies in shared memory, row-major,
    and the load's dims in it; the load's own by default. `panels`: the tile in
    wgmma's panels, `panelled`, rather than `swizzled` rows.)"""
    b = k.b
    t = k._elem(op.ptr)
    st = cv.storage_type(t)
    view = view or _view(k, op)
    layout = view[0]
    cols = layout.shape[1]
    src_base, addrs = k._addresses(op.ptr, view, st)
    aligned = k._aligned(op.ptr, view) == CHUNK and layout.vec * ELEM == CHUNK
    mask = k._mask(op, view)
    flat = k.flat(layout)
    other = cv.to_storage(b, k.env[op.other], t) if op.other is not None else b.const(st, 0)

    def dst(kk: int) -> SSAValue:
        row = shr(b, flat[kk], log2(cols))
        col = b.op(llvm.AndOp(flat[kk], b.const(i32, cols - 1)))
        at = panelled(b, row, col, layout.shape[0], cols) if panels else swizzled(b, row, col, cols)
        return smem_address(k, b.add(base, at))

    def lanes(ks: list[int]) -> None:
        for kk in ks:
            if mask is None:
                v = b.op(llvm.LoadOp(addrs[kk], st, alignment=ELEM))
            else:
                v = b.op(llvm.LoadOp(b.select(mask[kk], addrs[kk], src_base), st, alignment=ELEM))
                v = b.select(mask[kk], v, other)
            b.op(llvm.StoreOp(v, dst(kk), alignment=ELEM))

    for ks, all_in in k._strips(view, mask):
        if not aligned:
            lanes(ks)
            continue
        to = dst(ks[0])
        if all_in is None:
            _cp_async(b, to, addrs[ks[0]])
            continue
        full, part, join = _blocks(b, all_in)
        b.block = full
        _cp_async(b, to, addrs[ks[0]])
        b.op(llvm.BrOp(join))
        b.region.add_block(part)
        b.block = part
        lanes(ks)
        b.op(llvm.BrOp(join))
        b.region.add_block(join)
        b.block = join


def _blocks(b, cond: SSAValue):
    full, part, join = Block(), Block(), Block()
    b.op(llvm.CondBrOp(cond, full, [], part, []))
    b.region.add_block(full)
    return full, part, join


def _cp_async(b, dst: SSAValue, src: SSAValue) -> None:
    b.op(llvm.CallIntrinsicOp("llvm.nvvm.cp.async.cg.shared.global.16", [dst, src], []))


def commit(k) -> None:
    k.b.op(llvm.CallIntrinsicOp("llvm.nvvm.cp.async.commit.group", [], []))


def wait(k, pending: int) -> None:
    k.b.op(llvm.CallIntrinsicOp("llvm.nvvm.cp.async.wait.group", [k.b.const(i32, pending)], []))


@dataclass(frozen=True)
class Lanes:
    """The thread's loop-invariant ldmatrix coordinates (`a_lane`, `b_lane` at tile 0,
    step 0), computed once before the loop."""

    a_row: SSAValue  # wm * rows_per_warp + lane % 16
    b_col: SSAValue  # wn * cols_per_warp + 8 * (lane / 16)
    lo16: SSAValue  # lane % 16: B's K row
    hi: SSAValue  # 8 * (lane / 16): A's second chunk


def lanes(k, p: Plan) -> Lanes:
    b, layout = k.b, p.layout
    (bm, _), bn = shape_of(p.dot.a.type), shape_of(p.dot.b.type)[1]
    tid = k.tid_in(layout)
    lane = b.op(llvm.AndOp(tid, b.const(i32, WARP - 1)))
    warp = shr(b, tid, 5)
    wm = b.op(llvm.AndOp(warp, b.const(i32, layout.warps_m - 1)))
    wn = b.op(llvm.AndOp(shr(b, warp, log2(layout.warps_m)), b.const(i32, layout.warps_n - 1)))
    lo16 = b.op(llvm.AndOp(lane, b.const(i32, 15)))
    hi = b.op(llvm.ShlOp(shr(b, lane, 4), b.const(i32, 3)))
    a_row = b.add(b.mul(wm, b.const(i32, bm // layout.warps_m)), lo16)
    b_col = b.add(b.mul(wn, b.const(i32, bn // layout.warps_n)), hi)
    return Lanes(a_row, b_col, lo16, hi)


Frags = tuple[list[list[SSAValue]], list[list[SSAValue]]]  # A's registers per tile mi, B's per tile ni


def fragments(k, p: Plan, ln: Lanes, base: SSAValue, s: int) -> Frags:
    """The A and B fragments of K step `s` (16 wide) of the tiles in the buffer at byte
    `base`: one `ldmatrix.x4` per 16x16 A tile, one `.x4.trans` per two 16x8 B tiles."""
    b, layout = k.b, p.layout
    t = element_of(p.dot.a.type)
    (_, bk), bn = shape_of(p.dot.a.type), shape_of(p.dot.b.type)[1]
    frag = VectorType(f16, [2]) if t == f16 else i32
    b_base = b.add(base, b.const(i32, p.tile_bytes[0]))

    def ldmatrix(which: str, n: int, offset: SSAValue) -> list[SSAValue]:
        regs = llvm.LLVMStructType.from_type_list([i32] * n)
        out = b.intrinsic(f"llvm.nvvm.ldmatrix.sync.aligned.m8n8.x{n}{which}.b16", [smem_address(k, offset)], regs)
        vals = [b.op(llvm.ExtractValueOp(dense_i64([j]), out, i32)) for j in range(n)]
        return [b.op(llvm.BitcastOp(v, frag)) for v in vals] if frag != i32 else vals

    a_col = b.add(ln.hi, b.const(i32, s * dt.MMA_K))
    a = [ldmatrix("", 4, b.add(base, swizzled(b, b.add(ln.a_row, b.const(i32, mi * dt.MMA_M)), a_col, bk)))
         for mi in range(layout.mr)]  # fmt: skip
    b_row = b.add(ln.lo16, b.const(i32, s * dt.MMA_K))
    frags_b: list[list[SSAValue]] = []
    for ni in range(0, layout.nr, 2):
        n = 4 if ni + 1 < layout.nr else 2
        regs = ldmatrix(".trans", n, b.add(b_base, swizzled(b, b_row, b.add(ln.b_col, b.const(i32, ni * dt.MMA_N)), bn)))
        frags_b += [regs[j : j + 2] for j in range(0, n, 2)]
    return a, frags_b


def mmas(k, p: Plan, frags: Frags, acc: list[SSAValue]) -> list[SSAValue]:
    """The warp's mmas of one K step: the accumulator's new registers."""
    b, layout = k.b, p.layout
    t = element_of(p.dot.a.type)
    struct = llvm.LLVMStructType.from_type_list([f32] * 4)
    name = "llvm.nvvm.mma.m16n8k16.row.col." + ("f32.f32" if t == f16 else "bf16")
    acc = list(acc)
    for mi in range(layout.mr):
        for ni in range(layout.nr):
            at = (mi * layout.nr + ni) * 4
            out = b.intrinsic(name, [*frags[0][mi], *frags[1][ni], *acc[at : at + 4]], struct)
            for c in range(4):
                acc[at + c] = b.op(llvm.ExtractValueOp(dense_i64([c]), out, f32))
    return acc


# --- the loop -------------------------------------------------------------------------------


def copy_tile(k, p: Plan, loop: gb.ForOp, iv: SSAValue, offset: SSAValue) -> None:
    """The copies of tile `iv` (if it is one of the program's) into the buffer at byte
    `offset`, committed as a group (an empty one past the end)."""
    b = k.b
    body = [o for o in loop.body.block.ops if o is not p.dot and o not in p.loads and not isinstance(o, gb.YieldOp)]
    with b.when(b.icmp("slt", iv, k.env[loop.upper])):
        k.env[loop.induction_var] = iv
        k.memo.append({})
        k._ops(body)
        issue_at(k, p, offset)
        k.memo.pop()
    commit(k)


def emit(k, loop: gb.ForOp, p: Plan) -> None:
    """The K loop (module docstring, "Stages"): its result's registers into `k.env`."""
    if p.wgmma:
        from stepwell.lowering.gpu_block_to_nvvm import wgmma as wg

        return wg.emit(k, loop, p)
    b, stages = k.b, p.stages
    lo, hi, step = (k.env[v] for v in (loop.lower, loop.upper, loop.step))
    prepare(k, p, loop)
    k.pipelines.append(p)
    acc_view = k.ident(loop.iter_args[0])
    acc_t = cv.value_type(element_of(loop.iter_args[0].type))
    k.sfacts[loop.induction_var] = Fact(0, math.gcd(k.sfact(loop.lower).div, k.sfact(loop.step).div))

    def copies(iv: SSAValue, offset: SSAValue) -> None:
        copy_tile(k, p, loop, iv, offset)

    def cells(values: list[SSAValue]) -> list[SSAValue]:
        out = [b.alloca(v.type, 1) for v in values]
        for v, c in zip(values, out):
            b.op(llvm.StoreOp(v, c))
        return out

    def load(cs: list[SSAValue], types) -> list[SSAValue]:
        return [b.op(llvm.LoadOp(c, ty)) for c, ty in zip(cs, types)]

    for s in range(stages - 1):  # prologue: tiles 0 .. S - 2 into buffers 0 .. S - 2
        copies(b.add(lo, b.mul(step, b.const(step.type, s))), b.const(i32, s * p.stage_bytes))
    wait(k, stages - 2)
    k.barrier()
    ln = lanes(k, p)
    first = fragments(k, p, ln, b.const(i32, 0), 0)
    shape = [len(first[0]), len(first[1])]
    flat_types = [v.type for half in first for regs in half for v in regs]
    acc_cells = cells(k.at(loop.iter_args[0], acc_view))
    frag_cells = cells([v for half in first for regs in half for v in regs])
    read_cell, write_cell = cells([b.const(i32, 0), b.const(i32, (stages - 1) * p.stage_bytes)])
    steps = shape_of(p.dot.a.type)[1] // dt.MMA_K
    with b.loop(lo, hi, step) as iv:
        read, write = b.op(llvm.LoadOp(read_cell, i32)), b.op(llvm.LoadOp(write_cell, i32))
        copies(b.add(iv, b.mul(step, b.const(step.type, stages - 1))), write)
        acc = load(acc_cells, [acc_t] * len(acc_cells))
        cur = _unflatten(load(frag_cells, flat_types), shape, p)
        for s in range(steps - 1):  # the next step's fragments read before this step's mmas
            nxt = fragments(k, p, ln, read, s + 1)
            acc = mmas(k, p, cur, acc)
            cur = nxt
        wait(k, stages - 2)  # the next tile landed; every read of this tile's buffer done
        k.barrier()
        after = b.add(read, b.const(i32, p.stage_bytes))
        after = b.select(b.icmp("eq", after, b.const(i32, stages * p.stage_bytes)), b.const(i32, 0), after)
        nxt = fragments(k, p, ln, after, 0)
        acc = mmas(k, p, cur, acc)
        for v, c in zip([*acc, *(v for half in nxt for regs in half for v in regs)], [*acc_cells, *frag_cells]):
            b.op(llvm.StoreOp(v, c))
        b.op(llvm.StoreOp(after, read_cell))
        b.op(llvm.StoreOp(read, write_cell))
    wait(k, 0)
    k.barrier()  # (the epilogue may use the shared memory the last mmas read)
    k.env[loop.outputs[0]] = Regs.of(acc_view, load(acc_cells, [acc_t] * len(acc_cells)))


def _unflatten(values: list[SSAValue], shape: list[int], p: Plan) -> Frags:
    a_n, b_n = shape
    return [values[4 * i : 4 * i + 4] for i in range(a_n)], [values[4 * a_n + 2 * j : 4 * a_n + 2 * j + 2] for j in range(b_n)]


__all__ = ["PANEL", "Plan", "commit", "copy_tile", "emit", "fragments", "issue_at", "lanes", "mmas", "panel_offset",
           "panelled", "plan", "prepare", "swizzle_offset", "swizzled", "wait"]
