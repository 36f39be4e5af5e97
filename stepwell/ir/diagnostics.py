"""MLIR-style diagnostics: `FILE:LINE:COL: error: message`."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Diagnostic:
    file: str
    line: int  # 1-based
    col: int  # 1-based
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}: {self.severity}: {self.message}"


class DiagnosticError(Exception):
    """One or more diagnostics that stop compilation."""

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = diagnostics
        super().__init__("\n".join(map(str, diagnostics)))


_UNREGISTERED_HINT = (
    " (load the plugin that defines it, or pass --allow-unregistered-dialect to keep it as is)"
)


def with_hints(diagnostics: list[Diagnostic], text: str, line_offset: int = 0) -> list[Diagnostic]:
    """Parse errors made clearer, the same for every tool and `stepwell.compile`:
    xDSL's 'Operation X is not registered' points at X and says what to do. `text` is
    the source parsed (its first line is line `line_offset + 1`)."""
    return [_unregistered_op(d, text.splitlines(), line_offset) for d in diagnostics]


def _unregistered_op(d: Diagnostic, lines: list[str], line_offset: int) -> Diagnostic:
    found = re.fullmatch(r"Operation (\S+) is not registered", d.message)
    if not found:
        return d
    col = d.col
    if 0 < d.line - line_offset <= len(lines):
        at = lines[d.line - line_offset - 1].find(found.group(1))
        col = at + 1 if at >= 0 else col
    return Diagnostic(d.file, d.line, col, d.message + _UNREGISTERED_HINT, d.severity)
