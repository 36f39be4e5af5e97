"""Parse IR text into a module, remembering where each op was written, and verify it
op by op so each error points at its source line."""

from __future__ import annotations

import bisect
import itertools

from xdsl.context import Context
from xdsl.dialects.builtin import AnyFloat, ModuleOp
from xdsl.ir import Operation
from xdsl.parser import Parser
from xdsl.utils.exceptions import ParseError, VerifyException

from stepwell.ir.diagnostics import Diagnostic, DiagnosticError


class _HexFloatElement(Parser._TensorLiteralElement):
    """A `0x...` element of a float `dense<>` literal: the bits of the value, as
    MLIR reads it (xDSL 0.74 reads it as an integer to convert, so the -inf it
    prints as `0xff800000` would come back as 4286578688.0)."""

    def to_type(self, parser, type):  # type: ignore[override]
        if isinstance(type, AnyFloat) and isinstance(self.value, int):
            raw = self.value.to_bytes(type.compile_time_size, "little")
            return type.unpack(raw, 1)[0]
        return super().to_type(parser, type)


class LocatingParser(Parser):
    """xDSL's parser, plus the (line, col) at which every op starts, and MLIR's
    reading of hexadecimal float elements in `dense<>`."""

    def __init__(self, ctx: Context, text: str, name: str, line_offset: int = 0):
        super().__init__(ctx, text, name)
        self.locations: dict[Operation, tuple[int, int]] = {}
        self.line_offset = line_offset
        self._line_starts = list(itertools.accumulate((len(line) + 1 for line in text.split("\n")), initial=0))

    def _parse_tensor_literal_element(self):
        element = super()._parse_tensor_literal_element()
        if element.span.text.lower().startswith("0x"):
            return _HexFloatElement(element.is_negative, element.value, element.span)
        return element

    def parse_operation(self) -> Operation:
        start = self._current_token.span
        op = super().parse_operation()
        self.locations[op] = self._line_col(start.start)
        return op

    def _line_col(self, offset: int) -> tuple[int, int]:
        """(line, col) of a character offset, by bisection: xDSL's `Span.get_location`
        counts the newlines before it, which made parsing quadratic in the ops."""
        line = bisect.bisect_right(self._line_starts, offset)
        return line + self.line_offset, offset - self._line_starts[line - 1] + 1


def _parse_error_diagnostic(e: ParseError, name: str, line_offset: int) -> Diagnostic:
    loc = e.span.get_location()
    return Diagnostic(name, loc.line + line_offset, loc.col, e.msg)


def parse_module(
    ctx: Context, text: str, name: str = "<stdin>", line_offset: int = 0
) -> tuple[ModuleOp, dict[Operation, tuple[int, int]]]:
    """Parse `text`; raise DiagnosticError with FILE:LINE:COL on bad syntax."""
    parser = LocatingParser(ctx, text, name, line_offset)
    try:
        module = parser.parse_module()
    except ParseError as e:
        raise DiagnosticError([_parse_error_diagnostic(e, name, line_offset)]) from None
    return module, parser.locations


def verify_module(
    module: Operation,
    locations: dict[Operation, tuple[int, int]] | None = None,
    name: str = "<stdin>",
) -> list[Diagnostic]:
    """Every verifier error in `module`, one per failing op, in program order."""
    locations = locations or {}
    out: list[Diagnostic] = []
    for op in module.walk():
        try:
            op.verify(verify_nested_ops=False)
        except VerifyException as e:
            line, col = locations.get(op, (0, 0))
            message = str(e)
            if not message.startswith(f"'{op.name}'"):
                message = f"'{op.name}' op {message}"
            out.append(Diagnostic(name, line, col, message))
        except Exception as e:  # a broken op must not become a traceback
            line, col = locations.get(op, (0, 0))
            out.append(Diagnostic(name, line, col, f"'{op.name}' op {e}"))
    return out
