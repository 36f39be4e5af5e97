"""`stepwell.compile`: IR in, a Python callable out.

    f = compile(text_or_module, entry="softmax", target="cpu")
    y = f(x)                       # numpy in, numpy out

`compile` knows no target by itself: it parses and verifies the input, looks the
target up in the registry (`stepwell.registry.register_target`; the interface is
`stepwell.targets.Target`), runs the target's pipeline (e.g. `lower-to-cpu`, tensor_graph
down to the llvm dialect) and has the target build an artifact from the lowered
module (for "cpu": object code for this CPU, targets/cpu.py), then returns the
target's callable for `entry`. A compile of the same IR for the same target (same
compiler, same target version) comes from the compile cache (runtime/cache.py):
memory first, then disk, without running the pipeline or building again.
`pipeline=` replaces the target's pipeline (for IR that is already at a lower level,
e.g. "convert-loops-to-llvm" for loops IR).

    f, g = compile(module, entry=["f", "g"])   # several functions of one module

A list (or tuple) of names gives their callables, in that order, from one compile.
Compiling a module again for another entry finds it in the cache but still prints
the whole module (or hashes the whole text) for the cache key: fetching each of n
functions that way costs n times the module, where one list costs it once.

`donate_argnums=(0,)` donates arguments of `entry`, as `jax.jit`'s does: the compiled
function may overwrite a donated argument's array (its memory can hold an
intermediate or a result, and a result may be that very array), so the caller must
not use a donated array after the call. numpy cannot invalidate an array: nothing
stops a later read, it just sees whatever the call left there. `compile` marks each
donated argument with the argument attribute `stepwell.donate` before the pipeline
runs (what the memory planner reads) and tells the target's `function` which
arguments are donated; donation is part of the compile cache's key.
"""

from __future__ import annotations

from collections import Counter

from xdsl.dialects import func
from xdsl.dialects.builtin import ArrayAttr, DictionaryAttr, ModuleOp, UnitAttr
from stepwell.ir.printer import to_text

from stepwell import registry
from stepwell.ir import report
from stepwell.ir.diagnostics import Diagnostic, DiagnosticError, with_hints
from stepwell.ir.parse import parse_module, verify_module
from stepwell.ir.pipeline import build_pipeline
from stepwell.ir.render import render_all
from stepwell.runtime.cache import CACHE, cache_key
from stepwell.targets import Artifact, Target

PLANNED: tuple[str, ...] = ()
"""Targets the contract names that are not built yet (for the wording of the error)."""

STATS: Counter[str] = Counter()
"""`pipeline_runs`, `llvm_compiles` (the cpu target), `cache_hits`: for tests and
curious users."""


SOURCE_NAME = "<compile>"
"""The file name in the diagnostics of a program given as text."""


class CompileError(Exception):
    """The program does not compile; the message says where and why, as `stepwell-opt`
    prints it (FILE:LINE:COL: error: ..., the source line and a caret); `diagnostics`
    holds them as data."""

    def __init__(self, message: str, diagnostics: list[Diagnostic] | None = None):
        super().__init__(message)
        self.diagnostics = diagnostics or []


class TargetUnavailable(CompileError, ValueError):
    """No target of that name is registered."""


class BadDonation(CompileError, ValueError):
    """donate_argnums names an argument the entry function does not have."""


def find_target(name: str) -> Target:
    """The registered target `name`, or TargetUnavailable listing those there are."""
    factory = registry.targets().get(name)
    if factory is None:
        known = ", ".join(sorted(registry.targets())) or "none"
        what = f"target {name} is not available yet" if name in PLANNED else f"unknown target {name!r}"
        raise TargetUnavailable(f"{what} (registered targets: {known})")
    return factory()


DONATE_ATTR = "stepwell.donate"
"""The argument attribute (a UnitAttr) of a donated argument: `{stepwell.donate}`."""


