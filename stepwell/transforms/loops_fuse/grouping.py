"""Kernel formation: group top-level compute ops into kernels, greedily by bytes saved.

Every compute op starts in a group of its own. Two groups may merge when the merged
group is *legal* and *acyclic*; among all such pairs the one that saves the most
bytes merges, until no merge saves any.

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

Acyclic: no op outside the merged group both uses it and is used by it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from xdsl.ir import Block, Operation, SSAValue

from stepwell.dialects.loops import ComputeOp, LoadOp
from stepwell.dialects.loops.contract import prefix_map, reads_parallel_point
from stepwell.transforms.loops_fuse.graph import (
    access_key,
    buffer_bytes,
    compute_of,
    dependences,
    has_other_uses,
    reads,
    reads_outer_point,
    simplified_indices,
    top_level,
    users,
)


@dataclass(eq=False)
class Group:
    ops: list[ComputeOp]
    outer: tuple[int, ...] = field(default=())


@dataclass
class Graph:
    """The top level of one function: ops in order and their dependences."""

    block: Block
    position: dict[Operation, int]
    deps: dict[Operation, set[Operation]]
    users: dict[Operation, set[Operation]]

    @classmethod
    def of(cls, block: Block) -> Graph:
        deps = dependences(block)
        return cls(block, {op: i for i, op in enumerate(block.ops)}, deps, users(deps))


def _common_rank(ops: Sequence[ComputeOp]) -> int:
    k = min(len(op.shape) for op in ops)
    while any(op.shape[:k] != ops[0].shape[:k] for op in ops):
        k -= 1
    return k


def _internal_reads(ops: Sequence[ComputeOp]) -> list[tuple[ComputeOp, LoadOp]]:
    """(producer, load): each read of a member's result inside the group."""
    members = set(ops)
    return [
        (ld.buffer.owner, ld)
        for op in ops
        for ld in reads(op)
        if ld.buffer.owner in members  # type: ignore[comparison-overlap]
    ]


def legal_outer_ranks(ops: Sequence[ComputeOp]) -> list[int]:
    """The k (largest first) at which the group meets the kernel contract."""
    internal = _internal_reads(ops)
    out = []
    for k in range(_common_rank(ops), -1, -1):
        outer = ops[0].shape[:k]
        if all(
            reads_parallel_point(simplified_indices(ld), prefix_map(p, k), prefix_map(compute_of(ld), k), outer)
            for p, ld in internal
        ):
            out.append(k)
    return out


def is_acyclic(graph: Graph, members: set[Operation]) -> bool:
    stack = [u for m in members for u in graph.users[m] if u not in members]
    seen: set[Operation] = set()
    while stack:
        op = stack.pop()
        if op in members:
            return False
        if op not in seen:
            seen.add(op)
            stack.extend(graph.users[op])
    return True


def _external_reads(group: Group, members: set[Operation]) -> dict[SSAValue, list[LoadOp]]:
    out: dict[SSAValue, list[LoadOp]] = {}
    for op in group.ops:
        for ld in reads(op):
            if ld.buffer.owner not in members:
                out.setdefault(ld.buffer, []).append(ld)
    return out


def _needed_outside(value: SSAValue, graph: Graph, members: set[Operation]) -> bool:
    if has_other_uses(value):
        return True
    return any(top_level(u.operation, graph.block) not in members for u in value.uses)


def merge_score(graph: Graph, a: Group, b: Group, outer: tuple[int, ...]) -> int:
    members = set(a.ops) | set(b.ops)
    saved = 0
    for producer, consumer in ((a, b), (b, a)):
        mine = set(producer.ops)
        for value in dict.fromkeys(ld.buffer for op in consumer.ops for ld in reads(op) if ld.buffer.owner in mine):
            saved += buffer_bytes(value)
            if not _needed_outside(value, graph, members):
                saved += buffer_bytes(value)
    ra, rb = _external_reads(a, members), _external_reads(b, members)
    for value in ra.keys() & rb.keys():
        loads = ra[value] + rb[value]
        same_access = len({access_key(ld) for ld in loads}) == 1
        same_outer = len(outer) > 0 and all(reads_outer_point(ld, outer) for ld in loads)
        if same_access or same_outer:
            saved += buffer_bytes(value)
    return saved


def best_merge(graph: Graph, a: Group, b: Group) -> tuple[int, tuple[int, ...]] | None:
    """(bytes saved, outer sizes) of the best legal merge of a and b, if any saves."""
    ops = sorted(a.ops + b.ops, key=graph.position.__getitem__)
    ranks = legal_outer_ranks(ops)
    if not ranks or not is_acyclic(graph, set(ops)):
        return None
    best = max(((merge_score(graph, a, b, ops[0].shape[:k]), ops[0].shape[:k]) for k in ranks), key=lambda t: t[0])
    return best if best[0] > 0 else None


def _related_pairs(groups: list[Group], of: dict[Operation, Group]) -> list[tuple[Group, Group]]:
    """Pairs that share a buffer or where one reads the other (in group order)."""
    readers: dict[SSAValue, list[Group]] = {}
    pairs: dict[tuple[int, int], None] = {}
    order = {id(g): i for i, g in enumerate(groups)}
    for g in groups:
        for op in g.ops:
            for ld in reads(op):
                readers.setdefault(ld.buffer, []).append(g)
                if ld.buffer.owner in of and of[ld.buffer.owner] is not g:  # type: ignore[index]
                    pairs[tuple(sorted((order[id(of[ld.buffer.owner])], order[id(g)])))] = None  # type: ignore[index]
    for gs in readers.values():
        gs = list(dict.fromkeys(gs))
        for i, x in enumerate(gs):
            for y in gs[i + 1 :]:
                pairs[tuple(sorted((order[id(x)], order[id(y)])))] = None
    return [(groups[i], groups[j]) for i, j in sorted(pairs)]  # type: ignore[misc]


def form_groups(block: Block) -> list[Group]:
    """Greedy merging of the top-level compute ops of `block` into groups."""
    graph = Graph.of(block)
    groups = [Group([op], op.shape) for op in block.ops if isinstance(op, ComputeOp)]
    of: dict[Operation, Group] = {op: g for g in groups for op in g.ops}
    known: dict[tuple[int, int], tuple[int, tuple[int, ...]] | None] = {}  # pairs not changed since
    while True:
        candidates = []
        for a, b in _related_pairs(groups, of):
            key = (id(a), id(b))
            if key not in known:
                known[key] = best_merge(graph, a, b)
            found = known[key]
            if found is not None:
                candidates.append((found[0], a, b, found[1]))
        if not candidates:
            return groups
        _, a, b, outer = max(candidates, key=lambda c: c[0])
        a.ops = sorted(a.ops + b.ops, key=graph.position.__getitem__)
        a.outer = outer
        groups.remove(b)
        for op in b.ops:
            of[op] = a
        known = {k: v for k, v in known.items() if id(a) not in k and id(b) not in k}
