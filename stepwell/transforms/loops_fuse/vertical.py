"""Vertical fusion: inline a pointwise producer into the compute ops that read it.

A *site* is one consumer op and one access (the loads of the producer there that
read the same element): each site gets one copy of the producer's body, placed before
the site's first load, whose loads read the producer's inputs at the producer's index
expressions with its d-symbols replaced by the site's index expressions (d_i ->
e_i; the producer's s-symbols are renumbered after the site's). Inlining into a
reduction is a prologue; into a pointwise op, an elementwise chain.

The decision, for all sites of one producer at once:

    ratio  = (sum of the sites' consumer points [+ the producer's own points, when it
              must still be written]) / the producer's points
             = how many times each producer value is computed afterwards
    cheap  = ratio <= 1 (no recomputation); or a body without arithmetic (loads,
             casts, constants: a copy, a broadcast, a conversion), at any ratio.
             Otherwise never when a reduction reads each producer value several
             times (a site whose consumer has more points than the producer: a
             matmul operand, a per-row mean read at every reduced point): that value
             is written once, or kept per row in a kernel (grouping.py). Else a
             trivial body (no transcendental, at most `trivial_cost` ops) read by
             pointwise consumers only, at any ratio (an elementwise broadcast); or a
             body of at most `max_body_cost` (a transcendental counts 8) with
             ratio <= `max_recompute` (softmax's exp(x - max), once in the sum and
             once in the division).
    saved  = bytes no longer moved: the producer's own traffic (its inputs and its
             result), unless it must still be written, plus for each consumer the
             producer's bytes it no longer reads, minus the producer's inputs it reads
             newly (inputs that a still-written producer reads at the same outer point
             as the consumer are not new: the two will share a kernel)

and the producer is inlined into all its sites when cheap and saved > 0 (into all or
none), unless a consumer's body would then hold more than `max_kernel_ops` ops
(counted before the final CSE), or the producer is one of the planned cuts: LLVM's
time per op grows with the size of one loop body, so a long chain is cut into bodies
of at most that many ops. The cuts are planned first, walking the ops in order and
estimating each op's body once its producers are inlined (a producer that would
take its consumer past the limit is cut), so that a tree of ops is cut near its
leaves' subtrees rather than at every leaf (inlining goes last to first, and the
first consumer to fill up would leave every remaining producer outside). A cut
producer stays, is written to memory, and says so in its `materialized` attribute
(`"max-kernel-ops=N"`). A producer that is also returned or yielded stays and is
still written.
Recomputation (ratio > 1) is stated on each consumer in the `recompute` attribute,
one entry per inlined producer: `"NAME xRATIO: OPS"` (NAME the producer's SSA name,
OPS the arithmetic its body repeats).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import sympy
from xdsl.dialects.builtin import ArrayAttr, StringAttr
from xdsl.ir import Block, Operation, SSAValue
from xdsl.transforms.common_subexpression_elimination import cse

from stepwell.dialects.loops import ComputeOp, LoadOp, PointwiseOp, ReduceOp
from stepwell.dialects.loops.bodies import copy_ops
from stepwell.dialects.loops.index import sym
from stepwell.ir import report
from stepwell.transforms.loops_fuse.graph import (
    body_cost,
    buffer_bytes,
    compute_of,
    costly_ops,
    has_other_uses,
    index_ops,
    is_trivial,
    loads_of,
    points,
    reads_outer_point,
    same_element,
    top_level_pointwise,
)
from stepwell.transforms.loops_fuse.space import name

RECOMPUTE = "recompute"
MATERIALIZED = "materialized"


@dataclass(frozen=True)
class Limits:
    trivial_cost: int = 4
    max_body_cost: int = 32
    max_recompute: int = 4
    max_kernel_ops: int = 256
    remarks: bool = False


@dataclass
class Site:
    consumer: ComputeOp
    loads: list[LoadOp]  # the same access, in block order


def sites_of(producer: PointwiseOp) -> list[Site] | None:
    """The producer's sites; None if one cannot take a copy of its body."""
    sites: dict[tuple[int, tuple[str, ...]], Site] = {}
    for load in loads_of(producer.result):
        consumer = compute_of(load)
        if load.parent is not consumer.body.block:
            return None
        if load.syms and index_ops(producer):  # loops.index cannot take s-symbols
            return None
        site = sites.setdefault((id(consumer), same_element(load)), Site(consumer, []))
        site.loads.append(load)
    for site in sites.values():
        first = earliest(site.loads)
        site.loads.remove(first)
        site.loads.insert(0, first)
    return list(sites.values())