def compile(  # noqa: A001
    source: str | ModuleOp,
    entry: str | list[str] | tuple[str, ...] | None = None,
    target: str = "cpu",
    *,
    pipeline: str | None = None,
    donate_argnums: int | tuple[int, ...] | list[int] = (),
):
    """Compile `source` (MLIR text or a parsed module) for `target`; the callable
    of function `entry` (default: the only function, or the one named `main`; a
    leading '@' is allowed), or a tuple of them for a list of names. `donate_argnums`:
    positions of `entry`'s arguments the call may overwrite (see the module's docstring)."""
    if not isinstance(source, (str, ModuleOp)):
        raise TypeError(f"source must be MLIR text (str) or a builtin.module, got {type(source).__name__}")
    several = isinstance(entry, (list, tuple))
    if not (entry is None or isinstance(entry, str) or several and all(isinstance(e, str) for e in entry)):
        raise TypeError(f"entry must be a function name, a list of them or None, got {type(entry).__name__}")
    donated = _donate_argnums(donate_argnums)
    if donated and several:
        raise TypeError("donate_argnums needs a single entry function, got a list")
    chosen = find_target(target)
    spec = pipeline if pipeline is not None else chosen.pipeline
    text = source if isinstance(source, str) else _print(source)
    extra = [f"donate {entry} {list(donated)}"] if donated else []
    key = cache_key(text, chosen.name, spec, chosen.version(), *extra)
    cached = CACHE.get(key)
    if cached is None:
        cached = CACHE.put(key, _build(source, spec, chosen, entry, donated))
    else:
        STATS["cache_hits"] += 1
    if cached.loaded is None:
        cached.loaded = chosen.load(cached.artifact)
    if several:
        names = chosen.functions(cached.loaded)
        return tuple(chosen.function(cached.loaded, _pick(names, e)) for e in entry)
    name = _pick(chosen.functions(cached.loaded), entry)
    if donated:  # a target without donation keeps its plain `function(program, name)`
        return chosen.function(cached.loaded, name, donate_argnums=donated)
    return chosen.function(cached.loaded, name)


def _donate_argnums(value: object) -> tuple[int, ...]:
    """donate_argnums as a sorted tuple: an int or a sequence of distinct
    non-negative ints (their range is checked against the entry's arguments)."""
    items = (value,) if isinstance(value, int) and not isinstance(value, bool) else value
    if not isinstance(items, (tuple, list)) or not all(isinstance(i, int) and not isinstance(i, bool) for i in items):
        raise TypeError(f"donate_argnums must be an int or a tuple of ints, got {value!r}")
    if any(i < 0 for i in items):
        raise ValueError(f"donate_argnums must be argument positions (>= 0), got {value!r}")
    if len(set(items)) != len(items):
        raise ValueError(f"donate_argnums names an argument twice: {value!r}")
    return tuple(sorted(items))


def _donate(module: ModuleOp, entry: str | None, donated: tuple[int, ...]) -> None:
    """Mark `donated` arguments of function `entry` with `{stepwell.donate}`."""
    functions = {op.sym_name.data: op for op in module.ops if isinstance(op, func.FuncOp)}
    fn = functions[_pick(list(functions), entry)]
    count = len(fn.args)
    if donated[-1] >= count:
        raise BadDonation(f"donate_argnums {list(donated)}: @{fn.sym_name.data} has {count} argument(s)")
    attrs = [dict(d.data) for d in fn.arg_attrs.data] if fn.arg_attrs is not None else [{} for _ in range(count)]
    for i in donated:
        attrs[i][DONATE_ATTR] = UnitAttr()
    fn.arg_attrs = ArrayAttr([DictionaryAttr(d) for d in attrs])


def _build(
    source: str | ModuleOp, spec: str, target: Target, entry: str | None = None, donated: tuple[int, ...] = ()
) -> Artifact:
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
    if donated:
        _donate(module, entry, donated)
    reported: list[Diagnostic] = []

    def collect(op, severity: str, message: str) -> None:
        if severity != "error":
            return report.print_to_stderr(op, severity, message)
        line, col = report.locate(op, locations)
        reported.append(Diagnostic(SOURCE_NAME, line, col, f"'{op.name}' op {message}" if op else message))

    for step, pass_ in build_pipeline(spec, registry.passes(), registry.pipelines()):
        try:
            with report.collecting(collect):
                pass_.apply(ctx, module)
        except DiagnosticError as e:
            raise CompileError(render_all(reported + e.diagnostics, text), reported + e.diagnostics) from None
        except Exception as e:
            located = render_all(reported, text) + "\n" if reported else ""
            raise CompileError(f"{located}pass '{step.name}' failed: {e}", reported) from e
        if reported:  # errors reported without raising
            raise CompileError(render_all(reported, text), reported)
    STATS["pipeline_runs"] += 1
    try:
        with report.collecting(collect):  # what the target's own lowering reports, located
            artifact = target.build(module)
    except DiagnosticError as e:
        raise CompileError(render_all(reported + e.diagnostics, text), reported + e.diagnostics) from None
    except CompileError as e:
        if not reported:
            raise
        raise CompileError(f"{render_all(reported, text)}\n{e}", reported) from None
    if reported:  # errors reported without raising
        raise CompileError(render_all(reported, text), reported)
    return artifact


def _pick(names: list[str], entry: str | None) -> str:
    entry = entry.removeprefix("@") if entry is not None else None
    if entry is None:
        if len(names) == 1:
            return names[0]
        if "main" in names:
            return "main"
        raise CompileError(f"several functions ({', '.join(names)}): say which with entry=")
    if entry in names:
        return entry
    raise CompileError(f"no function @{entry} (functions: {', '.join(names) or 'none'})")


def _print(module: ModuleOp) -> str:
    """The module's text for the cache key: its blobs too, so that two modules that
    differ only in a dense_resource's bytes are two entries."""
    return to_text(module)
