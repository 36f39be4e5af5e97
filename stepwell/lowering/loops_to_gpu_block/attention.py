"""Attention as one flash-style kernel: the loops-level chain

    %s = loops.contract  (q @ k^T: scores, f32)                         [..., S, T]
    %c = loops.pointwise (j > i: the causal mask, i1; only when causal) [S, T]
    %p = loops.kernel    (softmax rows of %s * scale, masked: max, sum, division)
    %o = loops.contract  (%p @ v), alone or in a kernel with a pointwise epilogue
         reading only its own tile (the bf16/f16 rounding of the result)

where the scores, the mask and the probabilities have no reader outside the chain,
becomes one `gpu_block.kernel`: the scores and probabilities never reach memory.

Where the decision lives. The chain and its recognizer are the loops level's
(stepwell/dialects/loops/attention.py: `match`, `chains`, and why a `loops.kernel`
cannot hold it), shared with the CPU. `loops-fuse-attention` (stepwell/transforms/
loops_fuse_attention.py, before loops-tile in `lower-to-triton`) writes the GPU's
decision on each op of a chain as `tile = #loops.gpu<attention, block = [BM, BN],
warps = W, stages = S>`: the printed IR shows which ops become one kernel and how it
is tiled. loops-plan-memory gives the chain's inner buffers no memory (`held`), and
convert-loops-to-gpu_block builds the kernel at the chain's last op and erases the
others.

The kernel (`block = [BM, BN]`): one program instance per (batch point, BM query
rows), the batch points' row tiles adjacent so that the programs running together
share one head's k and v in L2. The q tile [BM, D] is loaded once; a `gpu_block.for`
over the keys in steps of BN carries the row max m (log2 units), the row sum l and
the accumulator acc [BM, E]:

    s   = dot(q, k^T tile)                  (16-bit factors on the tensor cores, f32 sums;
                                             f32 factors: ieee)
    x   = s * (scale * log2 e); -inf where j >= T or (causal) j > i
    m'  = max(m, rowmax(x));  base = m' where finite-or-NaN, 0 where m' = -inf
    a   = exp2(m - base);  p = exp2(x - base);  l = l * a + rowsum(p)
    acc = dot(p rounded to the input type, v tile, acc * a)

then out = acc / l, the end op's epilogue, a masked store. Causal: the loop stops at
the row tile's last row (later key tiles are fully masked) and a second loop reads
the skipped v rows only to add 0 * v (0, or NaN for an inf or NaN there), since the
reference's 0-probability products of those rows still make NaN of them.

Numerics against the reference (spec, "Numerics"; a composite is judged as a whole,
the differential tests' composite tolerance: f32 1e-5, f16 1e-2, bf16 6e-2, and 0.6
for 16-bit attention where the unfused path rounds its intermediates). The unfused
loops IR keeps scores and probabilities in f32; this kernel rounds p to the 16-bit
input type for the tensor cores, as flash attention does (relative 2^-9 for bf16 per
probability, far inside the tolerance), and keeps f32 inputs in f32 (ieee products):
the f32 kernel differs from the unfused one only in summation order and in exp2 of
the scaled score (one more rounding of the exponent's argument). Special values match
the reference: a row whose scores are all -inf gives 0/0 = NaN (the `base` guard
keeps p = 0 until a finite max is seen, as the reference's max over the whole row
does), +inf and NaN scores give NaN rows, the max propagates NaN (`maximumf`, the
`max` reduction kind). Causal rows never are fully masked (j = 0 <= i), nor are rows
of T >= 1 keys by the bounds mask; T = 0 is not fused (the unfused path gives zeros).
f64 is not fused here (the CPU fuses it).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import sympy
from xdsl.dialects import arith, func
from xdsl.dialects import math as xmath
from xdsl.dialects.builtin import IntegerAttr, bf16, f16, f32, i32, i64
from xdsl.ir import Block, Operation, Region, SSAValue

from stepwell.dialects import gpu_block as gb
from stepwell.dialects.loops import LoadOp
from stepwell.dialects.loops.access import analyze, buffer_shape, linear_offset
from stepwell.dialects.loops.attention import KIND, Chain, chains, match
from stepwell.dialects.loops.attention import held as chain_held
from stepwell.dialects.loops.gpu_tile import GpuTileAttr
from stepwell.dialects.loops.index import dims, sym
from stepwell.lowering.loops_to_gpu_block.common import (
    Builder,
    TileBuilder,
    Unsupported,
    clone_body,
    pow2,
)

__all__ = ["TYPES", "Chain", "attention", "chains", "held", "is_tiled", "match", "tile"]

TYPES = (f16, bf16, f32)  # the element types of q, k and v the kernel takes
LOG2E = 1 / math.log(2)


# --- the chain (stepwell/dialects/loops/attention.py) -------------------------------------


def is_tiled(op: Operation) -> bool:
    attr = op.attributes.get("tile")
    return isinstance(attr, GpuTileAttr) and attr.kind.data == KIND


def held(fn: func.FuncOp) -> dict[Operation, Chain]:
    """The ops of `fn` that an attention kernel of this target replaces (a chain
    whose last op is tiled `attention`), other than that last op."""
    return chain_held(fn, is_tiled)


# --- the tiling decision ---------------------------------------------------------------


def tile(c: Chain) -> GpuTileAttr:
    """Flash attention's tiles on Hopper: 128 query rows, 64 keys a step, 4 warps
    (8 for a head dim over 64), 3 stages; smaller for short sequences (at least 16, tl.dot's
    least), f32 factors (ieee products in registers) 64 x 32."""
    _, s, t, dd, e = c.sizes
    wide = c.element != f32
    bm = max(16, min(128 if wide else 64, pow2(s)))
    bn = max(16, min(64 if wide else 32, pow2(t)))
    warps = 8 if wide and max(dd, e) > 64 and bm == 128 else 4
    return GpuTileAttr.make(KIND, [bm, bn], warps, 3 if wide else 2)


# --- the kernel ------------------------------------------------------------------------

I, J, R, E = (sympy.Symbol(n, integer=True, nonnegative=True) for n in ("att_i", "att_j", "att_r", "att_e"))


def attention(c: Chain, name: str) -> gb.KernelOp:
    attr = c.end.attributes.get("tile")
    if not isinstance(attr, GpuTileAttr) or attr.kind.data != KIND or len(attr.block) != 2:
        raise Unsupported(c.end, f"attention is tiled as #loops.gpu<attention, block = [BM, BN], ...>, got {attr}")
    if c.element not in TYPES:
        raise Unsupported(c.end, f"the Triton attention kernel takes f16, bf16 or f32, got {c.element}")
    bm, bn = attr.block
    if min(bm, bn) < gb.ops.MIN_DOT_DIM:
        raise Unsupported(c.end, f"tl.dot needs blocks of at least {gb.ops.MIN_DOT_DIM}, got {bm}x{bn}")
    return _Builder(c, name, bm, bn).build(attr.warps, attr.stages)


class _Builder(TileBuilder):
    def __init__(self, c: Chain, name: str, bm: int, bn: int):
        self.c, self.name, self.bm, self.bn = c, name, bm, bn
        self.batch, self.s, self.t, self.d, self.e = c.sizes
        self.bd, self.be = max(16, pow2(self.d)), max(16, pow2(self.e))
        rank = len(c.scores.shape)
        ds, r0 = dims(rank), sym("r0")
        self.bsyms = ds[:-2]
        # each access as a linear offset over the kernel's symbols: batch d's, I, J, R, E
        self.q_off = self._offset(c.q, {ds[-2]: I, r0: R})
        self.k_off = self._offset(c.k, {ds[-1]: J, r0: R})
        self.v_off = self._offset(c.v, {r0: J, ds[-1]: E})
        self.o_off = sympy.expand(linear_offset(c.pv.shape, ds).subs({ds[-2]: I, ds[-1]: E}))
        super().__init__([*c.inputs, *c.outputs], self.batch, self.bsyms, not self._fits_i32())

    def _offset(self, load: LoadOp, subs) -> sympy.Expr:
        return sympy.expand(linear_offset(buffer_shape(load), load.index_exprs).subs(subs))

    def _fits_i32(self) -> bool:
        c, ds = self.c, dims(len(self.c.scores.shape))
        space = [*zip(self.bsyms, self.batch)]
        extents = {"q": (self.s + self.bm, self.d + self.bd), "k": (self.t + self.bn, self.d + self.bd)}
        checks = [
            analyze(buffer_shape(c.q), c.q.index_exprs, [*space, (ds[-2], extents["q"][0]), (sym("r0"), extents["q"][1])]),
            analyze(buffer_shape(c.k), c.k.index_exprs, [*space, (ds[-1], extents["k"][0]), (sym("r0"), extents["k"][1])]),
            analyze(buffer_shape(c.v), c.v.index_exprs, [*space, (sym("r0"), self.t + self.bn), (ds[-1], self.e + self.be)]),
            analyze(c.pv.shape, ds, [*space, (ds[-2], self.s + self.bm), (ds[-1], self.e + self.be)]),
        ]
        return all(a.fits_i32 for a in checks)

    # -- blocks of indices ----------------------------------------------------------------

    # -- elementwise pieces ---------------------------------------------------------------

    def map(self, ins: Sequence[SSAValue], fn, hint: str | None = None) -> SSAValue:
        """A map over `ins` whose body is `fn(builder, *args)` (the yielded scalar)."""
        body = Block(arg_types=[gb.ops.element_of(v.type) for v in ins])
        r = fn(Builder(body), *body.args)
        body.add_op(gb.YieldOp(r))
        return self.op(gb.MapOp(list(ins), [r.type], Region(body)), hint)

    def rows(self, v: SSAValue, shape: Sequence[int]) -> SSAValue:
        """A [BM] block broadcast along a new last axis to `shape`."""
        return self.op(gb.BroadcastOp(self.op(gb.ExpandDimsOp(v, 1)), shape))

    def pointers(self, arg: SSAValue, offs: SSAValue, hint: str) -> SSAValue:
        shape = gb.ops.shape_of(offs.type)
        return self.op(gb.AddPtrOp(self.op(gb.SplatOp(arg, shape)), offs), hint)

    def arg_of(self, buffer: SSAValue) -> SSAValue:
        return self.block.args[self.c.inputs.index(buffer)]

    def moved(self, ptrs: SSAValue, j0: SSAValue, stride: int) -> SSAValue:
        step = self.scalar(j0) if stride == 1 else self.op(arith.MuliOp(self.scalar(j0), self.b.const(stride, self.itype)))
        return self.op(gb.AddPtrOp(ptrs, self.op(gb.SplatOp(step, gb.ops.shape_of(ptrs.type)))))

    def load(self, ptrs: SSAValue, mask: SSAValue | None, hint: str) -> SSAValue:
        other = self.b.const(0, self.c.element) if mask is not None else None
        return self.op(gb.LoadOp(ptrs, mask, other), hint)

    def stride(self, off: sympy.Expr, load: LoadOp) -> int:
        k = sympy.diff(off, J)
        if not k.is_Integer or J in (off - k * J).free_symbols:
            raise Unsupported(self.c.end, "attention reading k or v at a non-affine index is not supported by the Triton path yet")
        return int(k)

    # -- the kernel -------------------------------------------------------------------------

    def build(self, warps: int, stages: int | None) -> gb.KernelOp:
        c, b = self.c, self.b
        bm, bn, bd, be = self.bm, self.bn, self.bd, self.be
        s, t, d, e = self.s, self.t, self.d, self.e
        num_m = -(-s // bm)
        pid = self.op(gb.ProgramIdOp(0), "pid")
        self.bat = self.scalar(self.op(arith.DivSIOp(pid, b.const(num_m, i32))), "bat")
        rm = self.op(arith.MuliOp(self.op(arith.RemSIOp(pid, b.const(num_m, i32)), "pid_m"), b.const(bm, i32)), "rm")
        zero = b.const(0, self.itype)
        rm_x = self.scalar(rm)

        # q [BM, BD], loaded once; k^T [BD, BN] and v [BN, BE] pointers at key 0
        q_masks = [(I, s)] * (s % bm != 0) + [(R, d)] * (d != bd)
        got = self.index_map([bm, bd], {I: (rm_x, 0), R: (zero, 1)}, [(self.q_off, "q_offs", c.q)], q_masks)
        q = self.load(self.pointers(self.arg_of(c.q.buffer), got[0], "q_ptrs"), got[1] if q_masks else None, "q")
        (k_offs,) = self.index_map([bd, bn], {R: (zero, 0), J: (zero, 1)}, [(self.k_off, "k_offs", c.k)], [])
        (v_offs,) = self.index_map([bn, be], {J: (zero, 0), E: (zero, 1)}, [(self.v_off, "v_offs", c.v)], [])
        k_ptrs = self.pointers(self.arg_of(c.k.buffer), k_offs, "k_ptrs")
        v_ptrs = self.pointers(self.arg_of(c.v.buffer), v_offs, "v_ptrs")
        k_step, v_step = self.stride(self.k_off, c.k), self.stride(self.v_off, c.v)

        # the row max (log2 units), the row sum, the accumulator
        m0 = self.map([self.op(gb.ArangeOp(0, bm))], lambda mb, _: mb.const(-math.inf, f32), "m_i")
        l0 = self.map([self.op(gb.ArangeOp(0, bm))], lambda mb, _: mb.const(0.0, f32), "l_i")
        acc0 = self.fill([bm, be], 0.0, f32, "acc")
        hi = b.const(t, i32)
        if c.causal:  # key tiles past the row tile's last row are fully masked
            hi = self.op(arith.MinSIOp(hi, self.op(arith.AddiOp(rm, b.const(bm, i32)))), "hi")
        loop = gb.ForOp(b.const(0, i32), hi, b.const(bn, i32), [m0, l0, acc0])
        for arg, h in zip(loop.body.block.args, ("j", "m_i", "l_i", "acc")):
            arg.name_hint = h
        outer, self.b = self.b, Builder(loop.body.block)
        self.b.consts = dict(outer.consts)
        j0, m_i, l_i, acc = loop.body.block.args
        j0x = self.scalar(j0)
        k_masks = [(R, d)] * (d != bd) + [(J, t)] * (t % bn != 0)
        kmask = self.index_map([bd, bn], {R: (zero, 0), J: (j0x, 1)}, [], k_masks) if k_masks else [None]
        kt = self.load(self.moved(k_ptrs, j0, k_step), kmask[0], "kt")
        scores = self.op(gb.DotOp(q, kt, self.fill([bm, bn], 0.0, f32, "zero"), "ieee"), "qk")
        # scale (log2 e folded in), -inf past T and (causal) above the diagonal
        sxs = self.index_map([bm, bn], {I: (rm_x, 0), J: (j0x, 1)}, [(I, "rows", c.k), (J, "cols", c.k)], [])
        factor = c.scale * LOG2E

        def scaled(mb: Builder, sc, i, j):
            x = mb.add(arith.MulfOp(sc, mb.const(factor, f32))).result
            ninf = mb.const(-math.inf, f32)
            if t % bn:
                x = mb.add(arith.SelectOp(mb.add(arith.CmpiOp(j, mb.const(t, self.itype), "sge")).result, ninf, x)).result
            if c.causal:
                x = mb.add(arith.SelectOp(mb.add(arith.CmpiOp(j, i, "sgt")).result, ninf, x)).result
            return x

        x = self.map([scores, *sxs], scaled, "s")
        m_new = self.map([m_i, self.op(gb.ReduceOp("max", x, 1))], lambda mb, a, m: mb.add(arith.MaximumfOp(a, m)).result, "m_new")

        def finite_base(mb: Builder, m):
            ninf = mb.add(arith.CmpfOp(m, mb.const(-math.inf, f32), "oeq")).result
            return mb.add(arith.SelectOp(ninf, mb.const(0.0, f32), m)).result

        base = self.map([m_new], finite_base, "base")
        exp2 = lambda mb, a, m: mb.add(xmath.Exp2Op(mb.add(arith.SubfOp(a, m)).result)).result
        alpha = self.map([m_i, base], exp2, "alpha")
        p = self.map([x, self.rows(base, [bm, bn])], exp2, "p")
        l_new = self.map([l_i, alpha, self.op(gb.ReduceOp("sum", p, 1))],
                         lambda mb, lv, a, ps: mb.add(arith.AddfOp(mb.add(arith.MulfOp(lv, a)).result, ps)).result, "l_new")
        v_masks = [(J, t)] * (t % bn != 0) + [(E, e)] * (e != be)
        vmask = self.index_map([bn, be], {J: (j0x, 0), E: (zero, 1)}, [], v_masks) if v_masks else [None]
        vt = self.load(self.moved(v_ptrs, j0, v_step), vmask[0], "v")
        scaled_acc = self.map([acc, self.rows(alpha, [bm, be])], lambda mb, a, al: mb.add(arith.MulfOp(a, al)).result, "acc")
        if c.element != f32:  # p rounded to the input type for the tensor cores
            p = self.map([p], lambda mb, v: mb.add(arith.TruncFOp(v, c.element)).result, "p16")
        acc_new = self.op(gb.DotOp(p, vt, scaled_acc, "ieee"), "acc")
        self.b.add(gb.YieldOp(m_new, l_new, acc_new))
        self.b = outer
        outer.add(loop)
        _, l_i, acc = loop.outputs
        if c.causal:
            acc = self.skipped_v(acc, hi, v_ptrs, v_step, zero)

        # out = acc / l, the end op's epilogue, masked stores
        out = self.map([acc, self.rows(l_i, [bm, be])], lambda mb, a, lv: mb.add(arith.DivfOp(a, lv)).result, "out")
        value = {c.pv.result: out}
        for ep in c.epilogue:
            ins = [value[ld.buffer] for ld in ep.loads()]
            ins = list(dict.fromkeys(ins)) or [out]
            body = Block(arg_types=[gb.ops.element_of(v.type) for v in ins])
            mapping = {ld.result: body.args[ins.index(value[ld.buffer])] for ld in ep.loads()}
            r = clone_body(Builder(body), ep, mapping)
            body.add_op(gb.YieldOp(r))
            value[ep.result] = self.op(gb.MapOp(ins, [ep.yield_type()], Region(body)), ep.result.name_hint)
        o_masks = [(I, s)] * (s % bm != 0) + [(E, e)] * (e != be)
        got = self.index_map([bm, be], {I: (rm_x, 0), E: (zero, 1)}, [(self.o_off, "o_offs", c.pv)], o_masks)
        for v, arg in zip(c.outputs, self.block.args[len(c.inputs):]):
            self.b.add(gb.StoreOp(self.pointers(arg, got[0], "o_ptrs"), value[v], got[1] if o_masks else None))
        self.b.add(gb.ReturnOp())
        facts = [{"divisibility": IntegerAttr(16, i64)}] * len(self.block.args)
        grid = [str(max(math.prod(self.batch), 1) * num_m)]
        return gb.KernelOp(self.name, [a.type for a in self.block.args], grid, warps, stages, facts, Region(self.block))

    def skipped_v(self, acc: SSAValue, hi: SSAValue, v_ptrs: SSAValue, v_step: int, zero: SSAValue) -> SSAValue:
        """acc + the sums of 0 * v over the key rows the causal loop skipped: 0, or NaN
        in a column where such a row holds inf or NaN, as the reference's products of
        those rows with their 0 probabilities give."""
        bn, be, t, e = self.bn, self.be, self.t, self.e
        bad0 = self.map([self.op(gb.ArangeOp(0, be))], lambda mb, _: mb.const(0.0, f32), "v_bad")
        loop = gb.ForOp(hi, self.b.const(t, i32), self.b.const(bn, i32), [bad0])
        loop.body.block.args[0].name_hint, loop.body.block.args[1].name_hint = "j", "v_bad"
        outer, self.b = self.b, Builder(loop.body.block)
        self.b.consts = dict(outer.consts)
        j0, bad = loop.body.block.args
        masks = [(J, t), (E, e)] if e != be else [(J, t)]
        (vmask,) = self.index_map([bn, be], {J: (self.scalar(j0), 0), E: (zero, 1)}, [], masks)
        vt = self.load(self.moved(v_ptrs, j0, v_step), vmask, "v")

        def times_zero(mb: Builder, v):
            if v.type != f32:
                v = mb.add(arith.ExtFOp(v, f32)).result
            return mb.add(arith.MulfOp(v, mb.const(0.0, f32))).result

        col = self.op(gb.ReduceOp("sum", self.map([vt], times_zero), 0))
        self.b.add(gb.YieldOp(self.map([bad, col], lambda mb, a, x: mb.add(arith.AddfOp(a, x)).result, "v_bad")))
        self.b = outer
        outer.add(loop)
        bad = self.op(gb.BroadcastOp(self.op(gb.ExpandDimsOp(loop.outputs[0], 0)), [self.bm, be]))
        return self.map([acc, bad], lambda mb, a, x: mb.add(arith.AddfOp(a, x)).result, "acc")
