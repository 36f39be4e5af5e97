"""Contractions (matmuls) as a register-blocked, cache-blocked loop nest.

A kernel whose first op is a `loops.contract` (its roles: batch dims, m = i, n = j,
k = r0) whose sides are loads, widened at most (no other prologue):

    (extf?)(load A[.., i, r0]) * (extf?)(load B[.., r0, j])      (multiplied in f32/f64)

(A's offset affine in i and r0, B's in r0 and j, any strides, so A^T / B^T work too;
the verifier of the op guarantees A does not vary along j nor B along i), optionally followed by pointwise ops
over the same shape that read the kernel's own values only at their own point (an
epilogue: bias add, relu, a cast to f16 ...), is lowered as a GEMM in the style of
BLIS / TorchInductor's CPU GEMM template instead of one dot product per output point:

    parallel for (batch, i0 in steps of MC, j0 in steps of NC):   # the runtime's range
      cbuf[MC][NC] = 0                                # accumulators of the block
      for k0 in steps of KC:
        pack B[k0:k0+KC, j0:j0+NC] -> panel[KC][NC]   # acc type, zero-padded past N
        for ir in steps of MR, jr in steps of NR:     # the micro-kernel
          acc[MR][NR/W] = cbuf[ir.., jr..]            # MR x NR/W vectors of W lanes
          for k in 0..kc:                             # (registers: SROA'd allocas)
            b[v] = panel[k][jr + v*W]                 # vector loads
            for r: acc[r][v] = fmuladd(splat(A[i0+ir+r, k0+k]), b[v], acc[r][v])
          cbuf[ir.., jr..] = acc
      for the block's valid (i, j): v = cbuf[i][j]; run the epilogue on v; store

The blocking is part of the kernel's schedule (`#loops.cpu<gemm, ...>`, planning.py),
decided by `blocking`: W is the schedule's vector width (f32 lanes; 16 with AVX-512,
8 with AVX2; half as many f64), NR = 2W, MR = 8 when W = 16 (AVX-512: 32 vector
registers) or 6; MC, NC, KC at most 64, 128, 256, and MC then NC smaller (not below
2 MR and NR) when the outer range has too few points for the threads: a point packs
its own panels of B, so a chunk of consecutive N blocks of one M block reads B once
per block as before. Rows of A past M are clamped to M-1
(computed, never stored). f16/bf16 operands are widened when packed (B) or loaded (A)
and accumulate in f32, as the generic path does. Anything else keeps the generic
reduction path (kernels.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import sympy
from xdsl.dialects import arith, llvm
from xdsl.dialects.builtin import (
    Attribute,
    DenseArrayBase,
    VectorType,
    f32,
    f64,
    i32,
    i64,
)
from xdsl.ir import SSAValue

from stepwell.dialects.loops import ComputeOp, ContractOp, LoadOp, PointwiseOp
from stepwell.dialects.loops.access import contraction_sides, linear_offset, load_access
from stepwell.dialects.loops.index import dims, sym
from stepwell.lowering.loops_to_llvm import conversions as cv
from stepwell.lowering.loops_to_llvm import reductions as red
from stepwell.lowering.loops_to_llvm.builder import mangle
from stepwell.lowering.loops_to_llvm.index_expr import emit_index

MC, NC, KC = 64, 128, 256  # cache blocks (rows of A per outer point, columns, depth)


@dataclass(frozen=True)
class Operand:
    load: LoadOp
    base: sympy.Expr  # offset at i = j = k = 0 (in the batch dims only)
    stride: int  # along i (A) or j (B)
    k: int  # along the reduced dim


@dataclass(frozen=True)
class Contraction:
    op: ContractOp
    epilogue: list[PointwiseOp]
    a: Operand
    b: Operand
    acc: Attribute  # f32 or f64
    lanes: int = 0  # the blocking (`blocked`); 0 until the schedule gives it
    mr: int = 0
    nr: int = 0
    mc: int = 0
    nc: int = 0
    kc: int = 0

    @property
    def batch(self) -> tuple[int, ...]:
        return self.op.shape[:-2]

    @property
    def mnk(self) -> tuple[int, int, int]:
        return self.op.shape[-2], self.op.shape[-1], self.op.reduce_shape[0]

    def blocked(self, vector: int, mr: int, nr: int, mc: int, nc: int, kc: int) -> Contraction:
        """This contraction with a blocking (`vector`: f32 lanes); ValueError when the
        blocks do not tile (MC a multiple of MR, NC of NR, NR of the lanes)."""
        lanes = max(1, vector * 4 // cv.element_bytes(self.acc))
        if nr % lanes or mc % mr or nc % nr:
            raise ValueError(f"gemm blocks: MC ({mc}) is a multiple of mr ({mr}), NC ({nc}) of nr ({nr}), nr of {lanes} lanes")
        return replace(self, lanes=lanes, mr=mr, nr=nr, mc=mc, nc=nc, kc=kc)


def blocking(c: Contraction, vector: int, batch: int, target: int) -> tuple[int, int, int, int, int]:
    """(MC, NC, KC, MR, NR) for `vector` f32 lanes, so that the outer range
    (`batch` x M blocks x N blocks) has `target` points if the sizes allow."""
    tile = register_tile(c.acc, vector)
    mr, nr = tile.mr, tile.nr
    m, n, k = c.mnk
    mc = min(_ceil(MC, mr), _ceil(m, mr)) * mr
    nc = min(_ceil(NC, nr), _ceil(n, nr)) * nr
    kc = max(1, min(KC, k))

    def cut(block: int, size: int, others: int, step: int, floor: int) -> int:
        """A smaller block of `size` (a multiple of step, at least floor) while the
        points are fewer than the target."""
        if batch * others * _ceil(size, block) >= target:
            return block
        pieces = _ceil(target, max(1, batch * others))
        return max(floor, min(block, _ceil(_ceil(size, pieces), step) * step))

    nc = cut(nc, n, _ceil(m, mc), nr, nr)
    mc = cut(mc, m, _ceil(n, nc), mr, min(mc, 2 * mr))
    return mc, nc, kc, mr, nr


def _ceil(a: int, b: int) -> int:
    return -(-a // b)


# --- matching ------------------------------------------------------------------------


def match(ops: list[ComputeOp], in_memory: Callable[[SSAValue], bool]) -> Contraction | None:
    if not ops or not isinstance(ops[0], ContractOp):
        return None
    op = ops[0]
    if op.body_type not in (f32, f64) or 0 in op.shape + op.reduce_shape:  # the generic path
        return None
    epilogue = ops[1:]
    made = {o.result for o in ops}
    for e in epilogue:
        if not isinstance(e, PointwiseOp) or e.shape != op.shape:
            return None
        if any(ld.buffer in made and not _at_point(ld, op.shape) for ld in e.loads()):
            return None
    sides = contraction_sides(op)
    assert not isinstance(sides, str)  # the op's verifier checked it
    a, b = _loaded(sides.x, sides.x_ops), _loaded(sides.y, sides.y_ops)
    if a is None or b is None or len(sides.x_ops) + len(sides.y_ops) + 2 != len(op.body.block.ops):
        return None  # a prologue beyond a widening: the generic path
    if not (in_memory(a.buffer) and in_memory(b.buffer)):
        return None
    batch, m_dim, n_dim, k_dim = op.roles
    i, j, k = sym(m_dim), sym(n_dim), sym(k_dim)
    x, y = operand_of(a, i, k, set(map(sym, batch))), operand_of(b, j, k, set(map(sym, batch)))
    if x is None or y is None:
        return None
    return Contraction(op, epilogue, x, y, op.body_type)  # type: ignore[arg-type]


def _at_point(load: LoadOp, shape: tuple[int, ...]) -> bool:
    """Whether an epilogue's load of a kernel value reads it at the epilogue's own point
    (`0` for a dim of size 1, as loops-simplify-index writes it)."""
    exprs = load.index_exprs
    return not load.syms and all(e == d or (e == 0 and n == 1) for e, d, n in zip(exprs, dims(len(shape)), shape))


def _loaded(value: SSAValue, ops: tuple) -> LoadOp | None:
    """The load of a side `(extf?)(load)` (no s-symbols), in the accumulator type."""
    owner = value.owner
    if isinstance(owner, arith.ExtFOp) and len(ops) == 2:
        owner = owner.input.owner
    elif len(ops) != 1:
        return None
    return owner if isinstance(owner, LoadOp) and not owner.syms else None


def operand_of(load: LoadOp, along, k, batch: set) -> Operand | None:
    """The operand of an affine load: its strides along its row/column dim and K, and
    its base offset (in the batch dims only)."""
    access = load_access(load)
    stride, k_stride = access.stride(along), access.stride(k)
    if stride is None or k_stride is None:
        return None
    base = sympy.expand(access.offset.subs({along: 0, k: 0}))
    if not base.free_symbols <= batch:
        return None
    return Operand(load, base, stride, k_stride)


# --- emission --------------------------------------------------------------------------


def emit(em, c: Contraction, begin: SSAValue, end: SSAValue) -> None:  # em: KernelEmitter
    b = em.b
    m, n, k = c.mnk
    panel = b.alloca(c.acc, c.kc * c.nc)
    cbuf = b.alloca(c.acc, c.mc * c.nc)
    zero = b.const(c.acc, 0.0)
    rank = len(c.op.shape)
    i_sym, j_sym = sym(f"d{rank - 2}"), sym(f"d{rank - 1}")
    pa, pb = em.ptr[c.a.load.buffer], em.ptr[c.b.load.buffer]
    micro = Micro(c.acc, c.lanes, c.mr, c.nr)

    def operand(o: Operand, ptr: SSAValue, offset: SSAValue) -> SSAValue:
        return load_operand(b, o, ptr, offset, c.acc)

    with b.loop(begin, end) as outer:  # one (batch, M block, N block)
        env = em.at_block_starts(c.op, em.block_starts(outer))
        i0, j0 = env.pop(i_sym), env.pop(j_sym)
        rows = smin(b, b.i64(c.mc), b.sub(b.i64(m), i0))
        cols = smin(b, b.i64(c.nc), b.sub(b.i64(n), j0))
        base_a, base_b = emit_index(b, c.a.base, env), emit_index(b, c.b.base, env)
        with b.loop(0, c.mc * c.nc) as t:
            b.store(zero, cbuf, t)
        with b.loop(0, k, c.kc) as k0:
            depth = smin(b, b.i64(c.kc), b.sub(b.i64(k), k0))
            with b.loop(0, depth) as kk:  # pack B
                row_b = index(b, base_b, (b.add(k0, kk), c.b.k))
                with b.loop(0, c.nc) as jj:
                    j = b.add(j0, jj)
                    v = operand(c.b, pb, index(b, row_b, (smin(b, j, n - 1), c.b.stride)))
                    v = b.select(b.icmp("slt", j, b.i64(n)), v, zero)
                    b.store(v, panel, b.add(b.mul(kk, b.i64(c.nc)), jj))

            def a_row(r: SSAValue, k0=k0):
                start = index(b, base_a, (smin(b, b.add(i0, r), m - 1), c.a.stride), (k0, c.a.k))
                return lambda kk: operand(c.a, pa, index(b, start, (kk, c.a.k)))

            block_product(b, micro, cbuf, c.nc, panel, c.nc, rows, cols, depth, a_row)
        with b.loop(0, rows) as ii:  # the epilogue, stored
            with b.loop(0, cols) as jj:
                value = b.load(cbuf, b.add(b.mul(ii, b.i64(c.nc)), jj), c.acc)
                epilogue(em, c.op, c.epilogue, {**env, i_sym: b.add(i0, ii), j_sym: b.add(j0, jj)}, value)


@dataclass(frozen=True)
class Micro:
    """The register tile of a block product: `mr` rows of `nr` / `lanes` vectors of
    `lanes` elements of `acc`."""

    acc: Attribute
    lanes: int
    mr: int
    nr: int


def block_product(
    b, t: Micro, cbuf: SSAValue, c_stride: int, panel: SSAValue, p_stride: int,
    rows: SSAValue, cols: SSAValue, depth: SSAValue, a_row: Callable[[SSAValue], Callable[[SSAValue], SSAValue]],
) -> None:
    """C[:rows, :cols] += A[:rows, :depth] @ B[:depth, :cols], a register tile of
    `t.mr` x `t.nr` at a time (the micro-kernel above): C in `cbuf` (rows of `c_stride`
    elements, at least `rows` rounded up to mr of them), B packed in `panel` (rows of
    `p_stride` elements; `cols` rounded up to nr of them are read, zero past cols). A
    is read a scalar at a time: `a_row(r)` (r: the row, an i64 value) gives a function
    of k (an i64 value) whose value is A[r, k] in `t.acc`, so that what depends on the
    row only is computed once per tile. Every vector access is aligned: the strides
    are multiples of the lanes and the buffers allocas of 64-byte alignment."""
    vt = VectorType(t.acc, [t.lanes])
    nvec = t.nr // t.lanes
    accs = [[b.alloca(vt, 1) for _ in range(nvec)] for _ in range(t.mr)]
    undef = b.at_entry(llvm.UndefOp(vt))
    fma = f"llvm.fmuladd.v{t.lanes}{mangle('x', t.acc)[2:]}"
    align = min(64, t.lanes * cv.element_bytes(t.acc))

    def vptr(ptr: SSAValue, offset: SSAValue) -> SSAValue:  # (typed for llvmlite)
        return b.gep(b.gep(ptr, offset, t.acc), b.i64(0), vt)

    def vload(ptr: SSAValue, offset: SSAValue) -> SSAValue:
        return b.op(llvm.LoadOp(vptr(ptr, offset), vt, alignment=align))

    def vstore(value: SSAValue, ptr: SSAValue, offset: SSAValue) -> None:
        b.op(llvm.StoreOp(value, vptr(ptr, offset), alignment=align))

    with b.loop(0, rows, t.mr) as ir:
        a = [a_row(b.add(ir, b.i64(r))) for r in range(t.mr)]
        with b.loop(0, cols, t.nr) as jr:
            tile = [[b.add(b.mul(b.add(ir, b.i64(r)), b.i64(c_stride)), b.add(jr, b.i64(v * t.lanes))) for v in range(nvec)] for r in range(t.mr)]
            for r in range(t.mr):
                for v in range(nvec):
                    vstore(vload(cbuf, tile[r][v]), accs[r][v], b.i64(0))
            with b.loop(0, depth) as kk:
                at = b.add(b.mul(kk, b.i64(p_stride)), jr)
                bv = [vload(panel, b.add(at, b.i64(v * t.lanes))) for v in range(nvec)]
                for r in range(t.mr):
                    one = b.op(llvm.InsertElementOp(undef, a[r](kk), b.i64(0)))
                    splat = b.op(llvm.ShuffleVectorOp(one, undef, DenseArrayBase.from_list(i32, [0] * t.lanes), vt))
                    for v in range(nvec):
                        acc = vload(accs[r][v], b.i64(0))
                        vstore(b.intrinsic(fma, [splat, bv[v], acc], vt), accs[r][v], b.i64(0))
            for r in range(t.mr):
                for v in range(nvec):
                    vstore(vload(accs[r][v], b.i64(0)), cbuf, tile[r][v])


def load_operand(b, o: Operand, ptr: SSAValue, offset: SSAValue, acc: Attribute) -> SSAValue:
    """The operand's element at `offset`, in the accumulator type."""
    t = o.load.result.type
    v = cv.from_storage(b, b.load(ptr, offset, cv.storage_type(t)), t)
    return cv.extf(b, v, t, acc)