def earliest(ops: Sequence[Operation]) -> Operation:
    """The first of `ops` (all in one block) in block order, found by walking forward
    from each in lockstep: the walks cover the stretch that holds them, not the block
    (numbering a consumer's block once per producer made a fused chain quadratic)."""
    members, later = set(ops), set()
    walkers = list(ops)
    while walkers and len(later) < len(members) - 1:
        walkers = [w.next_op for w in walkers if w.next_op is not None]
        later.update(w for w in walkers if w in members)
    return next(op for op in ops if op not in later)


def recompute_ratio(producer: PointwiseOp, sites: Sequence[Site]) -> Fraction:
    own = 1 if has_other_uses(producer.result) else 0
    return Fraction(sum(points(s.consumer) for s in sites), points(producer)) + own


def too_costly(producer: PointwiseOp, sites: Sequence[Site], ratio: Fraction, limits: Limits) -> str | None:
    """Why recomputing the producer at its sites costs too much, or None (cheap)."""
    cost = body_cost(producer)
    if ratio <= 1 or cost == 0:
        return None
    if any(isinstance(s.consumer, ReduceOp) and points(s.consumer) > points(producer) for s in sites):
        # a reduction reading each value many times: a matmul operand, a row mean
        return f"a reduction reads each value {_times(ratio)} times"
    if is_trivial(producer, limits.trivial_cost) and all(isinstance(s.consumer, PointwiseOp) for s in sites):
        return None
    if cost > limits.max_body_cost:
        return f"its body costs {cost} (max-body-cost={limits.max_body_cost})"
    if ratio > limits.max_recompute:
        return f"it would be computed x{_times(ratio)} (max-recompute={limits.max_recompute})"
    return None


class Reads:
    """How many loads of each buffer every consumer holds, and how many ops its body
    has: counted once per consumer, then kept up to date by `inlined` (walking a
    consumer's body again for each of its producers made a fused chain quadratic)."""

    def __init__(self) -> None:
        self.counts: dict[ComputeOp, Counter[SSAValue]] = {}
        self.sizes: dict[ComputeOp, int] = {}

    def size(self, op: ComputeOp) -> int:
        if op not in self.sizes:
            self.sizes[op] = sum(1 for _ in op.body.walk())
        return self.sizes[op]

    def of(self, consumer: ComputeOp) -> Counter[SSAValue]:
        if consumer not in self.counts:
            self.counts[consumer] = Counter(load.buffer for load in consumer.loads())
        return self.counts[consumer]

    def inlined(self, producer: PointwiseOp, site: Site) -> None:
        counts = self.of(site.consumer)
        counts[producer.result] -= len(site.loads)
        counts.update(load.buffer for load in producer.loads())
        self.sizes[site.consumer] = self.size(site.consumer) + self.grows_by(producer, [site])

    def grows_by(self, producer: PointwiseOp, sites: Sequence[Site]) -> int:
        """Ops a consumer's body gains from the producer's copies at `sites`: a copy of
        the body (its yield aside) for each, less the loads it replaces."""
        return sum(self.size(producer) - 1 - len(s.loads) for s in sites)


def too_large(producer: PointwiseOp, sites: Sequence[Site], reads: Reads, limit: int) -> bool:
    """Some consumer's body would hold more than `limit` ops with the producer inlined."""
    by_consumer: dict[ComputeOp, list[Site]] = {}
    for site in sites:
        by_consumer.setdefault(site.consumer, []).append(site)
    return any(reads.size(c) + reads.grows_by(producer, mine) > limit for c, mine in by_consumer.items())


def bytes_saved(producer: PointwiseOp, sites: Sequence[Site], reads: Reads) -> int:
    written = has_other_uses(producer.result)
    inputs = set(producer.inputs())
    saved = 0 if written else buffer_bytes(producer.result) + sum(map(buffer_bytes, inputs))
    for consumer in dict.fromkeys(s.consumer for s in sites):
        new = {b for b in inputs if not reads.of(consumer)[b]}
        if written:
            new -= _shared_with_producer(producer, [s for s in sites if s.consumer is consumer])
        saved += buffer_bytes(producer.result) - sum(map(buffer_bytes, new))
    return saved


def _shared_with_producer(producer: PointwiseOp, sites: Sequence[Site]) -> set[SSAValue]:
    """Inputs the producer reads at the outer point where the consumer reads it."""
    consumer = sites[0].consumer
    k = 0
    while k < min(len(producer.shape), len(consumer.shape)) and producer.shape[k] == consumer.shape[k]:
        k += 1
    outer = producer.shape[:k]
    if k == 0 or not all(reads_outer_point(ld, outer) for s in sites for ld in s.loads):
        return set()
    return {ld.buffer for ld in producer.loads() if reads_outer_point(ld, outer)}


# --- the rewrite ----------------------------------------------------------------------


