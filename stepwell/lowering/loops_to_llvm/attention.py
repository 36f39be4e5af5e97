"""An attention chain (stepwell/dialects/loops/attention.py) as one flash-style CPU kernel.

loops-schedule-cpu decides (`schedule`) and writes `schedule = #loops.cpu<attention,
outer = [batch dims..., S / BM], keys = BN, ...>` on every op of the chain;
convert-loops-to-llvm builds the kernel at the chain's last op (the second product,
alone or with its epilogue: `emit`) and lowers none of the others, whose buffers the
memory plan left without memory. One outer point is one (batch point, block of BM
query rows); its scratch is a few stack tiles of fixed size (below), whatever the
sequence lengths S and T:

    qt[D][BM]   = q[i0 : i0+BM, :]^T          (packed once per point; rows past S clamped)
    m[BM] = -inf, l[BM] = 0, acc[BM][E'] = 0   (E' = E rounded up to NR)
    for j0 in 0 .. hi step BN:                 (hi = T; causal: min(T, i0 + BM), the later
                                                key blocks are masked for every row)
      st[BN][BM] = k[j0 : j0+BN, :] @ qt      (the scores, transposed: keys are rows)
      x = st * scale; -inf where (causal) j > i
      m' = max(m, max_j x);  base = m' where not -inf, else 0
      a = exp(m - base);  p = st = exp(x - base);  l = l * a + sum_j p (the block's sum);  m = m'
      acc = acc * a + p^T @ v[j0 : j0+BN, :]   (v packed into vt[BN][E'], zero past E)
    out = acc / l, the end op's epilogue, stored (rows below S only)

Both products are `contraction.block_product`, the GEMM's register-blocked
micro-kernel: the scores with the keys as A (read from k, a scalar at a time) and
q^T as the packed panel, so that the softmax's reductions over the keys run down the
columns of `st`, vector lanes across BM query rows (no horizontal reductions); the
second product with st^T as A and the packed v as the panel. BM is a multiple of the
micro-kernel's MR and NR, BN of MR. exp is loops-expand-math's expansion (scalar.py:
`expanded`), so the kernel calls no libm; max and sum are the reduction kinds'
combines (reductions.py: NaN propagates through max).

Numerics against the reference: scores, probabilities and sums in f32 (f64 for
f64), as the unfused loops IR keeps them; the kernel differs from it in summation
order only (the online softmax rescales by exp(m - base), which is exact when the
max does not change). Special values as the reference: a row whose scores are all
-inf gives 0/0 = NaN (the `base` guard keeps p = 0 until a finite max is seen), +inf
and NaN scores give NaN rows. Causal: the reference multiplies the masked keys' v
rows by probability 0, which makes NaN of an inf or NaN there; the rows of the
skipped key blocks are read for that alone (0 * v summed into the output: 0, or
NaN), as the Triton kernel does.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from xdsl.dialects import llvm
from xdsl.dialects import math as xmath
from xdsl.dialects.builtin import f32, f64
from xdsl.ir import Attribute, SSAValue

from stepwell.dialects.loops import CpuScheduleAttr
from stepwell.dialects.loops.attention import Chain
from stepwell.dialects.loops.contract import MIN_PARALLELISM, is_parallel
from stepwell.dialects.loops.index import dims, sym
from stepwell.lowering.loops_to_llvm import contraction
from stepwell.lowering.loops_to_llvm import conversions as cv
from stepwell.lowering.loops_to_llvm import reductions as red
from stepwell.lowering.loops_to_llvm.contraction import (
    Micro,
    Operand,
    block_product,
    load_operand,
    smin,
)
from stepwell.lowering.loops_to_llvm.index_expr import emit_index
from stepwell.lowering.loops_to_llvm.scalar import expanded

ROWS, KEYS = 64, 64  # query rows and keys of a tile, about (multiples of the micro-kernel's)
STACK_LIMIT = 256 * 1024  # bytes of stack tiles per outer point, at most


@dataclass(frozen=True)
class Attention:
    """A chain with its tiles: what `emit` builds."""

    chain: Chain
    q: Operand  # along the query rows, k: the head dim
    k: Operand  # along the keys, k: the head dim
    v: Operand  # along E, k: the keys
    acc: Attribute  # f32 or f64: scores, probabilities, sums
    micro: Micro
    bm: int
    bn: int

    @property
    def e_pad(self) -> int:
        return -(-self.chain.sizes[4] // self.micro.nr) * self.micro.nr


# --- deciding ------------------------------------------------------------------------


def micro(c: Chain, vector: int) -> Micro:
    """The GEMM's register tile, in f64 for an f64 chain, else f32."""
    return contraction.register_tile(f64 if c.element == f64 else f32, vector)


