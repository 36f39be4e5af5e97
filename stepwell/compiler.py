"""`stepwell.compile`: IR in, a Python callable out.

    f = compile(text_or_module, entry="softmax", target="cpu")
    y = f(x)                       # numpy in, numpy out

The "cpu" target runs the named pipeline `lower-to-cpu` (tensor_graph down to the
llvm dialect), translates to LLVM IR, optimizes at O3 for this CPU and loads the
object code with MCJIT. A compile of the same IR (same compiler, same machine) comes
from the compile cache (runtime/cache.py): memory first, then disk, without running
the pipeline or LLVM again. `pipeline=` replaces the named pipeline (for IR that is
already at a lower level, e.g. "convert-loops-to-llvm" for loops IR).
"""

from __future__ import annotations

from collections import Counter
from io import StringIO

from xdsl.dialects.builtin import ModuleOp
from stepwell.ir.printer import Printer

from stepwell import registry
from stepwell.ir.diagnostics import Diagnostic, DiagnosticError, with_hints
from stepwell.ir.parse import parse_module, verify_module
from stepwell.ir.pipeline import build_pipeline
from stepwell.ir.render import render_all
from stepwell.runtime.cache import CACHE, CompiledProgram, cache_key
from stepwell.runtime.cpu import CpuFunction
from stepwell.runtime.plan import plans_from_module

TARGETS = {"cpu": "lower-to-cpu", "triton": "lower-to-triton", "ptx": "lower-to-ptx"}
AVAILABLE = ("cpu",)

STATS: Counter[str] = Counter()
"""`pipeline_runs`, `llvm_compiles`, `cache_hits`: for tests and curious users."""


SOURCE_NAME = "<compile>"
"""The file name in the diagnostics of a program given as text."""


class CompileError(Exception):
    """The program does not compile; the message says where and why, as `stepwell-opt`
    prints it (FILE:LINE:COL: error: ..., the source line and a caret); `diagnostics`
    holds them as data."""

    def __init__(self, message: str, diagnostics: list[Diagnostic] | None = None):
        super().__init__(message)
        self.diagnostics = diagnostics or []


class TargetUnavailable(CompileError):
    pass


def compile(source: str | ModuleOp, entry: str | None = None, target: str = "cpu", *, pipeline: str | None = None):  # noqa: A001
    """Compile `source` (MLIR text or a parsed module) for `target`; the callable
    of function `entry` (default: the only function, or the one named `main`; a
    leading '@' is allowed)."""
    if not isinstance(source, (str, ModuleOp)):
        raise TypeError(f"source must be MLIR text (str) or a builtin.module, got {type(source).__name__}")
    if entry is not None and not isinstance(entry, str):
        raise TypeError(f"entry must be a function name or None, got {type(entry).__name__}")
    if target not in TARGETS:
        raise ValueError(f"unknown target {target!r} (known: {', '.join(TARGETS)})")
    if target not in AVAILABLE:
        raise TargetUnavailable(f"target {target} is not available yet")
    spec = pipeline if pipeline is not None else TARGETS[target]
    text = source if isinstance(source, str) else _print(source)
    key = cache_key(text, target, spec)
    program = CACHE.get(key)
    if program is None:
        program = _build(source, spec)
        CACHE.put(key, program)
    else:
        STATS["cache_hits"] += 1
    return CpuFunction(program.library, _pick(program, entry))  # type: ignore[arg-type]


def _build(source: str | ModuleOp, spec: str) -> CompiledProgram:
    from stepwell.targets import llvm as llvm_target

    ctx = registry.make_context()
    text = source if isinstance(source, str) else None
    try:
        if text is not None:
            module, locations = parse_module(ctx, text, SOURCE_NAME)
        else:
            module, locations = source.clone(), {}
        errors = verify_module(module, locations, SOURCE_NAME)
        if errors:
            raise DiagnosticError(errors)
    except DiagnosticError as e:
        diagnostics = with_hints(e.diagnostics, text or "")
        raise CompileError(render_all(diagnostics, text), diagnostics) from None
    for step, pass_ in build_pipeline(spec, registry.passes(), registry.pipelines()):
        try:
            pass_.apply(ctx, module)
        except DiagnosticError as e:
            raise CompileError(render_all(e.diagnostics, text), e.diagnostics) from None
        except Exception as e:
            raise CompileError(f"pass '{step.name}' failed: {e}") from e
    STATS["pipeline_runs"] += 1
    plans = plans_from_module(module)
    try:
        obj = llvm_target.machine_code(llvm_target.translate(module))
    except llvm_target.CompileTimeout as e:
        raise CompileError(str(e)) from None
    STATS["llvm_compiles"] += 1
    return CompiledProgram(obj, plans)


def _pick(program: CompiledProgram, entry: str | None):
    names = [p.name for p in program.plans]
    entry = entry.removeprefix("@") if entry is not None else None
    if entry is None:
        if len(names) == 1:
            return program.plans[0]
        if "main" in names:
            entry = "main"
        else:
            raise CompileError(f"several functions ({', '.join(names)}): say which with entry=")
    for plan in program.plans:
        if plan.name == entry:
            return plan
    raise CompileError(f"no function @{entry} (functions: {', '.join(names) or 'none'})")


def _print(module: ModuleOp) -> str:
    out = StringIO()
    Printer(stream=out).print_op(module)
    return out.getvalue()
