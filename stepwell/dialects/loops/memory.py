"""`#loops.slot<...>`: where a function-level buffer lives, as printed IR.
loops-plan-memory writes it (`memory = ...` on the op that makes the buffer, and
`arena = N : i64` on the function), convert-loops-to-llvm's plan follows it
(program.py), and so does every target's runtime."""

from __future__ import annotations

import math

from xdsl.dialects import func
from xdsl.dialects.builtin import IntAttr, StringAttr, TensorType
from xdsl.ir import Attribute
from xdsl.ir import ParametrizedAttribute
from xdsl.irdl import irdl_attr_definition
from xdsl.parser import AttrParser
from xdsl.printer import Printer
from xdsl.utils.exceptions import VerifyException

from stepwell.dtypes import numpy_dtype

MEMORY = "memory"  # the attribute of a function-level op: its result's slot (an array of them for a kernel of several results)
ARENA = "arena"  # the attribute of a planned func.func: its arena's size in bytes
ALIGN = 64  # bytes: every offset and size in the arena is a multiple (a cache line, an AVX-512 vector)

DONATE = "stepwell.donate"  # the argument attribute of an argument the caller donated
KINDS = ("arena", "result", "arg")


def donated(fn: func.FuncOp) -> set[int]:
    """The positions of the arguments of `fn` the caller donated (`{stepwell.donate}`)."""
    attrs = fn.arg_attrs.data if fn.arg_attrs is not None else ()
    return {i for i, a in enumerate(attrs) if DONATE in a.data}  # type: ignore[attr-defined]


def byte_size(t: Attribute) -> int:
    """The bytes of a tensor type's buffer."""
    assert isinstance(t, TensorType)
    return math.prod(t.get_shape()) * numpy_dtype(t.element_type).itemsize


def aligned(n: int) -> int:
    return -(-n // ALIGN) * ALIGN


@irdl_attr_definition
class SlotAttr(ParametrizedAttribute):
    """`memory = #loops.slot<...>`: where the buffer an op makes lives, one of

        #loops.slot<0, 4194304>   bytes [0, 4194304) of the function's arena (its
                                  `arena = N : i64`): offset and size multiples of 64
        #loops.slot<result 0>     function result 0: an allocation of its own, never
                                  in the arena and never shared with anything else
        #loops.slot<arg 1>        the memory of argument 1, which the caller donated
                                  (`{stepwell.donate}`): the op writes it in place

    A kernel of several results has an array of them, one per result. Two buffers
    whose live ranges overlap never overlap in the arena, except that an op may write
    its result in place over an input it is the last to read (the result then has the
    input's offset). loops-plan-memory says how it decides."""

    name = "loops.slot"

    kind: StringAttr  # "arena", "result" or "arg"
    first: IntAttr  # arena: the offset; result / arg: the position
    size: IntAttr  # arena: the bytes; else 0

    @staticmethod
    def arena(offset: int, size: int) -> SlotAttr:
        return SlotAttr(StringAttr("arena"), IntAttr(offset), IntAttr(size))

    @staticmethod
    def result(index: int) -> SlotAttr:
        return SlotAttr(StringAttr("result"), IntAttr(index), IntAttr(0))

    @staticmethod
    def arg(index: int) -> SlotAttr:
        return SlotAttr(StringAttr("arg"), IntAttr(index), IntAttr(0))

    @property
    def where(self) -> str:
        return self.kind.data

    @property
    def offset(self) -> int:
        """The offset in the arena (an `arena` slot)."""
        return self.first.data

    @property
    def bytes(self) -> int:
        return self.size.data

    @property
    def index(self) -> int:
        """The result's or the argument's position."""
        return self.first.data

    def verify(self) -> None:
        kind, first, size = self.kind.data, self.first.data, self.size.data
        if kind not in KINDS:
            raise VerifyException(f"a slot is in the arena, a result or a donated argument, got '{kind}'")
        if first < 0 or size < 0:
            raise VerifyException("a slot's numbers are >= 0")
        if kind == "arena" and (first % ALIGN or size % ALIGN):
            raise VerifyException(f"an arena slot's offset and size are multiples of {ALIGN}, got {first} and {size}")
        if kind != "arena" and size:
            raise VerifyException(f"a {kind} slot has a position only")

    def print_parameters(self, printer: Printer) -> None:
        kind, first = self.kind.data, self.first.data
        printer.print_string(f"<{first}, {self.size.data}>" if kind == "arena" else f"<{kind} {first}>")

    @classmethod
    def parse_parameters(cls, parser: AttrParser) -> list:
        with parser.in_angle_brackets():
            start = parser.pos
            keyword = parser.parse_optional_identifier()
            if keyword is None:
                offset = parser.parse_integer(allow_negative=False)
                parser.parse_punctuation(",")
                attr = cls.arena(offset, parser.parse_integer(allow_negative=False))
            elif keyword in ("result", "arg"):
                index = parser.parse_integer(allow_negative=False)
                attr = cls.result(index) if keyword == "result" else cls.arg(index)
            else:
                parser.raise_error(f"expected an offset, `result` or `arg`, got '{keyword}'", start, parser.pos)
        return list(attr.parameters)
