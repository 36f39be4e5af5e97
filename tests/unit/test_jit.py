"""stepwell.jit and stepwell.trace: Python functions over the builder's tensor API."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

import stepwell
import stepwell.compiler
from stepwell import tg
from stepwell.frontends.python import TraceError
from tests.unit._torch_frontend import readme_python

THIS = Path(__file__).name


def softmax(x):
    e = (x - x.max(-1, keepdim=True)).exp()
    return e / e.sum(-1, keepdim=True)


def _softmax(x):
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def test_jit_compiles_once_per_shape_and_dtype(monkeypatch):
    compiles = []
    real = stepwell.compiler.compile
    monkeypatch.setattr(stepwell.compiler, "compile", lambda *a, **k: compiles.append(a) or real(*a, **k))
    fn = stepwell.jit(softmax)
    rng = np.random.default_rng(0)
    for shape, dtype in [((4, 8), np.float32), ((4, 8), np.float32), ((2, 3), np.float32), ((4, 8), np.float64)]:
        x = rng.standard_normal(shape).astype(dtype)
        got = fn(x)
        assert got.dtype == dtype
        np.testing.assert_allclose(got, _softmax(x), rtol=1e-5)
    assert len(compiles) == 3 and len(fn.compiled) == 3


def test_jit_as_a_decorator_with_options_and_static_arguments():
    @stepwell.jit(target="cpu")
    def scaled(x, factor, axis):
        return x.sum(axis) * factor

    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    np.testing.assert_array_equal(scaled(x, 2.0, 0), x.sum(0) * 2)
    np.testing.assert_array_equal(scaled(x, 2.0, 1), x.sum(1) * 2)
    assert len(scaled.compiled) == 2
    np.testing.assert_array_equal(scaled(torch.ones(2, 3), 1.0, 1), np.full(2, 3.0))  # torch CPU tensors too


def test_tg_has_every_op_of_the_spec():
    from stepwell.dialects.tensor_graph import ops

    names = {op.name.removeprefix("tensor_graph.") for op in ops.ALL_OPS}
    assert names - {"constant"} <= set(tg.OPS)
    assert getattr(tg, "and") is tg.logical_and
    with pytest.raises(AttributeError, match="tg has no op 'cumsum'"):
        tg.cumsum  # noqa: B018

    def fn(x, i, m):
        a = tg.where(tg.logical_and(x > 0, m), x, 0.0)
        smallest = tg.reduce(x, kind="min", dims=[0], keepdim=False)
        return a, tg.gather(x, i, axis=1), tg.cast(x >= 0.5, "i32"), tg.iota(x, [3], 0, "f32"), tg.broadcast_to(smallest, [2, 3])

    x = np.array([[0.5, -1.0, 2.0], [-0.5, 1.0, 0.25]], np.float32)
    i = np.array([2, 0], np.int64)
    m = np.array([[True, True, False], [True, True, True]])
    a, g, c, io, bc = stepwell.jit(fn)(x, i, m)
    np.testing.assert_array_equal(a, np.where((x > 0) & m, x, 0))
    np.testing.assert_array_equal(g, x[:, i])
    np.testing.assert_array_equal(c, (x >= 0.5).astype(np.int32))
    np.testing.assert_array_equal(io, np.arange(3, dtype=np.float32))
    np.testing.assert_array_equal(bc, np.broadcast_to(x.min(0), (2, 3)))


def test_trace_gives_a_module_that_stepwell_opt_takes(tmp_path):
    module = stepwell.trace(softmax, ((4, 8), "f32"))
    path = tmp_path / "softmax.mlir"
    path.write_text(str(module))
    opt = Path(sys.executable).parent / "stepwell-opt"
    done = subprocess.run([opt, path, "-p", "canonicalize"], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "func.func @softmax(%0: tensor<4x8xf32>) -> tensor<4x8xf32>" in done.stdout
    x = np.random.default_rng(1).standard_normal((4, 8)).astype(np.float32)
    np.testing.assert_allclose(stepwell.reference.run(str(module), "softmax", x), _softmax(x), rtol=1e-6)


def test_specs_are_arrays_or_shape_and_dtype():
    for spec in (np.zeros((2, 3), np.float16), torch.zeros(2, 3, dtype=torch.float16), ((2, 3), "f16"),
                 ((2, 3), "float16"), ((2, 3), np.float16), ((2, 3), torch.float16)):  # fmt: skip
        assert "tensor<2x3xf16>" in str(stepwell.trace(lambda x: -x, spec))
    assert "tensor<3xbf16>" in str(stepwell.trace(lambda x: -x, ((3,), torch.bfloat16)))


# --- errors: where, and what ---------------------------------------------------------------


def _line(fn, text):
    """FILE:LINE of the line of fn holding text."""
    import inspect

    lines, start = inspect.getsourcelines(fn)
    return f"{THIS}:{start + next(i for i, line in enumerate(lines) if text in line)}"


def branches(x):
    if x.sum([]) > 0:
        return x
    return -x


def calls_numpy(x):
    return np.exp(x)


def unknown_method(x):
    return x.cumsum(0)


def mismatched(x):
    return x @ x


def loops(x):
    return sum(row for row in x)


@pytest.mark.parametrize(
    "fn, text, message",
    [
        (branches, "if x.sum", "has no truth value: Python `if`/`while`/`and`/`or` cannot depend on tensor contents"),
        (calls_numpy, "np.exp", "numpy functions do not take traced tensors: use the tensor's methods (x.exp()) or stepwell.tg"),
        (unknown_method, "cumsum", "a traced tensor has no attribute 'cumsum' (see stepwell.tg for every op)"),
        (mismatched, "x @ x", "contracted dimensions differ: lhs [4, 8] has 8, rhs [4, 8] has 4"),
        (loops, "for row", "cannot be iterated over in Python"),
    ],
    ids=lambda v: v.__name__ if callable(v) else None,
)
def test_unsupported_constructs_name_the_line(fn, text, message):
    with pytest.raises(TraceError) as caught:
        stepwell.trace(fn, ((4, 8), "f32"))
    where, _, what = str(caught.value).partition(": ")
    assert where.endswith(_line(fn, text)), str(caught.value)
    assert message in what


@pytest.mark.parametrize(
    "fn, specs, message",
    [
        (lambda x: 3, [((2,), "f32")], "<lambda> returned int; a traced function returns tensors or a tuple of them"),
        (lambda x: -x, [((2,), "u8")], "argument 0: no tensor_graph element type for 'u8'"),
        (lambda x: -x, [np.zeros(2, np.uint16)], "argument 0: no tensor_graph element type for dtype('uint16')"),
        (lambda x: getattr(tg, "and")(x, x), [((2,), "f32")], "'tensor_graph.and' op operand 'lhs' has element type f32, expected i1"),
    ],
)
def test_bad_specs_and_results_are_clear(fn, specs, message):
    with pytest.raises(TraceError) as caught:
        stepwell.trace(fn, *specs)
    assert message in str(caught.value)


def test_non_array_arguments_must_be_hashable():
    fn = stepwell.jit(lambda x, dims: x.sum(dims))
    with pytest.raises(TraceError, match="arguments that are not arrays must be hashable"):
        fn(np.ones((2, 2), np.float32), [0])
    np.testing.assert_array_equal(fn(np.ones((2, 2), np.float32), (0,)), [2.0, 2.0])


def test_the_readme_example_runs(capsys):
    (block,) = readme_python("From Python: `stepwell.jit` and `stepwell.trace`")
    scope = {}
    exec(block, scope)
    assert "tensor_graph.attention" in capsys.readouterr().out
    x, w, b = scope["x"], scope["w"], scope["b"]
    q, k, v = (x @ w.T + b).reshape(8, 3, 4, 8).transpose(1, 2, 0, 3)
    s = np.where(np.tri(8, dtype=bool), q @ k.transpose(0, 2, 1) / np.sqrt(8), -np.inf)
    p = np.exp(s - s.max(-1, keepdims=True))
    expected = ((p / p.sum(-1, keepdims=True)) @ v).transpose(1, 0, 2).reshape(8, 32) + x
    np.testing.assert_allclose(scope["y"], expected, rtol=1e-4, atol=1e-5)
