"""Canonicalization of `tensor_graph`: exact algebraic identities, and the constants
helpers of constant folding.

Every rewrite here keeps every result element bit for bit as the spec defines it: the
same NaN positions, the same signed zeros, the same integer wraparound. So `x + (-0.0)`
folds to `x` but `x + 0.0` does not (`-0.0 + 0.0` is `+0.0`), and `x * 0` folds only for
integers. Folding ops of constants computes with the reference interpreter, so it is a
pass of its own, `tensor_graph-fold-constants`
(`stepwell/transforms/tensor_graph_fold_constants.py`), which stepwell's `canonicalize`
runs in the same walk (`stepwell/transforms/canonicalize.py`): the dialect never imports
its oracle.

Each pattern is one small `RewritePattern` registered with the op types it is rooted at;
the canonicalization trait of `TensorGraphOp` (ops.py) asks `patterns_for(type(op))`, so
xDSL's `canonicalize` pass runs them. `cse` and `dce` need nothing from here: every
`tensor_graph` op is `Pure`.

Folding limits: a folded result is materialized when it has at most `FOLD_LIMIT` elements,
or when it is a splat (every element the same bits) of at most `SPLAT_LIMIT` elements;
xDSL stores a splat at full size, so bigger ones stay as `broadcast_to` of a rank-0
constant.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable

import numpy as np
from xdsl.dialects.builtin import BytesAttr, DenseIntOrFPElementsAttr, TensorType
from xdsl.ir import Operation, SSAValue
from xdsl.pattern_rewriter import PatternRewriter, RewritePattern

from stepwell.dialects.tensor_graph import ops as tg
from stepwell.dialects.tensor_graph.constants import ConstantAttr, raw_bytes, to_dense, to_numpy
from stepwell.dialects.tensor_graph.types import is_float, shape_of, tensor
from stepwell.dtypes import numpy_dtype

FOLD_LIMIT = 1024
"""Fold an op of constants when its result has at most this many elements..."""
SPLAT_LIMIT = 1 << 16
"""... or when the result is a splat of at most this many elements."""

# --- constants as numpy arrays (to_numpy, to_dense: constants.py) ------------------


def constant_attr(value: SSAValue) -> ConstantAttr | None:
    """The value attribute of `value`'s defining tensor_graph.constant, if it is one."""
    owner = value.owner
    return owner.value if isinstance(owner, tg.ConstantOp) else None


def splat_scalar(value: SSAValue) -> np.ndarray | None:
    """The element of a constant whose elements all have the same bits, as a 0-d array."""
    attr = constant_attr(value)
    if attr is None:
        return None
    raw, size = raw_bytes(attr), numpy_dtype(attr.type.element_type).itemsize
    if not raw or raw != raw[:size] * (len(raw) // size):
        return None
    return to_numpy(
        DenseIntOrFPElementsAttr(tensor((), attr.type.element_type), BytesAttr(raw[:size]))
    )


def is_splat_value(value: SSAValue, test: Callable[[np.ndarray], bool]) -> bool:
    scalar = splat_scalar(value)
    return scalar is not None and bool(test(scalar))


def is_one(c: np.ndarray) -> bool:
    return bool(c == 1)


def is_zero(c: np.ndarray) -> bool:
    """Integer 0; never a float zero (x * 0.0 is NaN for inf, -0.0 for x < 0)."""
    return c.dtype.kind in "iu" and bool(c == 0)


def is_neg_zero(c: np.ndarray) -> bool:
    """-0.0 for floats, 0 for integers: the additive identity that keeps every sign."""
    if c.dtype.kind in "iu":
        return bool(c == 0)
    return c.dtype != np.bool_ and bool(c == 0) and bool(np.signbit(c.astype(np.float32)))


def is_pos_zero(c: np.ndarray) -> bool:
    """+0.0 for floats, 0 for integers: what `x - c` may subtract and keep x."""
    if c.dtype.kind in "iu":
        return bool(c == 0)
    return c.dtype != np.bool_ and bool(c == 0) and not np.signbit(c.astype(np.float32))


def splat_ops(scalar: np.ndarray, type_: TensorType) -> list[Operation]:
    """Ops computing `type_` filled with `scalar`; the last op's result is the value."""
    if math.prod(shape_of(type_)) <= SPLAT_LIMIT:
        full = np.full(shape_of(type_), scalar, numpy_dtype(type_.element_type))
        return [tg.ConstantOp.make(value=to_dense(full, type_))]
    scalar_type = tensor((), type_.element_type)
    const = tg.ConstantOp.make(value=to_dense(scalar, scalar_type))
    return [const, tg.BroadcastToOp.make(const, result_type=type_)]


def result_type(op: Operation) -> TensorType:
    return op.results[0].type  # type: ignore[return-value]


def replace_by_value(rewriter: PatternRewriter, op: Operation, value: SSAValue) -> bool:
    """Replace `op` by an existing value, only when the types agree exactly."""
    if value.type != result_type(op):
        return False
    rewriter.replace(op, [], [value])
    return True


# --- the pattern table --------------------------------------------------------------

_PATTERNS: list[tuple[tuple[type[Operation], ...], RewritePattern]] = []


def rooted_at(*roots: type[Operation]):
    """Register a pattern class for the op types (and their subclasses) `roots`."""

    def register(cls: type[RewritePattern]) -> type[RewritePattern]:
        _PATTERNS.append((roots, cls()))
        return cls

    return register


@functools.cache
def patterns_for(op_type: type[Operation]) -> tuple[RewritePattern, ...]:
    """The canonicalization patterns rooted at `op_type`, in the order they are tried."""
    return tuple(p for roots, p in _PATTERNS if issubclass(op_type, roots))


# --- algebraic identities -----------------------------------------------------------


@rooted_at(tg.AddOp, tg.MulOp, tg.AndOp, tg.OrOp, tg.XorOp)
class ConstantToRight(RewritePattern):
    """c ∘ x -> x ∘ c for add, mul, and, or, xor (IEEE + and * commute exactly; max and
    min do not: numpy's maximum(-0.0, 0.0) is its first operand)."""

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter, /):
        lhs, rhs = op.operands
        if constant_attr(lhs) is not None and constant_attr(rhs) is None:
            rewriter.replace(op, type(op).make(rhs, lhs))


