"""Kernel formation: group top-level compute ops into kernels, greedily by bytes saved.

Every compute op starts in a group of its own. Two groups may merge when the merged
group is *legal*, *acyclic* and *small enough*; among all such candidate pairs the
one that saves the most bytes merges (the earliest pair in program order on a tie),
until no merge saves any.

Candidate pairs: a group and the groups that produce what it reads or read what it
produces; and a group and its `NEIGHBORS` nearest other readers (in program order,
on each side) of each buffer it reads. Pairing every reader of a buffer with every
other was quadratic (a function argument read by every block of a model), and
readers far apart are almost never acyclic.

The merged group's kernel space (space.py: its parallel dims, reduction dims and
each member's map, from the axes its reads link) is *legal* when every read of a
member's result by another member is at the current parallel point
(contract.reads_parallel_point: a reduction result that an epilogue, or a later
reduction, reads per row, or per column for a reduction over axis 0).

Saved bytes of a merge:
  - a buffer produced in one group and read by the other: its read (and its write,
    when nothing outside the merged group needs it: it becomes kernel-local);
  - a buffer both groups read at the same elements per parallel point (access.py
    over the kernel's dims: equal offsets with the reduction dims at 0), by ops that
    walk the parallel points in one order: one read instead of two (horizontal
    fusion: sum and max of the same rows, the mean and the mean of squares).

Rejected, however much it saves, when the kernel would read a buffer both groups
read along one parallel dim by different strides (x[p0, k0] and x[k0, p0]: two
orders), and when it would expose fewer parallel points than `min-parallelism`
while one of the two groups alone exposed at least that many (a lone op exposes its
every output point): a wide epilogue stays out of a kernel over few rows.

Acyclic: no op outside the merged group both uses it and is used by it (searched
only up to the merged group's last op: the ops are in topological order).

Small enough: the members' bodies hold at most `max_kernel_ops` ops together (the
option of loops-fuse; one kernel becomes one loop nest for LLVM).

The candidates wait in a heap keyed by score; a merge changes one group, whose
pairs are scored again, and entries of a changed group are dropped when they come
up, so the work grows with the program, not with its square.
"""

from __future__ import annotations

import bisect
import heapq
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from xdsl.ir import Block, Operation, SSAValue

from stepwell.dialects.loops import ComputeOp, LoadOp
from stepwell.dialects.loops.contract import MIN_PARALLELISM
from stepwell.ir import report
from stepwell.transforms.loops_fuse.graph import (
    buffer_bytes,
    compute_of,
    dependences,
    has_other_uses,
    reads,
    simplified_indices,
    top_level,
    users,
)
from stepwell.transforms.loops_fuse.space import (
    KernelSpace,
    kernel_access,
    kernel_space,
    name,
    parallel_part,
    violation,
    walks_apart,
)

NEIGHBORS = 4
"""How many other readers of a buffer, on each side in program order, a group pairs with."""


@dataclass(eq=False)
class Group:
    ops: list[ComputeOp]
    space: KernelSpace | None = None
    """The kernel's iteration space (None for a lone op)."""
    size: int = 0
    """Ops in the members' bodies."""
    version: int = 0
    """Bumped by every merge into this group (heap entries of older versions are stale)."""

    @property
    def first(self) -> ComputeOp:
        return self.ops[0]

    @property
    def exposed(self) -> int:
        """Parallel points: a kernel's, or a lone op's every output point."""
        return self.space.points if self.space is not None else math.prod(self.first.shape)


@dataclass(frozen=True)
class Limits:
    max_ops: int = 256
    min_parallelism: int = MIN_PARALLELISM
    remarks: bool = False


