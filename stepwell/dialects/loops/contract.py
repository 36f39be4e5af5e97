"""The contract of a `loops.kernel`: its iteration space, and the one rule for reads
between its ops. KernelOp's verifier, loops-fuse and every backend use these
functions; none re-derives the rule.

    %y = loops.kernel parallel [p0 = 4] reduction [k0 = 8] -> tensor<4x8xf32> {
      %m = loops.reduce max over [8] : tensor<4x1xf32> at (p0, 0 | k0) { ... }
      %y = loops.pointwise : tensor<4x8xf32> at (p0, k0) { ... %m[d0, 0] ... }
      loops.yield %y : tensor<4x8xf32>
    }

Iteration space. The kernel declares parallel dims p0, p1, ... and reduction dims
k0, k1, ... with their sizes. It is a parallel loop over the p dims; at one parallel
point its ops run one after the other, in the order written, each over the k dims it
maps (a reduction's reduced dims, or the inner dims of a pointwise epilogue: softmax's
`r0` and its division's `d1` are both `k0`, the same axis of the same rows).

Dim maps. Every op of the kernel states, in `at (...)`, the kernel dim of each of its
d-dims and then (after `|`) of each of its r-dims: a dim of the same size, or `0` for
a dim of size 1. Each p dim is one d-dim of every op (every op runs once per parallel
point); an r-dim maps to a k dim; no kernel dim twice in one op.

Reads inside the kernel (`reads_parallel_point`). An op reads the result of another op
of the same kernel only at the current parallel point: where the producer's dim maps
to a p dim, the index is the reader's d-symbol of that p dim (or `0` when the p dim
has size 1); where it maps to `0`, the index is `0` (or a reader's d-symbol of size 1).
So the producer holds one element per parallel point (none of its dims maps to a k
dim), and a backend keeps it in a register or one slot per parallel point.

Materialization: only the yielded buffers are written to memory. Buffers from outside
the kernel are read from memory at any index.
"""

from __future__ import annotations

from collections.abc import Sequence

import sympy

from stepwell.dialects.loops.index import sym
from stepwell.dialects.loops.ops import ComputeOp, KernelOp

UNIT = "0"  # the map entry of a dim of size 1
MIN_PARALLELISM = 64  # parallel points a kernel should expose so that 16-64 cores have work


def is_parallel(name: str) -> bool:
    return name.startswith("p")


def reads_parallel_point(
    index: Sequence[sympy.Expr],
    producer: Sequence[str],
    reader: Sequence[str],
    parallel: Sequence[int],
) -> bool:
    """THE fusion contract: whether a load at `index`, by an op whose d-dims map to
    `reader`, of the result of an op whose d-dims map to `producer`, reads only the
    producer's element of the current parallel point (`parallel`: the p dims' sizes)."""
    if len(index) != len(producer):
        return False
    reader_dim = {name: sym(f"d{i}") for i, name in enumerate(reader) if name != UNIT}
    unit_syms = {sym(f"d{i}") for i, name in enumerate(reader) if name == UNIT}
    for e, name in zip(index, producer):
        if name == UNIT:
            ok = e == 0 or e in unit_syms
        elif is_parallel(name):
            ok = e == reader_dim.get(name) or (parallel[int(name[1:])] == 1 and e == 0)
        else:
            ok = False  # a k dim: more than one element per parallel point
        if not ok:
            return False
    return True


def at_parallel_prefix(index: Sequence[sympy.Expr], parallel: Sequence[int]) -> bool:
    """The rule of `reads_parallel_point` for the common case of ops whose parallel
    dims are their leading dims: the first len(parallel) indices are the current
    parallel point d0, d1, ... (or `0` for a dim of size 1)."""
    k = len(parallel)
    identity = [f"p{i}" for i in range(k)]
    return len(index) >= k and reads_parallel_point(index[:k], identity, identity, parallel)


def prefix_map(op: ComputeOp, k: int) -> list[str]:
    """The d-dim map of `op` in a kernel whose parallel dims are the first k dims of
    its shape, with its other dims left to `space_of` (marked `k?`)."""
    return [f"p{i}" if i < k else UNIT if n == 1 else "k?" for i, n in enumerate(op.shape)]


