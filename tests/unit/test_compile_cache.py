"""The compile cache: a second compile of the same program runs neither the pipeline
nor LLVM (counted, not timed), from memory and from disk."""

from __future__ import annotations

import numpy as np
import pytest

from stepwell.compiler import STATS, compile
from stepwell.ir.parse import parse_module
from stepwell.registry import make_context
from stepwell.runtime import cache as cache_module
from stepwell.runtime.cache import CACHE, cache_key
from stepwell.targets import llvm_machine
from stepwell.targets.cpu import CpuTarget

PROGRAM = """
func.func @f(%x: tensor<3x5xf32>) -> tensor<3xf32> {
  %y = tensor_graph.reduce %x {kind = "sum", dims = [1], keepdim = false} : tensor<3x5xf32> -> tensor<3xf32>
  func.return %y : tensor<3xf32>
}
"""


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("STEPWELL_CACHE_DIR", str(tmp_path))
    CACHE.clear_memory()
    yield tmp_path
    CACHE.clear_memory()


def check(f) -> None:
    x = np.arange(15, dtype=np.float32).reshape(3, 5)
    np.testing.assert_array_equal(f(x), x.sum(1))


def test_memory_then_disk(cache_dir):
    runs, compiles = STATS["pipeline_runs"], STATS["llvm_compiles"]
    check(compile(PROGRAM))
    assert (STATS["pipeline_runs"], STATS["llvm_compiles"]) == (runs + 1, compiles + 1)
    entries = sorted(p.suffix for p in cache_dir.iterdir())
    assert entries == [".entry"]

    check(compile(PROGRAM))  # memory
    CACHE.clear_memory()
    check(compile(PROGRAM))  # disk: the object code is loaded, nothing is compiled
    assert (STATS["pipeline_runs"], STATS["llvm_compiles"]) == (runs + 1, compiles + 1)


def test_key_covers_the_ir_target_pipeline_and_machine():
    version = CpuTarget().version()
    assert version == llvm_machine.versions()  # LLVM and the host CPU
    key = cache_key(PROGRAM, "cpu", "lower-to-cpu", version)
    assert key == cache_key(PROGRAM, "cpu", "lower-to-cpu", version)
    assert key != cache_key(PROGRAM.replace("3x5", "3x6"), "cpu", "lower-to-cpu", version)
    assert key != cache_key(PROGRAM, "cpu", "convert-loops-to-llvm", version)
    assert key != cache_key(PROGRAM, "numpy", "lower-to-cpu", version)
    assert key != cache_key(PROGRAM, "cpu", "lower-to-cpu", "llvmlite 0; another cpu")


def test_a_parsed_module_is_compiled_and_left_alone(cache_dir):
    module, _ = parse_module(make_context(), PROGRAM, "t")
    before = str(module)
    runs = STATS["pipeline_runs"]
    check(compile(module))
    assert str(module) == before
    check(compile(module))
    assert STATS["pipeline_runs"] == runs + 1


OTHER = PROGRAM.replace('"sum"', '"max"')  # same signature, another result


def _entry(cache_dir):
    (path,) = cache_dir.glob("*.entry")
    return path


def _damage(kind: str, data: bytes, other: bytes) -> bytes:
    header, _, obj = data.partition(b"\n")
    return {
        "empty": b"",
        "truncated": data[: len(data) // 2],
        "object truncated": header + b"\n" + obj[: len(obj) // 2],
        "random": bytes(np.random.default_rng(0).integers(0, 256, len(data), dtype=np.uint8)),
        "random object": header + b"\n" + bytes(len(obj)),
        "header not json": b"{not json\n" + obj,
        "another program's entry": other,
    }[kind]


@pytest.fixture(scope="module")
def other_entry(tmp_path_factory):
    """The disk entry of another program with the same signature."""
    directory = tmp_path_factory.mktemp("other")
    with pytest.MonkeyPatch.context() as m:
        m.setenv("STEPWELL_CACHE_DIR", str(directory))
        CACHE.clear_memory()
        compile(OTHER)
        CACHE.clear_memory()
    return _entry(directory).read_bytes()


DAMAGE = ["empty", "truncated", "object truncated", "random", "random object", "header not json", "another program's entry"]


@pytest.mark.parametrize("kind", DAMAGE)
def test_a_damaged_entry_is_rebuilt_and_rewritten(cache_dir, other_entry, kind):
    check(compile(PROGRAM))
    path = _entry(cache_dir)
    good = path.read_bytes()
    path.write_bytes(_damage(kind, good, other_entry))
    CACHE.clear_memory()
    runs = STATS["pipeline_runs"]
    check(compile(PROGRAM))
    assert STATS["pipeline_runs"] == runs + 1
    assert path.read_bytes() == good  # rewritten: the next process loads it
    CACHE.clear_memory()
    check(compile(PROGRAM))
    assert STATS["pipeline_runs"] == runs + 1


@pytest.mark.parametrize("kind", ["empty", "random object", "another program's entry"])
def test_a_damaged_entry_in_a_read_only_cache_is_never_loaded(cache_dir, other_entry, monkeypatch, kind):
    check(compile(PROGRAM))
    path = _entry(cache_dir)
    path.write_bytes(_damage(kind, path.read_bytes(), other_entry))

    def read_only(path, data):
        raise PermissionError(30, "Read-only file system", str(path))

    monkeypatch.setattr(cache_module, "_write_atomic", read_only)
    for _ in range(2):  # every process compiles again, and never crashes
        CACHE.clear_memory()
        runs = STATS["pipeline_runs"]
        check(compile(PROGRAM))
        assert STATS["pipeline_runs"] == runs + 1


def test_entries_are_fsynced_before_they_are_renamed(cache_dir, monkeypatch):
    events = []
    real_fsync, real_replace = cache_module.os.fsync, cache_module.os.replace
    monkeypatch.setattr(cache_module.os, "fsync", lambda fd: (events.append("fsync"), real_fsync(fd)))
    monkeypatch.setattr(cache_module.os, "replace", lambda a, b: (events.append("rename"), real_replace(a, b)))
    check(compile(PROGRAM))
    assert events[:2] == ["fsync", "rename"]
    assert not [p for p in cache_dir.iterdir() if p.name.startswith(".tmp-")]


def test_an_unwritable_cache_directory_is_not_fatal(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("STEPWELL_CACHE_DIR", str(blocker / "cache"))  # cannot be created
    CACHE.clear_memory()
    try:
        check(compile(PROGRAM))
        check(compile(PROGRAM))
    finally:
        CACHE.clear_memory()