@dataclass
class Graph:
    """The top level of one function: ops in order, their dependences, and (cached: the
    ops do not change while groups form) each op's loads, each load's buffer and
    simplified indices, and the top-level users of each buffer."""

    block: Block
    position: dict[Operation, int]
    deps: dict[Operation, set[Operation]]
    users: dict[Operation, set[Operation]]
    _loads: dict[Operation, list[LoadOp]] = field(default_factory=dict)
    _readers: dict[SSAValue, set[Operation]] = field(default_factory=dict)
    _buffers: dict[LoadOp, SSAValue] = field(default_factory=dict)
    _indices: dict[LoadOp, tuple] = field(default_factory=dict)

    @classmethod
    def of(cls, block: Block) -> Graph:
        deps = dependences(block)
        return cls(block, {op: i for i, op in enumerate(block.ops)}, deps, users(deps))

    def loads(self, op: Operation) -> list[LoadOp]:
        if op not in self._loads:
            self._loads[op] = list(reads(op))
            self._buffers.update((ld, ld.buffer) for ld in self._loads[op])
        return self._loads[op]

    def buffer(self, load: LoadOp) -> SSAValue:
        return self._buffers[load]  # filled by `loads`

    def indices(self, load: LoadOp) -> tuple:
        if load not in self._indices:
            self._indices[load] = simplified_indices(load)
        return self._indices[load]

    def top_users(self, value: SSAValue) -> set[Operation]:
        if value not in self._readers:
            self._readers[value] = {top_level(u.operation, self.block) for u in value.uses}  # type: ignore[misc]
        return self._readers[value]

    def space(self, ops: Sequence[ComputeOp]) -> KernelSpace:
        return kernel_space(ops, self.loads, self.indices, lambda v: tuple(v.type.get_shape()))


def _internal_reads(graph: Graph, ops: Sequence[ComputeOp]) -> list[tuple[ComputeOp, LoadOp, ComputeOp]]:
    """(producer, load, reader): each read of a member's result inside the group."""
    members = set(ops)
    return [
        (graph.buffer(ld).owner, ld, op)  # type: ignore[misc]
        for op in ops
        for ld in graph.loads(op)
        if graph.buffer(ld).owner in members  # type: ignore[comparison-overlap]
    ]


class Spans:
    """The [first, last] positions of the groups of more than one op, for the bound of
    `is_acyclic`: `closure(x)` is the least b >= x with last <= b for every group whose
    first <= b (a prefix maximum in a Fenwick tree; merges only widen spans)."""

    def __init__(self, n: int) -> None:
        self.tree = [-1] * (n + 1)

    def add(self, first: int, last: int) -> None:
        i = first + 1
        while i < len(self.tree):
            self.tree[i] = max(self.tree[i], last)
            i += i & -i

    def _max_last(self, x: int) -> int:  # over the groups whose first <= x
        out, i = -1, min(x + 1, len(self.tree) - 1)
        while i > 0:
            out = max(out, self.tree[i])
            i -= i & -i
        return out

    def closure(self, x: int) -> int:
        while (wider := self._max_last(x)) > x:
            x = wider
        return x


def is_acyclic(graph: Graph, members: set[Operation], group_of=None, spans: Spans | None = None) -> bool:
    """No path leaves the members and comes back, where an op of another group stands
    for its whole group (a kernel runs once all its inputs exist). In program order an
    op-to-op step goes forward and a step inside a group may go back, so a path back
    only passes ops up to `spans.closure(last member)`; the search stops there."""
    last = max(graph.position[m] for m in members)
    bound = spans.closure(last) if spans is not None else last
    stack = [u for m in members for u in graph.users[m] if u not in members]
    seen: set[Operation] = set()
    while stack:
        op = stack.pop()
        if op in members:
            return False
        if op not in seen and graph.position[op] <= bound:
            seen.add(op)
            stack.extend(graph.users[op])
            group = group_of.get(op) if group_of is not None else None
            if group is not None and len(group.ops) > 1:
                stack.extend(group.ops)
    return True


def _external_reads(graph: Graph, group: Group, members: set[Operation]) -> dict[SSAValue, list[LoadOp]]:
    out: dict[SSAValue, list[LoadOp]] = {}
    for op in group.ops:
        for ld in graph.loads(op):
            if graph.buffer(ld).owner not in members:
                out.setdefault(graph.buffer(ld), []).append(ld)
    return out


def _needed_outside(value: SSAValue, graph: Graph, members: set[Operation]) -> bool:
    if has_other_uses(value):
        return True
    readers = graph.top_users(value)
    return len(readers) > len(members) or not readers <= members


def merge_score(graph: Graph, a: Group, b: Group, space: KernelSpace) -> tuple[int, str | None]:
    """Bytes the merge saves, and why the kernel would walk an input in two orders
    (None if it would not)."""
    members = set(a.ops) | set(b.ops)
    saved = 0
    for producer, consumer in ((a, b), (b, a)):
        mine = set(producer.ops)
        for value in dict.fromkeys(
            graph.buffer(ld) for op in consumer.ops for ld in graph.loads(op) if graph.buffer(ld).owner in mine
        ):
            saved += buffer_bytes(value)
            if not _needed_outside(value, graph, members):
                saved += buffer_bytes(value)
    ra, rb = _external_reads(graph, a, members), _external_reads(graph, b, members)
    conflict = None
    for value in sorted(ra.keys() & rb.keys(), key=lambda v: graph.position.get(v.owner, -1)):
        loads = ra[value] + rb[value]
        accesses = [kernel_access(space, compute_of(ld), ld, graph.indices(ld)) for ld in loads]
        p = walks_apart(space, accesses)
        if p is not None and conflict is None:
            conflict = f"the kernel would read {_value_name(value)} in two orders (along {p} by different strides)"
        elif _read_once(space, loads, accesses):
            saved += buffer_bytes(value)
    return saved, conflict


