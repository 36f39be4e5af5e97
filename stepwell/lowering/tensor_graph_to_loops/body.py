"""Building the scalar body of a loops compute op, and the state of one lowering.

`Body` appends scalar ops to a fresh block and keeps the contract of scalar bodies:
an f16/bf16 load is extended to f32 right after it (`load`), the body computes in the
compute type (`compute_type`), and the value is truncated to the storage type right
before the `loops.yield` (`finish`). Loads go through `Lowering.views`, so reading a
view reads its base with composed index expressions, simplified with the ranges of the
body's symbols (as `loops-simplify-index` does); reading a splat `tensor_graph.constant`
becomes an `arith.constant`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import sympy
from xdsl.dialects import arith
from xdsl.dialects.builtin import DenseIntOrFPElementsAttr, FloatAttr, IntegerAttr, TensorType
from xdsl.ir import Attribute, Block, Operation, Region, SSAValue
from xdsl.rewriter import InsertPoint, Rewriter

from stepwell.dialects.loops import ContractOp, IndexOp, LoadOp, PointwiseOp, ReduceOp, YieldOp
from stepwell.dialects.loops.index import dims
from stepwell.dialects.tensor_graph.ops import ConstantOp
from stepwell.dialects.tensor_graph.types import bf16, f16, f32, i1, is_float, shape_of, tensor
from stepwell.ir.printer import is_bitwise_splat
from stepwell.lowering.tensor_graph_to_loops.views import View, identity
from stepwell.dialects.loops.simplify import simplify_index

Shape = Sequence[int]


def compute_type(element_type: Attribute) -> Attribute:
    """The type a body computes in: f32 for f16 and bf16, the element type otherwise."""
    return f32 if element_type in (f16, bf16) else element_type


def element_type(value: SSAValue) -> Attribute:
    assert isinstance(value.type, TensorType)
    return value.type.element_type


def splat_value(buffer: SSAValue) -> float | int | None:
    """The one value of a splat `tensor_graph.constant`, else None (an empty constant
    is no splat: it has no value, and its loads are never run)."""
    op = buffer.owner
    value = op.value if isinstance(op, ConstantOp) else None
    if isinstance(value, DenseIntOrFPElementsAttr) and math.prod(shape_of(buffer.type)) and is_bitwise_splat(value):
        return value.get_values()[0]
    return None


class Lowering:
    """What the lowering of one module knows: the views, and where new ops go."""

    def __init__(self) -> None:
        self.views: dict[SSAValue, View] = {}
        self.point: InsertPoint | None = None

    def view_of(self, value: SSAValue) -> View:
        return self.views.get(value) or View(value, identity(len(shape_of(value.type))))

    def make_view(self, source: SSAValue, index: Sequence[sympy.Expr]) -> View:
        """The view that reads `source` at `index` (composed when `source` is a view)."""
        src = self.view_of(source)
        return View(src.base, src.compose(index))

    def emit(self, op: Operation) -> SSAValue:
        assert self.point is not None
        Rewriter.insert_op(op, self.point)
        return op.results[0]

    def pointwise(self, shape: Shape, elt: Attribute, build: Callable[[Body], SSAValue]) -> SSAValue:
        """Emit a `loops.pointwise` over `shape` whose body `build` fills."""
        body = Body(self, shape)
        return self.emit(PointwiseOp(tensor(shape, elt), body.finish(build(body), elt)))

    def reduce(
        self,
        kind: str,
        shape: Shape,
        over: Shape,
        result_elt: Attribute,
        build: Callable[[Body], SSAValue],
    ) -> SSAValue:
        """Emit `loops.reduce kind over [over]`; the body type is what `build` yields."""
        body = Body(self, shape, over)
        value = build(body)
        region = body.finish(value, value.type)
        return self.emit(ReduceOp(kind, over, tensor(shape, result_elt), region, value.type))

    def contract(self, shape: Shape, k: int, build: Callable[[Body], SSAValue]) -> SSAValue:
        """Emit `loops.contract over [k]` (batch dims, then M x N: `shape`) whose body
        `build` fills with the product; the result has the body's type."""
        body = Body(self, shape, (k,))
        value = build(body)
        return self.emit(ContractOp((k,), tensor(shape, value.type), body.finish(value, value.type)))


class Body:
    """A scalar body under construction, for the index space `shape` (d-symbols) and
    the reduced space `over` (r-symbols)."""

    def __init__(self, lowering: Lowering, shape: Shape, over: Shape = ()):
        self.lowering = lowering
        self.shape, self.over = tuple(shape), tuple(over)
        self.block = Block()
        self.ranges = {  # None: an empty space, which runs no point
            s: (sympy.Integer(0), sympy.Integer(n - 1))
            for prefix, sizes in (("d", shape), ("r", over))
            for s, n in zip(dims(len(sizes), prefix), sizes)
        } if 0 not in self.shape + self.over else None
        self._made: dict[tuple, SSAValue] = {}  # constants, indices, loads: made once

    def add(self, op: Operation) -> SSAValue:
        self.block.add_op(op)
        return op.results[0]

    def load(
        self, value: SSAValue, index: Sequence[sympy.Expr], syms: Sequence[SSAValue] = ()
    ) -> SSAValue:
        """Element `index` of `value` (a buffer or a view), in the compute type."""
        elt = element_type(value)
        view = self.lowering.view_of(value)
        splat = splat_value(view.base)
        if splat is not None:
            return self.constant(splat, compute_type(elt))
        exprs = tuple(self.simplify(e) for e in view.compose(index))
        key = ("load", view.base, exprs, tuple(syms))
        if key not in self._made:
            loaded = self.add(LoadOp(view.base, exprs, syms))
            self._made[key] = self.add(arith.ExtFOp(loaded, f32)) if elt in (f16, bf16) else loaded
        return self._made[key]

    def constant(self, value: float | int | bool, type_: Attribute) -> SSAValue:
        """An `arith.constant` of `type_`."""
        if is_float(type_):
            attr: Attribute = FloatAttr(float(value), type_)  # type: ignore[arg-type]
        else:
            attr = IntegerAttr(int(bool(value)) if type_ == i1 else int(value), type_)  # type: ignore[arg-type]
        key = ("constant", repr(attr), type_)
        if key not in self._made:
            self._made[key] = self.add(arith.ConstantOp(attr))
        return self._made[key]

    def index(self, expr: sympy.Expr) -> SSAValue:
        """The i64 value of an index expression at the current point."""
        expr = self.simplify(expr)
        key = ("index", expr)
        if key not in self._made:
            self._made[key] = self.add(IndexOp(expr))
        return self._made[key]

    def simplify(self, expr: sympy.Expr) -> sympy.Expr:
        return expr if self.ranges is None else simplify_index(sympy.sympify(expr), self.ranges)

    def finish(self, value: SSAValue, elt: Attribute) -> Region:
        """End the body: truncate an f32 value to an f16/bf16 `elt`, then yield."""
        if elt in (f16, bf16) and value.type != elt:
            value = self.add(arith.TruncFOp(value, elt))
        self.block.add_op(YieldOp(value))
        return Region(self.block)
