"""Real models through two doors, against eager PyTorch: (b) torch.compile with the
stepwell backend, (c) the same model written with stepwell.jit (the ONNX door, (a), has
its own tests in test_onnx_models.py). CPU here; the GPU targets on a CUDA GPU (marked gpu)."""

import numpy as np
import pytest
import torch

import stepwell
from stepwell import tg
from tests.unit._torch_frontend import GPU_TARGETS, TOLERANCE, use_stepwell_backend
from tests.unit._torch_frontend import models as _models


def _via_torch_compile(name: str, target: str, device: str) -> None:
    model, x = _models()[name]
    model, x = model.to(device), x.to(device)
    with torch.no_grad():
        expected = model(x)
        compiled = torch.compile(model, backend=use_stepwell_backend(), options={"target": target}, dynamic=False)
        with pytestwarns_none():
            got = compiled(x)
    assert got.device == expected.device
    torch.testing.assert_close(got, expected, **TOLERANCE)


class pytestwarns_none:
    """No stepwell fallback warning: every op of these models is compiled."""

    def __enter__(self):
        import warnings

        self._catch = warnings.catch_warnings(record=True)
        self.seen = self._catch.__enter__()
        warnings.simplefilter("always")

    def __exit__(self, *exc):
        self._catch.__exit__(*exc)
        fallbacks = [str(w.message) for w in self.seen if issubclass(w.category, stepwell.frontends.torch.StepwellFallbackWarning)]
        assert not fallbacks, fallbacks


@pytest.mark.parametrize("name", ["decoder_block", "mlp"])
def test_torch_compile_cpu(name):
    _via_torch_compile(name, "cpu", "cpu")


@pytest.mark.parametrize("target", GPU_TARGETS)
@pytest.mark.parametrize("name", ["decoder_block", "mlp"])
def test_torch_compile_gpu(name, target):
    _via_torch_compile(name, target, "cuda")


# --- the same models with stepwell.jit ----------------------------------------------------


def decoder_block(idx, wte, wpe, ln1_w, ln1_b, w_qkv, b_qkv, w_proj, b_proj, ln2_w, ln2_b, w_fc, b_fc, w_out, b_out,
                  heads):  # fmt: skip
    batch, t = idx.shape
    dim = wte.shape[1]
    x = tg.gather(wte, idx, axis=0) + tg.slice(wpe, start=[0, 0], stop=[t, dim], step=[1, 1])
    qkv = tg.linear(tg.layer_norm(x, ln1_w, ln1_b, axis=-1, epsilon=1e-5), w_qkv, b_qkv)
    q, k, v = (
        tg.slice(qkv, start=[0, 0, i * dim], stop=[batch, t, (i + 1) * dim], step=[1, 1, 1])
        .reshape([batch, t, heads, dim // heads])
        .transpose([0, 2, 1, 3])
        for i in range(3)
    )
    y = tg.attention(q, k, v, scale=(dim // heads) ** -0.5, causal=True)
    x = x + tg.linear(y.transpose([0, 2, 1, 3]).reshape([batch, t, dim]), w_proj, b_proj)
    h = tg.gelu(tg.linear(tg.layer_norm(x, ln2_w, ln2_b, axis=-1, epsilon=1e-5), w_fc, b_fc), approximate="none")
    return x + tg.linear(h, w_out, b_out)


def mlp(x, *weights):
    for i in range(0, len(weights), 2):
        x = tg.linear(x, weights[i], weights[i + 1])
        x = tg.relu(x) if i + 2 < len(weights) else x.tanh()
    return x


def _weights(model) -> list[np.ndarray]:
    return [p.detach().numpy() for p in model.parameters()]


def _via_jit(name: str, target: str) -> None:
    model, x = _models()[name]
    with torch.no_grad():
        expected = model(x).numpy()
    if name == "decoder_block":
        fn = stepwell.jit(decoder_block, target=target)
        w = {k: v.detach().numpy() for k, v in model.named_parameters()}
        names = ["wte.weight", "wpe", "ln1.weight", "ln1.bias", "qkv.weight", "qkv.bias", "proj.weight", "proj.bias",
                 "ln2.weight", "ln2.bias", "fc.weight", "fc.bias", "out.weight", "out.bias"]  # fmt: skip
        got = fn(x.numpy(), *(w[n] for n in names), model.heads)
    else:
        got = stepwell.jit(mlp, target=target)(x.numpy(), *_weights(model))
    got = got.cpu().numpy() if isinstance(got, torch.Tensor) else got
    np.testing.assert_allclose(got, expected, **TOLERANCE)


@pytest.mark.parametrize("name", ["decoder_block", "mlp"])
def test_jit_cpu(name):
    _via_jit(name, "cpu")


@pytest.mark.parametrize("target", GPU_TARGETS)
@pytest.mark.parametrize("name", ["decoder_block", "mlp"])
def test_jit_gpu(name, target):
    _via_jit(name, target)


@pytest.mark.parametrize("name", ["decoder_block", "mlp"])
def test_both_doors_on_triton_in_its_interpreter(name):
    """The Triton target without a GPU (CPU tensors through Triton's interpreter). The
    decoder block's output projection reads its heads at `r0 floordiv d, r0 mod d`
    along K: once refused by the Triton path (regression)."""
    _via_torch_compile(name, "triton", "cpu")
    _via_jit(name, "triton")
