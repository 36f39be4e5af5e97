"""Targets plug into `stepwell.compile` and `stepwell-run` through the registry
(issue 7 point 10): a toy target registered by a plugin file compiles, runs and is
cached through `compile` with no line of the compiler knowing it; the cache key holds
the target; an unregistered target is refused by name, listing those there are."""

from __future__ import annotations

import numpy as np
import pytest

from stepwell import registry
from stepwell.compiler import STATS, CompileError, TargetUnavailable, compile
from stepwell.plugins import load_plugin
from stepwell.runtime.cache import CACHE
from stepwell.tools import run

# A plugin file: a "numpy" target whose pipeline is empty, whose artifact is the
# module's text and whose functions run on the reference interpreter.
TOY = '''
import numpy as np
from xdsl.dialects.func import FuncOp

import stepwell.reference
from stepwell.ir.parse import parse_module
from stepwell.registry import make_context, register_target
from stepwell.targets import Artifact, Target


class NumpyTarget(Target):
    name = "numpy"
    pipeline = ""
    builds = 0

    def version(self):
        return "numpy " + np.__version__

    def build(self, module):
        NumpyTarget.builds += 1
        return Artifact(str(module).encode(), metadata="text")

    def load(self, artifact):
        assert artifact.metadata == "text"
        module, _ = parse_module(make_context(), artifact.data.decode(), "<numpy>")
        return module

    def functions(self, module):
        return [op.sym_name.data for op in module.walk() if isinstance(op, FuncOp)]

    def function(self, module, name):
        return lambda *arrays: stepwell.reference.run(module, name, *arrays)


register_target(NumpyTarget())
'''

PROGRAM = """
func.func @f(%x: tensor<3x5xf32>) -> tensor<3xf32> {
  %y = tensor_graph.reduce %x {kind = "sum", dims = [1], keepdim = false} : tensor<3x5xf32> -> tensor<3xf32>
  func.return %y : tensor<3xf32>
}
"""

X = np.arange(15, dtype=np.float32).reshape(3, 5)


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("STEPWELL_CACHE_DIR", str(tmp_path / "cache"))
    CACHE.clear_memory()
    yield tmp_path / "cache"
    CACHE.clear_memory()


@pytest.fixture
def toy(tmp_path, monkeypatch):
    """The toy plugin's file, loaded; the registry is restored afterwards."""
    registry.targets()  # the built-in targets first
    monkeypatch.setattr(registry, "_TARGETS", dict(registry._TARGETS))
    path = tmp_path / "numpy_target.py"
    path.write_text(TOY)
    return load_plugin(str(path)), str(path)


def test_a_registered_target_compiles_runs_and_is_cached(cache_dir, toy):
    plugin, _ = toy
    builds, hits = plugin.NumpyTarget.builds, STATS["cache_hits"]
    f = compile(PROGRAM, target="numpy")
    np.testing.assert_array_equal(f(X), X.sum(1))
    assert plugin.NumpyTarget.builds == builds + 1
    assert len(list(cache_dir.glob("*.entry"))) == 1

    np.testing.assert_array_equal(compile(PROGRAM, "@f", target="numpy")(X), X.sum(1))  # memory
    CACHE.clear_memory()
    np.testing.assert_array_equal(compile(PROGRAM, target="numpy")(X), X.sum(1))  # disk
    assert plugin.NumpyTarget.builds == builds + 1
    assert STATS["cache_hits"] == hits + 2


def test_the_cache_key_holds_the_target_and_its_version(cache_dir, toy, monkeypatch):
    plugin, _ = toy
    compile(PROGRAM, target="numpy")
    compile(PROGRAM, target="cpu")  # the same IR for another target: another entry
    assert len(list(cache_dir.glob("*.entry"))) == 2
    builds = plugin.NumpyTarget.builds
    monkeypatch.setattr(plugin.NumpyTarget, "version", lambda self: "numpy 0")
    np.testing.assert_array_equal(compile(PROGRAM, target="numpy")(X), X.sum(1))
    assert plugin.NumpyTarget.builds == builds + 1
    assert len(list(cache_dir.glob("*.entry"))) == 3


def test_entry_choice_is_the_compilers_for_every_target(cache_dir, toy):
    with pytest.raises(CompileError, match=r"no function @g \(functions: f\)"):
        compile(PROGRAM, "g", target="numpy")


def test_an_unregistered_target_is_refused_listing_the_registered_ones(toy, monkeypatch):
    monkeypatch.setattr("stepwell.compiler.PLANNED", ("metal",))  # a target the contract would name, not built
    with pytest.raises(TargetUnavailable, match=r"^target metal is not available yet \(registered targets: cpu, numpy, ptx, triton\)$"):
        compile(PROGRAM, target="metal")
    with pytest.raises(TargetUnavailable, match=r"^unknown target 'tpu' \(registered targets: cpu, numpy, ptx, triton\)$"):
        compile(PROGRAM, target="tpu")


def test_stepwell_run_uses_the_registry(cache_dir, toy, tmp_path, capsys):
    _, plugin_path = toy
    source, x, y = tmp_path / "in.mlir", tmp_path / "x.npy", tmp_path / "y.npy"
    source.write_text(PROGRAM)
    np.save(x, X)
    assert run.main([str(source), "--load-pass-plugin", plugin_path, "--target", "numpy", "--input", str(x), "--output", str(y)]) == 0
    np.testing.assert_array_equal(np.load(y), X.sum(1))
    assert run.main([str(source), "--target", "tpu", "--input", str(x)]) == 1
    assert capsys.readouterr().err == (
        "error: unknown target 'tpu' (registered targets: cpu, numpy, ptx, triton), or reference (the numpy interpreter)\n"
    )


def test_stepwell_run_says_why_a_target_cannot_run_here(cache_dir, tmp_path, capsys, monkeypatch):
    """A program that compiles for a GPU target but cannot run on this machine: the
    target's message, not an exception's class name (regression: "PtxUnavailable: ...")."""
    from stepwell.targets.ptx import runtime as ptx_runtime

    monkeypatch.setattr(ptx_runtime, "why_unavailable", lambda: "no CUDA GPU here (test)")
    source, x = tmp_path / "in.mlir", tmp_path / "x.npy"
    source.write_text(PROGRAM)
    np.save(x, X)
    assert run.main([str(source), "--target", "ptx", "--input", str(x)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: running @f on ptx failed: target ptx cannot run @f here: no CUDA GPU here (test)"), err
    assert "Unavailable" not in err and "Traceback" not in err, err