def space_of(ops: Sequence[ComputeOp], k: int) -> tuple[list[int], list[list[str]]]:
    """The reduction dims and the dim maps of a kernel of `ops` whose parallel dims
    are the first k dims of every op's shape. An op's other dims of size > 1 (d-dims,
    then r-dims) take the kernel's k dims in order of first need: its n-th dim of a
    size takes the n-th k dim of that size, made when no op needed it yet."""
    reduction: list[int] = []
    maps: list[list[str]] = []
    for op in ops:
        names, used = [], set()
        for i, n in enumerate((*op.shape, *op.reduce_shape)):
            if i < k:
                names.append(f"p{i}")
            elif n == 1:
                names.append(UNIT)
            else:
                j = next((j for j, m in enumerate(reduction) if m == n and j not in used), None)
                if j is None:
                    reduction.append(n)
                    j = len(reduction) - 1
                used.add(j)
                names.append(f"k{j}")
        maps.append(names)
    return reduction, maps


def parallel_prefix(kernel: KernelOp) -> int:
    """How many of the kernel's p dims are, in order, the leading d-dims of every op
    (p_i = d_i): the part of the parallel space a backend can walk as one flat range."""
    n = len(kernel.parallel.data)
    for op in kernel.compute_ops():
        names = op.dim_map or ()
        i = 0
        while i < n and i < len(names) and names[i] == f"p{i}":
            i += 1
        n = i
    return n


def kernel_violation(kernel: KernelOp) -> str | None:
    """Why `kernel` breaks the contract above, or None."""
    parallel, reduction = kernel.parallel_sizes, kernel.reduction_sizes
    sizes = {**{f"p{i}": n for i, n in enumerate(parallel)}, **{f"k{i}": n for i, n in enumerate(reduction)}}
    made = {op.result: op for op in kernel.compute_ops()}
    for op in kernel.compute_ops():
        problem = _map_violation(op, parallel, sizes)
        if problem is not None:
            return f"{_name(op)}: {problem}"
    for op in kernel.compute_ops():
        reader = op.dim_map[: len(op.shape)]  # type: ignore[index]
        for load in op.loads():
            producer = made.get(load.buffer)
            if producer is None:
                continue
            if _after(producer, op):
                return f"{_name(op)} reads {_name(producer)}, which is not computed before it in the kernel"
            if not reads_parallel_point(load.index_exprs, producer.dim_map[: len(producer.shape)], reader, parallel):  # type: ignore[index]
                index = ", ".join(s.data for s in load.indices.data)
                return (
                    f"{_name(op)} reads {_name(producer)} at [{index}], not at the current parallel "
                    "point (a kernel-local value is read only at its own p dims)"
                )
    return None


def _map_violation(op: ComputeOp, parallel: Sequence[int], sizes: dict[str, int]) -> str | None:
    names = op.dim_map
    if names is None:
        return "an op of a kernel maps its dims onto the kernel's (`at (...)`)"
    dims = [*op.shape, *op.reduce_shape]
    if len(names) != len(dims):
        return f"`at` names {len(names)} kernel dim(s) for {len(dims)} dim(s) of the op"
    for i, (name, n) in enumerate(zip(names, dims)):
        own = f"d{i}" if i < len(op.shape) else f"r{i - len(op.shape)}"
        if name == UNIT:
            if n != 1:
                return f"{own} has size {n}; only a dim of size 1 maps to 0"
        elif name not in sizes:
            return f"{own} maps to '{name}', which is not a dim of the kernel"
        elif sizes[name] != n:
            return f"{own} has size {n} but kernel dim {name} has size {sizes[name]}"
        elif is_parallel(name) and i >= len(op.shape):
            return f"{own} is reduced, so it cannot map to the parallel dim {name}"
    used = [n for n in names if n != UNIT]
    if len(set(used)) != len(used):
        return "a kernel dim is mapped twice"
    missing = [f"p{i}" for i in range(len(parallel)) if f"p{i}" not in used]
    if missing:
        return f"every op covers every parallel dim; {missing[0]} is not mapped"
    return None


def _after(a: ComputeOp, b: ComputeOp) -> bool:
    """Whether a comes after b in their block."""
    op = b.next_op
    while op is not None:
        if op is a:
            return True
        op = op.next_op
    return False


def _name(op: ComputeOp) -> str:
    return f"%{op.result.name_hint}" if op.result.name_hint else op.name
