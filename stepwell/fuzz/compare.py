"""Run a generated program on a target and judge it against the reference interpreter,
by the spec's Numerics section.

Each op is judged on its own: `@f_all` returns every op's result, and op i's result is
compared with the reference evaluating op i on the *target's* values of its operands.
So a tolerance is about one op, never a chain. The fused `@f` (only the sinks
returned) is then compared with `@f_all`'s values of the same ops, except those with a
sum upstream (fused, they read a sum computed in another order).

Tolerances (|actual - expected| <= tol, elementwise):

    tol = ROUND[storage] * |expected| + ACC[compute] * scale + tiny(storage)

- ROUND: one rounding of the storage type (f16 / bf16 are computed in f32 and rounded
  once, so a target may land on the neighbour); 0 for f32 / f64.
- ACC: 1e-5 for f32 arithmetic (f16 / bf16 included), 1e-13 for f64.
- scale: per op (`SCALES`): |expected| for math functions (at least 1 for those that
  have zeros: absolute error there); the same op evaluated on |operands| for sums and
  contractions (the spec: "relative to the sum of absolute values"); where the scale is
  not finite (an overflow that depends on the order of a sum) anything goes.
- EXACT ops (shape ops, comparisons, conversions, correctly rounded arithmetic,
  integers) must match bit for bit, NaN for NaN.
NaN positions must be equal; infinities keep their sign; a zero's sign must match except
where IEEE leaves it free (`max`/`min` of +-0, `clamp`, `relu`, reductions).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import ml_dtypes
import numpy as np
from xdsl.dialects import func
from xdsl.ir import Operation

from stepwell import reference
from stepwell.dialects.tensor_graph import ops
from stepwell.dialects.tensor_graph.ops import aval, bval, fval, ival, sval
from stepwell.dialects.tensor_graph.types import normalize_axis, normalize_dims
from stepwell.fuzz.generate import Program
from stepwell.ir.diagnostics import DiagnosticError
from stepwell.ir.printer import to_text
from stepwell.dtypes import compute_dtype

F64 = np.dtype(np.float64)
ROUND = {"float16": 2.0**-10, "bfloat16": 2.0**-7, "float32": 0.0, "float64": 0.0}
ACC = {"float32": 1e-5, "float64": 1e-13}


@dataclass
class Failure:
    """One way a program failed; `kind` is what was wrong, `op` where (the op's name),
    `index` the op's position in the body (-1: the whole program)."""

    kind: str  # invalid, compile-error, run-error, missing-error, mismatch, nan, signed-zero
    op: str
    dtype: str
    message: str
    index: int = -1
    ratio: float = 0.0  # worst error / tolerance, for mismatches
    fused: bool = False  # found in @f (fused), not @f_all
    operands: tuple = ()  # the operand values at the failing element (when elementwise)

    def __str__(self) -> str:
        where = f" in '{self.op}' ({self.dtype})" if self.op else ""
        fused = " (fused @f)" if self.fused else ""
        return f"{self.kind}{where}{fused}: {self.message}"


# --- what is exact, what has a scale ----------------------------------------------------

EXACT = {
    ops.NegOp, ops.AbsOp, ops.SignOp, ops.FloorOp, ops.CeilOp, ops.RoundOp, ops.ReluOp,
    ops.ClampOp, ops.MaxOp, ops.MinOp, ops.CmpOp, ops.SelectOp, ops.AndOp, ops.OrOp,
    ops.XorOp, ops.NotOp, ops.CastOp, ops.ConstantOp, ops.IotaOp, ops.BroadcastToOp,
    ops.ReshapeOp, ops.TransposeOp, ops.SliceOp, ops.ConcatOp, ops.PadOp, ops.GatherOp,
    ops.ArgmaxOp, ops.ArgminOp, ops.AddOp, ops.SubOp, ops.MulOp, ops.DivOp, ops.SqrtOp,
    ops.ReciprocalOp,
}  # fmt: skip
FREE_ZERO_SIGN = {
    ops.ReluOp, ops.ClampOp, ops.MaxOp, ops.MinOp, ops.ReduceOp, ops.VarOp, ops.MatmulOp,
    ops.LinearOp, ops.SoftmaxOp, ops.LogSoftmaxOp, ops.LayerNormOp, ops.RmsNormOp,
    ops.AttentionOp,
}  # fmt: skip
RELATIVE = {ops.ExpOp, ops.Exp2Op, ops.RsqrtOp, ops.PowOp}
"""Math functions without zeros: error relative to the result alone."""


def _abs(*xs: np.ndarray) -> list[np.ndarray]:
    return [np.abs(x) for x in xs]


def _evaluate(op: Operation, *operands: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"):
        return reference.evaluate_op(op, *operands).astype(F64)


def _reduced(op, x) -> tuple[tuple[int, ...], int]:
    dims = normalize_dims(aval(op.properties, "dims"), x.ndim)
    return dims, math.prod(x.shape[d] for d in dims)


def _keep(op, r: np.ndarray, dims) -> np.ndarray:
    return r if bval(op.properties, "keepdim") else np.squeeze(r, axis=dims)


def scale_reduce(op, expected, x):
    kind = sval(op.properties, "kind")
    if kind in ("sum", "mean"):
        return _evaluate(op, np.abs(x))
    if kind == "prod":  # partial products in any order stay within [lo, hi]
        dims, n = _reduced(op, x)
        with np.errstate(all="ignore"):
            c = np.abs(x.astype(compute_dtype(x.dtype)))
            hi = np.prod(np.maximum(c, 1), axis=dims, keepdims=True)
            lo = np.prod(np.minimum(c, 1), axis=dims, keepdims=True)
        free = ~np.isfinite(hi) | (lo < ml_dtypes.finfo(c.dtype).smallest_normal)
        return np.where(_keep(op, free, dims), np.inf, np.abs(expected) * (n + 1))
    return np.zeros_like(expected)  # max, min: exact


def scale_var(op, expected, x):
    dims, n = _reduced(op, x)
    c = x.astype(compute_dtype(x.dtype))
    with np.errstate(all="ignore"):
        m = np.abs(np.mean(c, axis=dims, keepdims=True))
        s = np.sum((np.abs(c) + m) ** 2, axis=dims, keepdims=True)
        s = s / max(n - ival(op.properties, "correction"), 1)
    return _keep(op, s, dims).astype(F64)


def scale_norm(op, expected, x, s, b=None):
    axis = normalize_axis(ival(op.properties, "axis"), x.ndim)
    dims = tuple(range(axis, x.ndim))
    c = x.astype(compute_dtype(x.dtype)).astype(F64)
    with np.errstate(all="ignore"):
        mean = np.mean(c, axis=dims, keepdims=True) if c.size else np.zeros_like(c)
        var = np.mean((c - mean) ** 2, axis=dims, keepdims=True) if c.size else np.ones_like(c)
        if isinstance(op, ops.RmsNormOp):
            mean, var = 0 * mean, np.mean(c * c, axis=dims, keepdims=True) if c.size else var
        std = np.sqrt(var + fval(op.properties, "epsilon"))
        out = (np.abs(c) + np.abs(mean)) / std * np.abs(s.astype(F64))
        return 4 * (out + (np.abs(b.astype(F64)) if b is not None else 0))


def scale_attention(op, expected, q, k, v):
    with np.errstate(all="ignore"):
        scores = np.matmul(np.abs(q.astype(F64)), np.swapaxes(np.abs(k.astype(F64)), -1, -2))
        scores = scores * abs(fval(op.properties, "scale"))
        m = np.max(scores, axis=-1, keepdims=True, initial=0.0)
        vs = np.sum(np.abs(v.astype(F64)), axis=-2, keepdims=True)
        return 4 * np.broadcast_to((1 + m) * vs, expected.shape)


SCALES: dict[type, Callable[..., np.ndarray]] = {
    ops.ReduceOp: scale_reduce,
    ops.VarOp: scale_var,
    ops.MatmulOp: lambda op, e, a, b: _evaluate(op, *_abs(a, b)),
    ops.LinearOp: lambda op, e, x, w, b: _evaluate(op, *_abs(x, w, b)),
    ops.SoftmaxOp: lambda op, e, x: np.full_like(e, 4.0),
    ops.LogSoftmaxOp: lambda op, e, x: 4 * (np.abs(e) + 1),
    ops.LayerNormOp: scale_norm,
    ops.RmsNormOp: scale_norm,
    ops.AttentionOp: scale_attention,
}


def tolerance(op: Operation, operands: list[np.ndarray], expected: np.ndarray) -> np.ndarray:
    """Per element: how far the target may be from `expected` (inf: anything goes)."""
    storage = expected.dtype
    if type(op) in EXACT or (isinstance(op, ops.ReduceOp) and sval(op.properties, "kind") in ("max", "min")):
        return np.zeros(expected.shape)
    e = np.abs(expected.astype(F64))
    acc = ACC[compute_dtype(storage).name]
    if type(op) in SCALES:
        scale = np.broadcast_to(SCALES[type(op)](op, expected, *operands), e.shape)
    elif type(op) in RELATIVE:
        scale = e
    else:
        scale = np.maximum(e, 1.0)
    tiny = float(ml_dtypes.finfo(storage).smallest_normal)
    scale = np.nan_to_num(scale, nan=0.0, posinf=np.inf)  # NaN: the NaN positions decide
    with np.errstate(all="ignore"):
        tol = ROUND[storage.name] * np.nan_to_num(e) + acc * scale + tiny
    return np.where(np.isinf(scale), np.inf, tol)


# --- comparing one op's result ---------------------------------------------------------


def _at(where) -> list[int]:
    return [int(i) for i in where]


def _operands_at(operands: list[np.ndarray], shape, where) -> tuple:
    """The operand values at element `where` when they broadcast to the result."""
    try:
        return tuple(np.broadcast_to(x, shape)[where].item() for x in operands)
    except (ValueError, IndexError):
        return ()


def compare(op: Operation, operands, actual, expected, index: int = -1, fused: bool = False) -> list[Failure]:
    """The failures of `actual` as op `op`'s result (empty: it is within the spec)."""
    dtype = str(op.results[0].type.element_type)
    line = to_text(op).strip()

    def fail(kind: str, message: str, ratio: float = 0.0, where=None) -> list[Failure]:
        at = _operands_at(operands, actual.shape, where) if where is not None else ()
        note = " from " + ", ".join(map(repr, at)) if at else ""
        return [Failure(kind, op.name, dtype, f"{message}{note}\n  {line}", index, ratio, fused, at)]

    if actual.dtype != expected.dtype or actual.shape != expected.shape:
        return fail("mismatch", f"got {actual.dtype}{list(actual.shape)}, expected "
                                f"{expected.dtype}{list(expected.shape)}")
    if actual.dtype.kind in "biu":
        bad = actual != expected
        if bad.any():
            where = tuple(np.argwhere(bad)[0])
            return fail("mismatch", f"at {_at(where)}: got {actual[where].item()!r}, expected "
                                    f"{expected[where].item()!r}", where=where)
        return []
    a, e = actual.astype(F64), expected.astype(F64)
    tol = tolerance(op, operands, expected)
    free = np.isinf(tol)
    nan_bad = (np.isnan(a) != np.isnan(e)) & ~free
    if nan_bad.any():
        where = tuple(np.argwhere(nan_bad)[0])
        return fail("nan", f"at {_at(where)}: got {a[where].item()!r}, expected {e[where].item()!r}",
                    where=where)
    with np.errstate(all="ignore"):
        err = np.where(a == e, 0.0, np.abs(a - e))
        # a finite value at the overflow boundary may stand for infinity, and vice versa
        biggest = float(ml_dtypes.finfo(actual.dtype).max)
        edge = (np.isinf(a) | np.isinf(e)) & (np.sign(a) == np.sign(e)) & (
            np.minimum(np.abs(a), np.abs(e)) >= biggest * (1 - 4 * (tol / np.maximum(np.abs(e), 1))))
        err = np.where(np.isnan(a) | edge | free, 0.0, np.nan_to_num(err, nan=np.inf, posinf=np.inf))
        ratio = np.where(err == 0, 0.0, err / tol)
    if (ratio > 1).any():
        where = tuple(np.unravel_index(np.argmax(ratio), ratio.shape))
        return fail("mismatch", f"at {_at(where)}: got {a[where].item()!r}, expected {e[where].item()!r} "
                                f"(error {err[where]:.3g}, tolerance {tol[where]:.3g})",
                    float(ratio[where]), where)
    if type(op) not in FREE_ZERO_SIGN:
        zero_bad = (a == 0) & (e == 0) & (np.signbit(a) != np.signbit(e))
        if zero_bad.any():
            where = tuple(np.argwhere(zero_bad)[0])
            return fail("signed-zero", f"at {_at(where)}: got {a[where].item()!r}, expected {e[where].item()!r}",
                        where=where)
    return []


# --- a whole program --------------------------------------------------------------------


def _after_order_sensitive(body: list[Operation]) -> set[Operation]:
    """The ops with a sum (reduction, contraction, normalization) strictly upstream:
    fused, they see that sum as the fused kernel computes it, in any order the spec
    allows, so @f_all's value of their operands is not theirs."""
    tainted: set[Operation] = set()
    for op in body:
        for v in op.operands:
            producer = v.owner
            if producer in tainted or type(producer) in SCALES:
                tainted.add(op)
    return tainted


def _body(function: func.FuncOp) -> list[Operation]:
    return [op for op in function.body.block.ops if not isinstance(op, func.ReturnOp)]


def _tuple(x) -> tuple:
    return x if isinstance(x, tuple) else (x,)


def _describe(e: BaseException) -> str:
    return f"{type(e).__name__}: {e}".strip()


def check_program(program: Program, target: str = "cpu") -> list[Failure]:
    """Everything wrong with the target on `program` (empty: it meets the spec)."""
    import stepwell

    text = program.text
    try:
        module = reference.load_module(text, f"seed{program.seed}.mlir")
    except DiagnosticError as e:
        return [Failure("invalid", "", "", str(e))]
    f_all = reference.find_function(module, "f_all")
    body = _body(f_all)
    ref_error = None
    try:
        reference.run_function(f_all, *program.inputs)
    except reference.EvaluationError as e:
        ref_error = e
    try:
        compiled = stepwell.compile(text, "f_all", target=target)
    except Exception as e:  # noqa: BLE001 - a valid program must compile
        return [Failure("compile-error", "", "", _describe(e))]
    try:
        actual = _tuple(compiled(*program.inputs))
    except Exception as e:  # noqa: BLE001
        if ref_error is not None:
            return []  # both refuse (a gather index out of range)
        return [Failure("run-error", "", "", _describe(e))]
    if ref_error is not None:
        return [Failure("missing-error", "tensor_graph.gather", "", f"the reference raises "
                        f"'{ref_error}', the target returns normally")]
    values = dict(zip(f_all.body.block.args, program.inputs))
    failures: list[Failure] = []
    for index, (op, value) in enumerate(zip(body, actual, strict=True)):
        operands = [values[v] for v in op.operands]
        failures += compare(op, operands, value, reference.evaluate_op(op, *operands), index)
        values[op.results[0]] = value
    if failures or not any(isinstance(op, func.FuncOp) and op.sym_name.data == "f" for op in module.ops):
        return failures
    f = reference.find_function(module, "f")
    try:
        fused = _tuple(stepwell.compile(text, "f", target=target)(*program.inputs))
    except Exception as e:  # noqa: BLE001
        return [Failure("run-error", "", "", _describe(e), fused=True)]
    positions = {op.results[0]: i for i, op in enumerate(_body(f))}
    after_a_sum = _after_order_sensitive(_body(f))
    for value, result in zip(f.body.block.last_op.operands, fused, strict=True):
        i = positions[value]
        if value.owner in after_a_sum:
            continue  # its operands are the fused kernel's own sums, in another order
        operands = [values[v] for v in body[i].operands]
        failures += compare(body[i], operands, result, actual[i], i, fused=True)
    return failures
