"""Parse IR text into a module, remembering where each op was written, and verify it
op by op so each error points at its source line.

Whatever the text, parsing ends in a module or a located ParseError, in time about
linear in the text's length: xDSL's string-literal pattern is replaced by one that
cannot backtrack, and an exception xDSL raises while building an attribute, a type or
an op is turned into a ParseError at the text it came from.

The blobs of `dense_resource` attributes (the file's `{-# dialect_resources #-}`
section) go into stepwell's store (stepwell/ir/resources.py), not xDSL's, with a located
error for a malformed one."""

from __future__ import annotations

import bisect
import itertools
import math
import re
from collections.abc import Callable
from typing import TypeVar

from xdsl.context import Context
from xdsl.dialects.builtin import AnyFloat, IndexType, IntegerType, ModuleOp
from xdsl.ir import Operation
from xdsl.parser import Parser
from xdsl.parser.generic_parser import ParserState
from xdsl.utils.exceptions import ParseError, VerifyException
from xdsl.utils.lexer import Input, Position, Span
from xdsl.utils.mlir_lexer import MLIRLexer, MLIRTokenKind

from stepwell.ir import resources
from stepwell.ir.checks import StructureChecks
from stepwell.ir.diagnostics import Diagnostic, DiagnosticError

MAX_DENSE_ELEMENTS = 1 << 24
"""The most elements a `dense<>` literal may stand for. xDSL holds a constant's
elements in memory, a splat included, so `dense<1.0> : tensor<1099511627776xf32>`
would need terabytes."""

_T = TypeVar("_T")


class _LinearLexer(MLIRLexer):
    """xDSL's lexer with a string-literal pattern that matches in linear time. xDSL's
    nests a `+` in a `*`, so on a string with no closing quote the regex engine tries
    every way of splitting its characters: 26 characters take seconds, 40 forever."""

    _valid_prefix = re.compile(r'"(?:[^"\\\n\v\f]++|\\(?:["nt\\]|[0-9A-Fa-f]{2}))*+')
    _unescaped_characters_regex = re.compile(_valid_prefix.pattern + '"')

    def _lex_string_literal(self, start_pos: Position):
        try:
            return super()._lex_string_literal(start_pos)
        except ParseError:
            pass
        text = self.input.content
        stop = self._valid_prefix.match(text, start_pos).end()
        if text.startswith("\\", stop):
            raise ParseError(
                Span(stop, min(stop + 2, len(text)), self.input),
                'invalid escape in a string literal (valid: \\n \\t \\\\ \\" and two hex digits)',
            )
        raise ParseError(
            Span(start_pos, start_pos + 1, self.input),
            "string literal has no closing quote on its line",
        )


class _Element(Parser._TensorLiteralElement):
    """An element of a `dense<>` literal, checked against the element type where the
    text is known (xDSL finds a bad value only later, with no location). A `0x...`
    element of a float literal is the bits of the value, as MLIR reads it (xDSL reads
    it as an integer to convert, so the -inf it prints as `0xff800000` would come back
    as 4286578688.0)."""

    def to_type(self, parser, type):  # type: ignore[override]
        if isinstance(type, IntegerType) and isinstance(self.value, int):
            value = -self.value if self.is_negative else self.value
            try:
                type.verify_value(value)
            except VerifyException as e:
                parser.raise_error(str(e), self.span)
        if isinstance(type, AnyFloat) and isinstance(self.value, int) and self._is_hex():
            width = type.compile_time_size
            if self.is_negative or self.value >= 1 << (8 * width):
                parser.raise_error(
                    f"a hexadecimal {type} element is its {8 * width}-bit pattern: "
                    f"at most {2 * width} hex digits, no sign",
                    self.span,
                )
            return type.unpack(self.value.to_bytes(width, "little"), 1)[0]
        return super().to_type(parser, type)

    def _is_hex(self) -> bool:
        return self.span.text.lstrip("-").lower().startswith("0x")


