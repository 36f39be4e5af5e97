"""`loops-split-reduction`: a reduction with too few outputs to keep the cores busy
becomes a split reduction: partial results per chunk of its reduced space, then a
small combine over the chunks (never one sequential loop over all the work).

    %s = loops.reduce sum over [2048, 4096] : tensor<f32> {
      %0 = loops.load %x[r0, r1] : tensor<2048x4096xf32>
      loops.yield %0 : f32
    }

becomes (C = 64 chunks, each 32 rows of the reduced space)

    %s_part = loops.reduce sum over [32, 4096] : tensor<64xf32> {
      %0 = loops.load %x[32 * d0 + r0, r1] : tensor<2048x4096xf32>
      loops.yield %0 : f32
    }
    %s = loops.reduce sum over [64] : tensor<f32> {
      %1 = loops.load %s_part[r0] : tensor<64xf32>
      loops.yield %1 : f32
    }

When. A `loops.reduce` outside a kernel (a `loops.contract` is left to the GEMM) whose
output has fewer than `min-parallelism` parallel points (contract.MIN_PARALLELISM) and
whose work (outputs x reduced points) is at least `min-split-work` scalar iterations.
Its parallel points are its outputs, or, when its loads walk memory along its innermost
output dim (a column sum, `access.reads_along_output`), its rows of that dim: a core
accumulates a whole row at once, so `sum over axis 0` of [2048, 4096] has one row and
is split into chunks of rows, each giving a row of partial sums.

How. The partial reduction's result has a new leading dim of C chunks (d0; the op's
own d-dims follow), and one reduced dim r_j of size R is cut into C contiguous ranges
of R / C: r_j becomes `(R / C) * d0 + r_j`. C divides R (no masking), outputs x C
reaches `min-parallelism` where a divisor allows, and every chunk keeps at least
min-split-work / min-parallelism iterations. The outermost reduced dim is cut when it
can be (a chunk is then a contiguous range of the flattened reduced space); else the
dim that gives the most parallelism. With no useful divisor (a prime size too small
to cut, or one whose chunks would be too small) the op stays as it is.

Kinds. sum, prod, max, min combine their partial results with the same kind (on i1
too: xor, and, or, and). A sum or product of f16/bf16 keeps its partial results in
f32, the type it accumulates in, and the combine's f32 total is rounded once by a
pointwise truncf. Integer results and max/min stay exact; a float sum or product is
reassociated, which the spec allows (its error is judged relative to the sum of
absolute values). argmax/argmin cut only the outermost reduced dim, so chunks are in
the order of positions: the partial argmax gives each chunk's first best position; the
combine is an argmax over the chunks of the values at those positions (the body
evaluated again there, through a load with a symbol), so ties go to the lowest chunk
and the first NaN still wins; a pointwise op turns (chunk, position) into the
position. A body that reads a reduced index with `loops.index` cannot be evaluated at
a position read at run time, so such an arg reduction stays as it is.

GPU rules (lower-to-triton's options). `column-width=64`: a GPU column kernel's
program instance owns 64 consecutive outputs, so a column sum's parallel points are
its rows times its 64-wide pieces (sum over axis 0 of [8192, 8192]: 128 points, so 4
chunks of 2048 rows with min-parallelism=264: 512 program instances, 128 KiB of
partial sums for a 256 MiB input, where counting a whole row as one point cut it into
512 chunks and wrote 16 MiB). `split-args=false`: argmax/argmin stay whole (their
combine's load at a run-time position is a gather the Triton path does not build; a
looped row kernel reads the row once anyway). `split-chains=false`: a reduction that
reads another's result, or whose result another reads, through pointwise ops
(softmax's max and sum, layer_norm's mean and variance) stays whole: a fused row
kernel computes the chain in one program instance per row, where split chains fuse
into kernels of several reduction dims.

Options: `loops-split-reduction{min-parallelism=64 min-split-work=65536 column-width=0
split-args=true split-chains=true remarks=false}`.
With `remarks=true` (or `stepwell-opt --remarks=loops-split-reduction`) each split is reported as a remark on the op,

    split reduction %s into 64 chunks of 131072 iterations (r0: 64 x 32): 64 x 1
    partial results, then a combine over 64

and each op with enough work left alone says why (`reduction %s not split: no
divisor >= 2 of ... leaves chunks of at least 1024 iterations`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import sympy
from xdsl.context import Context
from xdsl.dialects import arith
from xdsl.dialects.builtin import IntegerAttr, ModuleOp, TensorType, i64
from xdsl.ir import Attribute, Block, Operation, Region, SSAValue
from xdsl.passes import ModulePass
from xdsl.rewriter import InsertPoint, Rewriter

from stepwell.dialects.loops import ContractOp, IndexOp, KernelOp, LoadOp, PointwiseOp, ReduceOp, YieldOp
from stepwell.dialects.loops.access import reads_along_output
from stepwell.dialects.loops.bodies import POSITION, copy_ops
from stepwell.dialects.loops.contract import MIN_PARALLELISM
from stepwell.dialects.loops.index import dims, sym
from stepwell.dtypes import compute_dtype, element_type_of, numpy_dtype
from stepwell.ir import report
from stepwell.semantics import ARG_KINDS

MIN_SPLIT_WORK = 1 << 16
"""Scalar iterations below which a reduction is not worth splitting."""


@dataclass(frozen=True)
class Split:
    dim: int  # the reduced dim cut into chunks
    chunks: int  # C, a divisor of that dim's size


def divisors(n: int) -> list[int]:
    small = [c for c in range(1, math.isqrt(n) + 1) if n % c == 0]
    return sorted({*small, *(n // c for c in small)})


def choose_split(over: Sequence[int], target: int, min_chunk: int, outermost_only: bool, outputs: int = 1) -> Split | None:
    """Which reduced dim to cut into how many chunks: at least `target` chunks if a
    divisor allows, each of at least `min_chunk` iterations (`outputs` x its share of
    the reduced space); the outermost dim on a tie."""
    work = outputs * math.prod(over)
    best: Split | None = None
    for j, n in enumerate(over[:1] if outermost_only else over):
        usable = [c for c in divisors(n) if c >= 2 and work // c >= min_chunk]
        if not usable:
            continue
        enough = [c for c in usable if c >= target]
        c = min(enough) if enough else max(usable)
        if best is None or min(c, target) > min(best.chunks, target):
            best = Split(j, c)
    return best


# --- the rewrite -------------------------------------------------------------------------


def copy_body(block: Block, subst: dict[sympy.Symbol, sympy.Expr], position: SSAValue | None = None) -> Block:
    """A copy of a scalar body with its index symbols replaced by `subst` (POSITION in
    it stands for the value `position`, read at run time: bodies.copy_ops)."""
    return Block(list(copy_ops(block.ops, subst, {}, position=position)))


def _tensor(shape: Sequence[int], elt: Attribute) -> TensorType:
    return TensorType(elt, list(shape))


def _body(*ops: Operation) -> Region:
    block = Block()
    block.add_ops(ops)
    return Region(block)


def split_reduction(op: ReduceOp, split: Split) -> None:
    """Rewrite `op` into its partial reduction and the combine."""
    step = op.reduce_shape[split.dim] // split.chunks
    partial = _partial(op, split, step)
    combine = _combine_arg(op, partial, step) if op.kind.data in ARG_KINDS else _combine(op, partial)
    new_ops = [partial, *combine]
    if op.result.name_hint:  # %s_part, then %s_combined where the combine is not yet %s
        for inner, suffix in zip(new_ops, ["_part", *["_combined"] * (len(new_ops) - 2), ""]):
            inner.results[0].name_hint = op.result.name_hint + suffix
    Rewriter.insert_op(new_ops, InsertPoint.before(op))
    op.result.replace_all_uses_with(new_ops[-1].results[0])
    Rewriter.erase_op(op)


def _partial(op: ReduceOp, split: Split, step: int) -> ReduceOp:
    """The reduction of each chunk: a leading chunk dim d0, r_j cut into chunks of `step`."""
    kind, over, shape = op.kind.data, list(op.reduce_shape), list(op.shape)
    subst: dict[sympy.Symbol, sympy.Expr] = {s: sym(f"d{i + 1}") for i, s in enumerate(dims(len(shape)))}
    subst[sym(f"r{split.dim}")] = step * sym("d0") + sym(f"r{split.dim}")
    body = copy_body(op.body.block, subst)
    body_type, elt = op.body_type, op.result.type.element_type  # type: ignore[attr-defined]
    if kind in ("sum", "prod") and _accumulator(elt) != elt:  # f16/bf16: f32 partial results
        body_type = elt = _accumulator(elt)
        term = body.last_op
        assert isinstance(term, YieldOp)
        widened = arith.ExtFOp(term.values[0], elt)
        Rewriter.replace_op(term, [widened, YieldOp(widened.result)])
    over[split.dim] = step
    return ReduceOp(kind, over, _tensor([split.chunks, *shape], elt), Region(body), body_type)


def _combine(op: ReduceOp, partial: ReduceOp) -> list[Operation]:
    """The partial results combined by the same kind (then rounded once to f16/bf16)."""
    point, elt = dims(len(op.shape)), partial.result.type.element_type  # type: ignore[attr-defined]
    load = LoadOp(partial.result, [sym("r0"), *point])
    combine = ReduceOp(op.kind.data, [partial.shape[0]], _tensor(op.shape, elt), _body(load, YieldOp(load.result)))
    if elt == op.result.type.element_type:  # type: ignore[attr-defined]
        return [combine]
    total = LoadOp(combine.result, point)
    rounded = arith.TruncFOp(total.result, op.result.type.element_type)  # type: ignore[attr-defined]
    return [combine, PointwiseOp(op.result.type, _body(total, rounded, YieldOp(rounded.result)))]  # type: ignore[arg-type]


def _combine_arg(op: ReduceOp, partial: ReduceOp, step: int) -> list[Operation]:
    """The combine of a split argmax/argmin (the outermost reduced dim cut): the best
    chunk by the values at the chunks' positions, then the position in the whole space."""
    over, point = op.reduce_shape, dims(len(op.shape))
    inner = math.prod(over[1:])
    subst: dict[sympy.Symbol, sympy.Expr] = {  # the reduced point at `POSITION` of chunk r0
        sym(f"r{j}"): sympy.floor(POSITION / math.prod(over[j + 1 :])) % over[j] for j in range(1, len(over))
    }
    subst[sym("r0")] = step * sym("r0") + sympy.floor(POSITION / inner)
    position = LoadOp(partial.result, [sym("r0"), *point])
    values = copy_body(op.body.block, subst, position.result)
    values.insert_op_before(position, values.first_op)  # type: ignore[arg-type]
    best = ReduceOp(op.kind.data, [partial.shape[0]], op.result.type, Region(values), op.body_type)  # type: ignore[arg-type]
    chunk = LoadOp(best.result, point)
    within = LoadOp(partial.result, [sym("s0"), *point], [chunk.result])
    stride = arith.ConstantOp(IntegerAttr(step * inner, i64))
    start = arith.MuliOp(chunk.result, stride.result)
    total = arith.AddiOp(start.result, within.result)
    body = _body(chunk, within, stride, start, total, YieldOp(total.result))
    return [best, PointwiseOp(op.result.type, body)]  # type: ignore[arg-type]


