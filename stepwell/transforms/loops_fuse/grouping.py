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

Legal with outer sizes O = the first k dimensions shared by every member's shape,
the kernel's parallel dims (the kernel contract, stepwell/dialects/loops/contract.py):
each read of a member's result by another member is at the current parallel point
(`reads_parallel_point`: its first k indices are d0..d(k-1), or 0 for a size-1 dim)
of a buffer that holds one element per parallel point (its shape after O is all 1s):
a reduction result that an epilogue, or a later reduction, reads per row. k is
taken as large as is legal and profitable; k = 0 (one outer point) is allowed.

Saved bytes of a merge:
  - a buffer produced in one group and read by the other: its read (and its write,
    when nothing outside the merged group needs it: it becomes kernel-local);
  - a buffer both groups read, at the same access everywhere or (k >= 1) at the
    current outer point everywhere: one read instead of two (horizontal fusion:
    sum and max of the same rows, the mean and the mean of squares).

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
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from xdsl.ir import Block, Operation, SSAValue

from stepwell.dialects.loops import ComputeOp, LoadOp
from stepwell.dialects.loops.contract import prefix_map, reads_parallel_point
from stepwell.transforms.loops_fuse.graph import (
    access_key,
    at_outer_point,
    buffer_bytes,
    compute_of,
    dependences,
    has_other_uses,
    reads,
    simplified_indices,
    top_level,
    users,
)

NEIGHBORS = 4
"""How many other readers of a buffer, on each side in program order, a group pairs with."""


@dataclass(eq=False)
class Group:
    ops: list[ComputeOp]
    outer: tuple[int, ...] = field(default=())
    size: int = 0
    """Ops in the members' bodies."""
    version: int = 0
    """Bumped by every merge into this group (heap entries of older versions are stale)."""

    @property
    def first(self) -> ComputeOp:
        return self.ops[0]


@dataclass
class Graph:
    """The top level of one function: ops in order, their dependences, and (cached: the
    ops do not change while groups form) each op's shape and loads, each load's buffer
    and simplified indices, and the top-level users of each buffer."""

    block: Block
    position: dict[Operation, int]
    deps: dict[Operation, set[Operation]]
    users: dict[Operation, set[Operation]]
    _loads: dict[Operation, list[LoadOp]] = field(default_factory=dict)
    _readers: dict[SSAValue, set[Operation]] = field(default_factory=dict)
    _shapes: dict[Operation, tuple[int, ...]] = field(default_factory=dict)
    _buffers: dict[LoadOp, SSAValue] = field(default_factory=dict)
    _indices: dict[LoadOp, tuple] = field(default_factory=dict)
    _access: dict[LoadOp, tuple[str, ...]] = field(default_factory=dict)

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

    def shape(self, op: ComputeOp) -> tuple[int, ...]:
        if op not in self._shapes:
            self._shapes[op] = tuple(op.shape)
        return self._shapes[op]

    def indices(self, load: LoadOp) -> tuple:
        if load not in self._indices:
            self._indices[load] = simplified_indices(load)
        return self._indices[load]

    def at_outer_point(self, load: LoadOp, outer: Sequence[int]) -> bool:
        return at_outer_point(self.indices(load), outer)

    def access(self, load: LoadOp) -> tuple[str, ...]:
        if load not in self._access:
            self._access[load] = access_key(load)
        return self._access[load]

    def top_users(self, value: SSAValue) -> set[Operation]:
        if value not in self._readers:
            self._readers[value] = {top_level(u.operation, self.block) for u in value.uses}  # type: ignore[misc]
        return self._readers[value]


def _common_rank(graph: Graph, ops: Sequence[ComputeOp]) -> int:
    shapes = [graph.shape(op) for op in ops]
    k = min(map(len, shapes))
    while any(s[:k] != shapes[0][:k] for s in shapes):
        k -= 1
    return k


def _internal_reads(graph: Graph, ops: Sequence[ComputeOp]) -> list[tuple[ComputeOp, LoadOp]]:
    """(producer, load): each read of a member's result inside the group."""
    members = set(ops)
    return [
        (graph.buffer(ld).owner, ld)
        for op in ops
        for ld in graph.loads(op)
        if graph.buffer(ld).owner in members  # type: ignore[comparison-overlap]
    ]


