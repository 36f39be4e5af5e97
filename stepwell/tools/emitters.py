"""What `stepwell-opt --emit NAME` writes: a table from a name to a function that
turns the module after the pipeline into text.

An emitter is `fn(module, **options) -> str`; it ignores options it does not know
(the `mlir` emitter reads `generic`). A later target adds itself with
`register_emitter("llvm", emit_llvm)`; an emitter that cannot handle the IR it gets
raises `EmitError` with a message for the user.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from xdsl.dialects.builtin import ModuleOp

from stepwell.ir.printer import to_text

Emitter = Callable[..., str]


class EmitError(Exception):
    """The module cannot be emitted in this form; the message says why."""


def emit_mlir(module: ModuleOp, generic: bool = False, **_: Any) -> str:
    """The module as IR text: the custom form, or the generic one with `generic`."""
    return to_text(module, generic) + "\n"


EMITTERS: dict[str, Emitter] = {"mlir": emit_mlir}


def register_emitter(name: str, emitter: Emitter) -> None:
    EMITTERS[name] = emitter
