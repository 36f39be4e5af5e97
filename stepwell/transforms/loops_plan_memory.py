"""`loops-plan-memory`: where every buffer of a loops-level function lives, as IR.

    stepwell-opt f.mlir -p loops-plan-memory

A loops-level `func.func` is a straight line of function-level ops (loops.kernel,
loops.pointwise / reduce / contract, loops.check_index, constants, func.return). Each
kernel or lone compute op makes buffers (a kernel: the ones it yields); the pass puts
`memory = #loops.slot<...>` on the op (an array of them, one per result, on a kernel
of several results) and `arena = N : i64` on the function (stepwell/dialects/loops/
memory.py says what the slots mean). Every target's runtime allocates the arena (one
block of N bytes) and follows the slots.

Live range. Ops are numbered in program order; a buffer is live from the op that
writes it to the last op that reads it (a load anywhere inside a kernel is a read by
that kernel; a loops.check_index reads its indices). A buffer nobody reads dies at the
op that writes it.

Assignment (greedy, in program order, as XLA's heap simulator and TorchInductor's
buffer reuse do). At op i:
 1. each buffer it makes that is a function result gets `#loops.slot<result k>` (its
    own allocation: results never alias one another or anything in the arena), unless
    it is written in place into a donated argument of the same type (below);
 2. each other buffer it makes is written in place over an input X when the rule
    below allows it (it takes X's slot; X's bytes pass to it), else gets the free
    block of the arena that fits it most tightly (best fit; among equal fits the
    lowest offset), else a block at the end of the arena (a free block that ends the
    arena grows into it);
 3. then the blocks of the buffers whose last reader is op i return to the free list
    (merged with free neighbours). So a block is reused by the first op after the
    last reader of its buffer, never by that reader itself (except in place).

Borrowing. A result has memory of its own for the whole call (the runtime allocates
it, or takes the caller's `out=` array, before the first kernel), unused until the op
that writes it. An intermediate whose last reader runs before that op may live there:
`#loops.slot<result k, offset, size>`. The pass plans the function once as above,
then again with borrowers taken out of the arena, and keeps the second plan unless
its arena is larger. Borrowers are chosen between the two (borrow_result_memory): the
buffers of one in-place chain of the first plan borrow together (one offset) or not
at all; a lender is a result computed into memory of its own (not an argument, a
constant, nor written into a donated argument), of any type, the borrower's bytes
within the result's exact bytes; two borrowers alive at once never share a byte. A
result still never aliases another result, an argument or the arena.

Offsets and sizes are multiples of 64 bytes (ALIGN); a buffer of zero bytes gets
`#loops.slot<0, 0>` and no block. The work is linear in the number of ops times the
number of free blocks (the live buffers, at most).

In place. Op i may write buffer Y into the memory of an input X when op i is X's last
reader, X is not a constant nor a function result, X is an argument only if donated
(`{stepwell.donate}`: then Y's slot is `#loops.slot<arg k>`), Y fits in X's memory,
and every read of X by the op is at the element it writes of Y: the op writing Y is a
pointwise op (alone, or in a kernel), X and Y have elements of the same byte size,
and every load of X (in the op, or in the kernel's ops up to and including it: none
after) reads at the same linear offset, in the kernel's dims, as the one Y's point
stores to, with no index read at run time (a dim of size 1 counts as 0, however a
load spells it). A point then reads its element of X before it stores the same
element of Y, and no other point (no other thread) touches it. In a kernel this
covers the row-local kernels, softmax's: its reductions read X along k0 at offsets
equal, in the kernel's dims, to the ones the division stores to, and read them first,
since a kernel runs its ops one after the other at each outer point (every CPU
schedule: `inner_output` and `scratch` change the loops inside one op, never the
ops' order; a GPU target must likewise keep one parallel point's ops in one program,
in order). A
function result may be written in place only into a donated argument of its own type
(the runtime then returns that argument's array, as jax.jit's donate_argnums).

Not planned: constants (globals), a kernel's internal values (the schedule's
business: stack or `scratch`), the buffers of the ops an attention kernel replaces
(a chain marked #loops.gpu<attention> by loops-fuse-attention or
#loops.cpu<attention> by loops-schedule-cpu: scores, mask, probabilities stay in
registers or a per-chunk tile; zero bytes), the two-word status buffer of a loops.check_index
(16 bytes; the lowering keeps it a temp of its own). A function that already has
`arena` is left as it is (a plan written by hand is respected); a kernel that yields a
value it does not compute leaves its function unplanned (every buffer a temp).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

import sympy
from xdsl.context import Context
from xdsl.dialects import arith, func
from xdsl.dialects.builtin import ArrayAttr, IntegerAttr, ModuleOp, i64
from xdsl.ir import Operation, SSAValue
from xdsl.passes import ModulePass
from xdsl.utils.exceptions import PassFailedException

from stepwell.dialects.loops import CheckIndexOp, ComputeOp, KernelOp, PointwiseOp
from stepwell.dialects.loops.access import analyze
from stepwell.dialects.loops.attention import held
from stepwell.dialects.loops.contract import UNIT
from stepwell.dialects.loops.index import dims
from stepwell.dialects.loops.memory import (
    ARENA,
    MEMORY,
    SlotAttr,
    aligned,
    byte_size,
    donated,
)
from stepwell.dtypes import numpy_dtype
from stepwell.ir import report


@dataclass(frozen=True)
class LoopsPlanMemory(ModulePass):
    name = "loops-plan-memory"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        for fn in op.ops:
            if isinstance(fn, func.FuncOp) and fn.body.blocks and ARENA not in fn.attributes:
                plan_function(fn)


# --- the function's buffers and their live ranges ---------------------------------------


@dataclass(eq=False)
class Buffer:
    value: SSAValue  # the op's result, or a kernel's yielded value
    start: int  # the op that writes it
    size: int  # bytes, aligned
    end: int = -1  # its last reader (start when none)
    result: int | None = None  # the first position at which it is returned
    slot: SlotAttr | None = None
    block: tuple[int, int] | None = None  # (offset, bytes) it holds in the arena
    borrowed: tuple[int, int] | None = None  # (result position, offset): scratch in a result's memory
    home: Donated | None = None  # the donated argument whose memory it holds
    moved: bool = False  # its memory passed to a buffer written in place over it
    over: Buffer | None = None  # the buffer in the arena it is written in place over


@dataclass(eq=False)
class Donated:
    """A donated argument: memory that a buffer written in place may take."""

    value: SSAValue
    index: int
    end: int  # its last reader
    moved: bool = False


@dataclass
class FunctionBuffers:
    ops: list[Operation]
    made: dict[Operation, list[Buffer]] = field(default_factory=dict)  # per op, in yield order, distinct
    of: dict[SSAValue, Buffer | Donated] = field(default_factory=dict)  # a function-level value's memory


def collect(fn: func.FuncOp) -> FunctionBuffers | None:
    """The buffers of `fn` with their live ranges; None when a kernel yields a value it
    does not compute (the function stays unplanned)."""
    ops = list(fn.body.block.ops)
    found = FunctionBuffers(ops)
    on_chip = held(fn)  # an attention kernel's scores, mask and probabilities
    for i, op in enumerate(ops):
        if isinstance(op, (KernelOp, ComputeOp)):
            inner = list(op.body.block.last_op.operands) if isinstance(op, KernelOp) else [op.result]  # type: ignore[union-attr]
            computed = {o.result for o in op.compute_ops()} if isinstance(op, KernelOp) else set(inner)
            if any(v not in computed for v in inner):
                return None
            own = {v: Buffer(v, i, 0 if op in on_chip else aligned(byte_size(v.type))) for v in dict.fromkeys(inner)}
            found.made[op] = list(own.values())
            found.of.update((outer, own[v]) for outer, v in zip(op.results, inner))
        elif not isinstance(op, (CheckIndexOp, func.ReturnOp, arith.ConstantOp)) and op.name != "tensor_graph.constant":
            report.error(op, "is not a loops-level op: run convert-tensor_graph-to-loops before loops-plan-memory")
            raise PassFailedException(f"loops-plan-memory: @{fn.sym_name.data} is not at the loops level")
    for k in sorted(donated(fn)):
        found.of[fn.args[k]] = Donated(fn.args[k], k, -1)
    position = {op: i for i, op in enumerate(ops)}
    for value, memory in found.of.items():
        memory.end = max(memory.end, memory.start if isinstance(memory, Buffer) else -1)
        for use in value.uses:
            reader = use.operation
            while reader.parent_op() is not fn:
                reader = reader.parent_op()  # type: ignore[assignment]
            if reader in on_chip:  # read by an attention kernel, which runs at its chain's end
                reader = on_chip[reader].end
            memory.end = max(memory.end, position[reader])
            if isinstance(reader, func.ReturnOp) and isinstance(memory, Buffer):
                memory.result = use.index if memory.result is None else min(memory.result, use.index)
    return found


# --- the arena ------------------------------------------------------------------------


class Arena:
    """Free blocks of a growing arena, sorted by offset: best-fit allocation, freed
    blocks merged with their neighbours."""

    def __init__(self) -> None:
        self.free: list[tuple[int, int]] = []  # (offset, bytes), by offset
        self.size = 0

    def fit(self, size: int) -> int | None:
        """A free block's offset for `size` bytes (best fit), or None: no growth."""
        best = None
        for i, (offset, room) in enumerate(self.free):
            if room >= size and (best is None or room < self.free[best][1]):
                best = i
        if best is None:
            return None
        offset, room = self.free.pop(best)
        if room > size:
            self.free.insert(best, (offset + size, room - size))
        return offset

    def allocate(self, size: int) -> int:
        offset = self.fit(size)
        if offset is not None:
            return offset
        if self.free and sum(self.free[-1]) == self.size:  # grow the free block at the end
            offset, _ = self.free.pop()
        else:
            offset = self.size
        self.size = offset + size
        return offset

    def release(self, offset: int, size: int) -> None:
        i = bisect.bisect(self.free, (offset, size))
        if i < len(self.free) and offset + size == self.free[i][0]:
            size += self.free.pop(i)[1]
        if i > 0 and sum(self.free[i - 1]) == offset:
            offset, size = self.free[i - 1][0], self.free[i - 1][1] + size
            self.free.pop(i - 1)
            i -= 1
        self.free.insert(i, (offset, size))


