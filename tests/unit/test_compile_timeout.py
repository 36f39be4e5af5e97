"""LLVM runs in a worker process with a time limit (STEPWELL_COMPILE_TIMEOUT, issue 6
point 10): past it a CompileError names the step and the limit, and the next compile
starts a new worker; LLVM's errors and crashes reach the caller as messages."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from stepwell.compiler import CompileError, compile
from stepwell.reference import run
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
    cpu._POOL._start(2)  # the runtime's pool has threads: the worker must not be a fork of it
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


# Issue 6 point 10: LLVM's O3 never returned on these. A kernel of one outer point (here
# P = (), or only size-1 dims) used to keep its loop over [begin, end): once LLVM had
# fully unrolled the short inner loops, that loop's body was a long chain of values that
# do not depend on its index, and LLVM 22's loop vectorizer (vputils::
# isUniformAcrossVFsAndUFs, a walk of every operand path) takes exponential time on it.
ONE_POINT = {
    "log_softmax twice": """
func.func @f(%x: tensor<2xf32>) -> tensor<2xf32> {
  %a = tensor_graph.log_softmax %x {axis = 0} : tensor<2xf32>
  %b = tensor_graph.log_softmax %a {axis = 0} : tensor<2xf32>
  func.return %b : tensor<2xf32>
}
""",
    "gather, then log_softmax twice over a 2x1 column": """
func.func @f(%x: tensor<7xf32>, %i: tensor<2x1xi32>) -> tensor<2x1xf32> {
  %g = tensor_graph.gather %x, %i {axis = 0} : tensor<7xf32>, tensor<2x1xi32> -> tensor<2x1xf32>
  %a = tensor_graph.log_softmax %g {axis = 0} : tensor<2x1xf32>
  %b = tensor_graph.log_softmax %a {axis = 0} : tensor<2x1xf32>
  func.return %b : tensor<2x1xf32>
}
""",
}


@pytest.mark.parametrize("name", ONE_POINT)
def test_a_kernel_of_one_outer_point_compiles_within_the_limit(monkeypatch, name):
    monkeypatch.setenv("STEPWELL_COMPILE_TIMEOUT", "60")  # it compiles in well under a second
    source = ONE_POINT[name]
    x = np.linspace(-3, 4, 7, dtype=np.float32)
    args = [x[:2]] if name == "log_softmax twice" else [x, np.array([[5], [-1]], np.int32)]
    np.testing.assert_allclose(compile(source)(*args), run(source, None, *args), rtol=1e-6, atol=1e-6)
