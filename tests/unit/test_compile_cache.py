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
    assert entries == [".json", ".o"]

    check(compile(PROGRAM))  # memory
    CACHE.clear_memory()
    check(compile(PROGRAM))  # disk: the object code is loaded, nothing is compiled
    assert (STATS["pipeline_runs"], STATS["llvm_compiles"]) == (runs + 1, compiles + 1)


def test_key_covers_the_ir_target_pipeline_and_machine(monkeypatch):
    key = cache_key(PROGRAM, "cpu", "lower-to-cpu")
    assert key == cache_key(PROGRAM, "cpu", "lower-to-cpu")
    assert key != cache_key(PROGRAM.replace("3x5", "3x6"), "cpu", "lower-to-cpu")
    assert key != cache_key(PROGRAM, "cpu", "convert-loops-to-llvm")
    monkeypatch.setattr(cache_module.llvm_target, "versions", lambda: "llvmlite 0; another cpu")
    assert key != cache_key(PROGRAM, "cpu", "lower-to-cpu")


def test_a_parsed_module_is_compiled_and_left_alone(cache_dir):
    module, _ = parse_module(make_context(), PROGRAM, "t")
    before = str(module)
    runs = STATS["pipeline_runs"]
    check(compile(module))
    assert str(module) == before
    check(compile(module))
    assert STATS["pipeline_runs"] == runs + 1


def test_bad_disk_entries_are_recompiled(cache_dir):
    check(compile(PROGRAM))
    for path in cache_dir.iterdir():
        if path.suffix == ".json":
            path.write_text("{not json")
    CACHE.clear_memory()
    runs = STATS["pipeline_runs"]
    check(compile(PROGRAM))
    assert STATS["pipeline_runs"] == runs + 1


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
