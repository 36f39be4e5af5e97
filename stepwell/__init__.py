"""stepwell: an MLIR-style, multi-level tensor compiler on xDSL.

    stepwell.compile(source, entry=None, target="cpu") -> callable
    stepwell.reference.run(source, entry, *arrays)      -> the numpy oracle
    @stepwell.jit, stepwell.trace(fn, *specs)           -> Python functions in (stepwell.tg: the ops)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from stepwell.compiler import compile  # noqa: A004
    from stepwell.frontends import tg
    from stepwell.frontends.python import jit, trace


def __getattr__(name: str) -> Any:
    # imported on first use, so `import stepwell` (and the tools) start fast
    if name == "compile":
        from stepwell.compiler import compile

        return compile
    if name in ("jit", "trace"):
        from stepwell.frontends import python

        return getattr(python, name)
    if name == "tg":
        from stepwell.frontends import tg

        return tg
    if name == "reference":
        import importlib

        return importlib.import_module("stepwell.reference")
    raise AttributeError(f"module 'stepwell' has no attribute {name!r}")