# --- the plan -------------------------------------------------------------------------


def plan_function(fn: func.FuncOp) -> None:
    first = collect(fn)
    if first is None:
        return
    arena = assign(first)
    # again, with the intermediates that borrow a result's memory out of the arena (whole
    # in-place groups of the first plan); kept unless it needs a larger arena
    second = collect(fn)
    if borrow_result_memory(first, second) and (size := assign(second)) <= arena:
        first, arena = second, size
    for op in first.made:
        slots = [first.of[v].slot for v in op.results]  # type: ignore[union-attr]
        op.attributes[MEMORY] = slots[0] if len(slots) == 1 else ArrayAttr(slots)  # type: ignore[arg-type]
    fn.attributes[ARENA] = IntegerAttr(arena, i64)


def assign(found: FunctionBuffers) -> int:
    """Give every buffer of `found` its slot (steps 1-3 of the module docstring); the
    arena's size."""
    arena = Arena()
    dying: dict[int, list[Buffer]] = {}
    for i, op in enumerate(found.ops):
        for y in found.made.get(op, ()):
            dying.setdefault(y.end, []).append(y)
            _place(y, op, found, arena)
        for x in dying.pop(i, ()):
            if x.block is not None and not x.moved:
                arena.release(*x.block)
    return arena.size


