"""Targets: where `stepwell.compile` sends a program, behind one small interface.

A target is an object with

    name       the name users pass (`stepwell.compile(..., target=name)`, `stepwell-run --target`)
    pipeline   the pipeline that lowers verified input IR to what `build` takes
               (a named pipeline such as "lower-to-cpu"; "" for none)
    version()  what its artifacts depend on besides the IR and stepwell's own source
               (tool versions, the host machine): part of the compile cache's key
    build(module) -> Artifact         the lowered module in, a serializable artifact out
    load(artifact) -> program         make it callable in this process
    functions(program) -> [names]     the functions it holds
    function(program, name) -> callable   numpy arrays in, numpy array(s) out
    function(program, name, donate_argnums=(i, ...)) -> callable
               the same, where the caller donated those arguments (`stepwell.compile(...,
               donate_argnums=)`): the call may overwrite their arrays, and a result the
               memory plan places in one is returned as that array; `compile` passes the
               keyword only when something is donated (a target without donation need not
               take it). The IR the pipeline sees marks them `{stepwell.donate}`.

and is registered by name with `stepwell.registry.register_target` (a plugin can add
one). `stepwell.compile` parses and verifies the input, runs the target's pipeline (or
the caller's `pipeline=`), builds, and keeps the artifact in the compile cache
(runtime/cache.py, keyed by the target's name and version, the pipeline, the IR and
stepwell's source), so a second compile only loads it. It knows no target by itself:
the CPU (targets/cpu.py: LLVM object code and the plans of its functions) is the first
implementation, registered like any plugin's.

`build` reports a program it cannot build by raising `stepwell.compiler.CompileError`
(or a `DiagnosticError`, which `compile` renders with the source).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from xdsl.dialects.builtin import ModuleOp

BIND_CONSTANTS_ABOVE = 64 * 1024
"""Constants of more bytes stay out of generated code: the artifact holds them
(`Artifact.constants`) and the loader binds them (the CPU pipeline's
`convert-loops-to-llvm{bind-constants-above}` has the same default)."""

CONSTANT_ALIGNMENT = 64


class Unavailable(RuntimeError):
    """A compiled program that this machine cannot run (no GPU, no driver): a message
    for the user, raised when it is called."""


@dataclass(frozen=True)
class Artifact:
    """What the compile cache stores of a built program: opaque bytes (e.g. object
    code) and text metadata (e.g. the plans of its functions as JSON)."""

    data: bytes
    metadata: str = ""
    constants: Mapping[str, bytes | memoryview] = field(default_factory=dict)
    """Big constants the code refers to but does not hold, by name: the loader binds
    them (`bound_array`). The compile cache stores each one 64-byte aligned in its file
    and gives them back as views of the file mapped read-only (no copy)."""


def bound_array(data: bytes | memoryview) -> np.ndarray:
    """A constant of an artifact as a read-only byte array at a 64-byte aligned
    address: a view of `data` where it is aligned (read from the compile cache), else
    one aligned copy (a freshly built artifact's bytes)."""
    view = np.frombuffer(data, np.uint8)
    if view.ctypes.data % CONSTANT_ALIGNMENT and view.size:
        room = np.empty(view.size + CONSTANT_ALIGNMENT, np.uint8)
        start = -room.ctypes.data % CONSTANT_ALIGNMENT
        view = room[start : start + view.size]
        view[:] = np.frombuffer(data, np.uint8)
    view.flags.writeable = False
    return view


class Target:
    """The interface of a target (subclass it, or provide the same members)."""

    name: str = ""
    pipeline: str = ""

    def version(self) -> str:
        return ""

    def build(self, module: ModuleOp) -> Artifact:
        raise NotImplementedError

    def load(self, artifact: Artifact) -> Any:
        raise NotImplementedError

    def functions(self, program: Any) -> list[str]:
        raise NotImplementedError

    def function(self, program: Any, name: str, *, donate_argnums: tuple[int, ...] = ()) -> Callable[..., Any]:
        raise NotImplementedError
