"""One run of `stepwell-opt` over one input (or one `--split-input-file` chunk):
parse, verify, run each pass and verify again, emit. Everything that goes wrong
becomes a Diagnostic; nothing here prints a traceback or writes the output."""

from __future__ import annotations

import sys
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import TextIO

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import Operation
from xdsl.passes import ModulePass
from xdsl.utils.exceptions import PassFailedException

from stepwell.ir import report
from stepwell.ir.diagnostics import Diagnostic, DiagnosticError, with_hints
from stepwell.ir.parse import parse_module, verify_module
from stepwell.ir.pipeline import PassStep
from stepwell.tools.common import print_traceback_if_debugging
from stepwell.tools.emitters import EMITTERS, EmitError, emit_mlir
from stepwell.tools.timing import Timing

Locations = dict[Operation, tuple[int, int]]


@dataclass
class Options:
    emit: str = "mlir"
    generic: bool = False  # --mlir-print-op-generic
    print_before: bool = False
    print_after: bool = False
    remarks: tuple[str, ...] = ()  # --remarks: the passes whose remarks are reported ("all": every pass)


@dataclass
class Result:
    output: str | None  # None when the input failed
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return self.output is None or any(d.severity == "error" for d in self.diagnostics)


@dataclass
class _Input:
    """What one `process` call works on."""

    name: str
    module: ModuleOp
    locations: Locations
    diags: list[Diagnostic]


class Driver:
    def __init__(
        self,
        ctx: Context,
        passes: list[tuple[PassStep, ModulePass]],
        options: Options,
        timing: Timing | None = None,
        dump: TextIO | None = None,
    ):
        self.ctx, self.passes, self.options, self.timing = ctx, passes, options, timing
        self.dump = dump

    def process(self, text: str, name: str, line_offset: int = 0) -> Result:
        diags: list[Diagnostic] = []
        with self._time("Parser"):
            parsed = self._parse(text, name, line_offset, diags)
        if parsed is None:
            return Result(None, diags)
        run = _Input(name, *parsed, diags)
        if not self._verify(run):
            return Result(None, diags)
        for index, (step, pass_) in enumerate(self.passes):
            if not self._run_pass(index, step, pass_, run):
                return Result(None, diags)
        return Result(self._emit(run), diags)

    # --- the steps ----------------------------------------------------------------

    def _parse(self, text: str, name: str, line_offset: int, diags: list[Diagnostic]):
        if _is_blank(text):
            return ModuleOp([]), {}
        try:
            return parse_module(self.ctx, text, name, line_offset)
        except DiagnosticError as e:
            diags += with_hints(e.diagnostics, text, line_offset)
        except Exception as e:  # a parser bug must not become a traceback
            print_traceback_if_debugging()
            diags.append(_unlocated(name, f"cannot parse: {_describe(e)}"))
        return None

    def _verify(self, run: _Input) -> bool:
        """True if the module verifies; its errors go to the diagnostics."""
        with self._time("Verifier"):
            errors = verify_module(run.module, _with_ancestors(run.module, run.locations), run.name)
        run.diags += errors
        return not errors

    def _run_pass(self, index: int, step: PassStep, pass_: ModulePass, run: _Input) -> bool:
        """True if the pass ran, reported no error and left valid IR."""
        if self.options.print_before:
            self._dump_ir("Before", step, run.module)
        reported: list[Diagnostic] = []

        def collect(op: Operation | None, severity: str, message: str) -> None:
            line, col = report.locate(op, run.locations)
            text = f"'{op.name}' op {message}" if op is not None else message
            reported.append(Diagnostic(run.name, line, col, text, severity))

        try:
            with (
                self._time(step.name, key=("pass", index)),
                report.collecting(collect),
                report.enabling_remarks(self.options.remarks),
            ):
                pass_.apply(self.ctx, run.module)
        except (DiagnosticError, PassFailedException) as e:
            run.diags += reported + _as_diagnostics(e, run.name, f"pass '{step.name}' failed: ")
            return False
        except Exception as e:
            print_traceback_if_debugging()
            run.diags += reported
            run.diags.append(_unlocated(run.name, f"pass '{step.name}' failed: {_describe(e)}"))
            return False
        run.diags += reported
        if any(d.severity == "error" for d in reported):
            return False
        if self.options.print_after:
            self._dump_ir("After", step, run.module)
        if not self._verify(run):
            run.diags.append(_unlocated(run.name, f"pass '{step.name}' produced invalid IR"))
            return False
        return True

    def _emit(self, run: _Input) -> str | None:
        what = self.options.emit
        try:
            with self._time("Output"):
                return EMITTERS[what](run.module, generic=self.options.generic)
        except (EmitError, DiagnosticError) as e:
            run.diags += _as_diagnostics(e, run.name, f"cannot emit {what}: ")
        except Exception as e:
            print_traceback_if_debugging()
            run.diags.append(_unlocated(run.name, f"--emit {what} failed: {_describe(e)}"))
        return None

    def _dump_ir(self, when: str, step: PassStep, module: ModuleOp) -> None:
        out = self.dump or sys.stderr
        out.write(f"// -----// IR Dump {when} {step.name} ({step.name}) //----- //\n")
        try:
            text = emit_mlir(module, generic=self.options.generic)
        except Exception:  # invalid IR may not print in custom form
            try:
                text = emit_mlir(module, generic=True)
            except Exception as e:
                text = f"<cannot print the IR: {_describe(e)}>\n"
        out.write(text + "\n")
        out.flush()

    def _time(self, label: str, key=None):
        return self.timing.measure(label, key) if self.timing else nullcontext()


# --- helpers --------------------------------------------------------------------------


def _is_blank(text: str) -> bool:
    """Only whitespace and comments: an empty module, as mlir-opt reads it."""
    return all(not line.strip() or line.strip().startswith("//") for line in text.splitlines())


def _with_ancestors(module: ModuleOp, locations: Locations) -> Locations:
    return {op: report.locate(op, locations) for op in module.walk()}


def _unlocated(name: str, message: str, severity: str = "error") -> Diagnostic:
    return Diagnostic(name, 0, 0, message, severity)


def _as_diagnostics(e: Exception, name: str, prefix: str) -> list[Diagnostic]:
    if isinstance(e, DiagnosticError):
        return list(e.diagnostics)
    return [_unlocated(name, prefix + str(e))]


def _describe(e: BaseException) -> str:
    return f"{type(e).__name__}: {e}" if str(e) else type(e).__name__