def _accumulator(elt: Attribute) -> Attribute:
    """The type a sum or product of `elt` accumulates in (f32 for f16/bf16)."""
    return element_type_of(compute_dtype(numpy_dtype(elt)))


def parallel_points(op: ReduceOp, column_width: int = 0) -> int:
    """The parts of a reduction's output that cores can work on apart: its outputs, or,
    for one that reads along its innermost output dim (a column sum: each core then
    accumulates whole rows of that dim, access.reads_along_output), its rows, each cut
    into pieces of `column_width` outputs where that is not 0 (a GPU column kernel's
    program instance owns that many consecutive outputs)."""
    outputs = math.prod(op.shape)
    if outputs and reads_along_output(op):
        rows, width = outputs // op.shape[-1], op.shape[-1]
        return rows * -(-width // column_width) if column_width else rows
    return outputs


def chained(ops: Sequence[ReduceOp]) -> set[ReduceOp]:
    """The reductions that read another's result or whose result another reads, through
    pointwise ops (softmax's max and sum, layer_norm's mean and variance)."""
    found: set[ReduceOp] = set()
    for op in ops:
        seen, todo = set(), [ld.buffer for ld in op.loads()]
        while todo:
            v = todo.pop()
            if v in seen:
                continue
            seen.add(v)
            owner = v.owner
            if isinstance(owner, ReduceOp) and not isinstance(owner, ContractOp):
                found.update((op, owner))
            elif isinstance(owner, PointwiseOp):
                todo.extend(ld.buffer for ld in owner.loads())
    return found


def uses_reduced_index(op: ReduceOp) -> bool:
    return any(
        isinstance(inner, IndexOp) and any(s.name.startswith("r") for s in inner.index_expr.free_symbols)
        for inner in op.body.walk()
    )


# --- the pass ----------------------------------------------------------------------------


@dataclass(frozen=True)
class LoopsSplitReduction(ModulePass):
    name = "loops-split-reduction"

    min_parallelism: int = MIN_PARALLELISM
    """A reduction with fewer output points than this is split until it has as many."""
    min_split_work: int = MIN_SPLIT_WORK
    """Scalar iterations (outputs x reduced points) below which a reduction stays one op."""
    column_width: int = 0
    """Outputs one parallel point covers along the innermost output dim of a reduction
    whose loads walk along it (a column sum): 0, the whole row (a CPU core accumulates a
    row of outputs at once); on the GPU, a column kernel's block of outputs (64)."""
    split_args: bool = True
    """Whether argmax/argmin are split (their combine reads each chunk's best value at
    a position read at run time)."""
    split_chains: bool = True
    """Whether a reduction in a chain (`chained`: one reads the other's result) is split;
    a GPU row kernel computes such a chain in one program instance per row."""
    remarks: bool = False
    """Report each split, and each reduction left alone for want of a divisor."""

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        candidates = [
            r
            for r in op.walk()
            if isinstance(r, ReduceOp) and not isinstance(r, ContractOp) and not isinstance(r.parent_op(), KernelOp)
        ]
        chain = set() if self.split_chains else chained(candidates)
        for r in candidates:
            self._split(r, r in chain)

    def _split(self, op: ReduceOp, in_chain: bool = False) -> None:
        outputs, work = math.prod(op.shape), math.prod(op.reduce_shape)
        parallel = parallel_points(op, self.column_width)
        if not 0 < parallel < self.min_parallelism or outputs * work < self.min_split_work:
            return
        name = f" %{op.result.name_hint}" if op.result.name_hint else ""
        arg = op.kind.data in ARG_KINDS
        why = None
        if arg and not self.split_args:
            why = f"{op.kind.data} (split-args=false)"
        elif arg and uses_reduced_index(op):
            why = f"{op.kind.data} of a body that reads a reduced index (loops.index)"
        elif in_chain:
            why = "it reads, or is read by, another reduction (split-chains=false)"
        if why is not None:
            self._remark(op, f"reduction{name} not split: {why}")
            return
        target = -(-self.min_parallelism // parallel)
        min_chunk = max(1, self.min_split_work // self.min_parallelism)
        over = op.reduce_shape
        split = choose_split(over, target, min_chunk, outermost_only=arg, outputs=outputs)
        if split is None:
            what = (
                f"its outermost reduced dim ({over[0]}; an arg reduction is cut only there)"
                if arg
                else f"a dim of its reduced space [{', '.join(map(str, over))}]"
            )
            why = f"no divisor >= 2 of {what} leaves chunks of at least {min_chunk} iterations"
            self._remark(op, f"reduction{name} not split: {why}")
            return
        c, n = split.chunks, over[split.dim]
        self._remark(
            op,
            f"split reduction{name} into {c} chunks of {work // c} iterations (r{split.dim}: {c} x {n // c}): "
            f"{c} x {outputs} partial results, then a combine over {c}",
        )
        split_reduction(op, split)

    def _remark(self, op: Operation | None, message: str) -> None:
        if self.remarks or report.remarks_enabled(self.name):
            report.remark(op, message)
