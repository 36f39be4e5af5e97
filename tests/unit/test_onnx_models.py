"""Real models through the ONNX door, (a) of the model tests: the GPT-2-style decoder
block and the MLP of _torch_frontend.py exported from PyTorch to ONNX (the TorchScript
exporter, `dynamo=False`), imported with stepwell.frontends.onnx.load and compiled,
against eager PyTorch. CPU here; the GPU targets on a CUDA GPU (marked gpu)."""

import io
import warnings

import numpy as np
import pytest
import torch

pytest.importorskip("onnx")

import stepwell
from stepwell.frontends.onnx import OnnxImportError, load
from tests.unit._torch_frontend import GPU_TARGETS, TOLERANCE, models

EXPORTS = {
    "decoder_block": {},  # the exporter's default opset (20 with torch 2.9): Gelu, LayerNormalization
    # opset 13 spells the layer norms (ReduceMean, Sub, Pow, Sqrt, Div) and GELU (Erf) out;
    # without constant folding the causal mask's slices, casts and Not stay in the graph
    "decoder_block_opset13": {"opset_version": 13, "do_constant_folding": False},
    "mlp": {},
}


def export(model: torch.nn.Module, x: torch.Tensor, **options) -> bytes:
    buffer = io.BytesIO()
    # the TorchScript exporter is deprecated, and says so; its tracer notes that shapes become constants
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", torch.jit.TracerWarning)
        torch.onnx.export(model, (x,), buffer, dynamo=False, **options)
    return buffer.getvalue()


def _via_onnx(name: str, target: str) -> None:
    model, x = models()[name.removesuffix("_opset13")]
    with torch.no_grad():
        expected = model(x).numpy()
    module = load(export(model, x, **EXPORTS[name]))
    got = stepwell.compile(module, target=target)(x.numpy())
    got = got.cpu().numpy() if isinstance(got, torch.Tensor) else got
    np.testing.assert_allclose(got, expected, **TOLERANCE)


@pytest.mark.parametrize("name", list(EXPORTS))
def test_onnx_cpu(name):
    _via_onnx(name, "cpu")


@pytest.mark.parametrize("target", GPU_TARGETS)
@pytest.mark.parametrize("name", list(EXPORTS))
def test_onnx_gpu(name, target):
    _via_onnx(name, target)


@pytest.mark.parametrize("name", ["decoder_block", "mlp"])
def test_onnx_on_triton_in_its_interpreter(name):
    """The Triton target without a GPU (numpy in and out through Triton's interpreter)."""
    _via_onnx(name, "triton")


def test_unsupported_op_names_its_node():
    model, x = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.ReLU()), torch.randn(1, 3, 8, 8)
    with pytest.raises(OnnxImportError) as e:
        load(export(model, x))
    assert str(e.value) == "node 0 '/0/Conv' (Conv): this op type is not supported by stepwell's ONNX importer"


def test_dynamic_batch_names_its_input():
    model, x = models()["mlp"]
    onnx_model = export(model, x, input_names=["x"], dynamic_axes={"x": {0: "batch"}})
    with pytest.raises(OnnxImportError, match=r"^graph input 'x' has a dynamic dimension 'batch' \(dimension 0\); "):
        load(onnx_model)