def _value_name(value: SSAValue) -> str:
    return f"%{value.name_hint}" if value.name_hint else "a buffer"


def _read_once(space: KernelSpace, loads: Sequence[LoadOp], accesses) -> bool:
    """Whether loads of one buffer by members read it once between them: at every
    parallel point they read the same elements (their offsets over the kernel's dims
    agree with the reduction dims at 0), and their ops walk the parallel points in one
    order (the p dims in the same order in each op's map). A kernel without parallel
    dims runs its ops one after the other over the whole space: nothing is read once
    there."""
    if not space.parallel:
        return False
    parts = {(parallel_part(space, acc), tuple(id(s) for s in ld.syms)) for ld, acc in zip(loads, accesses)}
    orders = {tuple(n for n in space.maps[compute_of(ld)] if n.startswith("p")) for ld in loads}
    return len(parts) == 1 and len(orders) == 1


@dataclass(frozen=True)
class Verdict:
    """A scored pair: the kernel it would make and the bytes it saves, and why it may
    not merge (None: it may)."""

    saved: int
    space: KernelSpace
    reason: str | None = None


def judge(graph: Graph, a: Group, b: Group, limits: Limits, acyclic) -> Verdict | None:
    """The merge of a and b (a first in program order), if it saves bytes; with the
    reason it is rejected, if it is (`acyclic(members)`: the cycle check against the
    current groups). Without remarks, a pair over the size cap is not even scored."""
    size = a.size + b.size
    if size > limits.max_ops and not limits.remarks:
        return None
    ops = sorted(a.ops + b.ops, key=graph.position.__getitem__)
    space = graph.space(ops)
    saved, apart = merge_score(graph, a, b, space)
    if saved <= 0:
        return None
    if size > limits.max_ops:
        return Verdict(saved, space, f"the kernel would hold {size} ops (max-kernel-ops={limits.max_ops})")
    reason = violation(space, _internal_reads(graph, ops), graph.indices) or apart
    if reason is None and space.points < limits.min_parallelism <= max(a.exposed, b.exposed):
        reason = (
            f"the kernel would expose {space.points} parallel points, {name(b.first if b.exposed >= a.exposed else a.first)} "
            f"alone {max(a.exposed, b.exposed)} (min-parallelism={limits.min_parallelism})"
        )
    if reason is None and not acyclic(set(ops)):
        reason = CYCLE
    return Verdict(saved, space, reason)


CYCLE = "another op both uses the kernel and is used by it (a cycle)"


