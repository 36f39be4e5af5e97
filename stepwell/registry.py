"""What stepwell knows by name: its dialects and its passes.

Plugins add to them (`register_dialect`, `register_pass`, `register_pipeline`);
`stepwell-opt` and `stepwell.compile` build their `Context` and pass table from here.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

from xdsl.context import Context
from xdsl.ir import Dialect
from xdsl.passes import ModulePass

_DIALECTS: dict[str, Callable[[], Dialect]] = {}
_PASSES: dict[str, Callable[[], type[ModulePass]]] = {}
_PIPELINES: dict[str, str] = {}


def register_dialect(dialect: Dialect | Callable[[], Dialect], name: str | None = None) -> None:
    """Register a dialect (or a factory of one, to load it lazily)."""
    factory = (lambda: dialect) if isinstance(dialect, Dialect) else dialect
    _DIALECTS[name or factory().name] = factory


def register_pass(pass_type: type[ModulePass] | Callable[[], type[ModulePass]], name: str | None = None) -> None:
    """Register a pass class (or a factory of one) under its command-line name."""
    if isinstance(pass_type, type):
        cls = pass_type
        _PASSES[name or cls.name] = lambda: cls
    else:
        assert name is not None, "a lazily registered pass needs its name"
        _PASSES[name] = pass_type


def register_pipeline(name: str, spec: str) -> None:
    """Name a pipeline: `-p NAME` then runs `spec` (either pipeline syntax).

    For example `register_pipeline("lower-to-cpu", "tensor_graph-decompose,canonicalize,...")`.
    The spec is parsed when the name is used, so it may name passes registered later.
    """
    _PIPELINES[name] = spec


def passes() -> dict[str, Callable[[], type[ModulePass]]]:
    _load_builtins()
    return dict(_PASSES)


def pipelines() -> dict[str, str]:
    _load_builtins()
    return dict(_PIPELINES)


def dialects() -> dict[str, Callable[[], Dialect]]:
    _load_builtins()
    return dict(_DIALECTS)


def make_context(allow_unregistered: bool = False) -> Context:
    ctx = Context(allow_unregistered=allow_unregistered)
    for name, factory in dialects().items():
        ctx.register_dialect(name, factory)
    return ctx


_loaded = False


def _load_builtins() -> None:
    global _loaded
    if _loaded:
        return
    _loaded = True
    from stepwell import _builtin_registrations  # noqa: F401  (registers on import)
    from stepwell.plugins import load_entry_point_plugins

    for problem in load_entry_point_plugins():  # installed plugins, for every API user
        warnings.warn(problem, stacklevel=2)
