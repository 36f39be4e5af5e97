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
                                  in the arena and never shared with another result,
                                  an argument or the arena
        #loops.slot<result 0, 64, 4096>
                                  bytes [64, 64 + 4096) of function result 0's memory,
                                  borrowed as scratch by an intermediate whose last
                                  reader runs before the op that writes result 0:
                                  offset and size multiples of 64 (the buffer's
                                  bytes rounded up; its exact bytes lie within the
                                  result's); a size of more than 0 tells it from
                                  the result itself
        #loops.slot<arg 1>        the memory of argument 1, which the caller donated
                                  (`{stepwell.donate}`): the op writes it in place

    A kernel of several results has an array of them, one per result. Two buffers
    whose live ranges overlap never share a byte (of the arena or of a result),
    except that an op may write its result in place over an input it is the last to
    read (the result then has the input's offset). The memory of a result is
    allocated for the whole call (a runtime allocates it before the first kernel, or
    takes the caller's `out=` array, which then holds scratch until its result is
    written). loops-plan-memory says how it decides."""

    name = "loops.slot"

    kind: StringAttr  # "arena", "result" or "arg"
    first: IntAttr  # arena: the offset; result / arg: the position
    size: IntAttr  # arena / scratch in a result: the bytes; else 0
    at: IntAttr  # scratch in a result: the offset in the result's memory; else 0

    @staticmethod
    def arena(offset: int, size: int) -> SlotAttr:
        return SlotAttr(StringAttr("arena"), IntAttr(offset), IntAttr(size), IntAttr(0))

    @staticmethod
    def result(index: int) -> SlotAttr:
        return SlotAttr(StringAttr("result"), IntAttr(index), IntAttr(0), IntAttr(0))

    @staticmethod
    def in_result(index: int, offset: int, size: int) -> SlotAttr:
        """Scratch at `offset` in the memory of result `index`."""
        return SlotAttr(StringAttr("result"), IntAttr(index), IntAttr(size), IntAttr(offset))

    @staticmethod
    def arg(index: int) -> SlotAttr:
        return SlotAttr(StringAttr("arg"), IntAttr(index), IntAttr(0), IntAttr(0))

    @property
    def where(self) -> str:
        return self.kind.data

    @property
    def scratch(self) -> bool:
        """Whether the buffer borrows part of a result's memory (`<result i, off, size>`)."""
        return self.kind.data == "result" and self.size.data > 0

    @property
    def offset(self) -> int:
        """The offset in the arena (an `arena` slot) or in the result's memory (scratch)."""
        return self.at.data if self.kind.data == "result" else self.first.data

    @property
    def bytes(self) -> int:
        return self.size.data

    @property
    def index(self) -> int:
        """The result's or the argument's position."""
        return self.first.data

    def verify(self) -> None:
        kind, first, size, at = self.kind.data, self.first.data, self.size.data, self.at.data
        if kind not in KINDS:
            raise VerifyException(f"a slot is in the arena, a result or a donated argument, got '{kind}'")
        if first < 0 or size < 0 or at < 0:
            raise VerifyException("a slot's numbers are >= 0")
        if kind == "arena" and (first % ALIGN or size % ALIGN):
            raise VerifyException(f"an arena slot's offset and size are multiples of {ALIGN}, got {first} and {size}")
        if kind == "result" and (at % ALIGN or size % ALIGN):
            raise VerifyException(f"a slot in a result's memory has an offset and a size multiple of {ALIGN}, got {at} and {size}")
        if kind == "result" and at and not size:
            raise VerifyException("a slot in a result's memory has a size of more than 0")
        if kind == "arg" and (size or at):
            raise VerifyException("an arg slot has a position only")
        if kind == "arena" and at:
            raise VerifyException("an arena slot has an offset and a size only")

    def print_parameters(self, printer: Printer) -> None:
        kind, first = self.kind.data, self.first.data
        if kind == "arena":
            printer.print_string(f"<{first}, {self.size.data}>")
        elif self.scratch:
            printer.print_string(f"<result {first}, {self.at.data}, {self.size.data}>")
        else:
            printer.print_string(f"<{kind} {first}>")

    @classmethod
    def parse_parameters(cls, parser: AttrParser) -> list:
        with parser.in_angle_brackets():
            start = parser.pos
            keyword = parser.parse_optional_identifier()
            if keyword is None:
                offset = parser.parse_integer(allow_negative=False)
                parser.parse_punctuation(",")
                attr = cls.arena(offset, parser.parse_integer(allow_negative=False))
            elif keyword == "result":
                index = parser.parse_integer(allow_negative=False)
                attr = cls.result(index)
                if parser.parse_optional_punctuation(",") is not None:
                    offset = parser.parse_integer(allow_negative=False)
                    parser.parse_punctuation(",")
                    attr = cls.in_result(index, offset, parser.parse_integer(allow_negative=False))
            elif keyword == "arg":
                attr = cls.arg(parser.parse_integer(allow_negative=False))
            else:
                parser.raise_error(f"expected an offset, `result` or `arg`, got '{keyword}'", start, parser.pos)
        return list(attr.parameters)
