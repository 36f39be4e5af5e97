"""`tensor_graph-decompose`: rewrite every composite op into primitive tensor_graph ops.

Each composite has one small decomposition function, registered with `@decomposes`:
it gets the op and its operands as builder `Value`s and returns the value that
replaces the op's result. `Decomposition` wraps one such function as an xDSL
`RewritePattern`; the pass runs all of them with a greedy pattern walker, inserting the
new ops before the composite and replacing it. After the pass no op of
`tensor_graph.COMPOSITES` is left. A plugin decomposes its own composite op the same
way: `@decomposes(TheirOp)` on a function of the op and its operands.

    sigmoid(x)      = 1 / (1 + exp(-x))                         (reciprocal)
    relu(x)         = max(x, 0)                                 (integer 0 for integers)
    gelu none       = x * 0.5 * (1 + erf(x * 1/sqrt2))
    gelu tanh       = x * 0.5 * (1 + tanh(x * (c + c*0.044715 * x*x))),  c = sqrt(2/pi)
    silu(x)         = x / (1 + exp(-x))                         (= x * sigmoid(x), one op less)
    clamp(x)        = min(max(x, lo), hi)                       (an infinite bound is skipped)
    var(x)          = mean((x - mean(x))^2) * N / (N - correction)
    linear(x, w, b) = x @ transpose(w) + b                      (x of rank 1 via [1, K])
    softmax(x)      = e / sum(e),  e = exp(x - max(x))
    log_softmax(x)  = s - log(sum(exp(s))),  s = x - max(x)
    layer_norm      = c * rsqrt(mean(c*c) + eps) * scale + bias,  c = x - mean(x)
    rms_norm        = x * rsqrt(mean(x*x) + eps) * scale
    attention       = softmax(q @ transpose(k) * scale [masked -inf where j > i]) @ v

Softmax-like decompositions are numerically stable (the max along the axis is
subtracted first) and use one max- and one sum-reduction; the norms use two passes
(centering before squaring). Scalars are rank-0 `tensor_graph.constant`s of the
operand's element type, which broadcast.

`var` divides the mean of squares by (N - correction) / N rather than dividing a sum by
N - correction: the same number of ops, but neither N nor a sum of squares has to fit in
the element type (both overflow f16 quickly). N - correction <= 0 gives inf (or NaN for
a zero numerator), as numpy's `var` with `ddof >= N` does.

Element types. The spec computes an f16/bf16 op in f32 and rounds once when its
result is stored; a composite is one op, so its f16/bf16 operands are cast to f32, the
decomposition runs in f32, and the result is cast back once (fusion makes the casts
free). Rounding every primitive to f16 instead lost sigmoid(x < -11) to 0 and put bf16
causal attention 9 ulps off. Other element types decompose in their own type. Integer
`relu`/`clamp` use integer constants; integer clamp bounds outside the element type
saturate to its range.

Option `expand-log2-exp2` (off by default) also rewrites `log2` and `exp2`, for targets
that lack them: log2(x) = log(x) * (1/ln 2), exp2(x) = exp(x * ln 2).

    stepwell-opt in.mlir -p 'tensor_graph-decompose{expand-log2-exp2=true}'
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import IntegerType, ModuleOp
from xdsl.ir import Operation
from xdsl.passes import ModulePass
from xdsl.pattern_rewriter import (
    GreedyRewritePatternApplier,
    PatternRewriter,
    PatternRewriteWalker,
    RewritePattern,
)

from stepwell.dialects.tensor_graph import ops as tg
from stepwell.dialects.tensor_graph.builder import GraphBuilder, Value, integer_range
from stepwell.dialects.tensor_graph.types import bf16, f16, f32, normalize_axis, normalize_dims

DecompositionFn = Callable[..., Value]


@dataclass(frozen=True, eq=False)
class Decomposition(RewritePattern):
    """Replaces each op of `op_type` by what `rewrite(op, *operands)` builds."""

    op_type: type[Operation]
    rewrite: DecompositionFn

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter) -> None:
        if not isinstance(op, self.op_type):
            return
        b = GraphBuilder(rewriter)  # inserts before `op`
        narrow = op.results[0].type.element_type  # type: ignore[attr-defined]
        operands = [b.wrap(o) for o in op.operands]
        if narrow in (f16, bf16):  # computed in f32, rounded once (the spec's rule)
            operands = [v.cast(f32) if v.element_type == narrow else v for v in operands]
        result = self.rewrite(op, *operands)
        if narrow in (f16, bf16):
            result = result.cast(narrow)
        assert result.type == op.results[0].type, (op.name, result.type, op.results[0].type)
        rewriter.replace(op, [], [result.value])


DECOMPOSITIONS: dict[type[Operation], Decomposition] = {}
"""The composites: always decomposed."""

EXPANSIONS: dict[type[Operation], Decomposition] = {}
"""Primitives a target may lack (log2, exp2): decomposed on request."""


def decomposes(op_type: type[Operation], table: dict = DECOMPOSITIONS):
    """Register the decorated function as the decomposition of `op_type`."""

    def register(fn: DecompositionFn) -> DecompositionFn:
        table[op_type] = Decomposition(op_type, fn)
        return fn

    return register


# --- property access -----------------------------------------------------------------


def _int(op: Operation, name: str) -> int:
    return tg.ival(op.properties, name)


def _float(op: Operation, name: str) -> float:
    return tg.fval(op.properties, name)


def _trailing_dims(op: Operation, x: Value) -> list[int]:
    """The dimensions `axis..rank-1` that a norm normalizes over."""
    return list(range(normalize_axis(_int(op, "axis"), x.rank), x.rank))


# --- elementwise ---------------------------------------------------------------------

SQRT1_2 = 1 / math.sqrt(2)
SQRT_2_OVER_PI = math.sqrt(2 / math.pi)


@decomposes(tg.SigmoidOp)
def sigmoid(op, x: Value) -> Value:
    return ((-x).exp() + 1).reciprocal()


@decomposes(tg.SiluOp)
def silu(op, x: Value) -> Value:
    return x / ((-x).exp() + 1)


@decomposes(tg.ReluOp)
def relu(op, x: Value) -> Value:
    return x.maximum(0)


@decomposes(tg.GeluOp)
def gelu(op, x: Value) -> Value:
    if tg.sval(op.properties, "approximate") == "tanh":
        # sqrt(2/pi) * (x + 0.044715 x^3), as x * (c + c*0.044715 * x^2)
        inner = x * (x * x * (SQRT_2_OVER_PI * 0.044715) + SQRT_2_OVER_PI)
        return x * 0.5 * (inner.tanh() + 1)
    return x * 0.5 * ((x * SQRT1_2).erf() + 1)


@decomposes(tg.ClampOp)
def clamp(op, x: Value) -> Value:
    lo, hi = _float(op, "min"), _float(op, "max")
    if isinstance(x.element_type, IntegerType):
        # a bound at or past its own end of the type's range does nothing; one past the
        # other end saturates to it
        tmin, tmax = integer_range(x.element_type)
        lo = -math.inf if lo <= tmin else int(min(lo, tmax))
        hi = math.inf if hi >= tmax else int(max(hi, tmin))
    y = x
    if lo != -math.inf:
        y = y.maximum(lo)
    if hi != math.inf:
        y = y.minimum(hi)
    return y


# --- reductions ----------------------------------------------------------------------


@decomposes(tg.VarOp)
def var(op, x: Value) -> Value:
    dims = normalize_dims(tg.aval(op.properties, "dims"), x.rank)
    n, correction = math.prod(x.shape[d] for d in dims), _int(op, "correction")
    centered = x - x.mean(dims, keepdim=True)
    v = (centered * centered).mean(dims, keepdim=tg.bval(op.properties, "keepdim"))
    if correction == 0:
        return v
    return v * (n / (n - correction) if n > correction else math.inf)


# --- contractions and normalizations -------------------------------------------------


@decomposes(tg.LinearOp)
def linear(op, x: Value, w: Value, b: Value) -> Value:
    wt = w.transpose([1, 0])  # [K, N]: a batch-less rhs broadcasts over x's batch dims
    if x.rank == 1:
        return (x.reshape([1, x.shape[0]]) @ wt).reshape([w.shape[0]]) + b
    return x @ wt + b


def stable_softmax(x: Value, axis: int) -> Value:
    e = (x - x.max(axis, keepdim=True)).exp()
    return e / e.sum(axis, keepdim=True)


@decomposes(tg.SoftmaxOp)
def softmax(op, x: Value) -> Value:
    return stable_softmax(x, _int(op, "axis"))


@decomposes(tg.LogSoftmaxOp)
def log_softmax(op, x: Value) -> Value:
    axis = _int(op, "axis")
    shifted = x - x.max(axis, keepdim=True)
    return shifted - shifted.exp().sum(axis, keepdim=True).log()


@decomposes(tg.LayerNormOp)
def layer_norm(op, x: Value, scale: Value, bias: Value) -> Value:
    dims = _trailing_dims(op, x)
    centered = x - x.mean(dims, keepdim=True)
    variance = (centered * centered).mean(dims, keepdim=True)
    return centered * (variance + _float(op, "epsilon")).rsqrt() * scale + bias


@decomposes(tg.RmsNormOp)
def rms_norm(op, x: Value, scale: Value) -> Value:
    mean_square = (x * x).mean(_trailing_dims(op, x), keepdim=True)
    return x * (mean_square + _float(op, "epsilon")).rsqrt() * scale


@decomposes(tg.AttentionOp)
def attention(op, q: Value, k: Value, v: Value) -> Value:
    scores = q @ k.swap_last_two()  # [..., S, T]
    if (scale := _float(op, "scale")) != 1.0:
        scores = scores * scale
    if tg.bval(op.properties, "causal"):
        s, t = scores.shape[-2:]
        future = q.b.iota([1, t], dim=1).cmp("gt", q.b.iota([s, 1], dim=0))  # j > i
        scores = q.b.select(future, -math.inf, scores)
    return stable_softmax(scores, -1) @ v


# --- optional expansions of primitives -----------------------------------------------


@decomposes(tg.Log2Op, EXPANSIONS)
def log2(op, x: Value) -> Value:
    return x.log() * (1 / math.log(2))


@decomposes(tg.Exp2Op, EXPANSIONS)
def exp2(op, x: Value) -> Value:
    return (x * math.log(2)).exp()


# --- the pass ------------------------------------------------------------------------


@dataclass(frozen=True)
class TensorGraphDecompose(ModulePass):
    """Rewrite every composite tensor_graph op into primitive ones."""

    name = "tensor_graph-decompose"

    expand_log2_exp2: bool = False
    """Also rewrite log2/exp2 into log/exp times a constant (`expand-log2-exp2=true`)."""

    def patterns(self) -> list[RewritePattern]:
        out: list[RewritePattern] = list(DECOMPOSITIONS.values())
        if self.expand_log2_exp2:
            out += EXPANSIONS.values()
        return out

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        applier = GreedyRewritePatternApplier(self.patterns(), dce_enabled=False)
        PatternRewriteWalker(applier, apply_recursively=True).rewrite_module(op)
