"""The types of the `gpu_block` dialect: the pointer `!gpu_block.ptr<T>`, and the
rules for blocks (builtin ranked tensors of power-of-two dims) that every op's
verifier shares."""

from __future__ import annotations

from xdsl.dialects.builtin import AnyFloat, FloatAttr, IndexType, IntegerAttr, IntegerType, TensorType
from xdsl.ir import Attribute, ParametrizedAttribute, TypeAttribute
from xdsl.irdl import irdl_attr_definition
from xdsl.utils.exceptions import VerifyException


@irdl_attr_definition
class PtrType(ParametrizedAttribute, TypeAttribute):
    """`!gpu_block.ptr<f32>`: the address of an element of type f32 in GPU global
    memory (Triton's `!tt.ptr<f32>`, a `*fp32` kernel argument). A block of pointers
    is a tensor of them, `tensor<1024x!gpu_block.ptr<f32>>`: one address per element,
    made by `gpu_block.addptr` from a splatted base and a block of offsets."""

    name = "gpu_block.ptr"

    pointee: Attribute

    def __init__(self, pointee: Attribute):
        super().__init__(pointee)

    def verify(self) -> None:
        if not is_scalar(self.pointee):
            raise VerifyException(f"a pointer points to a scalar (an integer or a float), got {self.pointee}")


def is_scalar(t: Attribute) -> bool:
    """An element a block holds: an integer, a float or a pointer (not `index`: a
    GPU kernel computes in i32 or i64)."""
    return isinstance(t, IntegerType | PtrType | AnyFloat)


def element_of(t: Attribute) -> Attribute:
    """The element type of a block, or the scalar itself."""
    return t.element_type if isinstance(t, TensorType) else t


def shape_of(t: Attribute) -> tuple[int, ...]:
    """The shape of a block; () for a scalar."""
    return tuple(t.get_shape()) if isinstance(t, TensorType) else ()


def is_power_of_two(n: int) -> bool:
    return n >= 1 and n & (n - 1) == 0


def check_value_type(t: Attribute, what: str) -> None:
    """`t` is a scalar or a block: a ranked tensor of scalars whose dims are powers of
    two (Triton's rule for every block). `what` names the value in the message."""
    if isinstance(t, TensorType):
        bad = [n for n in t.get_shape() if not is_power_of_two(n)]
        if bad:
            raise VerifyException(f"{what} is a block of power-of-two dims, got {t} ({bad[0]} is not a power of two)")
        t = t.element_type
    if isinstance(t, IndexType) or not is_scalar(t):
        raise VerifyException(f"{what} holds integers, floats or pointers, got {t}")


def check_constant(value: Attribute, element: Attribute, what: str) -> None:
    """`value` is an integer or float attribute of type `element`."""
    if not isinstance(value, IntegerAttr | FloatAttr) or value.type != element:
        raise VerifyException(f"{what} is a constant of type {element}, got {value}")
