"""The compile cache: compiled programs by key, in memory and on disk.

The key is the sha256 of the input IR text, the target and pipeline, and everything
the machine code depends on: stepwell's source (a fingerprint of its .py files, so an
edited compiler never reuses stale code), llvmlite/LLVM versions and the host CPU
name and features. On disk (`$STEPWELL_CACHE_DIR`, else `~/.cache/stepwell`) an
entry is one file, KEY.entry: a JSON header line (the key, the function plans and the
sha256 of key, plans and object code) and then the object code (loaded with MCJIT).
An entry is used only if its header names its key and the digest matches, so an
empty, truncated or foreign file is never loaded: it is rebuilt (and rewritten if
the directory is writable). Entries are written to a temporary file, fsync'd and
renamed into place. Disk errors are not fatal: the cache is then memory-only.
"""

from __future__ import annotations

import functools
import hashlib
import json
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
        try:
            program = _decode(key, (cache_dir() / f"{key}.entry").read_bytes())
        except OSError:
            return None
        if program is not None:
            self.memory[key] = program
        return program

    def put(self, key: str, program: CompiledProgram) -> None:
        self.memory[key] = program
        try:
            directory = cache_dir()
            directory.mkdir(parents=True, exist_ok=True)
            _write_atomic(directory / f"{key}.entry", _encode(key, program))
        except OSError:
            pass

    def clear_memory(self) -> None:
        self.memory.clear()


def _digest(key: str, plans: str, obj: bytes) -> str:
    return hashlib.sha256(b"\0".join([key.encode(), plans.encode(), obj])).hexdigest()


def _encode(key: str, program: CompiledProgram) -> bytes:
    plans = to_json(program.plans)
    header = {"key": key, "sha256": _digest(key, plans, program.obj), "plans": plans}
    return json.dumps(header).encode() + b"\n" + program.obj


def _decode(key: str, data: bytes) -> CompiledProgram | None:
    """The program in an entry file, or None unless it is intact and is `key`'s."""
    header_bytes, newline, obj = data.partition(b"\n")
    try:
        header = json.loads(header_bytes)
        plans = header["plans"]
        if not newline or header["key"] != key or header["sha256"] != _digest(key, plans, obj):
            return None
        return CompiledProgram(obj, from_json(plans))
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


def _write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` so that a crash leaves the old file or the new one,
    never a partial one: a temporary file, fsync'd, renamed over `path`."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
    _fsync_directory(path.parent)


def _fsync_directory(directory: Path) -> None:
    """Make the rename durable (where the platform allows opening a directory)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


CACHE = CompileCache()
