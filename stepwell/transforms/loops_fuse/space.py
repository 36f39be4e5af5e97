"""The iteration space of a group of ops: which dims of its ops are one axis of the
kernel, which axes run in parallel, and each op's `at (...)` map.

Axes. A dim of an op (a d- or r-dim of size other than 1) and a position of a buffer
are linked when the op reads the buffer with that dim's bare symbol at that position
(`%x[d0, r0]` links the op's d0 to position 0 of %x and its r0 to position 1), and a
member's own dims are linked to the positions of its result. The classes of linked
dims are the axes: softmax over axis 0 reads `%x[r0, d1]` in its reductions and
`%x[d0, d1]`, `%m[0, d1]` in its epilogue, so the reductions' d1, the epilogue's d1
and position 1 of %x and %m are one axis, and the reductions' r0 with the epilogue's
d0 another. The links through a member's result are always made (they decide whether
the reads inside the kernel are legal); the links through a buffer from outside (how
siblings read a common input) are made, in program order, unless they would put two
dims of one op into one axis.

Parallel dims. An axis holding exactly one d-dim of every member, and no r-dim, may
run in parallel; all of them do (more parallel points never make a read illegal: a
member's result is legal to read in the kernel only if every dim of it is parallel).
They are numbered as the leading dims of the members where those agree (as `p0` =
every member's d0 ...; a leading dim of size 1 in every member is a parallel dim of
size 1 there), then in the order of the members' dims. The other dims of size > 1
map to reduction dims k0, k1, ...: an axis takes one k dim (its first op takes the
first k dim of its size that it does not use yet, else a new one), a dim of size 1
maps to `0`.

Legality is the kernel contract (contract.reads_parallel_point), checked for every
read of a member's result with these maps: `violation` says which read breaks it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import sympy
from xdsl.ir import Operation

from stepwell.dialects.loops import ComputeOp, LoadOp, ReduceOp
from stepwell.dialects.loops.access import Access, analyze, buffer_shape
from stepwell.dialects.loops.contract import UNIT, reads_parallel_point
from stepwell.dialects.loops.index import format_index, sym

Node = tuple[object, int]  # (op, dim index: d-dims then r-dims) or (buffer, position)


@dataclass(frozen=True)
class KernelSpace:
    parallel: tuple[int, ...]
    reduction: tuple[int, ...]
    maps: dict[ComputeOp, tuple[str, ...]]  # each member's `at (...)`: d-dims, then r-dims

    @property
    def points(self) -> int:
        """Parallel points the kernel exposes."""
        return math.prod(self.parallel)

    def symbols(self, op: ComputeOp) -> dict[sympy.Symbol, sympy.Expr]:
        """The op's own symbols (d0.., r0..) as the kernel's (p0.., k0.., or 0)."""
        names = self.maps[op]
        own = [sym(f"d{i}") for i in range(len(op.shape))] + [sym(f"r{i}") for i in range(len(op.reduce_shape))]
        return {s: sympy.Integer(0) if n == UNIT else sym(n) for s, n in zip(own, names)}


class _Axes:
    """Union-find over nodes; each class knows which ops have a dim in it."""

    def __init__(self) -> None:
        self.parent: dict[Node, Node] = {}
        self.owners: dict[Node, set[Operation]] = {}

    def find(self, x: Node) -> Node:
        if x not in self.parent:
            self.parent[x] = x
            self.owners[x] = {x[0]} if isinstance(x[0], ComputeOp) else set()
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def link(self, a: Node, b: Node, strict: bool) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra == rb or (not strict and self.owners[ra] & self.owners[rb]):
            return
        self.parent[rb] = ra
        self.owners[ra] |= self.owners.pop(rb)


def _sizes(op: ComputeOp) -> tuple[int, ...]:
    return (*op.shape, *op.reduce_shape)


def _links(load: LoadOp, indices: Sequence[sympy.Expr], op: ComputeOp, shape: Sequence[int]):
    """(op dim, buffer position) for each position read at a bare symbol of the op's
    dim of the same size."""
    own = {sym(f"d{i}"): i for i in range(len(op.shape))}
    own.update({sym(f"r{i}"): len(op.shape) + i for i in range(len(op.reduce_shape))})
    sizes = _sizes(op)
    for t, e in enumerate(indices):
        i = own.get(e)
        if i is not None and shape[t] != 1 and sizes[i] == shape[t]:
            yield (op, i), (load.buffer, t)


def kernel_space(ops: Sequence[ComputeOp], loads, indices, shape_of) -> KernelSpace:
    """The space of the group `ops` (in program order). `loads(op)`: its loads;
    `indices(load)`: their simplified indices; `shape_of(value)`: a buffer's shape."""
    members = set(ops)
    axes = _Axes()
    for op in ops:
        for i, n in enumerate(op.shape):
            if n != 1:
                axes.link((op, i), (op.result, i), strict=True)
    outside: list[tuple[Node, Node]] = []
    for op in ops:
        for ld in loads(op):
            inside = ld.buffer.owner in members
            for a, b in _links(ld, indices(ld), op, shape_of(ld.buffer)):
                if inside:
                    axes.link(a, b, strict=True)
                else:
                    outside.append((a, b))
    for a, b in outside:
        axes.link(a, b, strict=False)
    parallel, p_of = _parallel_dims(ops, axes)
    return _with_reduction_dims(ops, axes, parallel, p_of)