def borrow_result_memory(planned: FunctionBuffers, found: FunctionBuffers) -> bool:
    """Choose the intermediates of `found` that live in a result's memory before the
    result is written (the module docstring's rule), setting their `borrowed`; whether
    any does. `planned` is the same function planned without borrowing: a buffer it
    writes in place over another borrows with it (one group, one offset), or not at
    all, so that borrowing never undoes writing in place.

    A backward sweep over the ops: at op i, each group whose last reader is op i takes
    room in the memory of a result written after op i (best fit, never past the
    result's bytes), then the groups first written at op i give their room back.
    Going backward, the buffer read by the result's writer (which may not borrow) is
    met first, so in a chain the borrowers alternate with it: mlp's layers take turns
    between one arena slot and the result, not two arena slots."""
    buffers = [y for made in planned.made.values() for y in made]
    lenders = [y for y in buffers if y.result is not None and y.home is None and y.size]  # memory of its own
    if not lenders:
        return False
    groups: dict[Buffer, list[Buffer]] = {}  # the buffers in the arena, by the first of their in-place chain
    for y in buffers:
        if y.block is not None:
            head = y
            while head.over is not None:
                head = head.over
            groups.setdefault(head, []).append(y)
    rooms = {y: Arena() for y in lenders}
    for y, room in rooms.items():
        room.free, room.size = [(0, y.size)], y.size
    ending: dict[int, list[list[Buffer]]] = {}
    for group in groups.values():
        ending.setdefault(max(y.end for y in group), []).append(group)
    starting: dict[int, list[tuple[Buffer, int, int]]] = {}
    mine = {y.value: y for made in found.made.values() for y in made}
    borrowed = False
    for i in range(len(found.ops) - 1, -1, -1):
        for group in sorted(ending.get(i, ()), key=lambda g: -g[0].block[1]):  # type: ignore[index]
            size = group[0].block[1]  # type: ignore[index]
            exact = max(byte_size(y.value.type) for y in group)
            for lender in lenders:
                offset = rooms[lender].fit(size) if lender.start > i else None
                if offset is None:
                    continue
                if offset + exact <= byte_size(lender.value.type):
                    for y in group:
                        mine[y.value].borrowed = (lender.result, offset)  # type: ignore[assignment]
                    starting.setdefault(group[0].start, []).append((lender, offset, size))
                    borrowed = True
                    break
                rooms[lender].release(offset, size)
        for lender, offset, size in starting.pop(i, ()):
            rooms[lender].release(offset, size)
    return borrowed