def _identity_operand(op: Operation, is_identity: Callable[[np.ndarray], bool], both: bool):
    """The operand x of `x ∘ c` (or `c ∘ x` when `both`) where c is an identity splat."""
    lhs, rhs = op.operands
    if is_splat_value(rhs, is_identity):
        return lhs
    if both and is_splat_value(lhs, is_identity):
        return rhs
    return None


@rooted_at(tg.AddOp)
class AddNegativeZero(RewritePattern):
    """x + (-0.0) -> x and x + 0 -> x (integers); never x + 0.0 (-0.0 + 0.0 is +0.0)."""

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter, /):
        if (x := _identity_operand(op, is_neg_zero, both=True)) is not None:
            replace_by_value(rewriter, op, x)


@rooted_at(tg.SubOp)
class SubPositiveZero(RewritePattern):
    """x - 0.0 -> x and x - 0 -> x (integers); never x - (-0.0) (-0.0 - -0.0 is +0.0)."""

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter, /):
        if (x := _identity_operand(op, is_pos_zero, both=False)) is not None:
            replace_by_value(rewriter, op, x)


@rooted_at(tg.SubOp)
class SubFromNegativeZero(RewritePattern):
    """(-0.0) - x -> neg x, 0 - x -> neg x (integers); never 0.0 - x (0.0 - 0.0 is +0.0)."""

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter, /):
        lhs, x = op.operands
        if x.type == result_type(op) and is_splat_value(lhs, is_neg_zero):
            rewriter.replace(op, tg.NegOp.make(x))


@rooted_at(tg.MulOp)
class MulOne(RewritePattern):
    """x * 1 -> x, for floats too (x * 1.0 is x, -0.0 and NaN included)."""

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter, /):
        if (x := _identity_operand(op, is_one, both=True)) is not None:
            replace_by_value(rewriter, op, x)


@rooted_at(tg.DivOp)
class DivOne(RewritePattern):
    """x / 1 -> x, for floats and for integer division alike."""

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter, /):
        if (x := _identity_operand(op, is_one, both=False)) is not None:
            replace_by_value(rewriter, op, x)


@rooted_at(tg.MulOp)
class IntegerMulZero(RewritePattern):
    """x * 0 -> 0 for integers only (float x * 0.0 is NaN for inf/NaN, -0.0 for x < 0)."""

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter, /):
        lhs, rhs = op.operands
        zero = splat_scalar(rhs) if is_splat_value(rhs, is_zero) else None
        if zero is None and is_splat_value(lhs, is_zero):
            zero = splat_scalar(lhs)
        if zero is not None:
            rewriter.replace(op, splat_ops(zero, result_type(op)))


@rooted_at(tg.SubOp, tg.XorOp)
class SelfCancel(RewritePattern):
    """x - x -> 0 for integers only (inf - inf is NaN), and xor(x, x) -> false."""

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter, /):
        lhs, rhs = op.operands
        elt = result_type(op).element_type
        if lhs is rhs and not is_float(elt):
            rewriter.replace(op, splat_ops(np.zeros((), numpy_dtype(elt)), result_type(op)))


@rooted_at(tg.MaxOp, tg.MinOp, tg.AndOp, tg.OrOp)
class Idempotent(RewritePattern):
    """max(x, x), min(x, x), and(x, x), or(x, x) -> x (one value: NaN and -0.0 kept)."""

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter, /):
        lhs, rhs = op.operands
        if lhs is rhs:
            replace_by_value(rewriter, op, lhs)


@rooted_at(tg.CmpOp)
class IntegerSelfCompare(RewritePattern):
    """cmp(x, x) -> true for eq/le/ge, false for ne/lt/gt; not for floats (NaN != NaN)."""

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter, /):
        lhs, rhs = op.operands
        if lhs is rhs and not is_float(lhs.type.element_type):
            truth = tg.sval(op.properties, "predicate") in ("eq", "le", "ge")
            rewriter.replace(op, splat_ops(np.array(truth), result_type(op)))


