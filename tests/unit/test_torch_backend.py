"""torch.compile(backend="stepwell"): registration, the ATen translations against eager
PyTorch, and the fallbacks (an unsupported op mid-graph, a translation or compile that
fails, symbolic shapes, a backward graph): one warning, the right answer, no crash."""

import importlib.metadata
import tomllib
import warnings
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F
from torch._decomp import core_aten_decompositions
from torch.fx.experimental.proxy_tensor import make_fx
from torch.utils._pytree import tree_leaves

import stepwell.frontends.torch as stepwell_torch
from stepwell.frontends.torch import StepwellFallbackWarning, aten, dynamo
from tests.unit._torch_frontend import readme_python, use_stepwell_backend

ROOT = Path(__file__).resolve().parents[2]


def test_the_entry_point_is_declared_and_resolves():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    value = project["entry-points"]["torch_dynamo_backends"]["stepwell"]
    entry = importlib.metadata.EntryPoint("stepwell", value, "torch_dynamo_backends")
    assert entry.load() is stepwell_torch.backend


def _run(fn, *args, **compile_kwargs):
    """fn compiled by stepwell and fn in eager PyTorch, and the stepwell warnings."""
    torch._dynamo.reset()
    with torch.no_grad(), warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        compiled = torch.compile(fn, backend=use_stepwell_backend(), dynamic=False, **compile_kwargs)
        got = compiled(*args)
    expected = fn(*args)
    return got, expected, [str(w.message) for w in seen if issubclass(w.category, StepwellFallbackWarning)]


def _same(got, expected):
    torch.testing.assert_close(got, expected, rtol=1e-5, atol=1e-6, equal_nan=True)


# --- translations against eager, grouped so each group is one compile -------------------


def elementwise_and_promotion(x, i, b):
    return (
        x + i, x * 2 - i / 3, i // 1 + i, i / 2, i * 3 - 1, x.exp().log1p().sqrt(), torch.sigmoid(x), F.silu(x),
        F.relu(i), torch.maximum(x, i), torch.minimum(i, i * 2 - 1), x > i, i <= 2, x == 0.5, x.ne(i), torch.where(b, x, i),
        torch.where(x > 0, x, 0.0), ~b, ~i, b & (x > 0), b | b, b ^ (i > 0), torch.logical_not(x), x.abs().rsqrt(),
        torch.tanh(x) ** 2, x.pow(3), i.pow(2), torch.clamp(x, -0.5, 0.5), torch.clamp(i, max=1), F.hardtanh(x),
        x.floor(), x.ceil(), x.round(), x.sign(), i.sign(), x.erf(), torch.sin(x), torch.cos(x), x.reciprocal(),
        torch.exp2(x), torch.log2(x.abs() + 1), F.gelu(x, approximate="tanh"), x.to(torch.int32), i.to(torch.float16),
        b.to(torch.float32), x.to(torch.bool), torch.add(x, i, alpha=2),
    )  # fmt: skip


def reductions(x, i, b):
    return (
        x.sum(), x.sum(-1), i.sum(0), i.to(torch.int32).sum(1), b.sum(), x.mean(), x.mean((0, 1), keepdim=True),
        x.amax(-1), x.amin(0, keepdim=True), x.max(), i.min(), x.max(-1), x.min(0, keepdim=True), x.argmax(),
        x.argmin(-1), x.argmax(0, keepdim=True), x.var(-1), x.var(0, correction=0), x.std(-1), b.any(-1), b.all(),
        (x > 0).any(), x.prod(-1), F.softmax(x, -1), F.log_softmax(x, 0),
    )  # fmt: skip


