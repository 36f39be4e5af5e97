"""stepwell.frontends.onnx: the API, the errors (node-named, never a traceback) and
stepwell-import-onnx (the FileCheck tests in tests/filecheck/onnx check its output)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
from onnx import TensorProto, helper, numpy_helper
from onnx.reference import ReferenceEvaluator

import stepwell
import stepwell.reference
from stepwell.frontends.onnx import OnnxImportError, load

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "filecheck" / "onnx" / "Inputs"))
import models


def test_mlp_matches_onnx_reference_on_cpu(tmp_path):
    model = models.mlp()
    path = tmp_path / "mlp.onnx"
    onnx.save(model, path)
    x = np.random.default_rng(1).standard_normal((2, 4)).astype(np.float32)
    want = ReferenceEvaluator(model).run(None, {"x": x})[0]
    module = load(path)  # a path, or the ModelProto itself
    np.testing.assert_allclose(stepwell.reference.run(module, "main", x), want, rtol=1e-5)
    np.testing.assert_allclose(stepwell.compile(load(model), target="cpu")(x), want, rtol=1e-5)


def test_constants_bind_graph_inputs():
    module = load(models.not_constant(), constants={"shape": np.array([6])})
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    np.testing.assert_array_equal(stepwell.reference.run(module, "main", x), x.reshape(6))
    with pytest.raises(OnnxImportError, match="constants names no graph input: nope"):
        load(models.not_constant(), constants={"nope": np.array([6])})


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (models.unsupported_op, r"^node 1 'conv1' \(Conv\): this op type is not supported"),
        (models.unsupported_dtype, r"^node 0 'to_u8' \(Cast\): output 'y' has element type UINT8"),
        (models.dynamic_dim, r"^graph input 'x' has a dynamic dimension 'batch' \(dimension 0\)"),
        (models.not_constant, r"^node 0 'flatten' \(Reshape\): input 1 \(shape\) must be known"),
    ],
)
def test_errors_name_the_node(build, message):
    with pytest.raises(OnnxImportError, match=message):
        load(build())


def test_unnamed_node_is_named_by_index_and_verifier_errors_are_node_errors():
    # ReduceMean of integers: ONNX allows it, tensor_graph's verifier does not
    model = models.model(
        [helper.make_node("Neg", ["x"], ["n"]), helper.make_node("ReduceMean", ["n"], ["y"], keepdims=0)],
        [models.value("x", TensorProto.INT32, [3])],
        [models.value("y", TensorProto.INT32, [])],
    )
    with pytest.raises(OnnxImportError, match=r"^node 1 \(ReduceMean\): mean needs a float element type, got i32$"):
        load(model)


def test_old_opset_and_bad_file(tmp_path):
    with pytest.raises(OnnxImportError, match="uses opset 12; stepwell imports opsets 13 to"):
        load(models.model([helper.make_node("Relu", ["x"], ["y"])],
                          [models.value("x", TensorProto.FLOAT, [2])],
                          [models.value("y", TensorProto.FLOAT, [2])], opset=12))
    bad = tmp_path / "bad.onnx"
    bad.write_bytes(b"not a model")
    with pytest.raises(OnnxImportError, match="is not an ONNX model"):
        load(bad)


def test_initializers_keep_their_bits():
    w = np.array([[-0.0, np.inf], [np.nan, 1e-45]], np.float32)
    model = models.model(
        [helper.make_node("Add", ["x", "w"], ["y"])],
        [models.value("x", TensorProto.FLOAT, [2, 2])],
        [models.value("y", TensorProto.FLOAT, [2, 2])],
        [numpy_helper.from_array(w, "w")],
    )
    y = stepwell.reference.run(load(model), "main", np.zeros((2, 2), np.float32))
    np.testing.assert_array_equal(y, w + 0)


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "stepwell.frontends.onnx", *args], capture_output=True, text=True, check=False)


def test_cli_writes_ir_and_fails_cleanly(tmp_path):
    good, bad, out = tmp_path / "m.onnx", tmp_path / "conv.onnx", tmp_path / "out.mlir"
    onnx.save(models.mlp(), good)
    onnx.save(models.unsupported_op(), bad)
    ok = _cli(str(good), "-o", str(out))
    assert ok.returncode == 0 and ok.stdout == "" and "tensor_graph.softmax" in out.read_text()
    failed = _cli(str(bad), "-o", str(tmp_path / "never.mlir"))
    assert failed.returncode == 1
    assert failed.stderr == f"error: {bad}: node 1 'conv1' (Conv): this op type is not supported by stepwell's ONNX importer\n"
    assert not (tmp_path / "never.mlir").exists()


def test_readme_example_runs(tmp_path):
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = readme[readme.index("## Importing ONNX models") :]
    code = section[section.index("```python\n") + 10 : section.index("```", section.index("```python\n") + 10)]
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    assert float(out.stdout) < 1e-5
