"""The math approximations, as `arith`/`math` primitives: one expansion per math op.

    expand_math(root, names)   replace every math op named in `names` (short names:
                               exp, log, tanh, erf, sin, cos, powf, ipowi) inside
                               `root` by its expansion; used by `loops-expand-math`
                               and, for what it left, by `convert-loops-to-llvm`

The expansions (exp_log.py, trig_erf.py, power.py) are written in fmath.F, a small
vocabulary of IEEE arithmetic, fma, bit tricks and selects; their coefficients are
the tables of coefficients.py (fitted by fit_coefficients.py). f16/bf16 operands are
extended to f32, computed there and rounded once back, as the spec's Numerics say.
sin/cos above 2^20 read the bits of 2/pi from a constant table: a
`tensor_graph.constant` at the top of the enclosing function, read with
`loops.load ... syms(...)`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import numpy as np
from xdsl.dialects import func
from xdsl.dialects.builtin import AnyFloat, DenseIntOrFPElementsAttr, TensorType, f32, f64
from xdsl.ir import Attribute, Operation, SSAValue
from xdsl.rewriter import InsertPoint, Rewriter

from stepwell.transforms.expand_math import exp_log, power, trig_erf
from stepwell.transforms.expand_math.fmath import Emitter, F, convert

FLOAT_EXPANSIONS: dict[str, Callable[..., SSAValue]] = {
    "exp": exp_log.exp,
    "log": exp_log.log,
    "tanh": exp_log.tanh,
    "erf": trig_erf.erf,
    "sin": trig_erf.sin,
    "cos": trig_erf.cos,
    "powf": power.powf,
}
INTEGER_EXPANSIONS: dict[str, Callable[..., SSAValue]] = {"ipowi": power.ipowi}
EXPANDABLE: tuple[str, ...] = (*FLOAT_EXPANSIONS, *INTEGER_EXPANSIONS)
"""Every op that has an expansion (short names: `math.NAME`); what the CPU needs,
which has no instruction for any of them."""


def expand_math(root: Operation, names: Iterable[str] = EXPANDABLE, keep: Iterable[Operation] = ()) -> int:
    """Expand the math ops of `names` inside `root`, except inside the ops of `keep`;
    how many were expanded."""
    wanted = {f"math.{n}" for n in names}
    kept = set(keep)
    targets = [op for op in root.walk() if op.name in wanted and not any(p in kept for p in _ancestors(op))]
    tables = _Tables()
    for op in targets:
        Rewriter.replace_op(op, [], [expand_one(op, tables)])
    return len(targets)


def _ancestors(op: Operation) -> Iterable[Operation]:
    while (op := op.parent_op()) is not None:  # type: ignore[assignment]
        yield op


def expand_one(op: Operation, tables: _Tables) -> SSAValue:
    """Insert the expansion of `op` before it; the value that replaces its result."""
    b = Emitter(op, table=lambda *t: tables.read(op, *t))
    name = op.name.removeprefix("math.")
    if name in INTEGER_EXPANSIONS:
        return INTEGER_EXPANSIONS[name](b, *op.operands)
    src, out = op.operands[0].type, op.results[0].type
    assert isinstance(src, AnyFloat)
    wide = src if src in (f32, f64) else f32
    args = [convert(b, v, wide) for v in op.operands]
    return convert(b, FLOAT_EXPANSIONS[name](F(b, wide), *args), out)  # type: ignore[arg-type]


class _Tables:
    """The constant tables an expansion reads: one `tensor_graph.constant` per table
    and function, at the top of the function."""

    def __init__(self):
        self._made: dict[tuple[Operation, str], SSAValue] = {}

    def read(self, user: Operation, name: str, elem: Attribute, values: Sequence[float], index: SSAValue) -> SSAValue:
        from stepwell.dialects.loops import LoadOp
        from stepwell.dialects.loops.index import sym
        from stepwell.dialects.tensor_graph.ops import ConstantOp

        fn = user.parent_op()
        while fn is not None and not isinstance(fn, func.FuncOp):
            fn = fn.parent_op()
        assert fn is not None, "a math op outside a function"
        if (fn, name) not in self._made:
            t = TensorType(elem, [len(values)])
            attr = DenseIntOrFPElementsAttr.from_list(t, list(np.asarray(values, dtype=np.float64)))
            const = ConstantOp.make(value=attr)
            Rewriter.insert_op(const, InsertPoint.at_start(fn.body.block))
            self._made[fn, name] = const.results[0]
        load = LoadOp(self._made[fn, name], [sym("s0")], [index])
        Rewriter.insert_op(load, InsertPoint.before(user))
        return load.result


__all__ = ["EXPANDABLE", "expand_math"]