def shapes(x, i, b):
    return (
        x.view(6, 4), x.reshape(-1), x.t(), x.transpose(0, 1).contiguous(), x.unsqueeze(1).expand(4, 3, 6),
        x[1:3, ::2], x[:, -2:], x[2], x[:, 1], torch.cat([x, x * 2], 1), torch.cat([x, i], 0),
        F.pad(x, (1, 2, 0, 1), value=-1.0), x.split(3, 0)[1], x.split([2, 4], 1)[0], torch.arange(5) * 2,
        torch.arange(1, 7, 2, dtype=torch.float32) * x[0, :3], torch.full((2, 3), 7.0), torch.zeros_like(x) + x,
        x.squeeze(), x[None].squeeze(0), torch.index_select(x, 1, torch.tensor([0, 3, 5])),
    )  # fmt: skip


def contractions(x, w, idx):
    batch = x.unsqueeze(0).expand(2, 4, 6)
    return (
        x @ w, torch.bmm(batch, w.expand(2, 6, 5)), F.linear(x, w.t(), w[0]), torch.addmm(w[0], x, w, beta=0.5, alpha=2),
        F.embedding(idx, w), F.layer_norm(x, (6,)), F.layer_norm(x, (4, 6), torch.ones(4, 6) * 2, None),
        batch @ w, torch.matmul(x, w),
    )  # fmt: skip


INPUTS = {
    "x": lambda: torch.randn(4, 6),
    "i": lambda: torch.randint(-3, 4, (4, 6)),
    "b": lambda: torch.rand(4, 6) > 0.5,
}


EAGER = {elementwise_and_promotion: "aten.div.Tensor_mode, aten.log1p.default"}  # no exact tensor_graph form


@pytest.mark.parametrize("group", [elementwise_and_promotion, reductions, shapes], ids=lambda g: g.__name__)
def test_translations_match_eager(group):
    torch.manual_seed(0)
    args = [INPUTS[k]() for k in ("x", "i", "b")]
    got, expected, fallbacks = _run(group, *args)
    assert [w.split(": ")[-1] for w in fallbacks] == ([EAGER[group]] if group in EAGER else []), fallbacks
    got, expected = tree_leaves(tuple(got)), tree_leaves(tuple(expected))
    for k, (g, e) in enumerate(zip(got, expected, strict=True)):
        assert g.dtype == e.dtype and g.shape == e.shape, (k, g, e)
        torch.testing.assert_close(g, e, rtol=1e-5, atol=1e-6, equal_nan=True, msg=lambda m, k=k: f"output {k}: {m}")


def test_contractions_match_eager():
    torch.manual_seed(0)
    got, expected, fallbacks = _run(contractions, torch.randn(4, 6), torch.randn(6, 5), torch.tensor([[1, 5], [0, 2]]))
    assert fallbacks == []
    for g, e in zip(got, expected):
        torch.testing.assert_close(g, e, rtol=1e-5, atol=1e-5)


def test_batch_norm_in_inference_mode():
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.BatchNorm2d(4), torch.nn.ReLU()).eval()
    model[1].running_mean.normal_()
    model[1].running_var.uniform_(0.5, 2)
    got, expected, fallbacks = _run(model, torch.randn(2, 3, 8, 8))
    assert len(fallbacks) == 1 and "aten.convolution.default" in fallbacks[0], fallbacks  # no conv op in the spec
    torch.testing.assert_close(got, expected, rtol=1e-5, atol=1e-5)


# --- fallbacks --------------------------------------------------------------------------


def _unsupported_mid_graph(x):
    return torch.cumsum(x.exp(), -1).tanh() * 2


def test_an_unsupported_op_mid_graph_runs_in_eager_with_one_warning():
    got, expected, fallbacks = _run(_unsupported_mid_graph, torch.randn(4, 8))
    _same(got, expected)
    assert len(fallbacks) == 1 and fallbacks[0].endswith("(no tensor_graph translation): aten.cumsum.default")


def _core_aten(fn, *args):
    return make_fx(fn, decomposition_table=core_aten_decompositions(), tracing_mode="fake")(*args)


