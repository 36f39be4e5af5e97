"""Diagnostics as a human reads them: `FILE:LINE:COL: error: message`, then the source
line and a caret under the column, as mlir-opt prints them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from stepwell.ir.diagnostics import Diagnostic


def render(diag: Diagnostic, source_lines: Sequence[str] | None = None) -> str:
    """One diagnostic; with `source_lines` (the whole file), its line and a caret."""
    if diag.line <= 0:
        where = f"{diag.file}: " if diag.file else ""
        return f"{where}{diag.severity}: {diag.message}"
    text = str(diag)
    if source_lines and diag.line <= len(source_lines):
        line = source_lines[diag.line - 1].rstrip("\n")
        pad = "".join(c if c == "\t" else " " for c in line[: max(diag.col - 1, 0)])
        text += f"\n{line}\n{pad}^"
    return text


def render_all(diagnostics: Iterable[Diagnostic], text: str | None = None) -> str:
    """Diagnostics one after another, each with its line of `text` (the whole
    source) and a caret: what `stepwell-opt` prints and `CompileError` says."""
    lines = text.splitlines() if text is not None else None
    return "\n".join(render(d, lines) for d in diagnostics)