def legal_outer_ranks(graph: Graph, ops: Sequence[ComputeOp]) -> list[int]:
    """The k (largest first) at which the group meets the kernel contract."""
    internal = _internal_reads(graph, ops)
    out = []
    for k in range(_common_rank(graph, ops), -1, -1):
        outer = graph.shape(ops[0])[:k]
        if all(
            reads_parallel_point(graph.indices(ld), prefix_map(p, k), prefix_map(compute_of(ld), k), outer)
            for p, ld in internal
        ):
            out.append(k)
    return out


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


def merge_score(graph: Graph, a: Group, b: Group, outer: tuple[int, ...]) -> int:
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
    for value in ra.keys() & rb.keys():
        loads = ra[value] + rb[value]
        same_access = len({graph.access(ld) for ld in loads}) == 1
        same_outer = len(outer) > 0 and all(graph.at_outer_point(ld, outer) for ld in loads)
        if same_access or same_outer:
            saved += buffer_bytes(value)
    return saved


def best_merge(graph: Graph, a: Group, b: Group, max_ops: int, acyclic) -> tuple[int, tuple[int, ...]] | None:
    """(bytes saved, outer sizes) of the best legal merge of a and b, if any saves
    (`acyclic(members)`: the cycle check against the current groups)."""
    if a.size + b.size > max_ops:
        return None
    ops = sorted(a.ops + b.ops, key=graph.position.__getitem__)
    ranks = legal_outer_ranks(graph, ops)
    if not ranks or not acyclic(set(ops)):
        return None
    shape = graph.shape(ops[0])
    best = max(((merge_score(graph, a, b, shape[:k]), shape[:k]) for k in ranks), key=lambda t: t[0])
    return best if best[0] > 0 else None


class Grouping:
    """The groups of one function and the candidate merges between them."""

    def __init__(self, block: Block, max_ops: int) -> None:
        self.graph = Graph.of(block)
        self.max_ops = max_ops
        groups = [Group([op], op.shape, sum(1 for _ in op.body.walk())) for op in block.ops if isinstance(op, ComputeOp)]
        self.groups = dict.fromkeys(groups)  # in program order (of their first ops)
        self.of: dict[Operation, Group] = {g.first: g for g in groups}
        self.readers: dict[SSAValue, list[Group]] = {}  # of each buffer, in program order
        for g in groups:
            for value in self.buffers(g):
                self.readers.setdefault(value, []).append(g)
        self.spans = Spans(len(self.graph.position))
        self.heap: list[tuple[int, int, int, int, Group, int, Group, int, tuple[int, ...]]] = []
        self.scored: set[tuple[int, int, int, int]] = set()
        self.pushed = 0  # the heap's last key: stale entries of one pair may tie

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
        found = best_merge(self.graph, x, y, self.max_ops, self.acyclic)
        if found is not None:
            self.pushed += 1
            entry = (-found[0], self.start(x), self.start(y), self.pushed, x, x.version, y, y.version, found[1])
            heapq.heappush(self.heap, entry)

    def acyclic(self, members: set[Operation]) -> bool:
        return is_acyclic(self.graph, members, self.of, self.spans)

    def merge(self, a: Group, b: Group, outer: tuple[int, ...]) -> None:
        """The later group b into a; then score a's pairs again, and the pairs of readers
        that b stood between."""
        a.ops = sorted(a.ops + b.ops, key=self.graph.position.__getitem__)
        a.outer = outer
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
            *_, a, va, b, vb, outer = heapq.heappop(self.heap)
            # other merges since the pair was scored may have closed a cycle through it
            if a.version == va and b.version == vb and self.acyclic(set(a.ops) | set(b.ops)):
                self.merge(a, b, outer)
        return list(self.groups)


def form_groups(block: Block, max_ops: int = 256) -> list[Group]:
    """Greedy merging of the top-level compute ops of `block` into groups (see above)."""
    return Grouping(block, max_ops).run()
