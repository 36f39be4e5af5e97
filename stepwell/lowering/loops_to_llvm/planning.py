"""The CPU schedule of one kernel (a `loops.kernel`, or a lone compute op): `schedule`
decides it, `plan_kernel` turns it into the KernelPlan that kernels.py emits.

`schedule` holds every decision, and its result is IR: the attribute
`#loops.cpu<...>` (stepwell/dialects/loops/schedule.py says what each field means),
which loops-schedule-cpu writes on every kernel and convert-loops-to-llvm reads. An op
that reaches convert-loops-to-llvm without one is scheduled here with the default
options (the host's vector width), so the lowering never needs the pass.

The kernel's space (`Space`): its parallel dims p0, p1, ..., its reduction dims k0, ...,
and each op's map of its d- and r-dims onto them (contract.py); a lone op is a kernel
whose p dims are its d-dims and whose k dims are its r-dims.

The decisions, in order:
- A contraction with loads as its sides (contraction.py) is a GEMM: outer loop over
  (batch, blocks of MC rows, blocks of NC columns), blocking from `contraction.blocking`.
- Otherwise every p dim is in the outer loop, one index per point, except:
  - all ops pointwise and their last d-dim one p dim: that dim is one block (an inner,
    vectorizable loop), or
  - all ops pointwise reading a buffer transposed (contiguous along their second-to-last
    dim): their last two dims are walked in BLOCK x BLOCK squares;
  - a reduction whose loads are contiguous along its output (a column sum) puts the
    output innermost (`inner_output`, a row of accumulators); the p dim of its last
    d-dim is cut into blocks of TILE, the loop inside each point.
  Blocked dims go last in the outer order. Then, while the outer range has fewer
  points than the work asks for (`wanted_chunks`, up to MIN_PARALLELISM), the last
  blocked dim's block is cut smaller (to a multiple of 4 vectors, not below MIN_ROW
  under a row of accumulators).
- A kernel-local value (computed and read in the kernel, not yielded) is a stack slot
  per point of its block (LOCAL_LIMIT bytes at most), else a scratch buffer in memory.
- The runtime cuts the outer range into `chunks` = min(extent, wanted_chunks) pieces.

An outer point fixes one block of every outer dim; at that point the ops run in order,
each over its d-dims in its own order (a blocked p dim loops over its block, a k dim
or a p dim outside `outer` over its whole size), then (or, for `inner_output`, first)
its reduced dims. A kernel value is read only at the reader's own parallel point
(contract.py), so it lives in a slot of its block: [d - start] along a p dim.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from xdsl.ir import OpResult, Operation, SSAValue

from stepwell.dialects.loops import ComputeOp, CpuScheduleAttr, KernelOp, PointwiseOp, ReduceOp
from stepwell.dialects.loops.access import load_access, reads_along_output
from stepwell.dialects.loops.contract import MIN_PARALLELISM, UNIT, is_parallel
from stepwell.dialects.loops.index import dims
from stepwell.lowering.loops_to_llvm import contraction
from stepwell.lowering.loops_to_llvm import conversions as cv
from stepwell.lowering.loops_to_llvm import reductions

TILE = 1024  # block of an output dim walked under a row of accumulators (when a whole row's do not fit)
MIN_ROW = 64  # the least block cut from it for chunks: a column sum is not split when its
# strips of 64 give enough chunks (lower-to-cpu's loops-split-reduction{column-width=64}),
# so nothing but its result is written; narrower strips are slower per thread (the
# prefetcher follows whole rows better: 2048 x 4096 f32 on one thread, 64 columns 1.9 ms,
# whole rows 1.2) but as fast on 16 threads (0.20 against 0.19 ms; bench/MEMORY.md)
BLOCK = 64  # side of the squares a transposed copy walks
LOCAL_LIMIT = 256 * 1024  # bytes of stack per kernel-local buffer or accumulator row
MAX_CHUNKS = 256  # pieces of one call's outer range, at most
CHUNK_WORK = 1 << 15  # scalar bodies per piece, at least


SCHEDULE = "schedule"  # the attribute of a kernel (or lone op) that holds its #loops.cpu<...>


class ScheduleError(ValueError):
    """A schedule (written by hand) that does not fit its kernel; the message says why."""


# --- the space of a kernel -------------------------------------------------------------


@dataclass(frozen=True)
class Space:
    parallel: tuple[int, ...]
    reduction: tuple[int, ...]
    maps: dict[ComputeOp, tuple[str, ...]]  # each op's kernel dim per d-dim, then per r-dim

    def size(self, name: str) -> int:
        return (self.parallel if is_parallel(name) else self.reduction)[int(name[1:])]

    def d_map(self, op: ComputeOp) -> tuple[str, ...]:
        return self.maps[op][: len(op.shape)]


@dataclass
class Target:
    """What one function-level op (a kernel or a lone compute op) asks to run."""

    ops: list[ComputeOp]
    yielded: list[SSAValue]  # the values it writes to memory, as its results
    space: Space


def target_of(op: Operation) -> Target:
    if isinstance(op, KernelOp):
        ops = op.compute_ops()
        maps = {o: o.dim_map or () for o in ops}
        return Target(ops, list(op.body.block.last_op.operands), Space(*_kernel_sizes(op, maps), maps))  # type: ignore[union-attr]
    assert isinstance(op, ComputeOp)
    names = (*(f"p{i}" for i in range(len(op.shape))), *(f"k{i}" for i in range(len(op.reduce_shape))))
    return Target([op], [op.result], Space(op.shape, op.reduce_shape, {op: names}))


def _kernel_sizes(kernel: KernelOp, maps: dict[ComputeOp, tuple[str, ...]]) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The sizes of the kernel's dims, read off the ops they map (the verifier checked
    that they agree; parsing the declared sizes costs more than the whole schedule)."""
    sizes = {}
    for op, names in maps.items():
        sizes.update(zip(names, (*op.shape, *op.reduce_shape)))
    parallel = [sizes.get(f"p{i}") for i in range(len(kernel.parallel.data))]
    reduction = [sizes.get(f"k{i}") for i in range(len(kernel.reduction.data))]
    if None in parallel or None in reduction:  # a dim no op maps
        return kernel.parallel_sizes, kernel.reduction_sizes
    return tuple(parallel), tuple(reduction)  # type: ignore[arg-type]


