"""LLVM runs in a worker process with a time limit (STEPWELL_COMPILE_TIMEOUT, issue 6
point 10): past it a CompileError names the step and the limit, and the next compile
starts a new worker; LLVM's errors and crashes reach the caller as messages."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from stepwell.compiler import CompileError, compile
from stepwell.runtime import cpu
from stepwell.runtime.cache import CACHE
from stepwell.targets import llvm_machine

PROGRAM = """
func.func @f(%x: tensor<3x5xf32>) -> tensor<3x5xf32> {
  %y = tensor_graph.exp %x : tensor<3x5xf32>
  %z = tensor_graph.add %y, %x : tensor<3x5xf32>
  func.return %z : tensor<3x5xf32>
}
"""


@pytest.fixture(autouse=True)
def empty_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("STEPWELL_CACHE_DIR", str(tmp_path))
    CACHE.clear_memory()
    yield
    CACHE.clear_memory()


def test_past_the_limit_a_clear_error_then_the_next_compile_works(monkeypatch):
    cpu._executor()  # the runtime's thread pool exists: the worker must not be a fork of it
    monkeypatch.setenv("STEPWELL_COMPILE_TIMEOUT", "0.001")
    with pytest.raises(CompileError) as e:
        compile(PROGRAM)
    assert str(e.value) == (
        "LLVM O3 and code generation did not finish within 0.001 s "
        "(the limit; set STEPWELL_COMPILE_TIMEOUT to a number of seconds to change it, 0 for none)"
    )
    monkeypatch.setenv("STEPWELL_COMPILE_TIMEOUT", "0")  # no limit
    x = np.linspace(-2, 2, 15, dtype=np.float32).reshape(3, 5)
    np.testing.assert_allclose(compile(PROGRAM)(x), np.exp(x) + x, rtol=1e-6)


@pytest.mark.parametrize("raw, limit", [("", 300.0), ("2.5", 2.5), ("0", None), ("abc", 300.0), ("-1", 300.0), ("nan", 300.0)])
def test_time_limit_from_the_environment(monkeypatch, raw, limit):
    monkeypatch.setenv("STEPWELL_COMPILE_TIMEOUT", raw)
    llvm_machine._warn_once.cache_clear()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert llvm_machine.time_limit() == limit
        assert llvm_machine.time_limit() == limit
    bad = raw in ("abc", "-1", "nan")
    assert [str(w.message) for w in caught] == (
        [f"STEPWELL_COMPILE_TIMEOUT={raw!r} is not a number of seconds (0 = no limit); using 300"] if bad else []
    )


def test_llvm_errors_and_a_dead_worker_are_messages():
    with pytest.raises(RuntimeError, match="expected top-level entity"):
        llvm_machine.bounded("object", "this is not LLVM IR")
    assert llvm_machine.bounded("llvm", "define i32 @g() {\n  ret i32 7\n}\n").decode().count("ret i32 7") == 1
    worker = llvm_machine._worker
    assert worker is not None
    worker.process.kill()  # as if LLVM had crashed between two compiles
    worker.process.wait()
    assert llvm_machine.bounded("object", "define i32 @g() {\n  ret i32 7\n}\n").startswith(b"\x7fELF")
    assert llvm_machine._worker is not worker