def stack_bytes(c: Chain, t: Micro, bm: int, bn: int) -> int:
    """The stack tiles of one outer point: qt, st, vt, acc, five rows of BM, a row of E'."""
    _, _, _, d, e = c.sizes
    e_pad = -(-e // t.nr) * t.nr
    return (d * bm + bn * bm + bn * e_pad + bm * e_pad + 5 * bm + e_pad) * cv.element_bytes(t.acc)


def schedule(c: Chain, end_dims: tuple[str, ...], vector: int, want: int) -> CpuScheduleAttr | None:
    """The chain's CPU schedule (`end_dims`: the kernel dims of the second product's
    d-dims; `want`: the chunks its work asks for), or None when it is not fused here:
    an empty dim, a factor that is a constant or not an affine load, or tiles of
    the least size over STACK_LIMIT (a head dim of thousands)."""
    batch, s, t, d, e = c.sizes
    if 0 in (*batch, s, t, d, e) or _operands(c) is None or not all(is_parallel(n) for n in end_dims):
        return None
    tm = micro(c, vector)
    unit = math.lcm(tm.mr, tm.nr)
    bm = unit * max(1, min(ROWS // unit, -(-s // unit)))
    bn = tm.mr * max(1, min(KEYS // tm.mr, -(-t // tm.mr)))
    points = math.prod(batch)
    while bm > unit and points * -(-s // bm) < min(want, MIN_PARALLELISM):  # smaller row blocks for the threads
        bm -= unit
    while stack_bytes(c, tm, bm, bn) > STACK_LIMIT and bm > unit:
        bm -= unit
    if stack_bytes(c, tm, bm, bn) > STACK_LIMIT:
        return None
    outer = [(name, 1) for name in end_dims[:-2]] + [(end_dims[-2], bm)]
    extent = points * -(-s // bm)
    return CpuScheduleAttr.make(outer, max(1, min(extent, want)), vector, keys=bn)


def _operands(c: Chain) -> tuple[Operand, Operand, Operand] | None:
    """q, k, v as affine operands: q along the query rows, k along the keys (both over
    the head dim), v along E over the keys; None when one is not affine or is a
    constant."""
    from stepwell.lowering.loops_to_llvm.planning import in_memory

    rank = len(c.scores.shape)
    ds, r0 = dims(rank), sym("r0")
    batch = set(ds[:-2])
    sides = [(c.q, ds[-2]), (c.k, ds[-1]), (c.v, ds[-1])]
    found = [contraction.operand_of(load, along, r0, batch) for load, along in sides]
    if None in found or not all(in_memory(load.buffer) for load, _ in sides):
        return None
    return tuple(found)  # type: ignore[return-value]


def planned(c: Chain | None, sched: CpuScheduleAttr, outer: list[int], blocks: list[int], end_dims: tuple[str, ...]) -> Attention:
    """The chain under its schedule; ValueError (the message says why) when the
    schedule does not fit it."""
    if c is None:
        raise ValueError("an attention schedule on an op that does not end an attention chain")
    operands = _operands(c)
    if operands is None:
        raise ValueError("an attention chain whose q, k or v is a constant or not an affine load")
    names = [int(n[1:]) for n in end_dims]
    if outer != names[:-1] or any(blocks[j] != 1 for j in names[:-2]):
        want = ", ".join([*(f"p{j}" for j in names[:-2]), f"p{names[-2]} / BM"])
        raise ValueError(f"the outer loop of this attention kernel is [{want}]")
    tm = micro(c, sched.vector)
    bm, bn = blocks[names[-2]], sched.keys
    if bm % math.lcm(tm.mr, tm.nr) or bn % tm.mr:  # type: ignore[operator]
        raise ValueError(f"attention tiles: BM ({bm}) is a multiple of {math.lcm(tm.mr, tm.nr)}, keys ({bn}) of {tm.mr}")
    return Attention(c, *operands, tm.acc, tm, bm, bn)  # type: ignore[arg-type]


# --- the kernel ------------------------------------------------------------------------


def emit(em, a: Attention, begin: SSAValue, end: SSAValue) -> None:  # em: KernelEmitter
    b, c, t = em.b, a.chain, a.acc
    _, s, tt, d, e = c.sizes
    bm, bn, e_pad = a.bm, a.bn, a.e_pad
    qt, st = b.alloca(t, d * bm), b.alloca(t, bn * bm)
    vt, acc = b.alloca(t, bn * e_pad), b.alloca(t, bm * e_pad)
    m, l, base, alpha, total = (b.alloca(t, bm) for _ in range(5))
    zero, ninf = b.const(t, 0.0), b.const(t, -math.inf)
    rank = len(c.pv.shape)
    i_sym, e_sym = sym(f"d{rank - 2}"), sym(f"d{rank - 1}")
    pq, pk, pv = (em.ptr[o.load.buffer] for o in (a.q, a.k, a.v))

    def fop(cls, x, y):
        return b.op(cls(x, y))

    def at(row, col, stride: int):
        return b.add(b.mul(row, b.i64(stride)), col)

    with b.loop(begin, end) as outer:  # one (batch point, block of BM query rows)
        env = em.at_block_starts(c.pv, em.block_starts(outer))
        i0 = env[i_sym]
        q0, k0, v0 = (emit_index(b, o.base, env) for o in (a.q, a.k, a.v))
        with b.loop(0, bm) as r:  # qt = q^T, rows past S clamped
            row = contraction.index(b, q0, (smin(b, b.add(i0, r), s - 1), a.q.stride))
            with b.loop(0, d) as dd:
                b.store(load_operand(b, a.q, pq, contraction.index(b, row, (dd, a.q.k)), t), qt, at(dd, r, bm))
        with b.loop(0, bm) as r:
            b.store(ninf, m, r)
            b.store(zero, l, r)
        with b.loop(0, bm * e_pad) as x:
            b.store(zero, acc, x)
        hi = smin(b, b.add(i0, b.i64(bm)), tt) if c.causal else b.i64(tt)
        with b.loop(0, hi, bn) as j0:
            kn = smin(b, b.sub(hi, j0), bn)
            with b.loop(0, bn * bm) as x:
                b.store(zero, st, x)

            def key_row(r: SSAValue, j0=j0):  # A of the scores: row r of the key block
                start = contraction.index(b, k0, (smin(b, b.add(j0, r), tt - 1), a.k.stride))
                return lambda kk: load_operand(b, a.k, pk, contraction.index(b, start, (kk, a.k.k)), t)

            block_product(b, a.micro, st, bm, qt, bm, kn, b.i64(bm), b.i64(d), key_row)
            # scale, mask, the new row max (kept in `base` until it is one)
            with b.loop(0, bm) as r:
                b.store(b.load(m, r, t), base, r)
            with b.loop(0, kn) as j:
                key = b.add(j0, j)
                with b.loop(0, bm) as r:
                    x = b.load(st, at(j, r, bm), t)
                    if c.scale != 1.0:
                        x = fop(llvm.FMulOp, x, b.const(t, c.scale))
                    if c.causal:
                        x = b.select(b.icmp("sgt", key, b.add(i0, r)), ninf, x)
                    b.store(x, st, at(j, r, bm))
                    b.store(red.combine(b, "max", b.load(base, r, t), x), base, r)
            with b.loop(0, bm) as r:
                new = b.load(base, r, t)
                finite = b.select(b.fcmp("oeq", new, ninf), zero, new)
                scale = expanded(b, xmath.ExpOp, fop(llvm.FSubOp, b.load(m, r, t), finite))
                b.store(scale, alpha, r)
                b.store(new, m, r)
                b.store(finite, base, r)
                b.store(zero, total, r)
            with b.loop(0, kn) as j:  # the probabilities, their sums over the block
                with b.loop(0, bm) as r:
                    p = expanded(b, xmath.ExpOp, fop(llvm.FSubOp, b.load(st, at(j, r, bm), t), b.load(base, r, t)))
                    b.store(p, st, at(j, r, bm))
                    b.store(red.combine(b, "sum", b.load(total, r, t), p), total, r)
            with b.loop(0, bm) as r:
                scale = b.load(alpha, r, t)
                b.store(fop(llvm.FAddOp, fop(llvm.FMulOp, b.load(l, r, t), scale), b.load(total, r, t)), l, r)
                with b.loop(0, e_pad) as x:
                    b.store(fop(llvm.FMulOp, b.load(acc, at(r, x, e_pad), t), scale), acc, at(r, x, e_pad))
            _pack_v(b, a, vt, pv, v0, j0, kn)

            def probability(r: SSAValue):  # A of the second product: st^T
                return lambda kk: b.load(st, at(kk, r, bm), t)

            block_product(b, a.micro, acc, e_pad, vt, e_pad, b.i64(bm), b.i64(e), kn, probability)
        bad = _skipped_v(b, a, pv, v0, hi) if c.causal else None
        rows = smin(b, b.sub(b.i64(s), i0), bm)
        with b.loop(0, rows) as r:
            total = b.load(l, r, t)
            with b.loop(0, e) as x:
                value = b.load(acc, at(r, x, e_pad), t)
                if bad is not None:
                    value = fop(llvm.FAddOp, value, b.load(bad, x, t))
                value = fop(llvm.FDivOp, value, total)
                contraction.epilogue(em, c.pv, c.epilogue, {**env, i_sym: b.add(i0, r), e_sym: x}, value)


def _pack_v(b, a: Attention, vt: SSAValue, pv: SSAValue, v0: SSAValue, j0: SSAValue, kn: SSAValue) -> None:
    """vt[j][x] = v[j0 + j, x] for the block's kn keys, 0 past E."""
    e, e_pad = a.chain.sizes[4], a.e_pad
    with b.loop(0, kn) as j:
        row = contraction.index(b, v0, (b.add(j0, j), a.v.k))
        with b.loop(0, e_pad) as x:
            value = load_operand(b, a.v, pv, contraction.index(b, row, (smin(b, x, e - 1), a.v.stride)), a.acc)
            b.store(b.select(b.icmp("slt", x, b.i64(e)), value, b.const(a.acc, 0.0)), vt, b.add(b.mul(j, b.i64(e_pad)), x))


def _skipped_v(b, a: Attention, pv: SSAValue, v0: SSAValue, hi: SSAValue) -> SSAValue:
    """A row of E: the sum of 0 * v over the keys [hi, T) the causal loop skipped (0,
    or NaN in a column with an inf or NaN there)."""
    t, (_, _, tt, _, e) = a.acc, a.chain.sizes
    bad = b.alloca(t, a.e_pad)
    with b.loop(0, e) as x:
        b.store(b.const(t, 0.0), bad, x)
    with b.loop(hi, tt) as j:
        row = contraction.index(b, v0, (j, a.v.k))
        with b.loop(0, e) as x:
            value = load_operand(b, a.v, pv, contraction.index(b, row, (x, a.v.stride)), t)
            product = b.op(llvm.FMulOp(value, b.const(t, 0.0)))
            b.store(red.combine(b, "sum", b.load(bad, x, t), product), bad, x)
    return bad


__all__ = ["Attention", "emit", "planned", "schedule"]