def _place(y: Buffer, op: Operation, found: FunctionBuffers, arena: Arena) -> None:
    if y.borrowed is not None:
        y.slot = SlotAttr.in_result(*y.borrowed, y.size)
        return
    x = _in_place_source(y, op, found)
    if x is not None:
        x.moved = True
    home = x if isinstance(x, Donated) else x.home if x is not None else None
    if home is not None:
        y.home = home
        y.slot = SlotAttr.arg(home.index)
    elif y.result is not None:
        y.slot = SlotAttr.result(y.result)
    elif x is not None:
        y.block, y.over = x.block, x  # type: ignore[assignment]
        y.slot = SlotAttr.arena(x.block[0], y.size)  # type: ignore[index]
    elif y.size == 0:
        y.slot = SlotAttr.arena(0, 0)
    else:
        y.block = (arena.allocate(y.size), y.size)
        y.slot = SlotAttr.arena(*y.block)


def _in_place_source(y: Buffer, op: Operation, found: FunctionBuffers) -> Buffer | Donated | None:
    """The input whose memory `y` may be written into (the module docstring's rule)."""
    if y.size == 0:
        return None
    writer = y.value.owner
    if not isinstance(writer, PointwiseOp):
        return None
    readers = op.compute_ops() if isinstance(op, KernelOp) else [writer]
    readers = readers[: readers.index(writer) + 1]
    loads = {}
    for reader in readers:
        for load in reader.loads():
            loads.setdefault(load.buffer, []).append((reader, load))
    later = op.compute_ops()[len(readers) :] if isinstance(op, KernelOp) else []
    read_later = {load.buffer for reader in later for load in reader.loads()}
    for value, reads in loads.items():
        x = found.of.get(value)
        if x is None or x.moved or x.end != y.start or value in read_later:
            continue
        home = x if isinstance(x, Donated) else x.home
        if home is not None:  # the memory of a donated argument: a result of its type, or anything that fits
            arg = home.value.type
            fits = arg == y.value.type if y.result is not None else byte_size(arg) >= byte_size(y.value.type)
        else:
            fits = y.result is None and x.result is None and x.block is not None and x.block[1] >= y.size
        if fits and _same_elements(value, y.value, reads, writer):
            return x
    return None


def _same_elements(x: SSAValue, y: SSAValue, reads: list, writer: PointwiseOp) -> bool:
    """Whether every load of `x` in `reads` ((op, load) pairs) reads the element that
    `writer` stores of `y` at the same point: same element size, same linear offset in
    the kernel's dims."""
    if numpy_dtype(x.type.element_type).itemsize != numpy_dtype(y.type.element_type).itemsize:  # type: ignore[attr-defined]
        return False
    stored = _offset(writer, writer.shape, dims(len(writer.shape)))
    for reader, load in reads:
        if load.syms or sympy.expand(_offset(reader, x.type.get_shape(), load.index_exprs) - stored) != 0:  # type: ignore[attr-defined]
            return False
    return True


def _offset(op: ComputeOp, shape, exprs) -> sympy.Expr:
    """The linear offset of `exprs` into a buffer of `shape`, in the kernel's dims (an
    op's d- and r-symbols renamed to the kernel dims they map to; a lone op's own)."""
    offset = analyze(shape, exprs, ()).offset
    own = [f"d{i}" for i in range(len(op.shape))] + [f"r{i}" for i in range(len(op.reduce_shape))]
    names = op.dim_map or own
    extents = (*op.shape, *op.reduce_shape)
    # a dim of size 1 is 0 however it is spelled (`0`, or a d-symbol: loops-simplify-index
    # writes `0` in one load and another op may keep `d0`)
    to_kernel = {s: (0 if n == UNIT or size == 1 else sympy.Symbol(n)) for s, n, size in zip(own, names, extents)}
    return offset.subs({s: to_kernel[s.name] for s in offset.free_symbols if s.name in to_kernel}, simultaneous=True)
