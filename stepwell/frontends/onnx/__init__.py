"""Import ONNX models as `tensor_graph` (needs the `onnx` package: `pip install 'stepwell[onnx]'`).

    import stepwell.frontends.onnx as sw_onnx
    module = sw_onnx.load("model.onnx")          # or a ModelProto, or its bytes
    f = stepwell.compile(module, "main")

`stepwell-import-onnx model.onnx -o model.mlir` does the same from the command line.
The importer is importer.py (the graph walk, constants, errors); the ops it knows are
the table `OPS` of ops.py.
"""

from stepwell.frontends.onnx.importer import OLDEST_OPSET, OnnxImportError, load
from stepwell.frontends.onnx.ops import OPS

__all__ = ["OLDEST_OPSET", "OPS", "OnnxImportError", "load"]
