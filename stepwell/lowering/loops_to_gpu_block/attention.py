"""Attention as one flash-style kernel: the loops-level chain

    %s = loops.contract  (q @ k^T: scores, f32)                         [..., S, T]
    %c = loops.pointwise (j > i: the causal mask, i1; only when causal) [S, T]
    %p = loops.kernel    (softmax rows of %s * scale, masked: max, sum, division)
    %o = loops.contract  (%p @ v), alone or in a kernel with a pointwise epilogue
         reading only its own tile (the bf16/f16 rounding of the result)

where the scores, the mask and the probabilities have no reader outside the chain,
becomes one `gpu_block.kernel`: the scores and probabilities never reach memory.

Where the decision lives. The `loops.kernel` contract (stepwell/dialects/loops/
contract.py) cannot hold this chain: a value computed inside a kernel is read only at
the current parallel point, one element per point, but the softmax reads a whole row
of scores per point (the scores' last dim is a reduction dim of the softmax) and the
second product reads a row of probabilities per output element; nor can a scalar
loops body hold the inner product over D that a recomputed score would need. So the
chain stays four ops, and `loops-fuse-attention` (stepwell/transforms/
loops_fuse_attention.py, before loops-tile in `lower-to-triton`) writes the decision
on each of them as `tile = #loops.gpu<attention, block = [BM, BN], warps = W, stages
= S>`: the printed IR shows which ops become one kernel and how it is tiled. loops-
plan-memory gives the chain's inner buffers no memory (`held`), and
convert-loops-to-gpu_block builds the kernel at the chain's last op and erases the
others. `match(end)` is the one recognizer; every user calls it.

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
f64 is not fused.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import sympy
from xdsl.dialects import arith, func
from xdsl.dialects import math as xmath
from xdsl.dialects.builtin import IntegerAttr, bf16, f16, f32, i32, i64
from xdsl.ir import Attribute, Block, Operation, Region, SSAValue

from stepwell.dialects import gpu_block as gb
from stepwell.dialects.loops import (
    ComputeOp,
    ContractOp,
    IndexOp,
    KernelOp,
    LoadOp,
    PointwiseOp,
    ReduceOp,
)
from stepwell.dialects.loops.access import (
    analyze,
    buffer_shape,
    contraction_sides,
    linear_offset,
)
from stepwell.dialects.loops.gpu_tile import GpuTileAttr
from stepwell.dialects.loops.index import dims, sym
from stepwell.lowering.loops_to_gpu_block.common import (
    Builder,
    TileBuilder,
    Unsupported,
    clone_body,
    pow2,
)

KIND = "attention"
TYPES = (f16, bf16, f32)  # the element types of q, k and v the kernel takes
LOG2E = 1 / math.log(2)


# --- the chain ---------------------------------------------------------------------------


@dataclass
class Chain:
    members: list[Operation]  # the function-level ops the kernel replaces, in program order; the last is `end`
    pv: ContractOp
    epilogue: list[PointwiseOp]
    scores: ContractOp
    q: LoadOp
    k: LoadOp
    v: LoadOp
    scale: float
    causal: bool

    @property
    def end(self) -> Operation:
        """The op whose results the kernel produces (the second product, or its kernel)."""
        return self.members[-1]

    @property
    def element(self) -> Attribute:
        return self.q.result.type

    @property
    def sizes(self) -> tuple[tuple[int, ...], int, int, int, int]:
        """(batch, S, T, D, E)."""
        *batch, s, t = self.scores.shape
        return tuple(batch), s, t, self.scores.reduce_shape[0], self.pv.shape[-1]

    @property
    def inputs(self) -> list[SSAValue]:
        return list(dict.fromkeys([self.q.buffer, self.k.buffer, self.v.buffer]))

    @property
    def outputs(self) -> list[SSAValue]:
        end = self.end
        return list(end.body.block.last_op.operands) if isinstance(end, KernelOp) else [end.results[0]]  # type: ignore[union-attr]


def _computed(buffer: SSAValue) -> tuple[Operation, Operation] | None:
    """The compute op that makes `buffer` (a kernel's result: the op it yields; a
    value local to a kernel: its op) and the function-level op holding it."""
    owner = buffer.owner
    if isinstance(owner, KernelOp):
        inner = owner.body.block.last_op.operands[buffer.index].owner  # type: ignore[union-attr, attr-defined]
        return inner, owner
    if isinstance(owner, ComputeOp):
        parent = owner.parent_op()
        return owner, parent if isinstance(parent, KernelOp) else owner
    return None


def _top(op: Operation) -> Operation:
    while not isinstance(op.parent_op(), func.FuncOp) and op.parent_op() is not None:
        op = op.parent_op()  # type: ignore[assignment]
    return op


def _factor(ops: Sequence[Operation], value: SSAValue) -> LoadOp | None:
    """The load of a side that is a plain load (f32) or a 16-bit load extended to f32."""
    if len(ops) == 1 and isinstance(ops[0], LoadOp) and ops[0].result.type == f32 and value is ops[0].result:
        return ops[0]
    if (len(ops) == 2 and isinstance(ops[0], LoadOp) and ops[1].name == "arith.extf"
            and ops[0].result.type in (f16, bf16) and value is ops[1].results[0]):
        return ops[0]
    return None


def _index_is(load: LoadOp, expected: Sequence[sympy.Expr]) -> bool:
    """`load` reads at `expected` (a dim of size 1 may read at 0 instead)."""
    shape = buffer_shape(load)
    got = list(load.index_exprs)
    return len(got) == len(expected) and all(g == e or n == 1 and g == 0 for g, e, n in zip(got, expected, shape))


def _const(v: SSAValue) -> float | None:
    op = v.owner
    if isinstance(op, arith.ConstantOp) and hasattr(op.value, "value"):
        return float(op.value.value.data)  # type: ignore[union-attr]
    return None


class _Scaled:
    """What the softmax's bodies compute from a score: (load S) [* scale] [then -inf
    where the mask is true: a load of the mask, or the comparison inlined]."""

    def __init__(self, value: SSAValue):
        self.ok, self.scale, self.mask_load, self.score_load = False, 1.0, None, None
        op = value.owner
        if isinstance(op, arith.SelectOp):
            if not isinstance(op.cond.owner, LoadOp | arith.CmpiOp) or _const(op.lhs) != -math.inf:
                return
            self.mask_load = op.cond.owner  # the mask's load, or j > i computed in the body
            op = op.rhs.owner
        if isinstance(op, arith.MulfOp):
            a, b = op.lhs, op.rhs
            if _const(a) is not None:
                a, b = b, a
            if _const(b) is None:
                return
            self.scale = _const(b)  # type: ignore[assignment]
            op = a.owner
        if isinstance(op, LoadOp):
            self.score_load, self.ok = op, True

    def same(self, other: _Scaled) -> bool:
        return (self.ok and other.ok and self.scale == other.scale and (self.mask_load is None) == (other.mask_load is None)
                and self.score_load.buffer is other.score_load.buffer)  # type: ignore[union-attr]


def _yielded(op) -> SSAValue:
    return op.body.block.last_op.values[0]


def _exp_minus(value: SSAValue) -> tuple[_Scaled, LoadOp] | None:
    """`value` = exp(x - load M): (x, the load of M)."""
    e = value.owner
    sub = e.operands[0].owner if isinstance(e, xmath.ExpOp) else None
    if not isinstance(sub, arith.SubfOp) or not isinstance(sub.rhs.owner, LoadOp):
        return None
    return _Scaled(sub.lhs), sub.rhs.owner


def match(end: Operation) -> Chain | None:
    """The attention chain that ends at `end` (the second product, alone or in its
    kernel), or None. The softmax may be split over kernels as loops-fuse left it
    (max, sum and division in one kernel, or the division apart); every op of the
    chain computes only chain values, and those are read only inside the chain."""
    if isinstance(end, ContractOp):
        pv, epilogue = end, []
    elif isinstance(end, KernelOp):
        ops = end.compute_ops()
        if not ops or not isinstance(ops[0], ContractOp) or not all(isinstance(o, PointwiseOp) for o in ops[1:]):
            return None
        pv, epilogue = ops[0], ops[1:]
        local = {o.result for o in ops}
        for e in epilogue:
            if e.shape != pv.shape or any(isinstance(o, IndexOp) for o in e.body.walk()):
                return None
            if any(ld.buffer not in local or not _index_is(ld, dims(len(pv.shape))) for ld in e.loads()):
                return None
    else:
        return None
    sides = contraction_sides(pv)
    if isinstance(sides, str) or any(isinstance(o, IndexOp) for o in pv.body.walk()):
        return None
    if not (len(sides.x_ops) == 1 and isinstance(sides.x_ops[0], LoadOp)):
        return None
    p_load, v = sides.x_ops[0], _factor(sides.y_ops, sides.y)
    rank = len(pv.shape)
    d, r0 = dims(rank), sym("r0")
    if v is None or not _index_is(p_load, [*d[:-1], r0]) or (found := _computed(p_load.buffer)) is None:
        return None
    div = found[0]
    # the softmax: exp(x - max) / sum, sum = reduce sum of exp(x - max), max = reduce max of x
    q_ = _yielded(div).owner if isinstance(div, PointwiseOp) else None
    if not isinstance(q_, arith.DivfOp) or not isinstance(q_.rhs.owner, LoadOp):
        return None
    top_div = _exp_minus(q_.lhs)
    total = _computed(q_.rhs.owner.buffer)
    if top_div is None or total is None or not isinstance(total[0], ReduceOp) or total[0].kind.data != "sum":
        return None
    x_div, m_load = top_div
    mx = _computed(m_load.buffer)
    of_sum = _exp_minus(_yielded(total[0]))
    if mx is None or of_sum is None or not isinstance(mx[0], ReduceOp) or mx[0].kind.data != "max":
        return None
    x_sum, m_load2 = of_sum
    if _computed(m_load2.buffer) != mx:
        return None
    x_max = _Scaled(_yielded(mx[0]))
    if not (x_max.same(x_sum) and x_max.same(x_div)):
        return None
    scores = x_max.score_load.buffer.owner  # type: ignore[union-attr]
    if not isinstance(scores, ContractOp) or len(scores.shape) != rank or scores.parent_op() is not end.parent_op():
        return None
    row, col = [*d[:-1], r0], list(d)
    for x, index in ((x_max, row), (x_sum, row), (x_div, col)):
        if not _index_is(x.score_load, index):  # type: ignore[arg-type]
            return None
    ssides = contraction_sides(scores)
    if isinstance(ssides, str) or any(isinstance(o, IndexOp) for o in scores.body.walk()):
        return None
    q, k = _factor(ssides.x_ops, ssides.x), _factor(ssides.y_ops, ssides.y)
    if q is None or k is None or not (q.result.type == k.result.type == v.result.type) or q.result.type not in TYPES:
        return None
    *batch, s, t = scores.shape
    if scores.reduce_shape[0] == 0 or t == 0 or pv.reduce_shape != (t,) or list(pv.shape[:-1]) != [*batch, s]:
        return None
    mask, causal = None, x_max.mask_load is not None
    compares: set[Operation] = set()  # the inlined comparisons j > i
    if causal:
        loads = [x.mask_load for x in (x_max, x_sum, x_div) if isinstance(x.mask_load, LoadOp)]
        if loads:
            mask = loads[0].buffer.owner
            if not _causal_mask(mask, s, t) or mask.parent_op() is not end.parent_op():
                return None
        for x, index in ((x_max, [d[-2], r0]), (x_sum, [d[-2], r0]), (x_div, [d[-2], d[-1]])):
            cond = x.mask_load
            if isinstance(cond, LoadOp):
                if cond.buffer is not mask.result or not _index_is(cond, index):  # type: ignore[union-attr]
                    return None
            elif not _is_future(cond, index[1], index[0]):
                return None
            else:
                compares.add(cond)
    inner = {scores, mask, mx[0], total[0], div} - {None}
    members = {scores, mask, mx[1], total[1], found[1], end} - {None}
    for m in members - {end}:  # only chain ops, read only inside the chain
        if isinstance(m, KernelOp) and not set(m.compute_ops()) <= inner:
            return None
        if any(_top(use.operation) not in members for r in m.results for use in r.uses):
            return None
    for op in (mx[0], total[0], div):  # their bodies read only the scores, the mask, the max and the sum
        allowed = {scores.result, mx[0].results[0], total[0].results[0], *(mask.results if mask else ())}
        indices = {o for o in op.body.walk() if isinstance(o, IndexOp)}
        if indices - {a.owner for c in compares for a in c.operands}:
            return None
        for ld in op.loads():
            made = _computed(ld.buffer)
            if made is None or made[0].results[0] not in allowed:
                return None
    block = list(end.parent.ops)  # type: ignore[union-attr]
    ordered = sorted(members, key=block.index)
    if ordered[-1] is not end:
        return None
    return Chain(ordered, pv, epilogue, scores, q, k, v, x_max.scale, causal)  # type: ignore[arg-type]


def _is_future(cmp, col: sympy.Expr, row: sympy.Expr) -> bool:
    """`cmp` is loops.index [col] > loops.index [row]: key j after query i."""
    if not isinstance(cmp, arith.CmpiOp) or cmp.predicate.value.data != 4:  # sgt
        return False
    a, b = cmp.lhs.owner, cmp.rhs.owner
    return isinstance(a, IndexOp) and isinstance(b, IndexOp) and a.index_expr == col and b.index_expr == row


def _causal_mask(op, s: int, t: int) -> bool:
    """`op` is the pointwise [S, T] mask j > i (loops.index [d1] > loops.index [d0])."""
    if not isinstance(op, PointwiseOp) or op.shape != (s, t) or list(op.loads()):
        return False
    return _is_future(_yielded(op).owner, sym("d1"), sym("d0"))


def chains(fn: func.FuncOp) -> list[Chain]:
    """Every attention chain of `fn`."""
    return [c for op in fn.body.block.ops if (c := match(op)) is not None]


def is_tiled(op: Operation) -> bool:
    attr = op.attributes.get("tile")
    return isinstance(attr, GpuTileAttr) and attr.kind.data == KIND


def held(fn: func.FuncOp) -> dict[Operation, Chain]:
    """The ops of `fn` that an attention kernel (a chain whose last op is tiled
    `attention`) replaces, other than that last op: their buffers never reach memory."""
    out: dict[Operation, Chain] = {}
    for c in chains(fn):
        if is_tiled(c.end):
            out.update((m, c) for m in c.members[:-1])
    return out


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