class LocatingParser(Parser):
    """xDSL's parser, plus the (line, col) at which every op starts, checked `dense<>`
    literals, and a located ParseError for anything that goes wrong."""

    def __init__(self, ctx: Context, text: str, name: str, line_offset: int = 0):
        super().__init__(ctx, "", name)  # xDSL's lexer would lex the first token
        self._parser_state = ParserState(_LinearLexer(Input(text, name)))
        self.locations: dict[Operation, tuple[int, int]] = {}
        self.blobs: dict[str, resources.Blob] = {}  # the file's dialect_resources
        self.line_offset = line_offset
        self._line_starts = list(itertools.accumulate((len(line) + 1 for line in text.split("\n")), initial=0))

    def _parse_tensor_literal_element(self):
        element = super()._parse_tensor_literal_element()
        return _Element(element.is_negative, element.value, element.span)

    def _parse_dense_literal_type(self):
        start = self.pos
        type = super()._parse_dense_literal_type()
        count = math.prod(type.get_shape())
        if count > MAX_DENSE_ELEMENTS:
            self.raise_error(
                f"a dense<> literal of {count} elements: stepwell holds a constant's "
                f"elements in memory, at most {MAX_DENSE_ELEMENTS} of them",
                start,
                self.pos,
            )
        element = type.element_type
        if not (isinstance(element, AnyFloat | IndexType) or isinstance(element, IntegerType) and element.bitwidth <= 64):
            self.raise_error(
                f"dense<> elements of type {element} are not supported (floats, and "
                "integers of at most 64 bits)",
                start,
                self.pos,
            )
        return type

    def _consume_token(self, expected_kind=None):
        # xDSL asserts the kind here, so a wrong token became an AssertionError
        if expected_kind is not None and self._current_token.kind != expected_kind:
            if isinstance(expected_kind.value, str):
                self.raise_error(f"'{expected_kind.value}' expected")
            self.raise_error(f"{expected_kind.name.lower().replace('_', ' ')} expected")
        return super()._consume_token(expected_kind)

    def _parse_dialect_resource_handle(self, dialect_name, interface):
        # A name, as written (xDSL declares it in a store of its own, which renames a
        # name parsed twice in one process); a string literal too, as in MLIR.
        if self._current_token.kind == MLIRTokenKind.STRING_LIT:
            return self.parse_str_literal()
        return self.parse_identifier(context_msg=" for resource handle")

    def _parse_single_dialect_resources(self):
        name = self._parse_token(MLIRTokenKind.BARE_IDENT, "a dialect name expected")
        if name.text != "builtin":
            self.raise_error(f"stepwell keeps no resources of dialect '{name.text}' (only builtin blobs)", name.span)
        self._parse_token(MLIRTokenKind.COLON, "':' expected")
        self.parse_comma_separated_list(self.Delimiter.BRACES, lambda: self._parse_resource("builtin", None))

    def _parse_external_resources(self):
        self.raise_error("stepwell reads no external_resources (only dialect_resources)")

    def _parse_resource(self, dialect_name, interface):
        start = self._current_token.span
        key = self._parse_dialect_resource_handle(dialect_name, interface)
        if key in self.blobs:
            self.raise_error(f"blob '{key}' is defined twice", start)
        self._parse_token(MLIRTokenKind.COLON, "':' expected after the name of a blob")
        token = self._current_token
        if token.kind != MLIRTokenKind.STRING_LIT:
            self.raise_error(f"blob '{key}': expected a string, {resources.FORM}")
        self._consume_token()
        try:
            self.blobs[key] = resources.decode(token.span.text[1:-1])
        except resources.BlobError as e:
            at = token.span.start + 1 + e.offset
            self.raise_error(f"blob '{key}': {e}", at, at + 1)

    def parse_optional_type(self):
        return self._located(super().parse_optional_type)

    def parse_optional_attribute(self):
        return self._located(super().parse_optional_attribute)

    def parse_operation(self) -> Operation:
        start = self._current_token.span
        op = self._located(super().parse_operation)
        self.locations[op] = self._line_col(start.start)
        return op

    def _line_col(self, offset: int) -> tuple[int, int]:
        """(line, col) of a character offset, by bisection: xDSL's `Span.get_location`
        counts the newlines before it, which made parsing quadratic in the ops."""
        line = bisect.bisect_right(self._line_starts, offset)
        return line + self.line_offset, offset - self._line_starts[line - 1] + 1

    def _located(self, parse: Callable[[], _T]) -> _T:
        """`parse()`, with any exception but a ParseError turned into one that spans
        the text `parse` read."""
        start = self._current_token.span.start
        try:
            return parse()
        except ParseError:
            raise
        except Exception as e:
            end = max(self._current_token.span.start, start + 1)
            raise ParseError(Span(start, end, self.lexer.input), _describe(e)) from None


def _describe(e: Exception) -> str:
    """What a non-ParseError exception from xDSL's parser means to the writer."""
    if isinstance(e, RecursionError):
        return "nested too deeply to parse"
    if isinstance(e, (VerifyException, ValueError)) and str(e):
        return str(e)  # xDSL's words for a value its attribute or op does not accept
    internal = f"{type(e).__name__} {e}".strip()
    return f"stepwell failed to parse this (an internal error, please report it: {internal})"


def _parse_error_diagnostic(e: ParseError, name: str, line_offset: int) -> Diagnostic:
    loc = e.span.get_location()
    return Diagnostic(name, loc.line + line_offset, loc.col, e.msg)


def parse_module(
    ctx: Context, text: str, name: str = "<stdin>", line_offset: int = 0
) -> tuple[ModuleOp, dict[Operation, tuple[int, int]]]:
    """Parse `text`; raise DiagnosticError with FILE:LINE:COL on bad syntax."""
    try:
        parser = LocatingParser(ctx, text, name, line_offset)
        module = parser._located(parser.parse_module)
    except ParseError as e:
        raise DiagnosticError([_parse_error_diagnostic(e, name, line_offset)]) from None
    renames = {key: resources.add(key, blob) for key, blob in parser.blobs.items()}
    resources.rename(module, {old: new for old, new in renames.items() if old != new})
    return module, parser.locations


def verify_module(
    module: Operation,
    locations: dict[Operation, tuple[int, int]] | None = None,
    name: str = "<stdin>",
) -> list[Diagnostic]:
    """Every verifier error in `module`, one per failing op, in program order: the
    op's own verifier, then the checks of `StructureChecks` (dominance included)."""
    locations = locations or {}
    checks = StructureChecks(locations)
    out: list[Diagnostic] = []
    for op in module.walk():
        message = (
            checks.bad_shape(op)
            or checks.missing_return(op)
            or checks.redefined_symbol(op)
            or (None if checks.hides_redefinitions(op) else _op_error(op))
            or checks.dominance(op)
        )
        if message is not None:
            line, col = locations.get(op, (0, 0))
            out.append(Diagnostic(name, line, col, message))
    return out


def _op_error(op: Operation) -> str | None:
    """What `op`'s own verifier says is wrong with it, or None."""
    try:
        op.verify(verify_nested_ops=False)
    except VerifyException as e:
        message = str(e)
        if not message.startswith(f"'{op.name}'"):
            message = f"'{op.name}' op {message}"
        return message
    except Exception as e:  # a broken op must not become a traceback
        return f"'{op.name}' op {e}"
    return None