class Grouping:
    """The groups of one function and the candidate merges between them."""

    def __init__(self, block: Block, limits: Limits) -> None:
        self.graph = Graph.of(block)
        self.limits = limits
        groups = [Group([op], None, sum(1 for _ in op.body.walk())) for op in block.ops if isinstance(op, ComputeOp)]
        self.groups = dict.fromkeys(groups)  # in program order (of their first ops)
        self.of: dict[Operation, Group] = {g.first: g for g in groups}
        self.readers: dict[SSAValue, list[Group]] = {}  # of each buffer, in program order
        for g in groups:
            for value in self.buffers(g):
                self.readers.setdefault(value, []).append(g)
        self.spans = Spans(len(self.graph.position))
        self.heap: list[tuple[int, int, int, int, Group, int, Group, int, Verdict]] = []
        self.scored: set[tuple[int, int, int, int]] = set()
        self.pushed = 0  # the heap's last key: stale entries of one pair may tie
        self.rejected: dict[tuple[Operation, Operation], tuple[int, str]] = {}  # remarks, by (later, earlier) first op

    def start(self, g: Group) -> int:
        return self.graph.position[g.first]

    def buffers(self, g: Group) -> dict[SSAValue, None]:
        return dict.fromkeys(self.graph.buffer(ld) for op in g.ops for ld in self.graph.loads(op))

    def slot(self, readers: list[Group], g: Group) -> int:
        return bisect.bisect_left(readers, self.start(g), key=self.start)

    def related(self, g: Group) -> Iterator[Group]:
        """Groups that produce what g reads or read what g produces, and the NEIGHBORS
        nearest other readers (on each side) of each buffer g reads."""
        for value in self.buffers(g):
            producer = self.of.get(value.owner)  # type: ignore[arg-type]
            if producer is not None:
                yield producer
            readers = self.readers[value]
            i = self.slot(readers, g)
            yield from readers[max(0, i - NEIGHBORS) : i + NEIGHBORS + 1]
        for op in g.ops:
            yield from self.readers.get(op.result, ())

    def offer(self, x: Group, y: Group) -> None:
        """Score the pair (once per version of each) and queue it if it saves."""
        if x is y:
            return
        if self.start(x) > self.start(y):
            x, y = y, x
        key = (id(x), x.version, id(y), y.version)
        if key in self.scored:
            return
        self.scored.add(key)
        found = judge(self.graph, x, y, self.limits, self.acyclic)
        if found is None:
            return
        if found.reason is not None:
            self.reject(x, y, found.saved, found.reason)
            return
        self.pushed += 1
        entry = (-found.saved, self.start(x), self.start(y), self.pushed, x, x.version, y, y.version, found)
        heapq.heappush(self.heap, entry)

    def reject(self, a: Group, b: Group, saved: int, reason: str) -> None:
        if self.limits.remarks:
            self.rejected.pop((b.first, a.first), None)  # the latest reason last
            self.rejected[(b.first, a.first)] = (saved, reason)

    def acyclic(self, members: set[Operation]) -> bool:
        return is_acyclic(self.graph, members, self.of, self.spans)

    def merge(self, a: Group, b: Group, verdict: Verdict) -> None:
        """The later group b into a; then score a's pairs again, and the pairs of readers
        that b stood between."""
        if self.limits.remarks:
            parallel = ", ".join(map(str, verdict.space.parallel))
            report.remark(
                b.first, f"fused {name(b.first)} into the kernel of {name(a.first)} (parallel [{parallel}]): saves {verdict.saved} bytes"
            )
        a.ops = sorted(a.ops + b.ops, key=self.graph.position.__getitem__)
        a.space = verdict.space
        a.size += b.size
        a.version += 1
        b.version += 1
        del self.groups[b]
        for op in b.ops:
            self.of[op] = a
        self.spans.add(self.start(a), self.graph.position[a.ops[-1]])
        closer = []
        for value in self.buffers(b):
            readers = self.readers[value]
            j = self.slot(readers, b)
            del readers[j]
            closer.append((readers[max(0, j - NEIGHBORS) : j], readers[j : j + NEIGHBORS]))
            i = self.slot(readers, a)
            if i == len(readers) or readers[i] is not a:
                readers.insert(i, a)
        for other in list(self.related(a)):
            self.offer(a, other)
        for before, after in closer:
            for x in before:
                for y in after:
                    self.offer(x, y)

    def run(self) -> list[Group]:
        for g in self.groups:
            for other in self.related(g):
                self.offer(g, other)
        while self.heap:
            *_, a, va, b, vb, verdict = heapq.heappop(self.heap)
            if a.version != va or b.version != vb:
                continue
            # other merges since the pair was scored may have closed a cycle through it
            if self.acyclic(set(a.ops) | set(b.ops)):
                self.merge(a, b, verdict)
            else:
                self.reject(a, b, verdict.saved, CYCLE)
        self.remark_rejected()
        return list(self.groups)

    def remark_rejected(self) -> None:
        """One remark per pair of groups still apart (the last reason recorded between
        them), at the later op, in program order."""
        last: dict[tuple[int, int], tuple[Operation, Operation, int, str]] = {}
        for (later, earlier), (saved, reason) in self.rejected.items():
            g, h = self.of[later], self.of[earlier]
            if g is not h:
                last[(id(g), id(h))] = (later, earlier, saved, reason)
        order = sorted(last.values(), key=lambda r: (self.graph.position[r[0]], self.graph.position[r[1]]))
        for later, earlier, saved, reason in order:
            report.remark(
                later, f"not fused {name(later)} into the kernel of {name(earlier)}: {reason} (would save {saved} bytes)"
            )


def form_groups(block: Block, limits: Limits | None = None) -> list[Group]:
    """Greedy merging of the top-level compute ops of `block` into groups (see above)."""
    return Grouping(block, limits or Limits()).run()
