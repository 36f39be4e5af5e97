"""What loops-fuse measures: buffer sizes in bytes, iteration points, body costs, who
reads what, and the dependences between the top-level ops of a function."""

from __future__ import annotations

import functools
import heapq
import math
from collections.abc import Iterator, Sequence

import sympy
from xdsl.dialects.builtin import TensorType
from xdsl.ir import Block, Operation, SSAValue
from xdsl.traits import IsTerminator

from stepwell.dialects.loops import ComputeOp, IndexOp, LoadOp, PointwiseOp
from stepwell.dialects.loops.contract import at_parallel_prefix
from stepwell.dialects.loops.access import analyze, buffer_shape, op_space
from stepwell.dialects.loops.simplify import ranges_of_space, simplify_index

# --- sizes ----------------------------------------------------------------------------


def buffer_bytes(value: SSAValue) -> int:
    """Bytes of a buffer: elements x element size (i1 counts a byte)."""
    t = value.type
    assert isinstance(t, TensorType)
    bits = getattr(t.element_type, "bitwidth", 64)
    return math.prod(t.get_shape()) * max(1, bits // 8)


def points(op: ComputeOp) -> int:
    """How many times the body runs: output points x reduced points."""
    return math.prod(op.shape) * math.prod(op.reduce_shape)


# --- body cost ------------------------------------------------------------------------

FREE_OPS = frozenset(
    {"loops.load", "loops.index", "loops.yield", "arith.constant", "arith.extf", "arith.truncf"}
)
CHEAP_MATH = frozenset(
    {"math.absf", "math.absi", "math.floor", "math.ceil", "math.round", "math.roundeven",
     "math.trunc", "math.copysign", "math.fma"}
)
TRANSCENDENTAL_COST = 8


def is_transcendental(op: Operation) -> bool:
    return op.name.startswith("math.") and op.name not in CHEAP_MATH


def op_cost(op: Operation) -> int:
    if op.name in FREE_OPS:
        return 0
    return TRANSCENDENTAL_COST if is_transcendental(op) else 1


def body_cost(op: ComputeOp) -> int:
    """Arithmetic in one run of the body: 1 an op, 8 a transcendental, 0 loads/casts."""
    return sum(op_cost(o) for o in op.body.walk())


def is_trivial(op: ComputeOp, limit: int) -> bool:
    """Cheap to recompute anywhere: no transcendental and at most `limit` ops."""
    return body_cost(op) <= limit and not any(is_transcendental(o) for o in op.body.walk())


def costly_ops(op: ComputeOp) -> list[str]:
    """The names of the ops a recomputation of `op`'s body repeats."""
    return [o.name for o in op.body.walk() if op_cost(o) > 0]


# --- reads ----------------------------------------------------------------------------


def loads_of(value: SSAValue) -> list[LoadOp]:
    """The loads that read buffer `value`."""
    return [u.operation for u in value.uses if isinstance(u.operation, LoadOp) and u.index == 0]


def has_other_uses(value: SSAValue) -> bool:
    """Used other than as the buffer of a load (returned, yielded): must be written."""
    return any(not (isinstance(u.operation, LoadOp) and u.index == 0) for u in value.uses)


def reads(op: Operation) -> Iterator[LoadOp]:
    for o in op.walk():
        if isinstance(o, LoadOp):
            yield o


def compute_of(load: LoadOp) -> ComputeOp:
    parent = load.parent_op()
    while not isinstance(parent, ComputeOp):
        assert parent is not None
        parent = parent.parent_op()
    return parent


def simplified_indices(load: LoadOp) -> tuple[sympy.Expr, ...]:
    """The load's indices, simplified with its compute op's symbol ranges."""
    op = compute_of(load)
    space = (tuple(op.shape), tuple(op.reduce_shape))
    return tuple(_simplify(e, space) for e in load.index_exprs)


@functools.lru_cache(maxsize=4096)
def _simplify(e: sympy.Expr, space: tuple[tuple[int, ...], tuple[int, ...]]) -> sympy.Expr:
    return simplify_index(e, _ranges(space) or {})


@functools.lru_cache(maxsize=256)
def _ranges(space: tuple[tuple[int, ...], tuple[int, ...]]) -> dict | None:
    """Keyed by the space's sizes (sorting the ranges by their printed form, to key
    the cache, cost more than the simplification it saved)."""
    return ranges_of_space(*space)


def same_element(load: LoadOp) -> tuple[sympy.Expr, tuple[int, ...]]:
    """Two loads of one buffer in one op with the same value read the same element at
    every point: the linear offset of the access (access.py) over the op's space, of
    the simplified indices, with the values its s-symbols stand for."""
    op = compute_of(load)
    offset = analyze(buffer_shape(load), simplified_indices(load), op_space(op)).offset
    return offset, tuple(id(s) for s in load.syms)


def reads_outer_point(load: LoadOp, outer: Sequence[int]) -> bool:
    """The load's first len(outer) indices are the current outer point d0, d1, ..."""
    return at_outer_point(simplified_indices(load), outer)


def at_outer_point(exprs: Sequence[sympy.Expr], outer: Sequence[int]) -> bool:
    """Simplified indices whose first len(outer) are the outer point d0, d1, ... (the
    kernel contract's rule, stepwell/dialects/loops/contract.py)."""
    return at_parallel_prefix(tuple(exprs), outer)


# --- the top level of a function ------------------------------------------------------


def top_level(op: Operation, block: Block) -> Operation | None:
    """The ancestor of `op` (or `op`) that sits directly in `block`."""
    while op is not None and op.parent is not block:
        op = op.parent_op()
    return op


def dependences(block: Block) -> dict[Operation, set[Operation]]:
    """For each op of `block`, the ops of `block` whose results it (or its body) uses."""
    deps: dict[Operation, set[Operation]] = {op: set() for op in block.ops}
    for op in block.ops:
        for inner in op.walk():
            for operand in inner.operands:
                owner = operand.owner
                if isinstance(owner, Operation):
                    top = top_level(owner, block)
                    if top is not None and top is not op:
                        deps[op].add(top)
    return deps


def users(deps: dict[Operation, set[Operation]]) -> dict[Operation, set[Operation]]:
    out: dict[Operation, set[Operation]] = {op: set() for op in deps}
    for op, ds in deps.items():
        for d in ds:
            out[d].add(op)
    return out


def topological_order(block: Block) -> None:
    """Reorder `block` so that every op follows the ops it uses, keeping the present
    order wherever it is valid (Kahn's algorithm, earliest op first); the terminator
    stays last."""
    ops = list(block.ops)
    term = ops.pop() if ops and ops[-1].has_trait(IsTerminator) else None
    deps = dependences(block)
    position = {op: i for i, op in enumerate(ops)}
    waiting = {op: len(deps[op] & position.keys()) for op in ops}
    followers = users({op: deps[op] & position.keys() for op in ops})
    ready = [position[op] for op in ops if waiting[op] == 0]
    heapq.heapify(ready)
    order: list[Operation] = []
    while ready:
        op = ops[heapq.heappop(ready)]
        order.append(op)
        for f in followers[op]:
            waiting[f] -= 1
            if waiting[f] == 0:
                heapq.heappush(ready, position[f])
    assert len(order) == len(ops), "cyclic dependences between top-level ops"
    for op in order:
        op.detach()
        if term is not None:
            block.insert_op_before(op, term)
        else:
            block.add_op(op)


def top_level_pointwise(block: Block) -> list[PointwiseOp]:
    return [op for op in block.ops if isinstance(op, PointwiseOp)]


def index_ops(op: ComputeOp) -> list[IndexOp]:
    return [o for o in op.body.walk() if isinstance(o, IndexOp)]