def test_the_supported_parts_around_it_are_compiled():
    gm = _core_aten(_unsupported_mid_graph, torch.randn(4, 8))
    with pytest.warns(StepwellFallbackWarning, match="cumsum"):
        compiled = dynamo.compile_graph(gm, "cpu")
    kinds = [type(m).__name__ for m in compiled.children()]
    assert kinds == ["_Compiled", "_Compiled"], kinds
    assert [str(n.target) for n in compiled.graph.nodes if n.op == "call_function"] == ["aten.cumsum.default"]
    x = torch.randn(4, 8)
    _same(compiled(x), _unsupported_mid_graph(x))


def test_a_translation_with_the_wrong_type_is_refused_not_run(monkeypatch):
    """The guard behind "never a wrong answer": a translation whose result type is not
    torch's is not used (here a broken exp that computes in f64)."""
    monkeypatch.setitem(aten.TRANSLATIONS, torch.ops.aten.exp.default, lambda n, x: x.cast(aten.f64).exp())
    got, expected, fallbacks = _run(lambda x: x.exp() + 1, torch.randn(3))
    _same(got, expected)
    assert len(fallbacks) == 1 and "aten.exp.default" in fallbacks[0]


def test_a_subgraph_that_does_not_compile_runs_in_eager(monkeypatch):
    import stepwell

    def fail(*args, **kwargs):
        raise stepwell.compiler.CompileError("<compile>:1:1: error: no kernel for this")

    monkeypatch.setattr(stepwell, "compile", fail, raising=False)
    monkeypatch.setattr(stepwell.compiler, "compile", fail)
    got, expected, fallbacks = _run(lambda x: x.exp() + 1, torch.randn(3))
    _same(got, expected)
    assert len(fallbacks) == 1, fallbacks
    assert "aten.add.Tensor, aten.exp.default runs in eager PyTorch: <compile>:1:1: error: no kernel" in fallbacks[0]


def test_symbolic_shapes_run_in_eager_with_a_warning():
    torch._dynamo.reset()
    fn = torch.compile(lambda x: x * 2, backend=use_stepwell_backend(), dynamic=True)
    with pytest.warns(StepwellFallbackWarning, match="dynamic=False"):
        got = fn(torch.ones(5))
    _same(got, torch.full((5,), 2.0))


def test_static_shapes_compile_once_per_shape():
    torch._dynamo.reset()
    fn = torch.compile(lambda x: (x * 2).sum(-1), backend=use_stepwell_backend(), dynamic=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error", StepwellFallbackWarning)
        for n in (3, 5, 3):
            _same(fn(torch.ones(2, n)), torch.full((2,), 2.0 * n))


def test_the_backward_graph_runs_in_eager():
    torch.manual_seed(0)
    torch._dynamo.reset()
    model = torch.nn.Linear(4, 3)
    x = torch.randn(2, 4)
    compiled = torch.compile(model, backend=use_stepwell_backend(), dynamic=False)
    with pytest.warns(StepwellFallbackWarning, match="inference only"):
        compiled(x).tanh().sum().backward()
    got = model.weight.grad.clone()
    model.zero_grad()
    model(x).tanh().sum().backward()
    _same(got, model.weight.grad)


def test_options_are_checked():
    torch._dynamo.reset()
    for options, message in (({"target": "tpu"}, "target must be one of cpu, triton, ptx"),
                             ({"targte": "cpu"}, r"unknown option\(s\) \['targte'\]")):  # fmt: skip
        fn = torch.compile(lambda x: x + 1, backend=use_stepwell_backend(), options=options)
        with pytest.raises(Exception, match=message):
            fn(torch.ones(2))


def test_the_aten_coverage_page_is_up_to_date():
    from stepwell.frontends.torch import coverage

    page = (ROOT / coverage.PAGE).read_text()
    assert page == coverage.render(), f"run: python -m stepwell.frontends.torch.coverage > {coverage.PAGE}"


def test_the_readme_example_runs():
    use_stepwell_backend()
    (block,) = readme_python('From PyTorch: `torch.compile(backend="stepwell")`')
    torch._dynamo.reset()
    with warnings.catch_warnings():
        warnings.simplefilter("error", StepwellFallbackWarning)
        exec(block, {})
