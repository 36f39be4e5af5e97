"""Contractions: a `loops.contract` (matmul, batched matmul, linear, attention's two
products), alone or as the first op of a `loops.kernel` whose other ops are a
pointwise epilogue over its output (mm_bias_relu: bias + relu + the bf16 roundings).

One program instance owns a BM x BN tile of the output of one batch point:

- the grid is batch x ceil(M / BM) x ceil(N / BN) on axis 0; within a batch point the
  tiles go in groups of GROUP_M tile rows (all the tile columns of GROUP_M rows before
  the next rows), so the program instances that run together share their A rows and
  B columns in L2;
- the A [BM, BK] and B [BK, BN] tiles are loaded at the access analysis's offsets
  (stepwell/dialects/loops/access.py: any affine index, so B read transposed, as in
  attention's q @ k^T, or a broadcast batch dim needs nothing special): the pointer
  blocks are computed once, at k = 0, and moved by k * stride_k in the K loop (a
  `gpu_block.for` over K in steps of BK carrying the accumulator). Rows past M and
  columns past N wrap around (`% M`: they read real elements and are never stored), so
  only K needs a mask, and only when BK does not divide K; a K of 0 runs no step;
- `gpu_block.dot` accumulates: f16/bf16 factors (each side a load and an `extf` to f32
  in the loops IR) go to the tensor cores as they are, with an f32 accumulator, which
  is exact for their products; f32 factors with `precision ieee` (the spec's f32
  numerics and 1e-5 tolerance do not allow tf32, so tf32 is never chosen); f64 (an
  f64 tl.dot fails Triton 3.6's checks for sm_90, seen on the H200) and the integers
  (the spec's i8 sum wraps in i8; tl.dot takes no i32/i64) as a broadcast product
  [BM, BK, BN] summed over K (small tiles). A side computed by a
  prologue other than that 16-bit extension (attention's second product: f32
  probabilities times bf16 values extended to f32) is applied to the loaded tile as a
  `gpu_block.map`, its masked-off K lanes set to 0;
- the epilogue: each pointwise op of the kernel, in order, a `gpu_block.map` on the
  accumulator tile (its other operands loaded as tiles), exactly the loops IR's ops,
  so its rounding points (the contract's f32 result rounded to bf16 before the bias is
  added) stay; then every yielded value is stored, masked on M and N where the tile
  does not divide them.

Offsets are i32 where the access analysis proves that they fit over the space the
tiles touch (the problem plus one block along each dim), else i64.

`tile(op)` chooses the tiles (`#loops.gpu<dot, block = [BM, BN, BK], warps = W,
stages = S>`); a `tile` attribute on the op overrides it. Launch options worth trying
for a dot kernel (for an autotuner): for 16-bit factors on large problems
128x256x64 (8 warps, 3 stages) and 128x128x64 (8 warps, 3 or 4 stages; 4 warps, 4
stages), 64x128x64 (4 warps, 4 stages) on fewer tiles than SMs; warps 4 or 8 and stages
2 to 5 around the chosen tile (a 128x256x64 bf16 tile fits 4 stages in the H200's
227 KB of shared memory: 48 KB a stage).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import sympy
from xdsl.dialects import arith
from xdsl.dialects.builtin import AnyFloat, IntegerAttr, bf16, f16, f32, i32, i64
from xdsl.ir import Attribute, Block, Operation, Region, SSAValue

from stepwell.dialects import gpu_block as gb
from stepwell.dialects.loops import ContractOp, IndexOp, KernelOp, LoadOp, PointwiseOp
from stepwell.dialects.loops.access import analyze, buffer_shape, contraction_sides, linear_offset
from stepwell.dialects.loops.contract import UNIT
from stepwell.dialects.loops.gpu_tile import GpuTileAttr
from stepwell.dialects.loops.index import dims, sym
from stepwell.lowering.loops_to_gpu_block.common import (
    Builder, TileBuilder, Unsupported, clone_body, kernel_inputs, pow2,
)

GROUP_M = 8  # tile rows per group of the grouped ordering
SMS = 132  # streaming multiprocessors of an H100/H200: fewer tiles than this leave SMs idle
MMA_TYPES = (f16, bf16)
CASTS = ("arith.extf", "arith.truncf", "arith.extsi", "arith.trunci", "arith.sitofp", "arith.fptosi")


# --- what the op is --------------------------------------------------------------------


@dataclass
class Side:
    """One factor of the product: its loads, the body ops computing it (loads
    included), and whether it is a load of f16/bf16 extended to f32 (then the tile is
    the loaded one)."""

    ops: tuple[Operation, ...]
    value: SSAValue
    ext16: bool

    @property
    def loads(self) -> list[LoadOp]:
        return [o for o in self.ops if isinstance(o, LoadOp)]


@dataclass(frozen=True)
class Recomputed:
    """A side load's offsets (in the kernel's symbols) when they are not affine along K:
    the block `shape`, its `axes` and `wrap` as side_pointers had them."""

    offset: sympy.Expr
    shape: list[int]
    axes: dict
    wrap: dict


@dataclass
class Plan:
    contract: ContractOp
    epilogue: list[PointwiseOp]
    inputs: list[SSAValue]  # the buffers read, in kernel argument order
    outputs: list[SSAValue]  # the values stored, in result order (the contract's or the epilogue's)
    x: Side  # M x K
    y: Side  # K x N
    mode: str  # "mma" (16-bit tensor cores), "dot" (tl.dot on f32 factors), "fma" (broadcast product)

    @property
    def sizes(self) -> tuple[tuple[int, ...], int, int, int]:
        c = self.contract
        return c.shape[:-2], c.shape[-2], c.shape[-1], c.reduce_shape[0]


def contract_of(op: Operation) -> ContractOp | None:
    """The contraction a lone op or a kernel is built around, if any."""
    if isinstance(op, ContractOp):
        return op
    if isinstance(op, KernelOp):
        return next((o for o in op.compute_ops() if isinstance(o, ContractOp)), None)
    return None


def _side(ops: tuple[Operation, ...], value: SSAValue) -> Side:
    ext16 = (
        len(ops) == 2 and isinstance(ops[0], LoadOp) and ops[1].name == "arith.extf"
        and ops[0].result.type in MMA_TYPES and value is ops[1].results[0]
    )
    return Side(ops, value, ext16)


def plan(op: ContractOp | KernelOp) -> Plan:
    """What the dot kernel of `op` computes, or Unsupported saying why it cannot."""
    c = contract_of(op)
    assert c is not None
    sides = contraction_sides(c)
    if isinstance(sides, str):
        raise Unsupported(op, sides)
    for o in c.body.walk():
        if isinstance(o, IndexOp):
            raise Unsupported(op, "a contraction that reads loops.index is not supported by the Triton path yet")
    x, y = _side(sides.x_ops, sides.x), _side(sides.y_ops, sides.y)
    if isinstance(op, ContractOp):
        epilogue, inputs, outputs = [], op.inputs(), [op.result]
    else:
        ops = op.compute_ops()
        if ops[0] is not c or not all(isinstance(o, PointwiseOp) for o in ops[1:]):
            raise Unsupported(op, "a kernel of a contraction and ops other than a pointwise epilogue after it is not supported by the Triton path yet")
        epilogue = ops[1:]
        names = c.dim_map or ()
        if list(names[-1:]) != ["k0"]:
            raise Unsupported(op, "a contraction whose K is not the kernel's reduction dim is not supported by the Triton path yet")
        for e in epilogue:
            same = e.shape == c.shape and all(
                a == b or (a == UNIT or b == UNIT) and size == 1 for a, b, size in zip(e.dim_map or (), names, c.shape)
            )
            if not same:
                raise Unsupported(op, "an epilogue op not over the contraction's output is not supported by the Triton path yet")
        local = {o.result for o in ops}
        for e in epilogue:
            for load in e.loads():
                if load.buffer in local and list(load.index_exprs) != [
                    s if n > 1 else load.index_exprs[i] for i, (s, n) in enumerate(zip(dims(len(c.shape)), c.shape))
                ]:
                    raise Unsupported(op, "an epilogue that reads the tile at another point is not supported by the Triton path yet")
        for o in c.loads():
            if o.buffer in local:
                raise Unsupported(op, UNREACHABLE)
        inputs = kernel_inputs(op)
        outputs = list(op.body.block.last_op.values)  # type: ignore[union-attr]
    t = x.value.type
    if x.ext16 and y.ext16 and x.ops[0].result.type == y.ops[0].result.type:  # type: ignore[attr-defined]
        mode = "mma"
    elif t == f32:
        mode = "dot"
    else:
        mode = "fma"
    return Plan(c, epilogue, inputs, outputs, x, y, mode)


UNREACHABLE = "a contraction reading a value computed in its own kernel is not supported by the Triton path yet"


# --- the tiling decision ---------------------------------------------------------------


def tile(op: Operation) -> GpuTileAttr | None:
    """The dot tiling of a contraction (lone or with its epilogue); None if `op` is not
    one. Big 16-bit problems take Hopper's large tiles, small or odd ones smaller
    tiles (at least 16, tl.dot's least), down to where the
    tiles about fill the SMs."""
    c = contract_of(op)
    if c is None:
        return None
    try:
        mode = plan(op).mode  # type: ignore[arg-type]
    except Unsupported:
        return None
    batch, m, n, k = c.shape[:-2], c.shape[-2], c.shape[-1], c.reduce_shape[0]
    if mode == "fma":  # a [BM, BK, BN] product in registers
        return GpuTileAttr.make("dot", [_fit(m, 16, 32), _fit(n, 16, 32), _fit(k, 1, 8)], 4, 1)
    bm, bn = _fit(m, 16, 128), _fit(n, 16, 256 if mode == "mma" else 128)
    bk = _fit(k, 16, 64 if mode == "mma" else 32)
    count = math.prod(batch)
    while count * -(-m // bm) * -(-n // bn) < SMS and max(bm, bn) > 64:  # more tiles, fewer idle SMs
        if bn >= bm:
            bn //= 2
        else:
            bm //= 2
    if mode != "mma":
        bm, bn = min(bm, 64), min(bn, 64)  # FMA: the accumulator and factors in registers
    warps = 8 if bm * bn >= 128 * 128 else 4
    stages = 3 if bm * bn >= 128 * 256 else 4 if mode == "mma" else 2
    return GpuTileAttr.make("dot", [bm, bn, bk], warps, stages)


def _fit(size: int, least: int, most: int) -> int:
    return max(least, min(most, pow2(size)))


# --- the kernel ------------------------------------------------------------------------


def dot(op: ContractOp | KernelOp, name: str) -> gb.KernelOp:
    p = plan(op)
    attr = op.attributes.get("tile") or tile(op)
    if not isinstance(attr, GpuTileAttr) or attr.kind.data != "dot" or len(attr.block) != 3:
        raise Unsupported(op, f"a contraction is tiled as #loops.gpu<dot, block = [BM, BN, BK], ...>, got {attr}")
    bm, bn, bk = attr.block
    least = gb.ops.MIN_DOT_DIM
    if p.mode != "fma" and min(bm, bn, bk) < least:
        raise Unsupported(op, f"tl.dot needs blocks of at least {least}, got {bm}x{bn}x{bk}")
    return _Builder(p, name, bm, bn, bk).build(attr.warps, attr.stages)


class _Builder(TileBuilder):
    def __init__(self, p: Plan, name: str, bm: int, bn: int, bk: int):
        self.p, self.name, self.bm, self.bn, self.bk = p, name, bm, bn, bk
        batch, m, n, k = p.sizes
        self.batch, self.m, self.n, self.k = batch, m, n, k
        rank = len(p.contract.shape)
        self.syms = dims(rank)
        self.sm, self.sn, self.sk = self.syms[-2], self.syms[-1], sym("r0")
        super().__init__([*p.inputs, *p.outputs], batch, self.syms[:-2], not self._fits_i32())

    def _fits_i32(self) -> bool:
        """Every offset computed over the problem plus a block along each dim fits."""
        space = [*zip(self.syms[:-2], self.batch), (self.sm, self.m + self.bm), (self.sn, self.n + self.bn), (self.sk, self.k + self.bk)]
        shape = self.p.contract.shape
        accesses = [analyze(buffer_shape(ld), ld.index_exprs, space) for ld in self._memory_loads()]
        return analyze(shape, self.syms, space).fits_i32 and all(a.fits_i32 for a in accesses)

    def _memory_loads(self) -> list[LoadOp]:
        local = {o.result for o in (self.p.contract, *self.p.epilogue)}
        return [ld for o in (self.p.contract, *self.p.epilogue) for ld in o.loads() if ld.buffer not in local]

    # -- the kernel ---------------------------------------------------------------------

    def build(self, warps: int, stages: int | None) -> gb.KernelOp:
        p, b = self.p, self.b
        bm, bn, bk, m, n, k = self.bm, self.bn, self.bk, self.m, self.n, self.k
        num_m, num_n = -(-m // bm), -(-n // bn)
        pid = b.add(gb.ProgramIdOp(0)).result
        pid.name_hint = "pid"
        t = pid
        if self.batch:
            tiles = b.const(max(num_m * num_n, 1), i32)
            self.bat = self.scalar(b.add(arith.DivSIOp(pid, tiles)).result, "bat")
            t = b.add(arith.RemSIOp(pid, tiles)).result
            t.name_hint = "tile"
        pid_m, pid_n = self.grouped(t, num_m, num_n)
        rm = self.scalar(b.add(arith.MuliOp(pid_m, b.const(bm, i32))).result, "rm")
        rn = self.scalar(b.add(arith.MuliOp(pid_n, b.const(bn, i32))).result, "rn")
        zero = b.const(0, self.itype)
        wrap = {self.sm: m if m % bm and m else None,  # rows past M read row % M: never stored, no mask needed
                self.sn: n if n % bn and n else None}
        k_mask = [(self.sk, k)] if k % bk else []

        # the pointer blocks of each side at k = 0 and each load's K stride
        x_shape, y_shape = [bm, bk], [bk, bn]
        x_ptrs = self.side_pointers(p.x, x_shape, {self.sm: (rm, 0), self.sk: (zero, 1)}, wrap)
        y_ptrs = self.side_pointers(p.y, y_shape, {self.sk: (zero, 0), self.sn: (rn, 1)}, wrap)

        acc_type = f32 if p.mode == "mma" else p.contract.yield_type()
        acc0 = self.fill([bm, bn], 0, acc_type, "acc")
        lo, hi, step = b.const(0, i32), b.const(k, i32), b.const(bk, i32)
        loop = gb.ForOp(lo, hi, step, [acc0])
        loop.body.block.args[0].name_hint = "k"
        loop.body.block.args[1].name_hint = "acc"
        outer, self.b = self.b, Builder(loop.body.block)
        self.b.consts = dict(outer.consts)  # constants defined before the loop are visible in it
        kk = loop.body.block.args[0]
        kmask = {}
        if k_mask:
            for key, shape, axes in (("x", x_shape, {self.sk: (self.scalar(kk), 1)}), ("y", y_shape, {self.sk: (self.scalar(kk), 0)})):
                (kmask[key],) = self.index_map(shape, axes, [], k_mask)
        a = self.side_tile(p.x, x_ptrs, kk, kmask.get("x"))
        bt = self.side_tile(p.y, y_ptrs, kk, kmask.get("y"))
        acc = self.accumulate(a, bt, loop.body.block.args[1])
        self.b.add(gb.YieldOp(acc))
        self.b = outer
        outer.add(loop)
        acc = loop.outputs[0]
        acc.name_hint = "acc"
        acc.name_hint = p.contract.result.name_hint or "acc"

        # the epilogue and the stores
        out_axes = {self.sm: (rm, 0), self.sn: (rn, 1)}
        masks = [(s, size) for s, size, blk in ((self.sm, m, bm), (self.sn, n, bn)) if size % blk]
        out_offset = linear_offset(p.contract.shape, self.syms)
        value = {p.contract.result: acc}
        loads = {ld: sympy.expand(linear_offset(buffer_shape(ld), ld.index_exprs)) for ld in self._memory_loads() if ld.parent_op() is not p.contract}
        slot: dict[tuple, int] = {}  # each (buffer, offset) loaded once
        exprs: list[tuple[sympy.Expr, str, Operation]] = []
        for ld, off in loads.items():
            if (ld.buffer, off) not in slot:
                slot[ld.buffer, off] = len(exprs)
                exprs.append((off, f"{ld.buffer.name_hint or 'buf'}_offs", ld))
        index_ops = [o for e in p.epilogue for o in e.body.walk() if isinstance(o, IndexOp)]
        exprs += [(o.index_expr, "index", o) for o in index_ops]
        exprs.append((out_offset, "offs", p.contract))
        mapped = self.index_map([bm, bn], out_axes, exprs, masks)
        mask = mapped[-1] if masks else None
        offs = mapped[len(exprs) - 1]
        tiles = {key: self.load(self.arg_of(key[0]), mapped[i], mask) for key, i in slot.items()}
        index_values = dict(zip(index_ops, mapped[len(slot):]))
        for e in p.epilogue:
            ins: list[SSAValue] = []
            mapping_of: dict[SSAValue, int] = {}
            for ld in e.loads():
                v = value[ld.buffer] if ld.buffer in value else tiles[ld.buffer, loads[ld]]
                mapping_of[ld.result] = _slot(ins, v)
            for o in e.body.walk():
                if isinstance(o, IndexOp):
                    mapping_of[o.result] = _slot(ins, index_values[o])
            if not ins:
                ins.append(acc)
            body = Block(arg_types=[gb.ops.element_of(v.type) for v in ins])
            result = clone_body(Builder(body), e, {r: body.args[i] for r, i in mapping_of.items()})
            body.add_op(gb.YieldOp(result))
            out = self.b.add(gb.MapOp(ins, [e.yield_type()], Region(body))).outputs[0]
            out.name_hint = e.result.name_hint
            value[e.result] = out
        for v, ptr in zip(p.outputs, self.block.args[len(p.inputs):]):
            splat = self.b.add(gb.SplatOp(ptr, [bm, bn])).result
            self.b.add(gb.StoreOp(self.b.add(gb.AddPtrOp(splat, offs)).result, value[v], mask))
        self.b.add(gb.ReturnOp())
        facts = [{"divisibility": IntegerAttr(16, i64)}] * len(self.block.args)
        grid = [str(math.prod(self.batch) * num_m * num_n)]
        return gb.KernelOp(self.name, [a.type for a in self.block.args], grid, warps, stages, facts, Region(self.block))

    def grouped(self, t: SSAValue, num_m: int, num_n: int) -> tuple[SSAValue, SSAValue]:
        """The tile (row, column) of linear tile `t`: column-major within groups of
        GROUP_M tile rows, so that GROUP_M x (programs running together / GROUP_M)
        tiles share their rows of A and columns of B."""
        b = self.b

        def op(cls, x, y, hint=None):
            r = b.add(cls(x, y if isinstance(y, SSAValue) else b.const(y, i32))).result
            r.name_hint = hint
            return r

        if num_m <= GROUP_M or num_n == 1:
            return op(arith.RemSIOp, t, max(num_m, 1), "pid_m"), op(arith.DivSIOp, t, max(num_m, 1), "pid_n")
        width = GROUP_M * num_n  # the tiles of one group
        first = op(arith.MuliOp, op(arith.DivSIOp, t, width, "group"), GROUP_M, "first_m")
        rows = op(arith.MinSIOp, op(arith.SubiOp, b.const(num_m, i32), first), GROUP_M, "group_rows")
        within = op(arith.RemSIOp, t, width, "in_group")
        return op(arith.AddiOp, first, op(arith.RemSIOp, within, rows), "pid_m"), op(arith.DivSIOp, within, rows, "pid_n")

    def side_pointers(self, side: Side, shape, axes, wrap) -> dict[LoadOp, tuple[SSAValue, int]]:
        """Each load of a side: its pointer block at k = 0 (rows past the side's M or N
        `wrap`ped) and its stride along K. A load whose offset is not affine along K (a reshape folded into the read, as in
        `x[r0 floordiv 8, r0 mod 8]`) gets `None` and its `Recomputed` offsets instead:
        side_tile computes its pointer block anew at each step."""
        ptrs: dict = {}
        affine = []
        for ld in side.loads:
            off = sympy.expand(linear_offset(buffer_shape(ld), ld.index_exprs))
            stride = sympy.diff(off, self.sk)
            if stride.is_Integer and self.sk not in (off - stride * self.sk).free_symbols:
                affine.append((ld, off, int(stride)))
            else:
                ptrs[ld] = (None, Recomputed(off, shape, axes, wrap))
                for axis in (axis for _, axis in axes.values()):  # lanes made here: Triton scopes the K loop's names
                    self.lane_block(shape[axis], axis, shape)
        mapped = self.index_map(shape, axes, [(o, f"{ld.buffer.name_hint or 'buf'}_offs", ld) for ld, o, _ in affine], [], wrap) if affine else []
        for (ld, _, stride), off in zip(affine, mapped):
            ptrs[ld] = (self.pointers(ld, off, shape), stride)
        return ptrs

    def pointers(self, ld: LoadOp, off: SSAValue, shape) -> SSAValue:
        splat = self.b.add(gb.SplatOp(self.arg_of(ld.buffer), shape)).result
        ptr = self.b.add(gb.AddPtrOp(splat, off)).result
        ptr.name_hint = f"{ld.buffer.name_hint or 'buf'}_ptrs"
        return ptr

    def side_tile(self, side: Side, ptrs, kk: SSAValue, mask: SSAValue | None) -> SSAValue:
        """The side's tile at step `kk`: its loads (K lanes past K masked to 0), the
        side's prologue applied unless it is the 16-bit extension tl.dot does itself."""
        b = self.b
        loaded = {}
        for ld, (ptr, stride) in ptrs.items():
            if ptr is None:  # offsets not affine along K: computed at this step's k
                r = stride
                axes = {s: ((self.scalar(kk), axis) if s == self.sk else (start, axis)) for s, (start, axis) in r.axes.items()}
                (off,) = self.index_map(r.shape, axes, [(r.offset, f"{ld.buffer.name_hint or 'buf'}_offs", ld)], [], r.wrap)
                ptr, stride = self.pointers(ld, off, r.shape), 0
            shape = gb.ops.shape_of(ptr.type)
            if stride:
                step = self.scalar(kk) if stride == 1 else b.add(arith.MuliOp(self.scalar(kk), b.const(stride, self.itype))).result
                ptr = b.add(gb.AddPtrOp(ptr, b.add(gb.SplatOp(step, shape)).result)).result
            v = b.add(gb.LoadOp(ptr, mask, b.const(0, ld.result.type) if mask is not None else None)).result
            v.name_hint = ld.buffer.name_hint
            loaded[ld] = v
        if side.ext16 and self.p.mode == "mma" or len(side.ops) == 1:
            return loaded[side.loads[0]]
        ins = list(loaded.values())
        guard = mask is not None and any(o.name not in CASTS for o in side.ops if not isinstance(o, LoadOp))
        if guard:
            ins.append(mask)
        body = Block(arg_types=[gb.ops.element_of(v.type) for v in ins])
        mapping = {ld.result: body.args[i] for i, ld in enumerate(loaded)}
        mb = Builder(body)
        for o in side.ops:
            if not isinstance(o, LoadOp):
                mb.add(o.clone(value_mapper=mapping))
        result = mapping[side.value]
        if guard:  # a prologue may make something other than 0 of a masked-off lane
            result = mb.add(arith.SelectOp(body.args[-1], result, mb.const(0, result.type))).result
        mb.add(gb.YieldOp(result))
        return b.add(gb.MapOp(ins, [side.value.type], Region(body))).outputs[0]

    def accumulate(self, a: SSAValue, bt: SSAValue, acc: SSAValue) -> SSAValue:
        b, p = self.b, self.p
        if p.mode != "fma":
            precision = "ieee"  # f32: exact products, as the spec's f32 numerics ask (never tf32)
            r = b.add(gb.DotOp(a, bt, acc, precision)).result
            r.name_hint = "acc"
            return r
        # a broadcast product [BM, BK, BN] summed over K, with the body's own product op
        shape = [self.bm, self.bk, self.bn]
        a3 = b.add(gb.BroadcastOp(b.add(gb.ExpandDimsOp(a, 2)).result, shape)).result
        b3 = b.add(gb.BroadcastOp(b.add(gb.ExpandDimsOp(bt, 0)).result, shape)).result
        body = Block(arg_types=[gb.ops.element_of(a.type), gb.ops.element_of(bt.type)])
        product = p.contract.body.block.last_op.values[0].owner  # type: ignore[union-attr]
        mapping = {p.x.value: body.args[0], p.y.value: body.args[1]}
        r = Builder(body).add(product.clone(value_mapper=mapping)).results[0]
        body.add_op(gb.YieldOp(r))
        prod = b.add(gb.MapOp([a3, b3], [r.type], Region(body))).outputs[0]
        part = b.add(gb.ReduceOp("sum", prod, 1)).result
        add = arith.AddfOp if isinstance(r.type, AnyFloat) else arith.AddiOp
        body = Block(arg_types=[r.type, r.type])
        s = Builder(body).add(add(body.args[0], body.args[1])).results[0]
        body.add_op(gb.YieldOp(s))
        out = b.add(gb.MapOp([acc, part], [r.type], Region(body))).outputs[0]
        out.name_hint = "acc"
        return out

    # -- small pieces -------------------------------------------------------------------

    def arg_of(self, buffer: SSAValue) -> SSAValue:
        return self.block.args[self.p.inputs.index(buffer)]

    def load(self, ptr_base: SSAValue, offs: SSAValue, mask: SSAValue | None) -> SSAValue:
        shape = gb.ops.shape_of(offs.type)
        ptr = self.b.add(gb.AddPtrOp(self.b.add(gb.SplatOp(ptr_base, shape)).result, offs)).result
        element = gb.pointee_type(ptr.type).element_type  # type: ignore[attr-defined]
        v = self.b.add(gb.LoadOp(ptr, mask, self.b.const(0, element) if mask is not None else None)).result
        v.name_hint = ptr_base.name_hint.removesuffix("_ptr") if ptr_base.name_hint else None
        return v

    def cast(self, v: SSAValue, cls, t: Attribute) -> SSAValue:
        body = Block(arg_types=[gb.ops.element_of(v.type)])
        r = Builder(body).add(cls(body.args[0], t)).results[0]
        body.add_op(gb.YieldOp(r))
        return self.b.add(gb.MapOp([v], [t], Region(body))).outputs[0]


def _slot(ins: list[SSAValue], v: SSAValue) -> int:
    if v not in ins:
        ins.append(v)
    return ins.index(v)

