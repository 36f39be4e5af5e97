"""What stepwell knows by name: its dialects, passes, pipelines and targets.

Plugins add to them (`register_dialect`, `register_pass`, `register_pipeline`,
`register_target`); `stepwell-opt` and `stepwell.compile` build their `Context`, pass
table and targets from here.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING

from xdsl.context import Context
from xdsl.ir import Dialect
from xdsl.passes import ModulePass

if TYPE_CHECKING:
    from stepwell.targets import Target

_DIALECTS: dict[str, Callable[[], Dialect]] = {}
_PASSES: dict[str, Callable[[], type[ModulePass]]] = {}
_PIPELINES: dict[str, str] = {}
_TARGETS: dict[str, Callable[[], Target]] = {}


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


def register_target(target: Target | Callable[[], Target], name: str | None = None) -> None:
    """Register a target for `stepwell.compile(..., target=NAME)` and `stepwell-run
    --target NAME`: an instance, or a class or factory of one (made once, at its first
    use). The interface is `stepwell.targets.Target`."""
    if isinstance(target, type) or not hasattr(target, "build"):
        key = name or getattr(target, "name", None)
        assert key, "a lazily registered target needs its name"
        _TARGETS[key] = functools.cache(target)  # type: ignore[arg-type]
    else:
        _TARGETS[name or target.name] = lambda: target  # type: ignore[union-attr]


def passes() -> dict[str, Callable[[], type[ModulePass]]]:
    _load_builtins()
    return dict(_PASSES)


def pipelines() -> dict[str, str]:
    _load_builtins()
    return dict(_PIPELINES)


def targets() -> dict[str, Callable[[], Target]]:
    _load_builtins()
    return dict(_TARGETS)


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
