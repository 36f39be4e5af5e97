"""Building `tensor_graph` ops from Python at a builder's insertion point.

    b = GraphBuilder(rewriter)          # a PatternRewriter, or any xDSL Builder
    x = b.wrap(op.x)
    e = (x - x.max(-1, keepdim=True)).exp()
    y = e / e.sum(-1, keepdim=True)     # a Value; y.value is the SSAValue

Every method builds exactly one op with `TensorGraphOp.make` (which infers the result
type) and inserts it where the builder points, so the IR reads in the order the Python
does. A Python number next to a Value becomes a rank-0 `tensor_graph.constant` of that
Value's element type, which broadcasts; the number is rounded to the element type
(to +-inf for floats past its range; integers must fit).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import ml_dtypes
import numpy as np
from xdsl.builder import Builder
from xdsl.dialects import func
from xdsl.dialects.builtin import DenseIntOrFPElementsAttr, IntegerType, ModuleOp, TensorType
from xdsl.ir import Attribute, Block, Operation, Region, SSAValue
from xdsl.rewriter import InsertPoint

from stepwell.dialects.tensor_graph import ops
from stepwell.dialects.tensor_graph.types import bf16, f16, f32, f64, i64, is_float, shape_of, tensor

_NUMPY_FLOATS: dict[Attribute, Any] = {
    f16: np.float16,
    bf16: ml_dtypes.bfloat16,
    f32: np.float32,
    f64: np.float64,
}

Number = int | float


def scalar_attr(value: Number, element_type: Attribute) -> DenseIntOrFPElementsAttr:
    """`dense<value> : tensor<element_type>`, the value rounded to the element type."""
    if is_float(element_type):
        with np.errstate(over="ignore"):
            rounded = float(np.asarray(value, dtype=_NUMPY_FLOATS[element_type]).item())
        return DenseIntOrFPElementsAttr.from_list(tensor([], element_type), [rounded])
    assert isinstance(element_type, IntegerType), element_type
    if isinstance(value, float) and not value.is_integer():
        raise ValueError(f"{value} is not a value of {element_type}")
    lo, hi = integer_range(element_type)
    if not lo <= int(value) <= hi:
        raise ValueError(f"{value} does not fit in {element_type}")
    return DenseIntOrFPElementsAttr.from_list(tensor([], element_type), [int(value)])


def integer_range(element_type: IntegerType) -> tuple[int, int]:
    """The lowest and highest values of a (signed) integer type; i1 is 0..1."""
    width = element_type.width.data
    if width == 1:
        return 0, 1
    return -(1 << (width - 1)), (1 << (width - 1)) - 1


class GraphBuilder:
    """Inserts tensor_graph ops through an xDSL `Builder` and hands back `Value`s."""

    def __init__(self, builder: Builder):
        self.builder = builder

    def op(
        self,
        op_type: type[ops.TensorGraphOp],
        *operands: Value | SSAValue | Operation,
        result_type: TensorType | None = None,
        **props: Any,
    ) -> Value:
        values = [o.value if isinstance(o, Value) else SSAValue.get(o) for o in operands]
        new = op_type.make(*values, result_type=result_type, **props)
        self.builder.insert(new)
        return Value(self, new.results[0])

    def wrap(self, value: SSAValue | Operation) -> Value:
        return Value(self, SSAValue.get(value))

    def scalar(self, value: Number, element_type: Attribute) -> Value:
        """A rank-0 constant, which broadcasts against any shape."""
        return self.op(ops.ConstantOp, value=scalar_attr(value, element_type))

    def iota(self, shape: Sequence[int], dim: int, element_type: Attribute = i64) -> Value:
        return self.op(ops.IotaOp, result_type=tensor(shape, element_type), dim=dim)

    def select(self, cond: Value, a: Value | Number, b: Value | Number) -> Value:
        like = a if isinstance(a, Value) else b
        assert isinstance(like, Value), "select needs at least one tensor branch"
        return self.op(ops.SelectOp, cond, like._coerce(a), like._coerce(b))


def _dims(dims: int | Sequence[int]) -> list[int]:
    return [dims] if isinstance(dims, int) else list(dims)


class Value:
    """An SSA value of tensor type, with numpy-like methods that build ops.

    `==` is not overloaded (Values stay hashable): compare with `cmp("eq", other)`."""

    __slots__ = ("b", "value")

    def __init__(self, b: GraphBuilder, value: SSAValue):
        self.b, self.value = b, value

    # --- what it is ---

    @property
    def type(self) -> TensorType:
        assert isinstance(self.value.type, TensorType)
        return self.value.type

    @property
    def shape(self) -> tuple[int, ...]:
        return shape_of(self.type)

    @property
    def rank(self) -> int:
        return len(self.shape)

    @property
    def element_type(self) -> Attribute:
        return self.type.element_type

    def _coerce(self, other: Value | SSAValue | Number) -> Value:
        if isinstance(other, Value):
            return other
        if isinstance(other, SSAValue):
            return Value(self.b, other)
        return self.b.scalar(other, self.element_type)

    def _unary(self, op_type: type[ops.TensorGraphOp], **props: Any) -> Value:
        return self.b.op(op_type, self, **props)

    def _binary(self, op_type: type[ops.TensorGraphOp], other: Any, swap: bool = False, **props: Any) -> Value:
        other = self._coerce(other)
        lhs, rhs = (other, self) if swap else (self, other)
        return self.b.op(op_type, lhs, rhs, **props)

    # --- elementwise ---

    def __add__(self, other): return self._binary(ops.AddOp, other)
    def __radd__(self, other): return self._binary(ops.AddOp, other, swap=True)
    def __sub__(self, other): return self._binary(ops.SubOp, other)
    def __rsub__(self, other): return self._binary(ops.SubOp, other, swap=True)
    def __mul__(self, other): return self._binary(ops.MulOp, other)
    def __rmul__(self, other): return self._binary(ops.MulOp, other, swap=True)
    def __truediv__(self, other): return self._binary(ops.DivOp, other)
    def __rtruediv__(self, other): return self._binary(ops.DivOp, other, swap=True)
    def __pow__(self, other): return self._binary(ops.PowOp, other)
    def __neg__(self): return self._unary(ops.NegOp)
    def __matmul__(self, other): return self._binary(ops.MatmulOp, other)

    def __lt__(self, other): return self.cmp("lt", other)
    def __le__(self, other): return self.cmp("le", other)
    def __gt__(self, other): return self.cmp("gt", other)
    def __ge__(self, other): return self.cmp("ge", other)

    def maximum(self, other) -> Value: return self._binary(ops.MaxOp, other)
    def minimum(self, other) -> Value: return self._binary(ops.MinOp, other)
    def cmp(self, predicate: str, other) -> Value: return self._binary(ops.CmpOp, other, predicate=predicate)

    def exp(self) -> Value: return self._unary(ops.ExpOp)
    def log(self) -> Value: return self._unary(ops.LogOp)
    def sqrt(self) -> Value: return self._unary(ops.SqrtOp)
    def rsqrt(self) -> Value: return self._unary(ops.RsqrtOp)
    def reciprocal(self) -> Value: return self._unary(ops.ReciprocalOp)
    def tanh(self) -> Value: return self._unary(ops.TanhOp)
    def erf(self) -> Value: return self._unary(ops.ErfOp)
    def abs(self) -> Value: return self._unary(ops.AbsOp)

    # --- reductions (dims: an int or a list; numpy's keepdim) ---

    def reduce(self, kind: str, dims: int | Sequence[int], keepdim: bool = False) -> Value:
        return self._unary(ops.ReduceOp, kind=kind, dims=_dims(dims), keepdim=keepdim)

    def sum(self, dims, keepdim=False) -> Value: return self.reduce("sum", dims, keepdim)
    def max(self, dims, keepdim=False) -> Value: return self.reduce("max", dims, keepdim)
    def mean(self, dims, keepdim=False) -> Value: return self.reduce("mean", dims, keepdim)

    # --- shape ---

    def transpose(self, perm: Sequence[int]) -> Value:
        return self._unary(ops.TransposeOp, perm=list(perm))

    def swap_last_two(self) -> Value:
        perm = list(range(self.rank))
        perm[-2], perm[-1] = perm[-1], perm[-2]
        return self.transpose(perm)

    def reshape(self, shape: Sequence[int]) -> Value:
        return self.b.op(ops.ReshapeOp, self, result_type=tensor(shape, self.element_type))

    def cast(self, element_type: Attribute) -> Value:
        return self.b.op(ops.CastOp, self, result_type=tensor(self.shape, element_type))

    # --- what building cannot do: Python may not look at a tensor's contents ---

    __array_ufunc__ = None  # numpy functions do not take Values (an error, not an object array)

    def __bool__(self):
        raise TypeError(
            "a tensor being built has no truth value: Python `if`/`while`/`and`/`or` cannot depend "
            "on tensor contents (use select / tg.where)"
        )

    def __iter__(self):
        raise TypeError("a tensor being built cannot be iterated over in Python (use slice or reshape)")

    def __repr__(self) -> str:
        return f"Value({self.value.name_hint or '?'}: {self.type})"


__all__ = ["GraphBuilder", "Value", "integer_range", "scalar_attr"]


def build_function(
    arg_types: Sequence[TensorType],
    body: Any,
    name: str = "f",
) -> ModuleOp:
    """A module holding `func.func @name(args)` whose body `body(b, *args)` builds from
    Python; it returns the result Value, or a tuple of them.

        module = build_function([tensor([4, 8], f32)], lambda b, x: (x - x.max(-1, True)).exp())
    """
    block = Block(arg_types=list(arg_types))
    b = GraphBuilder(Builder(InsertPoint.at_end(block)))
    results = body(b, *(b.wrap(a) for a in block.args))
    results = results if isinstance(results, tuple) else (results,)
    block.add_op(func.ReturnOp(*(r.value for r in results)))
    function = func.FuncOp(name, (list(arg_types), [r.type for r in results]), Region(block))
    return ModuleOp([function])
