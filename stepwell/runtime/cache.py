"""The compile cache: built programs (artifacts) by key, in memory and on disk.

The key is the sha256 of the input IR text, the target's name and pipeline, the
compile's options (donated arguments), stepwell's
source (a fingerprint of its .py files, so an edited compiler never reuses stale code)
and the target's version string: everything its artifacts depend on besides these
(for the CPU: llvmlite/LLVM versions and the host CPU name and features). On disk
(`$STEPWELL_CACHE_DIR`, else `~/.cache/stepwell`) an entry is one file, KEY.entry: a
JSON header line (the key, the artifact's metadata, the size of its data, the name,
offset and size of each of its constants and the sha256 of them all), padded with
spaces to a multiple of 64 bytes, and then the artifact's data (for the CPU: object
code) and its constants (big constants the loader binds), each at a multiple of 64
bytes from the file's start. The file is read through a read-only memory map: the
constants stay in it, aligned and read-only, never copied. An entry is used only
if its header names its key and the digest matches, so an empty, truncated or foreign
file is never loaded: it is rebuilt (and rewritten if the directory is writable).
Entries are written to a temporary file, fsync'd and renamed into place. Disk errors
are not fatal: the cache is then memory-only. In memory an entry also keeps the
program loaded from its artifact, so a compile from memory loads nothing.
"""

from __future__ import annotations

import functools
import hashlib
import json
import mmap
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stepwell.targets import CONSTANT_ALIGNMENT, Artifact

Buffer = bytes | memoryview | mmap.mmap


@dataclass
class CacheEntry:
    artifact: Artifact
    loaded: Any = None
    """The target's program loaded from `artifact` (set by `stepwell.compile`)."""


@functools.cache
def source_fingerprint() -> str:
    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def cache_key(ir_text: str, target: str, pipeline: str, target_version: str, *options: str) -> str:
    """`options`: anything else the build depends on (e.g. donated arguments)."""
    parts = [ir_text, target, pipeline, source_fingerprint(), target_version, *options]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def cache_dir() -> Path:
    configured = os.environ.get("STEPWELL_CACHE_DIR")
    return Path(configured) if configured else Path.home() / ".cache" / "stepwell"


class CompileCache:
    def __init__(self) -> None:
        self.memory: dict[str, CacheEntry] = {}

    def get(self, key: str) -> CacheEntry | None:
        if key in self.memory:
            return self.memory[key]
        try:
            with open(cache_dir() / f"{key}.entry", "rb") as f:
                mapped = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        except (OSError, ValueError):  # (ValueError: an empty file cannot be mapped)
            return None
        artifact = _decode(key, mapped)
        if artifact is None:
            return None
        entry = self.memory[key] = CacheEntry(artifact)
        return entry

    def put(self, key: str, artifact: Artifact) -> CacheEntry:
        entry = self.memory[key] = CacheEntry(artifact)
        try:
            directory = cache_dir()
            directory.mkdir(parents=True, exist_ok=True)
            _write_atomic(directory / f"{key}.entry", _encode(key, artifact))
        except OSError:
            pass
        return entry

    def clear_memory(self) -> None:
        self.memory.clear()


ALIGNMENT = CONSTANT_ALIGNMENT  # a constant starts at a multiple of this many bytes of its file


def _digest(key: str, metadata: str, data: bytes, constants: Mapping[str, Buffer] = {}) -> str:
    digest = hashlib.sha256(b"\0".join([key.encode(), metadata.encode(), data]))
    for name, value in constants.items():
        digest.update(b"\0" + name.encode() + b"\0")
        digest.update(value)
    return digest.hexdigest()


def _padding(n: int) -> bytes:
    return bytes(-n % ALIGNMENT)


def _encode(key: str, artifact: Artifact) -> list[Buffer]:
    """The entry file's contents, in pieces (a constant is written as it is, not copied)."""
    layout, at = [], len(artifact.data)
    for name, value in artifact.constants.items():
        at += len(_padding(at))
        layout.append([name, at, memoryview(value).nbytes])
        at += layout[-1][2]
    header = json.dumps({
        "key": key,
        "sha256": _digest(key, artifact.metadata, artifact.data, artifact.constants),
        "metadata": artifact.metadata,
        "size": len(artifact.data),
        "constants": layout,
    }).encode()
    header += b" " * (-(len(header) + 1) % ALIGNMENT) + b"\n"
    chunks: list[Buffer] = [header, artifact.data]
    end = len(artifact.data)
    for (_, offset, size), value in zip(layout, artifact.constants.values()):
        chunks += [bytes(offset - end), value]
        end = offset + size
    return chunks


def _decode(key: str, data: bytes | mmap.mmap) -> Artifact | None:
    """The artifact in an entry file (its constants views of `data`), or None unless it
    is intact and is `key`'s."""
    view, newline = memoryview(data), data.find(b"\n")  # type: ignore[union-attr]
    try:
        header = json.loads(bytes(view[:newline])) if newline >= 0 else None
        metadata, size = header["metadata"], header.get("size")  # type: ignore[index]
        body = view[newline + 1 :]
        size = len(body) if size is None else size
        constants = {name: body[offset : offset + n] for name, offset, n in header.get("constants", [])}  # type: ignore[union-attr]
        if (
            header["key"] != key  # type: ignore[index]
            or size > len(body)
            or any(len(v) != n for v, (_, _, n) in zip(constants.values(), header.get("constants", [])))  # type: ignore[union-attr]
            or (newline + 1) % ALIGNMENT and constants
        ):
            return None
        obj = bytes(body[:size])
        if header["sha256"] != _digest(key, metadata, obj, constants):  # type: ignore[index]
            return None
        return Artifact(obj, metadata, constants)
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


def _write_atomic(path: Path, data: Buffer | list[Buffer]) -> None:
    """Write `data` (or its pieces, one after the other) to `path` so that a crash
    leaves the old file or the new one, never a partial one: a temporary file,
    fsync'd, renamed over `path`."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as f:
            for chunk in data if isinstance(data, list) else [data]:
                f.write(chunk)
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
