"""Writes the small ONNX models of the stepwell-import-onnx FileCheck tests.

    python models.py NAME OUT.onnx
"""

import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

F = TensorProto.FLOAT


def model(nodes, inputs, outputs, initializers=(), opset=18):
    graph = helper.make_graph(nodes, "g", inputs, outputs, list(initializers))
    return helper.make_model(graph, opset_imports=[helper.make_operatorsetid("", opset)])


def value(name, elem, shape):
    return helper.make_tensor_value_info(name, elem, shape)


def init(name, array):
    return numpy_helper.from_array(np.asarray(array), name)


def mlp():
    """x [2, 4] -> Gemm (w1 [8, 4], transB) -> Relu -> MatMul (w2 [8, 3]) -> Softmax."""
    rng = np.random.default_rng(0)
    return model(
        [
            helper.make_node("Gemm", ["x", "w1", "b1"], ["h"], name="fc1", transB=1),
            helper.make_node("Relu", ["h"], ["a"], name="act"),
            helper.make_node("MatMul", ["a", "w2"], ["logits"], name="fc2"),
            helper.make_node("Softmax", ["logits"], ["y"], name="probs"),
        ],
        [value("x", F, [2, 4])],
        [value("y", F, [2, 3])],
        [init("w1", rng.random((8, 4), np.float32)), init("b1", np.zeros(8, np.float32)),
         init("w2", rng.random((8, 3), np.float32))],
    )


def shapes():
    """Reshape by a shape computed from Shape nodes, reduce over axes given as an input."""
    return model(
        [
            helper.make_node("Shape", ["x"], ["s"]),
            helper.make_node("Gather", ["s", "zero"], ["n"], axis=0),
            helper.make_node("Unsqueeze", ["n", "zero"], ["n1"]),
            helper.make_node("Concat", ["n1", "minus_one"], ["target"], axis=0),
            helper.make_node("Reshape", ["x", "target"], ["flat"]),
            helper.make_node("ReduceMean", ["flat", "axes"], ["y"], keepdims=0),
        ],
        [value("x", F, [2, 3, 4])],
        [value("y", F, [2])],
        [init("zero", np.array(0, np.int64)), init("minus_one", np.array([-1], np.int64)),
         init("axes", np.array([1], np.int64))],
    )


def big():
    """x [2, 512] -> MatMul (w [512, 1024]: 2 MiB) -> Add (b [1024], random) -> Mul
    (scale [1024], all 0.5: a splat) -> Add (tiny [4] broadcast over [256, 4] pairs)."""
    rng = np.random.default_rng(0)
    return model(
        [
            helper.make_node("MatMul", ["x", "fc.weight"], ["h"], name="fc"),
            helper.make_node("Add", ["h", "fc.bias"], ["hb"], name="bias"),
            helper.make_node("Mul", ["hb", "scale"], ["hs"], name="scaled"),
            helper.make_node("Reshape", ["hs", "pairs"], ["hp"], name="split"),
            helper.make_node("Add", ["hp", "tiny"], ["y"], name="shift"),
        ],
        [value("x", F, [2, 512])],
        [value("y", F, [2, 256, 4])],
        [init("fc.weight", rng.standard_normal((512, 1024), np.float32)),
         init("fc.bias", rng.standard_normal(1024, np.float32)),
         init("scale", np.full(1024, 0.5, np.float32)),
         init("pairs", np.array([2, 256, 4], np.int64)),
         init("tiny", np.array([1, 2, 3, 4], np.float32))],
    )


def unsupported_op():
    return model(
        [helper.make_node("Relu", ["x"], ["r"], name="first"),
         helper.make_node("Conv", ["r", "w"], ["y"], name="conv1")],
        [value("x", F, [1, 1, 4, 4])],
        [value("y", F, [1, 1, 2, 2])],
        [init("w", np.ones((1, 1, 3, 3), np.float32))],
    )


def unsupported_dtype():
    return model(
        [helper.make_node("Cast", ["x"], ["y"], name="to_u8", to=TensorProto.UINT8)],
        [value("x", F, [4])],
        [value("y", TensorProto.UINT8, [4])],
    )


def dynamic_dim():
    return model(
        [helper.make_node("Relu", ["x"], ["y"])],
        [value("x", F, ["batch", 4])],
        [value("y", F, ["batch", 4])],
    )


def not_constant():
    return model(
        [helper.make_node("Reshape", ["x", "shape"], ["y"], name="flatten")],
        [value("x", F, [2, 3]), value("shape", TensorProto.INT64, [1])],
        [value("y", F, [6])],
    )


MODELS = {f.__name__.replace("_", "-"): f for f in
          (mlp, shapes, big, unsupported_op, unsupported_dtype, dynamic_dim, not_constant)}

if __name__ == "__main__":
    name, out = sys.argv[1:]
    onnx.save(MODELS[name](), out)
