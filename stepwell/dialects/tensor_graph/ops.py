"""The ops of `tensor_graph`, as `spec/tensor_graph.md` defines them.

Every op derives its result type from its operand types and properties in one
classmethod, `infer`. The verifier checks the printed result type against it, and the
builder (`TensorGraphOp.make`) uses it, so passes never compute result types by hand.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, ClassVar

from xdsl.dialects.builtin import (
    I64,
    BoolAttr,
    DenseArrayBase,
    DenseIntOrFPElementsAttr,
    DenseResourceAttr,
    Float64Type,
    FloatAttr,
    IntegerAttr,
    StringAttr,
    TensorType,
)
from xdsl.ir import Attribute, Operation, SSAValue
from xdsl.irdl import (
    IRDLOperation,
    irdl_op_definition,
    operand_def,
    prop_def,
    result_def,
    traits_def,
    var_operand_def,
)
from xdsl.traits import HasCanonicalizationPatternsTrait, Pure
from xdsl.utils.exceptions import VerifyException

from stepwell.dialects.tensor_graph.syntax import CustomFormMixin
from stepwell.dialects.tensor_graph.types import (
    CLASSES,
    broadcast_shapes,
    broadcasts_to,
    i1,
    i64,
    normalize_axis,
    normalize_dims,
    reduced_shape,
    shape_of,
    tensor,
)
from stepwell.dtypes import numpy_dtype
from stepwell.ir import resources
from stepwell.semantics import REDUCTIONS

Props = dict[str, Attribute]


# --- property helpers -------------------------------------------------------------


def i64_prop():
    return prop_def(IntegerAttr[I64])


def f64_prop():
    return prop_def(FloatAttr[Float64Type])


def bool_prop():
    return prop_def(BoolAttr)


def str_prop():
    return prop_def(StringAttr)


def array_prop():
    return prop_def(DenseArrayBase[I64])


def to_attr(value: Any, kind: Attribute | None = None) -> Attribute:
    """A Python value as the property attribute a builder call means."""
    if isinstance(value, Attribute):
        return value
    if isinstance(value, bool):
        return IntegerAttr(int(value), i1)
    if isinstance(value, int):
        return IntegerAttr(value, i64)
    if isinstance(value, float):
        return FloatAttr(value, Float64Type())
    if isinstance(value, str):
        return StringAttr(value)
    if isinstance(value, (list, tuple)):
        return DenseArrayBase.from_list(i64, [int(v) for v in value])
    raise TypeError(f"no property attribute for {value!r}")


def ival(props: Props, name: str) -> int:
    return props[name].value.data  # type: ignore[attr-defined]


def fval(props: Props, name: str) -> float:
    return props[name].value.data  # type: ignore[attr-defined]


def bval(props: Props, name: str) -> bool:
    return bool(props[name].value.data)  # type: ignore[attr-defined]


def sval(props: Props, name: str) -> str:
    return props[name].data  # type: ignore[attr-defined]


def aval(props: Props, name: str) -> tuple[int, ...]:
    return tuple(props[name].get_values())  # type: ignore[attr-defined]


# --- the base class ----------------------------------------------------------------


class TensorGraphCanonicalization(HasCanonicalizationPatternsTrait):
    """The patterns of canonicalize.py rooted at each op type (imported late: it uses us)."""

    def get_patterns(self, op):
        from stepwell.dialects.tensor_graph.canonicalize import patterns_for

        return patterns_for(op)

    @classmethod
    def get_canonicalization_patterns(cls):
        return ()


class TensorGraphOp(CustomFormMixin, IRDLOperation):
    """Base of every tensor_graph op: one tensor result, a type rule, a custom form."""

    COMPOSITE: ClassVar[bool] = False
    ELEMENTS: ClassVar[str] = "any"
    """The element-type class all tensor operands share (see types.CLASSES)."""
    SHARED: ClassVar[int | None] = None
    """How many leading operands must share one element type (None: all)."""

    traits = traits_def(Pure(), TensorGraphCanonicalization())

    @classmethod
    def infer(
        cls, types: Sequence[TensorType], props: Props, result: TensorType | None
    ) -> TensorType:
        """The result type; `result` is the declared one, for ops that need it."""
        raise NotImplementedError

    @classmethod
    def operand_names(cls, count: int) -> list[str]:
        defs = cls.get_irdl_definition().operands
        if len(defs) == 1 and count != 1:
            return [f"{defs[0][0]}#{i}" for i in range(count)]
        return [name for name, _ in defs]

    @classmethod
    def check_elements(cls, types: Sequence[TensorType]) -> None:
        names = cls.operand_names(len(types))
        shared = list(zip(names, types))[: cls.SHARED]
        if not shared:
            return
        allowed = CLASSES[cls.ELEMENTS]
        first_name, first = shared[0]
        for name, t in shared:
            if t.element_type != first.element_type:
                raise VerifyException(
                    f"operand '{name}' has element type {t.element_type} but operand "
                    f"'{first_name}' has {first.element_type}"
                )
        if first.element_type not in allowed:
            raise VerifyException(
                f"operand '{first_name}' has element type {first.element_type}, "
                f"expected {cls.ELEMENTS} ({', '.join(map(str, allowed))})"
            )

    def verify_(self) -> None:
        types = [o.type for o in self.operands]
        for name, t in zip(self.operand_names(len(types)), types):
            if not isinstance(t, TensorType):
                raise VerifyException(f"operand '{name}' must be a ranked tensor, got {t}")
        result = self.results[0].type
        if not isinstance(result, TensorType):
            raise VerifyException(f"result must be a ranked tensor, got {result}")
        if result.element_type not in CLASSES["any"]:
            raise VerifyException(f"unsupported result element type {result.element_type}")
        self.check_elements(types)
        expected = self.infer(types, self.properties, result)
        if expected != result:
            raise VerifyException(f"result type {result} does not match the inferred {expected}")

    @classmethod
    def make(
        cls,
        *operands: SSAValue | Operation,
        result_type: TensorType | None = None,
        **props: Any,
    ) -> TensorGraphOp:
        """Build the op from operands and Python-valued properties, inferring its type."""
        values = [SSAValue.get(o) for o in operands]
        attrs = {k: to_attr(v) for k, v in props.items() if v is not None}
        types = [v.type for v in values]
        result = cls.infer(types, attrs, result_type)  # type: ignore[arg-type]
        return cls.create(operands=values, result_types=[result], properties=attrs)


# --- elementwise --------------------------------------------------------------------


class UnaryOp(TensorGraphOp):
    x = operand_def(TensorType)
    result = result_def(TensorType)

    @classmethod
    def infer(cls, types, props, result):
        return types[0]


def _unary(name: str, elements: str, doc: str, composite: bool = False, **props_: Any):
    namespace: dict[str, Any] = {
        "__doc__": doc,
        "name": f"tensor_graph.{name}",
        "ELEMENTS": elements,
        "COMPOSITE": composite,
        **props_,
        "__annotations__": {"ELEMENTS": "ClassVar[str]", "COMPOSITE": "ClassVar[bool]"},
    }
    cls_name = "".join(p.capitalize() for p in name.split("_")) + "Op"
    return irdl_op_definition(type(cls_name, (UnaryOp,), namespace))


NegOp = _unary("neg", "numeric", "Negation, -x (the sign of a zero flips).")
AbsOp = _unary("abs", "numeric", "Absolute value.")
SignOp = _unary("sign", "numeric", "-1, 0 or 1 by the sign of x (NaN stays NaN).")
ExpOp = _unary("exp", "float", "e raised to x.")
Exp2Op = _unary("exp2", "float", "2 raised to x.")
LogOp = _unary("log", "float", "Natural logarithm.")
Log2Op = _unary("log2", "float", "Base-2 logarithm.")
SqrtOp = _unary("sqrt", "float", "Square root (correctly rounded).")
RsqrtOp = _unary("rsqrt", "float", "1 / sqrt(x); rsqrt(-0.0) = -inf.")
ReciprocalOp = _unary("reciprocal", "float", "1 / x.")
TanhOp = _unary("tanh", "float", "Hyperbolic tangent.")
SinOp = _unary("sin", "float", "Sine, accurate over the whole finite range.")
CosOp = _unary("cos", "float", "Cosine, accurate over the whole finite range.")
ErfOp = _unary("erf", "float", "The error function.")
FloorOp = _unary("floor", "float", "Round toward -inf.")
CeilOp = _unary("ceil", "float", "Round toward +inf.")
RoundOp = _unary("round", "float", "Round half to even.")
NotOp = _unary("not", "i1", "Logical not.")
SigmoidOp = _unary("sigmoid", "float", "1 / (1 + exp(-x)).", composite=True)
ReluOp = _unary("relu", "numeric", "max(x, 0).", composite=True)
SiluOp = _unary("silu", "float", "x * sigmoid(x).", composite=True)


@irdl_op_definition
class GeluOp(UnaryOp):
    """GELU: with approximate = "none", 0.5 * x * (1 + erf(x / sqrt(2))); with "tanh", the tanh form."""

    name = "tensor_graph.gelu"
    ELEMENTS: ClassVar[str] = "float"
    COMPOSITE: ClassVar[bool] = True
    approximate = str_prop()

    @classmethod
    def infer(cls, types, props, result):
        if sval(props, "approximate") not in ("none", "tanh"):
            raise VerifyException(
                f"approximate must be \"none\" or \"tanh\", got \"{sval(props, 'approximate')}\""
            )
        return types[0]


@irdl_op_definition
class ClampOp(UnaryOp):
    """min(max(x, min), max); with min > max every element becomes max (as ONNX Clip).

    The bounds are converted to the element type first (an integer bound saturates
    at the type's range, so an infinite bound is no bound).
    """

    name = "tensor_graph.clamp"
    ELEMENTS: ClassVar[str] = "numeric"
    COMPOSITE: ClassVar[bool] = True
    min = f64_prop()
    max = f64_prop()

    @classmethod
    def infer(cls, types, props, result):
        # min > max is valid: every element becomes max (the spec's min(max(x, min), max))
        lo, hi = fval(props, "min"), fval(props, "max")
        if types[0].element_type not in CLASSES["float"] and not all(
            math.isinf(v) or (math.isfinite(v) and v == int(v)) for v in (lo, hi)
        ):
            raise VerifyException("integer clamp needs integral (or infinite) bounds")
        return types[0]


class BinaryOp(TensorGraphOp):
    lhs = operand_def(TensorType)
    rhs = operand_def(TensorType)
    result = result_def(TensorType)

    @classmethod
    def result_element(cls, types: Sequence[TensorType], props: Props) -> Attribute:
        return types[0].element_type

    @classmethod
    def infer(cls, types, props, result):
        shape = broadcast_shapes(*(shape_of(t) for t in types))
        if shape is None:
            raise VerifyException(
                "operand shapes "
                + ", ".join(str(list(shape_of(t))) for t in types)
                + " do not broadcast"
            )
        return tensor(shape, cls.result_element(types, props))


def _binary(name: str, elements: str, doc: str):
    cls_name = name.capitalize() + "Op"
    return irdl_op_definition(
        type(
            cls_name,
            (BinaryOp,),
            {
                "__doc__": doc,
                "name": f"tensor_graph.{name}",
                "ELEMENTS": elements,
                "__annotations__": {"ELEMENTS": "ClassVar[str]"},
            },
        )
    )


AddOp = _binary("add", "numeric", "Elementwise sum, numpy broadcasting.")
SubOp = _binary("sub", "numeric", "Elementwise difference, numpy broadcasting.")
MulOp = _binary("mul", "numeric", "Elementwise product, numpy broadcasting.")
DivOp = _binary("div", "numeric", "Elementwise quotient; integers round toward zero (C, ONNX).")
PowOp = _binary(
    "pow", "numeric",
    "lhs raised to rhs: floats as powf; integers by exact repeated multiplication\n"
    "(a negative exponent gives the power rounded toward zero).",
)
MaxOp = _binary("max", "any", "Elementwise maximum (NaN propagates).")
MinOp = _binary("min", "any", "Elementwise minimum (NaN propagates).")
AndOp = _binary("and", "i1", "Logical and.")
OrOp = _binary("or", "i1", "Logical or.")
XorOp = _binary("xor", "i1", "Logical exclusive or.")

PREDICATES = ("eq", "ne", "lt", "le", "gt", "ge")


@irdl_op_definition
class CmpOp(BinaryOp):
    """Elementwise comparison by predicate ("eq" "ne" "lt" "le" "gt" "ge"); the result is i1."""

    name = "tensor_graph.cmp"
    predicate = str_prop()

    @classmethod
    def result_element(cls, types, props):
        if sval(props, "predicate") not in PREDICATES:
            raise VerifyException(
                f"predicate must be one of {', '.join(PREDICATES)}, "
                f"got \"{sval(props, 'predicate')}\""
            )
        return i1


@irdl_op_definition
class SelectOp(TensorGraphOp):
    """cond ? a : b, elementwise; cond is i1, a and b share a type, all three broadcast."""

    name = "tensor_graph.select"
    cond = operand_def(TensorType)
    a = operand_def(TensorType)
    b = operand_def(TensorType)
    result = result_def(TensorType)

    @classmethod
    def check_elements(cls, types):
        if types[0].element_type != i1:
            raise VerifyException(
                f"operand 'cond' must have element type i1, got {types[0].element_type}"
            )
        if types[1].element_type != types[2].element_type:
            raise VerifyException(
                f"operand 'b' has element type {types[2].element_type} but operand 'a' "
                f"has {types[1].element_type}"
            )

    @classmethod
    def infer(cls, types, props, result):
        return tensor(BinaryOp.infer(types, props, result).get_shape(), types[1].element_type)


# --- type and shape -----------------------------------------------------------------


class ShapeOp(TensorGraphOp):
    x = operand_def(TensorType)
    result = result_def(TensorType)


def _declared(result: TensorType | None, what: str) -> TensorType:
    if result is None:
        raise VerifyException(f"{what} needs its result type")
    return result


@irdl_op_definition
class CastOp(ShapeOp):
    """Convert to the result's element type: float to integer truncates toward zero,
    integer to float rounds to nearest, to i1 is x != 0.
    """

    name = "tensor_graph.cast"

    @classmethod
    def infer(cls, types, props, result):
        result = _declared(result, "cast")
        return tensor(shape_of(types[0]), result.element_type)


@irdl_op_definition
class ConstantOp(TensorGraphOp):
    """A constant: `value` is a dense<...> elements attribute of the result type, or
    a dense_resource<NAME> of it whose blob holds the elements (stepwell/ir/resources.py)."""

    name = "tensor_graph.constant"
    value = prop_def(DenseIntOrFPElementsAttr | DenseResourceAttr)
    result = result_def(TensorType)

    @classmethod
    def infer(cls, types, props, result):
        value = props["value"]
        value_type = value.type  # type: ignore[attr-defined]
        if result is not None and value_type != result:
            raise VerifyException(f"value has type {value_type}, result has {result}")
        if isinstance(value, DenseResourceAttr):
            _check_resource(value)
        return value_type


def _check_resource(value: DenseResourceAttr) -> None:
    if not isinstance(value.type, TensorType) or value.type.element_type not in CLASSES["any"]:
        raise VerifyException(f"dense_resource of type {value.type}: expected a tensor of a spec element type")
    element_bytes = numpy_dtype(value.type.element_type).itemsize
    problem = resources.check(value, element_bytes, math.prod(shape_of(value.type)))
    if problem:
        raise VerifyException(problem)


@irdl_op_definition
class IotaOp(TensorGraphOp):
    """Each element is its index along `dim`, in the result's element type."""

    name = "tensor_graph.iota"
    dim = i64_prop()
    result = result_def(TensorType)

    @classmethod
    def infer(cls, types, props, result):
        result = _declared(result, "iota")
        normalize_axis(ival(props, "dim"), len(shape_of(result)), "dim")
        if result.element_type == i1:
            raise VerifyException("iota needs a numeric element type, got i1")
        return result


@irdl_op_definition
class BroadcastToOp(ShapeOp):
    """Broadcast to the result shape (numpy rules)."""

    name = "tensor_graph.broadcast_to"

    @classmethod
    def infer(cls, types, props, result):
        result = _declared(result, "broadcast_to")
        src, dst = shape_of(types[0]), shape_of(result)
        if not broadcasts_to(src, dst):
            raise VerifyException(f"shape {list(src)} does not broadcast to {list(dst)}")
        return tensor(dst, types[0].element_type)


@irdl_op_definition
class ReshapeOp(ShapeOp):
    """The same elements in row-major order, in the result shape."""

    name = "tensor_graph.reshape"

    @classmethod
    def infer(cls, types, props, result):
        result = _declared(result, "reshape")
        src, dst = shape_of(types[0]), shape_of(result)
        if math.prod(src) != math.prod(dst):
            raise VerifyException(
                f"cannot reshape {list(src)} ({math.prod(src)} elements) to "
                f"{list(dst)} ({math.prod(dst)} elements)"
            )
        return tensor(dst, types[0].element_type)


@irdl_op_definition
class TransposeOp(ShapeOp):
    """Permute the dimensions: numpy transpose(x, perm)."""

    name = "tensor_graph.transpose"
    perm = array_prop()

    @classmethod
    def infer(cls, types, props, result):
        shape, perm = shape_of(types[0]), aval(props, "perm")
        if sorted(perm) != list(range(len(shape))):
            raise VerifyException(
                f"perm {list(perm)} is not a permutation of the {len(shape)} dimensions"
            )
        return tensor([shape[p] for p in perm], types[0].element_type)


@irdl_op_definition
class SliceOp(ShapeOp):
    """x[start:stop:step] per dimension; 0 <= start <= stop <= size, step >= 1."""

    name = "tensor_graph.slice"
    start = array_prop()
    stop = array_prop()
    step = array_prop()

    @classmethod
    def infer(cls, types, props, result):
        shape = shape_of(types[0])
        start, stop, step = (aval(props, k) for k in ("start", "stop", "step"))
        if not len(start) == len(stop) == len(step) == len(shape):
            raise VerifyException(
                f"start, stop and step need {len(shape)} entries each (the rank)"
            )
        out = []
        for d, (lo, hi, st, n) in enumerate(zip(start, stop, step, shape)):
            if not 0 <= lo <= hi <= n:
                raise VerifyException(
                    f"dimension {d}: need 0 <= start ({lo}) <= stop ({hi}) <= size ({n})"
                )
            if st < 1:
                raise VerifyException(f"dimension {d}: step {st} must be >= 1")
            out.append(-(-(hi - lo) // st))
        return tensor(out, types[0].element_type)


@irdl_op_definition
class ConcatOp(TensorGraphOp):
    """Join the operands along `axis` (numpy concatenate)."""

    name = "tensor_graph.concat"
    inputs = var_operand_def(TensorType)
    axis = i64_prop()
    result = result_def(TensorType)

    @classmethod
    def infer(cls, types, props, result):
        if not types:
            raise VerifyException("concat needs at least one operand")
        rank = len(shape_of(types[0]))
        if rank == 0:
            raise VerifyException("cannot concatenate rank-0 tensors")
        axis = normalize_axis(ival(props, "axis"), rank)
        first = shape_of(types[0])
        for i, t in enumerate(types):
            s = shape_of(t)
            if len(s) != rank or any(a != b for d, (a, b) in enumerate(zip(s, first)) if d != axis):
                raise VerifyException(
                    f"operand 'inputs#{i}' has shape {list(s)}, which does not match "
                    f"{list(first)} outside axis {axis}"
                )
        out = list(first)
        out[axis] = sum(shape_of(t)[axis] for t in types)
        return tensor(out, types[0].element_type)


@irdl_op_definition
class PadOp(ShapeOp):
    """Pad with the constant `value`: `low` elements before and `high` after, per dimension."""

    name = "tensor_graph.pad"
    low = array_prop()
    high = array_prop()
    value = f64_prop()

    @classmethod
    def infer(cls, types, props, result):
        shape = shape_of(types[0])
        low, high = aval(props, "low"), aval(props, "high")
        if not len(low) == len(high) == len(shape):
            raise VerifyException(f"low and high need {len(shape)} entries each (the rank)")
        if any(v < 0 for v in low + high):
            raise VerifyException("low and high must be >= 0")
        return tensor([lo + n + hi for lo, n, hi in zip(low, shape, high)], types[0].element_type)


@irdl_op_definition
class GatherOp(TensorGraphOp):
    """ONNX Gather: the result shape is x.shape[:axis] + indices.shape + x.shape[axis+1:].

    Indices are i32 or i64; a negative one counts from the end; one outside [-n, n)
    is an error at run time.
    """

    name = "tensor_graph.gather"
    x = operand_def(TensorType)
    indices = operand_def(TensorType)
    axis = i64_prop()
    result = result_def(TensorType)
    SHARED: ClassVar[int | None] = 1

    @classmethod
    def infer(cls, types, props, result):
        x, idx = shape_of(types[0]), shape_of(types[1])
        if types[1].element_type not in CLASSES["integer index"]:
            raise VerifyException(
                f"operand 'indices' must have element type i32 or i64, got {types[1].element_type}"
            )
        if not x:
            raise VerifyException("cannot gather from a rank-0 tensor")
        axis = normalize_axis(ival(props, "axis"), len(x))
        return tensor(x[:axis] + idx + x[axis + 1 :], types[0].element_type)


# --- reductions ---------------------------------------------------------------------

REDUCE_KINDS = (*REDUCTIONS, "mean")  # the semantic table's kinds (stepwell/semantics.py), and mean


@irdl_op_definition
class ReduceOp(ShapeOp):
    """Reduce over `dims` (empty: all) by `kind`: "sum" "prod" "max" "min" "mean".

    Over zero elements it gives the identity of the kind (0, 1, the lowest value, the
    highest value; mean gives NaN).
    """

    name = "tensor_graph.reduce"
    kind = str_prop()
    dims = array_prop()
    keepdim = bool_prop()

    @classmethod
    def infer(cls, types, props, result):
        kind, elt = sval(props, "kind"), types[0].element_type
        if kind not in REDUCE_KINDS:
            raise VerifyException(
                f"kind must be one of {', '.join(REDUCE_KINDS)}, got \"{kind}\""
            )
        if kind == "mean" and elt not in CLASSES["float"]:
            raise VerifyException(f"mean needs a float element type, got {elt}")
        if kind in ("sum", "prod") and elt == i1:
            raise VerifyException(f"{kind} of i1 is not defined; use max (any) or min (all)")
        shape = shape_of(types[0])
        dims = normalize_dims(aval(props, "dims"), len(shape))
        return tensor(reduced_shape(shape, dims, bval(props, "keepdim")), elt)


class ArgOp(ShapeOp):
    axis = i64_prop()
    keepdim = bool_prop()

    @classmethod
    def infer(cls, types, props, result):
        shape = shape_of(types[0])
        if not shape:
            raise VerifyException(f"{cls.name} needs a tensor of rank >= 1")
        axis = normalize_axis(ival(props, "axis"), len(shape))
        if shape[axis] == 0:
            raise VerifyException(f"{cls.name} over an empty axis {axis} has no answer")
        return tensor(reduced_shape(shape, (axis,), bval(props, "keepdim")), i64)


@irdl_op_definition
class ArgmaxOp(ArgOp):
    """The index (i64) of the largest element along `axis`; the first one on ties."""

    name = "tensor_graph.argmax"


@irdl_op_definition
class ArgminOp(ArgOp):
    """The index (i64) of the smallest element along `axis`; the first one on ties."""

    name = "tensor_graph.argmin"


@irdl_op_definition
class VarOp(ShapeOp):
    """Variance over `dims`: sum((x - mean)^2) / (N - correction)."""

    name = "tensor_graph.var"
    ELEMENTS: ClassVar[str] = "float"
    COMPOSITE: ClassVar[bool] = True
    dims = array_prop()
    correction = i64_prop()
    keepdim = bool_prop()

    @classmethod
    def infer(cls, types, props, result):
        shape = shape_of(types[0])
        dims = normalize_dims(aval(props, "dims"), len(shape))
        if ival(props, "correction") < 0:
            raise VerifyException("correction must be >= 0")
        return tensor(reduced_shape(shape, dims, bval(props, "keepdim")), types[0].element_type)


# --- contractions and composites ----------------------------------------------------


def matmul_shape(a: Sequence[int], b: Sequence[int]) -> tuple[int, ...]:
    if len(a) < 2 or len(b) < 2:
        raise VerifyException(f"matmul needs rank >= 2 operands, got {list(a)} and {list(b)}")
    if a[-1] != b[-2]:
        raise VerifyException(
            f"contracted dimensions differ: lhs {list(a)} has {a[-1]}, rhs {list(b)} has {b[-2]}"
        )
    batch = broadcast_shapes(a[:-2], b[:-2])
    if batch is None:
        raise VerifyException(f"batch dimensions {list(a[:-2])} and {list(b[:-2])} do not broadcast")
    return batch + (a[-2], b[-1])


@irdl_op_definition
class MatmulOp(TensorGraphOp):
    """numpy matmul for operands of rank >= 2; batch dimensions broadcast."""

    name = "tensor_graph.matmul"
    ELEMENTS: ClassVar[str] = "numeric"
    lhs = operand_def(TensorType)
    rhs = operand_def(TensorType)
    result = result_def(TensorType)

    @classmethod
    def infer(cls, types, props, result):
        return tensor(matmul_shape(shape_of(types[0]), shape_of(types[1])), types[0].element_type)


@irdl_op_definition
class LinearOp(TensorGraphOp):
    """x @ w^T + b, as torch.nn.functional.linear: x [..., K], w [N, K], b [N]."""

    name = "tensor_graph.linear"
    ELEMENTS: ClassVar[str] = "numeric"
    COMPOSITE: ClassVar[bool] = True
    x = operand_def(TensorType)
    w = operand_def(TensorType)
    b = operand_def(TensorType)
    result = result_def(TensorType)

    @classmethod
    def infer(cls, types, props, result):
        x, w, b = (shape_of(t) for t in types)
        if not x or len(w) != 2 or len(b) != 1:
            raise VerifyException(
                f"linear needs x [..., K], w [N, K], b [N]; got {list(x)}, {list(w)}, {list(b)}"
            )
        if x[-1] != w[1] or b[0] != w[0]:
            raise VerifyException(
                f"linear shapes disagree: x {list(x)}, w {list(w)}, b {list(b)}"
            )
        return tensor(x[:-1] + (w[0],), types[0].element_type)


class AxisOp(ShapeOp):
    ELEMENTS: ClassVar[str] = "float"
    COMPOSITE: ClassVar[bool] = True
    axis = i64_prop()

    @classmethod
    def infer(cls, types, props, result):
        normalize_axis(ival(props, "axis"), len(shape_of(types[0])))
        return types[0]


@irdl_op_definition
class SoftmaxOp(AxisOp):
    """exp(x - max) / sum(exp(x - max)) along `axis`."""

    name = "tensor_graph.softmax"


@irdl_op_definition
class LogSoftmaxOp(AxisOp):
    """log(softmax(x)) along `axis`, computed stably."""

    name = "tensor_graph.log_softmax"


class NormOp(TensorGraphOp):
    ELEMENTS: ClassVar[str] = "float"
    COMPOSITE: ClassVar[bool] = True
    axis = i64_prop()
    epsilon = f64_prop()

    @classmethod
    def infer(cls, types, props, result):
        x = shape_of(types[0])
        axis = normalize_axis(ival(props, "axis"), len(x))
        names = cls.operand_names(len(types))
        for name, t in zip(names[1:], types[1:]):
            if shape_of(t) != x[axis:]:
                raise VerifyException(
                    f"operand '{name}' has shape {list(shape_of(t))}, expected the "
                    f"normalized dimensions {list(x[axis:])}"
                )
        return types[0]


@irdl_op_definition
class LayerNormOp(NormOp):
    """ONNX LayerNormalization: normalize over dimensions axis..rank-1, then * scale + bias."""

    name = "tensor_graph.layer_norm"
    x = operand_def(TensorType)
    scale = operand_def(TensorType)
    bias = operand_def(TensorType)
    result = result_def(TensorType)


@irdl_op_definition
class RmsNormOp(NormOp):
    """x / sqrt(mean(x^2 over axis..rank-1) + epsilon) * scale."""

    name = "tensor_graph.rms_norm"
    x = operand_def(TensorType)
    scale = operand_def(TensorType)
    result = result_def(TensorType)


@irdl_op_definition
class AttentionOp(TensorGraphOp):
    """softmax(q @ k^T * scale) @ v; q [..., S, D], k [..., T, D], v [..., T, E] -> [..., S, E].

    With `causal`, score (i, j) is masked (-inf) where j > i.
    """

    name = "tensor_graph.attention"
    ELEMENTS: ClassVar[str] = "float"
    COMPOSITE: ClassVar[bool] = True
    q = operand_def(TensorType)
    k = operand_def(TensorType)
    v = operand_def(TensorType)
    scale = f64_prop()
    causal = bool_prop()
    result = result_def(TensorType)

    @classmethod
    def infer(cls, types, props, result):
        q, k, v = (shape_of(t) for t in types)
        if min(len(q), len(k), len(v)) < 2:
            raise VerifyException("attention needs q, k, v of rank >= 2")
        if q[-1] != k[-1]:
            raise VerifyException(f"q {list(q)} and k {list(k)} differ in the last dimension")
        if k[-2] != v[-2]:
            raise VerifyException(f"k {list(k)} and v {list(v)} differ in the key dimension")
        batch = broadcast_shapes(q[:-2], k[:-2], v[:-2])
        if batch is None:
            raise VerifyException("batch dimensions of q, k, v do not broadcast")
        return tensor(batch + (q[-2], v[-1]), types[0].element_type)


ALL_OPS: list[type[TensorGraphOp]] = [
    v
    for v in list(globals().values())
    if isinstance(v, type) and issubclass(v, TensorGraphOp) and "name" in v.__dict__
]
COMPOSITES: list[type[TensorGraphOp]] = [op for op in ALL_OPS if op.COMPOSITE]