@rooted_at(tg.AndOp, tg.OrOp, tg.XorOp)
class BooleanConstant(RewritePattern):
    """and(x, true), or(x, false), xor(x, false) -> x; xor(x, true) -> not x;
    and(x, false) -> false, or(x, true) -> true."""

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter, /):
        x, c = op.operands
        if (scalar := splat_scalar(c)) is None:
            return
        truth, out = bool(scalar), result_type(op)
        if isinstance(op, tg.XorOp):
            if not truth:
                replace_by_value(rewriter, op, x)
            elif x.type == out:
                rewriter.replace(op, tg.NotOp.make(x))
        elif isinstance(op, tg.AndOp) == truth:
            replace_by_value(rewriter, op, x)
        else:
            rewriter.replace(op, splat_ops(np.array(truth), out))


@rooted_at(tg.NegOp, tg.NotOp)
class Involution(RewritePattern):
    """neg(neg x) -> x (integer wraparound too), not(not x) -> x."""

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter, /):
        inner = op.operands[0].owner
        if type(inner) is type(op):
            replace_by_value(rewriter, op, inner.operands[0])


@rooted_at(tg.AbsOp)
class AbsOfSignChange(RewritePattern):
    """abs(abs x) -> abs x, abs(neg x) -> abs x."""

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter, /):
        inner = op.operands[0].owner
        if isinstance(inner, tg.AbsOp):
            replace_by_value(rewriter, op, inner.results[0])
        elif isinstance(inner, tg.NegOp):
            rewriter.replace(op, tg.AbsOp.make(inner.operands[0]))


@rooted_at(tg.SelectOp)
class SelectKnown(RewritePattern):
    """select(c, x, x) -> x; select(true, a, b) -> a; select(false, a, b) -> b; the
    chosen operand broadcast to the result type when the others make it bigger."""

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter, /):
        cond, a, b = op.operands
        if a is b:
            chosen = a
        elif (scalar := splat_scalar(cond)) is not None:
            chosen = a if bool(scalar) else b
        else:
            return
        if not replace_by_value(rewriter, op, chosen):
            rewriter.replace(op, tg.BroadcastToOp.make(chosen, result_type=result_type(op)))


# --- shape and type ops -------------------------------------------------------------


@rooted_at(tg.CastOp, tg.BroadcastToOp, tg.ReshapeOp, tg.SliceOp, tg.PadOp)
class SameTypeIsIdentity(RewritePattern):
    """cast, broadcast_to, reshape, slice or pad whose result type is its operand's -> the
    operand (a slice or pad of unchanged shape takes every element once, in place)."""

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter, /):
        replace_by_value(rewriter, op, op.operands[0])


@rooted_at(tg.ConcatOp)
class ConcatOfOne(RewritePattern):
    """concat(x) -> x."""

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter, /):
        if len(op.operands) == 1:
            replace_by_value(rewriter, op, op.operands[0])


@rooted_at(tg.ReshapeOp)
class ReshapeOfReshape(RewritePattern):
    """reshape(reshape x) -> reshape x: row-major order is kept by both."""

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter, /):
        inner = op.operands[0].owner
        if isinstance(inner, tg.ReshapeOp):
            rewriter.replace(op, tg.ReshapeOp.make(inner.operands[0], result_type=result_type(op)))


@rooted_at(tg.BroadcastToOp)
class BroadcastOfBroadcast(RewritePattern):
    """broadcast_to(broadcast_to x) -> broadcast_to x (broadcasting composes)."""

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter, /):
        inner = op.operands[0].owner
        if isinstance(inner, tg.BroadcastToOp):
            rewriter.replace(
                op, tg.BroadcastToOp.make(inner.operands[0], result_type=result_type(op))
            )


@rooted_at(tg.TransposeOp)
class TransposeOfTranspose(RewritePattern):
    """transpose(transpose(x, p), q) -> transpose(x, [p[i] for i in q])."""

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter, /):
        inner = op.operands[0].owner
        if isinstance(inner, tg.TransposeOp):
            p, q = tg.aval(inner.properties, "perm"), tg.aval(op.properties, "perm")
            rewriter.replace(op, tg.TransposeOp.make(inner.operands[0], perm=[p[i] for i in q]))


@rooted_at(tg.TransposeOp)
class TransposeKeepingOrder(RewritePattern):
    """transpose with the identity perm -> x; one that moves only size-1 dimensions (or
    has no elements) keeps row-major order -> reshape."""

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter, /):
        x, perm = op.operands[0], tg.aval(op.properties, "perm")
        shape = shape_of(x.type)
        if list(perm) == sorted(perm):
            replace_by_value(rewriter, op, x)
            return
        moved = [d for d in perm if shape[d] != 1]
        if moved == sorted(moved) or 0 in shape:
            rewriter.replace(op, tg.ReshapeOp.make(x, result_type=result_type(op)))