def in_memory(value: SSAValue) -> bool:
    """Whether a buffer from outside a kernel is passed to it by pointer: everything
    but constants (globals, or folded into the loads)."""
    return not (isinstance(value, OpResult) and value.op.name == "tensor_graph.constant")


def host_vector_width() -> int:
    """f32 lanes of this host's widest vectors (AVX-512: 16, AVX: 8, else 4)."""
    from stepwell.targets.llvm import host

    features = host()[2]
    return 16 if "+avx512f" in features else 8 if "+avx" in features else 4


def wanted_chunks(work: int, max_chunks: int = MAX_CHUNKS, chunk_work: int = CHUNK_WORK) -> int:
    """Pieces worth cutting `work` scalar bodies into."""
    return max(1, min(max_chunks, work // max(1, chunk_work)))


def _work(ops: Sequence[ComputeOp]) -> int:
    return sum(math.prod(op.shape) * max(1, math.prod(op.reduce_shape)) for op in ops)


# --- deciding ------------------------------------------------------------------------


def schedule(
    target: Target, vector: int = 0, max_chunks: int = MAX_CHUNKS, chunk_work: int = CHUNK_WORK
) -> CpuScheduleAttr:
    """The schedule of `target`; `vector`: f32 lanes (0: the host's)."""
    vector = vector or host_vector_width()
    ops, space = target.ops, target.space
    want = wanted_chunks(_work(ops), max_chunks, chunk_work)
    gemm = contraction.match(ops, in_memory)
    if gemm is not None and _gemm_dims(gemm, space) is not None:
        return _gemm_schedule(gemm, space, vector, want)
    blocks = [1] * len(space.parallel)
    last = {_p_index(space.d_map(op)[-1]) if op.shape else None for op in ops}
    if all(isinstance(op, PointwiseOp) for op in ops) and len(last) == 1 and None not in last:
        (c,) = last
        square = _transposed(ops, space)
        if square is not None:
            for j in square:
                blocks[j] = BLOCK
        else:
            blocks[c] = max(1, space.parallel[c])
    wants_inner = [op for op in ops if isinstance(op, ReduceOp) and reads_along_output(op)]
    smallest = 4 * vector
    for op in wants_inner:
        c = _p_index(space.d_map(op)[-1])
        if c is not None and blocks[c] == 1:
            whole = space.parallel[c] * _bytes(reductions.acc_type(op.body_type)) <= LOCAL_LIMIT  # type: ignore[attr-defined]
            blocks[c] = max(1, space.parallel[c] if whole else min(space.parallel[c], TILE))
            smallest = max(smallest, MIN_ROW)
    order = [j for j in range(len(blocks)) if blocks[j] == 1] + [j for j in range(len(blocks)) if blocks[j] > 1]
    _cut_for_chunks(blocks, order, space.parallel, min(want, MIN_PARALLELISM), 4 * vector, smallest)
    outer = [(f"p{j}", blocks[j]) for j in order]
    inner_output = [
        i for i, op in enumerate(ops)
        if op in wants_inner and _slots(space, blocks, op) * _bytes(reductions.acc_type(op.body_type)) <= LOCAL_LIMIT  # type: ignore[attr-defined]
    ]
    scratch = [
        i for i, op in enumerate(ops)
        if op.result not in target.yielded and _slots(space, blocks, op) * _bytes(op.result.type.element_type) > LOCAL_LIMIT  # type: ignore[attr-defined]
    ]
    return CpuScheduleAttr.make(outer, _chunks(space.parallel, outer, want), vector, inner_output, scratch)


def _gemm_schedule(gemm: contraction.Contraction, space: Space, vector: int, want: int) -> CpuScheduleAttr:
    batch, m, n = _gemm_dims(gemm, space)  # type: ignore[misc]
    points = math.prod(space.parallel[j] for j in batch)
    mc, nc, kc, mr, nr = contraction.blocking(gemm, vector, points, min(want, MIN_PARALLELISM))
    outer = [*((f"p{j}", 1) for j in batch), (f"p{m}", mc), (f"p{n}", nc)]
    return CpuScheduleAttr.make(outer, _chunks(space.parallel, outer, want), vector, gemm=(kc, mr, nr))


def _gemm_dims(gemm: contraction.Contraction, space: Space) -> tuple[list[int], int, int] | None:
    """The kernel's p dims of the contraction's (non-unit) batch dims, M and N; None
    when M or N is not a p dim, or an epilogue maps its dims otherwise."""
    names = space.d_map(gemm.op)
    if any(space.d_map(e) != names for e in gemm.epilogue):
        return None
    m, n = _p_index(names[-2]), _p_index(names[-1])
    if m is None or n is None:
        return None
    batch = [j for j in map(_p_index, names[:-2]) if j is not None]
    return batch, m, n


def _cut_for_chunks(blocks: list[int], order: list[int], sizes: tuple[int, ...], target: int, align: int, smallest: int) -> None:
    """Cut the last blocked outer dim into smaller blocks (a multiple of `align`, at
    least `smallest`) until the outer range has `target` points, if it can."""
    blocked = [j for j in order if blocks[j] > 1]
    if not blocked:
        return
    c = blocked[-1]
    others = math.prod(-(-sizes[j] // blocks[j]) for j in order if j != c)
    if others == 0 or others * -(-sizes[c] // blocks[c]) >= target:
        return
    pieces = -(-target // others)
    block = -(-sizes[c] // pieces)
    block = max(smallest, -(-block // align) * align)
    blocks[c] = min(blocks[c], block)


def _chunks(sizes: tuple[int, ...], outer: Sequence[tuple[str, int]], want: int) -> int:
    extent = math.prod(-(-sizes[int(name[1:])] // block) for name, block in outer)
    return max(1, min(extent, want))


def _p_index(name: str) -> int | None:
    return int(name[1:]) if is_parallel(name) else None


def _bytes(t) -> int:
    return cv.element_bytes(t)


def _slots(space: Space, blocks: Sequence[int], op: ComputeOp) -> int:
    """Elements of `op` at one outer point."""
    return math.prod(_slot_sizes(space, blocks, op))


def _slot_sizes(space: Space, blocks: Sequence[int], op: ComputeOp) -> list[int]:
    sizes = []
    for name in space.d_map(op):
        if name == UNIT:
            sizes.append(1)
        elif is_parallel(name):
            j = int(name[1:])
            sizes.append(min(blocks[j], space.parallel[j]))
        else:
            sizes.append(space.size(name))
    return sizes


def _transposed(ops: list[ComputeOp], space: Space) -> tuple[int, int] | None:
    """Pointwise ops over [..., M, N] whose last two dims are p dims of at least BLOCK,
    reading some buffer contiguously along M (a transpose): walking BLOCK x BLOCK
    squares keeps both the reads and the writes within a few cache lines. The p dims
    of M and N, or None."""
    pairs = {tuple(space.d_map(op)[-2:]) for op in ops if len(op.shape) >= 2}
    if len(pairs) != 1 or any(len(op.shape) < 2 for op in ops):
        return None
    (pair,) = pairs
    row, col = _p_index(pair[0]), _p_index(pair[1])
    if row is None or col is None or min(space.parallel[row], space.parallel[col]) < BLOCK:
        return None
    for op in ops:
        d_row, d_col = dims(len(op.shape))[-2:]
        for load in op.loads():
            access = load_access(load)
            if access.stride(d_row) == 1 and access.stride(d_col) != 1:
                return row, col
    return None


# --- planning: the schedule as the emitter's data ----------------------------------------


@dataclass
class KernelPlan:
    ops: list[ComputeOp]
    outputs: list[SSAValue]  # the buffers the kernel writes to memory (distinct)
    inputs: list[SSAValue]  # buffers defined outside the kernel that it reads from memory
    space: Space
    schedule: CpuScheduleAttr
    outer: list[int] = field(default_factory=list)  # the outer p dims, slowest first
    blocks: list[int] = field(default_factory=list)  # block size per p dim (its size if not outer)
    inner_output: set[ComputeOp] = field(default_factory=set)  # reductions with output innermost
    local: set[SSAValue] = field(default_factory=set)  # kernel-local buffers on the stack
    scratch: list[SSAValue] = field(default_factory=list)  # kernel-local buffers in memory
    contraction: contraction.Contraction | None = None  # a blocked GEMM (contraction.py)
    attention: object | None = None  # an attention chain's kernel (attention.Attention)

    @property
    def params(self) -> list[SSAValue]:
        """The buffers passed to the kernel function as pointers, in order."""
        return self.outputs + self.inputs + self.scratch

    def count(self, j: int) -> int:
        """Blocks of p dim j."""
        return -(-self.space.parallel[j] // self.blocks[j])

    @property
    def extent(self) -> int:
        return math.prod(self.count(j) for j in self.outer)

    @property
    def chunks(self) -> int:
        return max(1, min(self.schedule.chunks, self.extent))

    def grain(self) -> int:
        """Work per outer point, in scalar bodies run (to decide on threads)."""
        return max(1, _work(self.ops) // max(1, self.extent))

    def slot_sizes(self, op: ComputeOp) -> list[int]:
        """The extent of each of op's d-dims at one outer point."""
        return _slot_sizes(self.space, self.blocks, op)


def plan_kernel(target: Target, outputs: list[SSAValue], sched: CpuScheduleAttr | None = None, chain=None) -> KernelPlan:
    """The plan of `target` under `sched` (None: schedule it with the default options).
    `outputs`: the distinct buffers it writes to memory; `chain`: the attention chain
    that `target` ends (stepwell/dialects/loops/attention.py), if any: an attention
    schedule builds it (attention.py) and reads q, k and v."""
    sched = sched or schedule(target)
    ops, space = target.ops, target.space
    made = {op.result for op in ops}
    inputs = list(dict.fromkeys(v for op in ops for v in op.inputs() if v not in made and in_memory(v)))
    plan = KernelPlan(ops, outputs, inputs, space, sched)
    plan.blocks = list(space.parallel) if space.parallel else []
    plan.blocks = [max(1, n) for n in plan.blocks]
    for name, block in sched.outer:
        j = _p_index(name)
        if j is None or j >= len(space.parallel):
            raise ScheduleError(f"the schedule's outer loop names {name}, not a parallel dim of the kernel")
        plan.outer.append(j)
        plan.blocks[j] = block
    if sched.gemm is not None:
        plan.contraction = _planned_gemm(plan, *sched.gemm)
        return plan
    if sched.keys is not None:
        from stepwell.lowering.loops_to_llvm import attention

        end = chain.pv if chain is not None else ops[0]
        try:
            plan.attention = attention.planned(chain, sched, plan.outer, plan.blocks, space.d_map(end))
        except ValueError as e:
            raise ScheduleError(str(e)) from None
        plan.inputs = list(chain.inputs)
        return plan
    for i in sched.inner_output:
        op = ops[i] if i < len(ops) else None
        if not isinstance(op, ReduceOp) or op.kind.data.startswith("arg"):
            raise ScheduleError(f"inner_output names op {i}, which is not a value reduction of the kernel")
        plan.inner_output.add(op)
    for i in sched.scratch:
        if i >= len(ops) or ops[i].result in outputs:
            raise ScheduleError(f"scratch names op {i}, which is not a kernel-local value")
    for i, op in enumerate(ops):
        if op.result in outputs:
            continue
        if i in sched.scratch:
            plan.scratch.append(op.result)
        else:
            plan.local.add(op.result)
    return plan


def _planned_gemm(plan: KernelPlan, kc: int, mr: int, nr: int) -> contraction.Contraction:
    gemm = contraction.match(plan.ops, in_memory)
    dims_ = _gemm_dims(gemm, plan.space) if gemm is not None else None
    if gemm is None or dims_ is None:
        raise ScheduleError("a gemm schedule on a kernel that is not a contraction of loads with a pointwise epilogue")
    batch, m, n = dims_
    if plan.outer != [*batch, m, n] or any(plan.blocks[j] != 1 for j in batch):
        names = ", ".join([*(f"p{j}" for j in batch), f"p{m} / MC", f"p{n} / NC"])
        raise ScheduleError(f"the outer loop of this gemm is [{names}]")
    try:
        return gemm.blocked(plan.schedule.vector, mr, nr, plan.blocks[m], plan.blocks[n], kc)
    except ValueError as e:
        raise ScheduleError(str(e)) from None
