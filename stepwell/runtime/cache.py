"""The compile cache: built programs (artifacts) by key, in memory and on disk.

The key is the sha256 of the input IR text, the target's name and pipeline, the
compile's options (donated arguments), stepwell's
source (a fingerprint of its .py files, so an edited compiler never reuses stale code)
and the target's version string: everything its artifacts depend on besides these
(for the CPU: llvmlite/LLVM versions and the host CPU name and features). On disk
(`$STEPWELL_CACHE_DIR`, else `~/.cache/stepwell`) an entry is one file, KEY.entry: a
JSON header line (the key, the artifact's metadata and the sha256 of key, metadata and
data) and then the artifact's data (for the CPU: object code). An entry is used only
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
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stepwell.targets import Artifact


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
            artifact = _decode(key, (cache_dir() / f"{key}.entry").read_bytes())
        except OSError:
            return None
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


def _digest(key: str, metadata: str, data: bytes) -> str:
    return hashlib.sha256(b"\0".join([key.encode(), metadata.encode(), data])).hexdigest()


def _encode(key: str, artifact: Artifact) -> bytes:
    header = {"key": key, "sha256": _digest(key, artifact.metadata, artifact.data), "metadata": artifact.metadata}
    return json.dumps(header).encode() + b"\n" + artifact.data


def _decode(key: str, data: bytes) -> Artifact | None:
    """The artifact in an entry file, or None unless it is intact and is `key`'s."""
    header_bytes, newline, body = data.partition(b"\n")
    try:
        header = json.loads(header_bytes)
        metadata = header["metadata"]
        if not newline or header["key"] != key or header["sha256"] != _digest(key, metadata, body):
            return None
        return Artifact(body, metadata)
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