def register_tile(acc: Attribute, vector: int) -> Micro:
    """The micro-kernel's tile for `vector` f32 lanes: NR = 2 vectors, MR = 8 rows
    with AVX-512 (32 vector registers), else 6."""
    lanes = max(1, vector * 4 // cv.element_bytes(acc))
    return Micro(acc, lanes, 8 if vector >= 16 else 6, 2 * lanes)


def smin(b, x: SSAValue, y: SSAValue | int) -> SSAValue:
    return b.intrinsic(mangle("llvm.smin", i64), [x, y if not isinstance(y, int) else b.i64(y)], i64)


def index(b, base: SSAValue, *terms: tuple[SSAValue, int]) -> SSAValue:
    """base + the sum of value * stride (strides known at compile time)."""
    for v, stride in terms:
        if stride:
            base = b.add(base, v if stride == 1 else b.mul(v, b.i64(stride)))
    return base


def epilogue(em, product: ContractOp, ops: list[PointwiseOp], env: dict, acc: SSAValue) -> None:
    """Store the product's value `acc` (accumulator type) at the point `env` and the
    values of its epilogue `ops` there, each that the kernel writes to memory."""
    b = em.b
    values = {product.result: red.finish(b, acc, product.result.type.element_type)}  # type: ignore[attr-defined]
    for op in ops:
        em.at_point = values
        values[op.result] = em.body(op, env)
    em.at_point = {}
    rank = len(product.shape)
    offset = emit_index(b, linear_offset(product.shape, dims(rank)), env)
    for op in (product, *ops):
        if op.result in em.plan.outputs:
            t = op.result.type.element_type  # type: ignore[attr-defined]
            b.store(cv.to_storage(b, values[op.result], t), em.ptr[op.result], offset)


__all__ = ["Contraction", "Micro", "Operand", "block_product", "emit", "epilogue", "index", "load_operand", "match", "operand_of", "register_tile", "smin"]