def inline_at(producer: PointwiseOp, site: Site) -> None:
    """Replace the site's loads by a copy of the producer's body."""
    first = site.loads[0]
    block = first.parent
    assert isinstance(block, Block)
    subst: dict[sympy.Symbol, sympy.Expr] = {sym(f"d{i}"): e for i, e in enumerate(first.index_exprs)}
    mapping: dict[SSAValue, SSAValue] = {}
    ops = list(producer.body.block.ops)
    (yielded,) = ops[-1].operands  # the body's loops.yield
    for new in copy_ops(ops[:-1], subst, mapping, leading_syms=first.syms):
        block.insert_op_before(new, first)
    value = mapping.get(yielded, yielded)
    for load in site.loads:
        load.result.replace_all_uses_with(value)
        load.detach()
        load.erase()


def _times(ratio: Fraction) -> str:
    return str(ratio.numerator) if ratio.denominator == 1 else f"{float(ratio):.3g}"


def _note_recompute(consumer: ComputeOp, producer: PointwiseOp, ratio: Fraction) -> None:
    name = producer.result.name_hint or "pointwise"
    times = _times(ratio)
    ops = ", ".join(costly_ops(producer)) or "loads"
    old = consumer.attributes.get(RECOMPUTE)
    entries = list(old.data) if isinstance(old, ArrayAttr) else []
    consumer.attributes[RECOMPUTE] = ArrayAttr([*entries, StringAttr(f"{name} x{times}: {ops}")])


def planned_cuts(block: Block, limit: int) -> set[PointwiseOp]:
    """The pointwise producers to keep out of their consumers, so that no estimated
    fused body holds more than `limit` ops (see the module's docstring)."""
    size: dict[Operation, int] = {}
    cuts: set[PointwiseOp] = set()
    for op in block.ops:
        if not isinstance(op, ComputeOp):
            continue
        size[op] = sum(1 for _ in op.body.walk())
        for value in dict.fromkeys(load.buffer for load in op.loads()):
            producer = value.owner
            if isinstance(producer, PointwiseOp) and producer in size:
                if size[op] + size[producer] - 2 > limit:  # its yield and our load go
                    cuts.add(producer)
                else:
                    size[op] += size[producer] - 2
    return cuts


def try_inline(producer: PointwiseOp, limits: Limits, reads: Reads, cuts: set[PointwiseOp]) -> list[ComputeOp]:
    """Inline `producer` into all its sites if that is cheap and saves bytes; the
    consumers it went into (none if it was not inlined)."""
    if points(producer) == 0:
        return []
    sites = sites_of(producer)
    if not sites:
        return []
    ratio = recompute_ratio(producer, sites)
    consumers = list(dict.fromkeys(s.consumer for s in sites))
    costly = too_costly(producer, sites, ratio, limits)
    if costly is not None and not limits.remarks:
        return []
    saved = bytes_saved(producer, sites, reads)
    if saved <= 0:
        return []
    into = f"{name(producer)} into {', '.join(map(name, consumers))}"
    if costly is not None:
        report.remark(producer, f"not inlined {into}: {costly} (would save {saved} bytes)")
        return []
    if producer in cuts or too_large(producer, sites, reads, limits.max_kernel_ops):
        producer.attributes[MATERIALIZED] = StringAttr(f"max-kernel-ops={limits.max_kernel_ops}")
        if limits.remarks:
            report.remark(
                producer,
                f"not inlined {into}: a body would pass max-kernel-ops={limits.max_kernel_ops}, "
                f"so it is materialized (would save {saved} bytes)",
            )
        return []
    if limits.remarks:
        if ratio > 1:
            readers = ", ".join(map(name, consumers))
            ops = ", ".join(costly_ops(producer)) or "loads"
            report.remark(producer, f"recomputed {name(producer)} in {readers} (x{_times(ratio)}: {ops}): saves {saved} bytes")
        else:
            report.remark(producer, f"inlined {into}: saves {saved} bytes")
    for site in sites:
        inline_at(producer, site)
        reads.inlined(producer, site)
    if ratio > 1:
        for consumer in consumers:
            _note_recompute(consumer, producer, ratio)
    if not producer.result.uses:
        producer.detach()
        producer.erase()
    return consumers


def fuse_vertically(block: Block, limits: Limits) -> None:
    """Inline producers last to first, so a chain collapses into its last consumer;
    then CSE each body that grew, once (after every inlining, it made a chain
    quadratic: a decision never depends on a consumer's body being CSE'd, since a
    consumer comes later in the block, so it was a producer before it was a consumer)."""
    reads = Reads()
    cuts = planned_cuts(block, limits.max_kernel_ops)
    grown: dict[ComputeOp, None] = {}
    for producer in reversed(top_level_pointwise(block)):
        grown.update(dict.fromkeys(try_inline(producer, limits, reads, cuts)))
    for consumer in grown:
        if consumer.parent is not None:
            cse(consumer.body)
