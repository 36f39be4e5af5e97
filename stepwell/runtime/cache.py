"""The compile cache: compiled programs by key, in memory and on disk.

The key is the sha256 of the input IR text, the target and pipeline, and everything
the machine code depends on: stepwell's source (a fingerprint of its .py files, so an
edited compiler never reuses stale code), llvmlite/LLVM versions and the host CPU
name and features. On disk (`$STEPWELL_CACHE_DIR`, else `~/.cache/stepwell`) an
entry is KEY.o (object code, loaded with MCJIT) and KEY.json (the function plans).
Disk errors are not fatal: the cache is then memory-only.
"""

from __future__ import annotations

import functools
import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from stepwell.runtime.plan import FunctionPlan, from_json, to_json
from stepwell.targets import llvm as llvm_target


@dataclass
class CompiledProgram:
    """Object code and the plans of its functions (the library is loaded lazily)."""

    obj: bytes
    plans: list[FunctionPlan]
    _library: object = None

    @property
    def library(self):
        from stepwell.runtime.cpu import Library

        if self._library is None:
            self._library = Library(self.obj)
        return self._library


@functools.cache
def source_fingerprint() -> str:
    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def cache_key(ir_text: str, target: str, pipeline: str) -> str:
    parts = [ir_text, target, pipeline, source_fingerprint(), llvm_target.versions()]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def cache_dir() -> Path:
    configured = os.environ.get("STEPWELL_CACHE_DIR")
    return Path(configured) if configured else Path.home() / ".cache" / "stepwell"


class CompileCache:
    def __init__(self) -> None:
        self.memory: dict[str, CompiledProgram] = {}

    def get(self, key: str) -> CompiledProgram | None:
        if key in self.memory:
            return self.memory[key]
        directory = cache_dir()
        try:
            obj = (directory / f"{key}.o").read_bytes()
            plans = from_json((directory / f"{key}.json").read_text())
        except (OSError, ValueError, KeyError, TypeError):
            return None
        self.memory[key] = CompiledProgram(obj, plans)
        return self.memory[key]

    def put(self, key: str, program: CompiledProgram) -> None:
        self.memory[key] = program
        try:
            directory = cache_dir()
            directory.mkdir(parents=True, exist_ok=True)
            _write_atomic(directory / f"{key}.json", to_json(program.plans).encode())
            _write_atomic(directory / f"{key}.o", program.obj)  # last: its presence marks a complete entry
        except OSError:
            pass

    def clear_memory(self) -> None:
        self.memory.clear()


def _write_atomic(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


CACHE = CompileCache()
