"""The attention chain at the loops level: what a fused attention kernel replaces.

    %s = loops.contract  (q @ k^T: the scores)                          [..., S, T]
    %c = loops.pointwise (j > i: the causal mask, i1; only when causal) [S, T]
    %p = loops.kernel    (softmax rows of %s * scale, masked: max, sum, division)
    %o = loops.contract  (%p @ v), alone or in a kernel with a pointwise epilogue
         reading only its own tile (the bf16/f16 rounding of the result)

where the scores, the mask and the probabilities have no reader outside the chain.
`match(end)` is the one recognizer and `chains(fn)` finds every chain of a function;
each target decides on its own whether to fuse one, and writes the decision on every
op of the chain: the GPU as `tile = #loops.gpu<attention, ...>` (loops-fuse-attention,
stepwell/lowering/loops_to_gpu_block/attention.py), the CPU as `schedule =
#loops.cpu<attention, ...>` (loops-schedule-cpu, stepwell/lowering/loops_to_llvm/
attention.py). `held(fn)` is then what loops-plan-memory gives no memory: the ops
of a chain whose last op is marked, other than that last op.

Why a chain and not a `loops.kernel`: the kernel contract (stepwell/dialects/loops/
contract.py) reads a value computed inside a kernel only at the current parallel
point, one element per point, but the softmax reads a whole row of scores per point
(the scores' last dim is a reduction dim of the softmax) and the second product
reads a row of probabilities per output element; nor can a scalar loops body hold
the inner product over D that a recomputed score would need.

q, k and v are f32 or f64 (plain loads) or f16/bf16 (loads extended to f32: the
decomposition computes a 16-bit attention in f32), all of one type. The ops of a
chain that a fused kernel replaces keep their `math.exp` (loops-expand-math leaves
them alone: the kernel computes its own exp), so the recognizer still reads them
after that pass.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import sympy
from xdsl.dialects import arith, func
from xdsl.dialects import math as xmath
from xdsl.dialects.builtin import bf16, f16, f32, f64
from xdsl.ir import Attribute, Operation, SSAValue

from stepwell.dialects.loops.access import buffer_shape, contraction_sides
from stepwell.dialects.loops.gpu_tile import GpuTileAttr
from stepwell.dialects.loops.index import dims, sym
from stepwell.dialects.loops.ops import (
    ComputeOp,
    ContractOp,
    IndexOp,
    KernelOp,
    LoadOp,
    PointwiseOp,
    ReduceOp,
)
from stepwell.dialects.loops.schedule import CpuScheduleAttr

KIND = "attention"  # the kind of the marks, #loops.gpu<attention, ...> and #loops.cpu<attention, ...>
WIDE = (f32, f64)  # factors loaded as they are
NARROW = (f16, bf16)  # factors extended to f32


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
    """The load of a side that is a plain load (f32, f64) or a 16-bit load extended to f32."""
    if len(ops) == 1 and isinstance(ops[0], LoadOp) and ops[0].result.type in WIDE and value is ops[0].result:
        return ops[0]
    if (len(ops) == 2 and isinstance(ops[0], LoadOp) and ops[1].name == "arith.extf"
            and ops[0].result.type in NARROW and ops[1].results[0].type == f32 and value is ops[1].results[0]):
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
    if q is None or k is None or not (q.result.type == k.result.type == v.result.type):
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
            elif not _is_future(cond, index[1], index[0], s, t):
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


def _is_future(cmp, col: sympy.Expr, row: sympy.Expr, s: int, t: int) -> bool:
    """`cmp` is loops.index [col] > loops.index [row]: key j after query i (a dim of
    size 1, S or T, may be read as 0 instead)."""
    if not isinstance(cmp, arith.CmpiOp) or cmp.predicate.value.data != 4:  # sgt
        return False
    a, b = cmp.lhs.owner, cmp.rhs.owner
    return (isinstance(a, IndexOp) and isinstance(b, IndexOp) and a.index_expr in (col, *[0] * (t == 1))
            and b.index_expr in (row, *[0] * (s == 1)))


def _causal_mask(op, s: int, t: int) -> bool:
    """`op` is the pointwise [S, T] mask j > i (loops.index [d1] > loops.index [d0])."""
    if not isinstance(op, PointwiseOp) or op.shape != (s, t) or list(op.loads()):
        return False
    return _is_future(_yielded(op).owner, sym("d1"), sym("d0"), s, t)


def chains(fn: func.FuncOp) -> list[Chain]:
    """Every attention chain of `fn`."""
    return [c for op in fn.body.block.ops if (c := match(op)) is not None]


def is_marked(op: Operation) -> bool:
    """Whether `op` carries a fused-attention decision, for the GPU or the CPU."""
    return any(_is_kind(op.attributes.get(name)) for name in ("tile", "schedule"))


def _is_kind(attr) -> bool:
    return isinstance(attr, GpuTileAttr | CpuScheduleAttr) and attr.kind.data == KIND


def held(fn: func.FuncOp, marked: Callable[[Operation], bool] = is_marked) -> dict[Operation, Chain]:
    """The ops of `fn` that an attention kernel (a chain whose last op is `marked`)
    replaces, other than that last op: their buffers never reach memory."""
    out: dict[Operation, Chain] = {}
    for c in chains(fn):
        if marked(c.end):
            out.update((m, c) for m in c.members[:-1])
    return out


def held_in(module: Operation) -> set[Operation]:
    """`held` of every function of `module`: the ops whose bodies no target lowers
    (loops-expand-math leaves their math alone)."""
    return {op for fn in module.walk() if isinstance(fn, func.FuncOp) and fn.body.blocks for op in held(fn)}
