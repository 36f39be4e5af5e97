"""Diagnostics a pass reports about an op: errors, warnings, remarks and notes.

    from stepwell.ir import report
    report.warning(op, "this reduction is over zero elements")

`stepwell-opt` shows them at the op's source line (or, for an op the pipeline made,
at its nearest ancestor that came from the source), and `--verify-diagnostics` checks
them against `expected-warning`, `expected-remark`, ... annotations. An error makes the
run fail, as in mlir-opt; the other kinds are information. Outside a driver that
collects them they are printed to stderr.

Remarks (what an optimization did or did not do, MLIR's `-Rpass` remarks) are off
unless asked for: a pass reports them only when `remarks_enabled(its name)` (turned
on by `stepwell-opt --remarks=PASS,...` through `enabling_remarks`) or its own
`remarks=true` option says so.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from weakref import WeakKeyDictionary

from xdsl.ir import Operation

SEVERITIES = ("error", "warning", "remark", "note")

Handler = Callable[[Operation | None, str, str], None]
"""Receives (op or None, severity, message)."""

_handler: ContextVar[Handler | None] = ContextVar("stepwell_report_handler", default=None)
_remarks: ContextVar[frozenset[str]] = ContextVar("stepwell_report_remarks", default=frozenset())


def emit(op: Operation | None, message: str, severity: str = "error") -> None:
    if severity not in SEVERITIES:
        raise ValueError(f"severity must be one of {', '.join(SEVERITIES)}, got {severity!r}")
    (_handler.get() or print_to_stderr)(op, severity, message)


def print_to_stderr(op: Operation | None, severity: str, message: str) -> None:
    """What happens to a diagnostic when no driver collects them."""
    where = f"'{op.name}' op " if op is not None else ""
    print(f"{severity}: {where}{message}", file=sys.stderr)


_stand_ins: WeakKeyDictionary[Operation, Operation] = WeakKeyDictionary()


def stand_in(op: Operation, for_op: Operation) -> None:
    """Place the diagnostics of `op` and of the ops inside it that were not written in
    the source at `for_op` instead (a kernel a pass made: at its launch)."""
    _stand_ins[op] = for_op


def locate(op: Operation | None, locations: dict[Operation, tuple[int, int]]) -> tuple[int, int]:
    """Where `op` was written, or else its nearest ancestor (ops made by passes), or
    an ancestor's stand-in (`stand_in`); (0, 0) if none was written in the source."""
    while op is not None:
        if op in locations:
            return locations[op]
        if op in _stand_ins:
            return locate(_stand_ins[op], locations)
        op = op.parent_op()
    return (0, 0)


def error(op: Operation | None, message: str) -> None:
    emit(op, message, "error")


def warning(op: Operation | None, message: str) -> None:
    emit(op, message, "warning")


def remark(op: Operation | None, message: str) -> None:
    emit(op, message, "remark")


def note(op: Operation | None, message: str) -> None:
    emit(op, message, "note")


def remarks_enabled(pass_name: str) -> bool:
    """Whether the remarks of `pass_name` are asked for (`stepwell-opt --remarks=...`).
    A pass that reports remarks asks this (or its own `remarks=true` option) and
    reports them only then."""
    wanted = _remarks.get()
    return pass_name in wanted or "all" in wanted


@contextmanager
def enabling_remarks(pass_names: Iterable[str]) -> Iterator[None]:
    """Turn on the remarks of `pass_names` (`all`: of every pass) inside the block."""
    token = _remarks.set(frozenset(pass_names))
    try:
        yield
    finally:
        _remarks.reset(token)


@contextmanager
def collecting(handler: Handler) -> Iterator[None]:
    """Send every diagnostic reported inside the `with` block to `handler`."""
    token = _handler.set(handler)
    try:
        yield
    finally:
        _handler.reset(token)