def _parallel_dims(ops: Sequence[ComputeOp], axes: _Axes) -> tuple[list[int], dict[Node, str]]:
    """The parallel dims' sizes and the p dim of each (op, d-dim) that has one."""
    members: dict[Node, list[tuple[ComputeOp, int]]] = {}
    for op in ops:
        for i, n in enumerate(_sizes(op)):
            if n != 1:
                members.setdefault(axes.find((op, i)), []).append((op, i))
    candidates = {
        root: dims
        for root, dims in members.items()
        if len(dims) == len(ops) and {op for op, _ in dims} == set(ops) and all(i < len(op.shape) for op, i in dims)
    }
    parallel: list[int] = []
    p_of: dict[Node, str] = {}

    def take(dims: Sequence[tuple[ComputeOp, int]], size: int) -> None:
        for d in dims:
            p_of[d] = f"p{len(parallel)}"
        parallel.append(size)

    rank = min(len(op.shape) for op in ops)
    for i in range(rank):  # the leading dims where every member agrees
        dims = [(op, i) for op in ops]
        if all(op.shape[i] == 1 for op in ops):
            take(dims, 1)
        elif (root := axes.find(dims[0])) in candidates and all(axes.find(d) == root for d in dims):
            take(dims, ops[0].shape[i])
            del candidates[root]
        else:
            break
    for root, dims in sorted(candidates.items(), key=lambda item: [i for _, i in item[1]]):
        take(dims, dims[0][0].shape[dims[0][1]])
    return parallel, p_of


def _with_reduction_dims(
    ops: Sequence[ComputeOp], axes: _Axes, parallel: list[int], p_of: dict[Node, str]
) -> KernelSpace:
    reduction: list[int] = []
    k_of: dict[Node, int] = {}  # an axis's k dim
    maps: dict[ComputeOp, tuple[str, ...]] = {}
    for op in ops:
        names: list[str] = []
        used: set[int] = set()
        for i, n in enumerate(_sizes(op)):
            if (op, i) in p_of:
                names.append(p_of[(op, i)])
                continue
            if n == 1:
                names.append(UNIT)
                continue
            root = axes.find((op, i))
            j = k_of.get(root)
            if j is None or j in used:
                j = next((j for j, m in enumerate(reduction) if m == n and j not in used), None)
                if j is None:
                    reduction.append(n)
                    j = len(reduction) - 1
                k_of.setdefault(root, j)
            used.add(j)
            names.append(f"k{j}")
        maps[op] = tuple(names)
    return KernelSpace(tuple(parallel), tuple(reduction), maps)


def violation(space: KernelSpace, internal: Sequence[tuple[ComputeOp, LoadOp, ComputeOp]], indices) -> str | None:
    """Why a read of a member's result (producer, load, reader) is not at the current
    parallel point under `space` (the kernel contract), or None."""
    for producer, ld, reader in internal:
        index = indices(ld)
        p_map = space.maps[producer][: len(producer.shape)]
        r_map = space.maps[reader][: len(reader.shape)]
        if not reads_parallel_point(index, p_map, r_map, space.parallel):
            where = ", ".join(format_index(e) for e in index)
            return f"{name(reader)} reads {name(producer)} at [{where}], not at the current parallel point"
    return None


def name(op: Operation) -> str:
    """How remarks name an op: its SSA name, else its op name (and a reduction's kind)."""
    hint = op.results[0].name_hint if op.results else None
    if hint:
        return f"%{hint}"
    return f"{op.name} {op.kind.data}" if isinstance(op, ReduceOp) else op.name


def kernel_access(space: KernelSpace, op: ComputeOp, load: LoadOp, indices: Sequence[sympy.Expr]) -> Access:
    """The access of `load` (by member `op`, at its simplified `indices`) over the
    kernel's dims p0.., k0.. (access.py)."""
    dims = [(sym(f"p{i}"), n) for i, n in enumerate(space.parallel)]
    dims += [(sym(f"k{j}"), n) for j, n in enumerate(space.reduction)]
    exprs = [e.xreplace(space.symbols(op)) for e in indices]
    return analyze(buffer_shape(load), exprs, dims)


def parallel_part(space: KernelSpace, access: Access) -> sympy.Expr:
    """Where an access is per parallel point: its offset with the reduction dims at 0."""
    return access.offset.xreplace({sym(f"k{j}"): sympy.Integer(0) for j in range(len(space.reduction))})


def walks_apart(space: KernelSpace, accesses: Sequence[Access]) -> sympy.Symbol | None:
    """A parallel dim along which accesses of one buffer move by different strides
    (both moving: x[p0, k0] and x[k0, p0]), or None: the ops of a kernel walk an
    input in one order."""
    for i in range(len(space.parallel)):
        p = sym(f"p{i}")
        moving = {a.stride(p) for a in accesses} - {0}
        if len(moving) > 1:
            return p
    return None
