"""`--verify-diagnostics`: check the diagnostics a run produced against the
annotations in its source, as mlir-opt does.

    %y = tensor_graph.add %a, %b : ...   // expected-error {{do not broadcast}}
    // expected-error@+1 {{...}}         the next line      (@-2: two lines up)
    // expected-warning@below {{...}}    the next line that is not an annotation
    // expected-note@above {{...}}       the last line that was not an annotation
    // expected-error@unknown {{...}}    a diagnostic with no source location
    // expected-remark-re {{a {{[0-9]+}} b}}   a regex in the inner {{ }}

Kinds: error, warning, remark, note. The text in `{{...}}` must occur in the message.
Every diagnostic must be expected at its line, and every annotation must be produced.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from stepwell.ir.diagnostics import Diagnostic

_ANNOTATION = re.compile(
    r"expected-(error|warning|remark|note)(-re)?\s*"
    r"(?:@([+-][0-9]+|above|below|unknown))?\s*\{\{(.*)\}\}\s*$"
)


@dataclass
class Expectation:
    severity: str
    text: str
    pattern: re.Pattern[str] | None  # for -re annotations
    line: int | None  # the line it expects a diagnostic at; None: @unknown
    at: tuple[int, int]  # where the annotation itself is written
    produced: bool = False

    def matches(self, message: str) -> bool:
        if self.pattern is not None:
            return self.pattern.search(message) is not None
        return self.text in message


def _regex(text: str) -> re.Pattern[str]:
    """`-re` text: literal, except `{{...}}` parts, which are regexes."""
    parts = re.split(r"\{\{(.*?)\}\}", text)
    return re.compile("".join(p if i % 2 else re.escape(p) for i, p in enumerate(parts)))


def parse_expectations(
    text: str, name: str, line_offset: int = 0
) -> tuple[list[Expectation], list[Diagnostic]]:
    """The annotations in `text` (lines numbered from `line_offset` + 1), and
    diagnostics for annotations that are malformed."""
    out: list[Expectation] = []
    bad: list[Diagnostic] = []
    below: list[Expectation] = []
    last_plain: int | None = None
    for index, line in enumerate(text.splitlines()):
        number = index + 1 + line_offset
        found = _ANNOTATION.search(line)
        if found is None:
            last_plain = number
            for e in below:
                e.line = number
            below = []
            continue
        severity, is_re, offset, body = found.groups()
        at = (number, found.start() + 1)
        try:
            pattern = _regex(body) if is_re else None
        except re.error as err:
            bad.append(Diagnostic(name, *at, f"bad regex in expected-{severity}-re: {err}"))
            continue
        e = Expectation(severity, body, pattern, number, at)
        if offset == "unknown":
            e.line = None
        elif offset == "below":
            below.append(e)
        elif offset == "above":
            if last_plain is None:
                bad.append(Diagnostic(name, *at, "expected-*@above has no line above it"))
                continue
            e.line = last_plain
        elif offset:
            e.line = number + int(offset)
        out.append(e)
    for e in below:
        bad.append(Diagnostic(name, *e.at, "expected-*@below has no line below it"))
        out.remove(e)
    return out, bad


def check(
    diagnostics: Sequence[Diagnostic], expectations: Sequence[Expectation], name: str
) -> list[Diagnostic]:
    """What does not match: unexpected diagnostics, then annotations not produced."""
    failures: list[Diagnostic] = []
    for d in diagnostics:
        line = d.line if d.line > 0 else None
        candidates = [e for e in expectations if not e.produced and e.line == line and e.matches(d.message)]
        same = [e for e in candidates if e.severity == d.severity]
        if same:
            same[0].produced = True
        elif candidates:
            e = candidates[0]
            failures.append(
                Diagnostic(
                    name, *e.at, f"'{d.severity}' diagnostic emitted when expecting a '{e.severity}'"
                )
            )
        else:
            failures.append(
                Diagnostic(d.file, d.line, d.col, f"unexpected {d.severity}: {d.message}")
            )
    for e in expectations:
        if not e.produced:
            failures.append(
                Diagnostic(name, *e.at, f'expected {e.severity} "{e.text}" was not produced')
            )
    return failures
