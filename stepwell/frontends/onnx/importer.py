"""The ONNX graph walk: values, constants, types and errors; the ops are in ops.py.

An ONNX model becomes one `func.func @main` whose arguments are the graph's inputs
(initializers excluded) and whose results are its outputs. Each node is translated by
its entry in `ops.OPS` into tensor_graph ops built with `GraphBuilder`; initializers
and `Constant` nodes become `tensor_graph.constant`s: `dense<...>` up to `INLINE_LIMIT`
bytes (or a splat), else `dense_resource<NAME>` (NAME: the initializer's or the node
output's), whose bytes print once, as hex, in the text's `{-# dialect_resources #-}`
section, so a model's weights never print as literals. Inputs that ONNX passes as tensors
but tensor_graph takes as properties (a Reshape's shape, a Slice's starts, a reduction's
axes) must be known at import time: the importer knows the value of every constant,
and of every op whose operands it knows (evaluated by the reference interpreter), so
a shape computed from `Shape` nodes is known too (shapes are static). Ops left without
a use by that (the shape arithmetic) are removed at the end.

Every failure is an `OnnxImportError` whose message names the node (its index in the
graph, its name when it has one, its op type) and what is missing; nothing is returned
half-imported.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from typing import Any

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from xdsl.builder import Builder
from xdsl.dialects import func
from xdsl.dialects.builtin import IntegerType, ModuleOp, TensorType
from xdsl.ir import Attribute, Block, Region, SSAValue
from xdsl.rewriter import InsertPoint
from xdsl.transforms.dead_code_elimination import region_dce
from xdsl.utils.exceptions import VerifyException

from stepwell.dialects.tensor_graph import ops as tg
from stepwell.dialects.tensor_graph.builder import GraphBuilder, Value
from stepwell.dialects.tensor_graph.constants import to_attr, to_numpy
from stepwell.dialects.tensor_graph.types import (
    bf16,
    f16,
    f32,
    f64,
    i1,
    shape_of,
    tensor,
)
from stepwell.dtypes import numpy_dtype
from stepwell.reference import evaluate_op

OLDEST_OPSET = 13
"""The oldest default-domain opset imported (the issue's "opsets 13 to the newest")."""

ELEMENT_TYPES: dict[int, Attribute] = {
    TensorProto.FLOAT: f32,
    TensorProto.FLOAT16: f16,
    TensorProto.BFLOAT16: bf16,
    TensorProto.DOUBLE: f64,
    TensorProto.BOOL: i1,
    TensorProto.INT8: IntegerType(8),
    TensorProto.INT32: IntegerType(32),
    TensorProto.INT64: IntegerType(64),
}
"""ONNX element types and the tensor_graph element types that hold them."""

INLINE_LIMIT = 1024
"""Constants of at most this many bytes are `dense<...>` in the IR, bigger ones
`dense_resource` blobs (the `inline_limit` of `load`)."""

KNOWN_LIMIT = 1 << 16
"""Values computed at import time (for inputs that must be constant) up to this many
elements; bigger ones (a weight transposed, say) are left to run time."""


class OnnxImportError(Exception):
    """The model cannot be imported; the message says which node and why."""


class ImporterBug(OnnxImportError):
    """The importer and ONNX's shape inference disagree: a bug here, not in the model."""


class NotKnown(OnnxImportError):
    """An input that must be known at import time is not; `name` is the ONNX value
    (a graph input can be bound with `load(..., constants={name: array})`)."""

    def __init__(self, message: str, name: str):
        super().__init__(message)
        self.name = name


def type_name(elem_type: int) -> str:
    try:
        return TensorProto.DataType.Name(elem_type)
    except ValueError:
        return f"element type {elem_type}"


def supported_type_names() -> str:
    return ", ".join(type_name(t) for t in ELEMENT_TYPES)


def element_type(elem_type: int, what: str) -> Attribute:
    if elem_type not in ELEMENT_TYPES:
        raise OnnxImportError(
            f"{what} has element type {type_name(elem_type)}, which stepwell does not "
            f"support (supported: {supported_type_names()})"
        )
    return ELEMENT_TYPES[elem_type]


def onnx_type_of(element: Attribute) -> int:
    return next(k for k, v in ELEMENT_TYPES.items() if v == element)


def _static_type(value_info: onnx.ValueInfoProto, what: str) -> TensorType:
    """The tensor type of a graph input, which must be a tensor of static shape."""
    kind = value_info.type.WhichOneof("value")
    if kind != "tensor_type":
        raise OnnxImportError(f"{what} is a {kind or 'value of unknown type'}, not a tensor")
    t = value_info.type.tensor_type
    elt = element_type(t.elem_type, what)
    if not t.HasField("shape"):
        raise OnnxImportError(f"{what} has no shape (unknown rank); stepwell needs static shapes")
    dims = []
    for i, d in enumerate(t.shape.dim):
        if not d.HasField("dim_value"):
            name = f" '{d.dim_param}'" if d.dim_param else ""
            raise OnnxImportError(
                f"{what} has a dynamic dimension{name} (dimension {i}); stepwell needs "
                f"static shapes: give the model fixed input shapes"
            )
        dims.append(d.dim_value)
    return tensor(dims, elt)


def _hint(name: str) -> str | None:
    """An ONNX name as an SSA name hint, when it can be one."""
    cleaned = "".join(c if c.isalnum() or c in "_." else "_" for c in name).strip("_.")
    if not cleaned or cleaned[0].isdigit():
        return None
    return cleaned if SSAValue.is_valid_name(cleaned) else None


class Node:
    """One ONNX node during its translation: its inputs as Values, its attributes with
    ONNX's defaults, its constant inputs as arrays, and errors that name it."""

    def __init__(self, importer: Importer, proto: onnx.NodeProto, index: int):
        self.importer, self.proto, self.index = importer, proto, index
        self.b = importer.b
        self.opset = importer.opset
        self.inputs: list[Value | None] = [importer.lookup(n, self) if n else None for n in proto.input]
        self.attrs = {a.name: helper.get_attribute_value(a) for a in proto.attribute}

    @property
    def label(self) -> str:
        name = f" '{self.proto.name}'" if self.proto.name else ""
        return f"node {self.index}{name} ({self.proto.op_type})"

    def fail(self, message: str) -> OnnxImportError:
        return OnnxImportError(f"{self.label}: {message}")

    @property
    def x(self) -> Value:
        return self.input(0)

    def input(self, i: int) -> Value:
        value = self.inputs[i] if i < len(self.inputs) else None
        if value is None:
            raise self.fail(f"input {i} is required")
        return value

    def has(self, i: int) -> bool:
        return i < len(self.inputs) and self.inputs[i] is not None

    def attr(self, name: str, default: Any = None) -> Any:
        value = self.attrs.get(name, default)
        return value.decode() if isinstance(value, bytes) else value

    def const(self, i: int, what: str) -> np.ndarray | None:
        """The value of input `i`, which tensor_graph needs at compile time (None when
        the input is absent)."""
        if not self.has(i):
            return None
        value = self.importer.known_value(self.inputs[i].value)  # type: ignore[union-attr]
        if value is None:
            name = self.proto.input[i]
            raise NotKnown(
                f"{self.label}: input {i} ({what}) must be known when importing (an "
                f"initializer, a Constant, or computed from them and from shapes); '{name}' "
                f"is not (bind a graph input with load(..., constants={{'{name}': array}}))",
                name,
            )
        return value

    def number(self, i: int, what: str) -> float | None:
        """A constant scalar input (rank 0 or one element) as a float."""
        value = self.const(i, what)
        if value is None:
            return None
        if value.size != 1:
            raise self.fail(f"input {i} ({what}) must hold one value, it has shape {list(value.shape)}")
        return float(value.reshape(-1)[0])

    def ints(self, i: int, what: str) -> list[int] | None:
        value = self.const(i, what)
        return None if value is None else [int(v) for v in value.reshape(-1)]

    def constant(self, array: np.ndarray, element: Attribute) -> Value:
        array = np.asarray(array)
        name = next((o for o in self.proto.output if o), self.proto.op_type)
        return self.importer.constant(array, tensor(array.shape, element), name)


class Importer:
    def __init__(self, model: onnx.ModelProto, constants: dict[str, np.ndarray], inline_limit: int = INLINE_LIMIT):
        self.model = model
        self.constants = constants
        self.inline_limit = inline_limit
        self.opset = _default_opset(model)
        self.block = Block()
        self.b = GraphBuilder(Builder(InsertPoint.at_end(self.block)))
        self.values: dict[str, Value] = {}
        self.known: dict[SSAValue, np.ndarray] = {}

    def constant(self, array: np.ndarray, t: TensorType, name: str) -> Value:
        """A constant of type `t` holding `array`: inline when small, else a blob
        named `name`."""
        value = to_attr(np.asarray(array).astype(numpy_dtype(t.element_type)), t, name, self.inline_limit)
        return self.b.op(tg.ConstantOp, value=value)

    def lookup(self, name: str, node: Node) -> Value:
        if name not in self.values:
            raise node.fail(f"input '{name}' is not defined before the node")
        return self.values[name]

    def known_value(self, value: SSAValue) -> np.ndarray | None:
        if isinstance(value.owner, tg.ConstantOp):
            return to_numpy(value.owner.value)
        return self.known.get(value)

    def define(self, name: str, value: Value) -> None:
        hint = _hint(name)
        if hint and value.value.name_hint is None:
            value.value.name_hint = hint
        self.values[name] = value

    def run(self, entry: str) -> ModuleOp:
        graph = self.model.graph
        for init in graph.initializer:
            self.define(init.name, self._initializer(init))
        arg_types, args = [], []
        for vi in graph.input:
            if vi.name in self.values:
                continue  # an initializer listed as an input (IR < 4): a constant
            t = _static_type(vi, f"graph input '{vi.name}'")
            if vi.name in self.constants:
                self.define(vi.name, self._bound(vi.name, t))
                continue
            arg_types.append(t)
            args.append(vi.name)
        for t in arg_types:
            self.block.insert_arg(t, len(self.block.args))
        for name, arg in zip(args, self.block.args):
            self.define(name, self.b.wrap(arg))
        inferred = {vi.name: vi for vi in (*graph.value_info, *graph.output)}
        for index, proto in enumerate(graph.node):
            self._node(proto, index, inferred)
        results = []
        for vi in graph.output:
            if vi.name not in self.values:
                raise OnnxImportError(f"graph output '{vi.name}' is not computed by any node")
            results.append(self.values[vi.name].value)
        self.block.add_op(func.ReturnOp(*results))
        function = func.FuncOp(entry, (arg_types, [r.type for r in results]), Region(self.block))
        region_dce(function.body)
        return ModuleOp([function])

    def _bound(self, name: str, t: TensorType) -> Value:
        """A graph input whose value the caller gave: a constant of the input's type."""
        array = np.asarray(self.constants[name])
        if array.shape != shape_of(t):
            raise OnnxImportError(
                f"constants['{name}'] has shape {list(array.shape)}, the graph input has {list(shape_of(t))}"
            )
        return self.constant(array, t, name)

    def _initializer(self, init: onnx.TensorProto) -> Value:
        what = f"initializer '{init.name}'"
        element = element_type(init.data_type, what)
        if init.data_location == TensorProto.EXTERNAL and not init.raw_data:
            raise OnnxImportError(f"{what} is stored outside the model and was not loaded")
        array = numpy_helper.to_array(init)
        return self.constant(array, tensor(array.shape, element), init.name)

    def _node(self, proto: onnx.NodeProto, index: int, inferred: dict[str, onnx.ValueInfoProto]) -> None:
        from stepwell.frontends.onnx.ops import OPS

        node = Node(self, proto, index)
        if proto.domain not in ("", "ai.onnx"):
            raise node.fail(f"ops of domain '{proto.domain}' are not supported")
        translate = OPS.get(proto.op_type)
        if translate is None:
            raise node.fail("this op type is not supported by stepwell's ONNX importer")
        for name in proto.output:
            vi = inferred.get(name)
            if name and vi is not None and vi.type.tensor_type.elem_type:
                element_type(vi.type.tensor_type.elem_type, f"{node.label}: output '{name}'")
        first = len(self.block.ops)
        try:
            outputs = translate(node)
        except VerifyException as e:
            raise node.fail(str(e)) from None
        except (ValueError, TypeError) as e:  # a scalar that does not fit its type, ...
            raise node.fail(str(e)) from None
        outputs = outputs if isinstance(outputs, (list, tuple)) else [outputs]
        wanted = [n for n in proto.output]
        if len([n for n in wanted if n]) and len(outputs) < len(wanted) and any(wanted[len(outputs):]):
            raise node.fail(f"only the first {len(outputs)} output(s) are supported")
        for name, value in zip(wanted, outputs):
            if name:
                self._check_type(node, name, value, inferred.get(name))
                self.define(name, value)
        self._evaluate_known(list(self.block.ops)[first:])

    def _check_type(self, node: Node, name: str, value: Value, vi: onnx.ValueInfoProto | None) -> None:
        """ONNX's shape inference and the importer must agree where ONNX knows the type."""
        if vi is None or vi.type.WhichOneof("value") != "tensor_type":
            return
        t = vi.type.tensor_type
        if t.elem_type and ELEMENT_TYPES.get(t.elem_type) != value.element_type:
            raise ImporterBug(
                f"{node.label}: output '{name}': ONNX says {type_name(t.elem_type)}, the "
                f"import gives {value.element_type} (an importer bug)"
            )
        if t.HasField("shape"):
            dims = [d.dim_value if d.HasField("dim_value") else None for d in t.shape.dim]
            ours = value.shape
            if len(dims) != len(ours) or any(d is not None and d != o for d, o in zip(dims, ours)):
                shown = ["?" if d is None else d for d in dims]
                raise ImporterBug(
                    f"{node.label}: output '{name}': ONNX says shape {shown}, the import "
                    f"gives {list(ours)} (an importer bug)"
                )

    def _evaluate_known(self, new_ops: Sequence) -> None:
        for op in new_ops:
            if not isinstance(op, tg.TensorGraphOp) or isinstance(op, tg.ConstantOp):
                continue
            if math.prod(shape_of(op.results[0].type)) > KNOWN_LIMIT:
                continue
            arrays = [self.known_value(o) for o in op.operands]
            if any(a is None for a in arrays):
                continue
            try:
                self.known[op.results[0]] = evaluate_op(op, *arrays)
            except Exception:  # noqa: BLE001, S112 (e.g. a gather out of range: left to run time)
                continue


def _default_opset(model: onnx.ModelProto) -> int:
    versions = [o.version for o in model.opset_import if o.domain in ("", "ai.onnx")]
    if not versions:
        raise OnnxImportError("the model imports no version of the default ONNX opset")
    version, newest = versions[0], onnx.defs.onnx_opset_version()
    if version < OLDEST_OPSET:
        raise OnnxImportError(
            f"the model uses opset {version}; stepwell imports opsets {OLDEST_OPSET} to "
            f"{newest} (convert it with onnx.version_converter.convert_version)"
        )
    if version > newest:
        raise OnnxImportError(f"the model uses opset {version}, newer than this onnx package knows ({newest})")
    return version


def read_model(model: str | os.PathLike | bytes | onnx.ModelProto) -> onnx.ModelProto:
    if isinstance(model, onnx.ModelProto):
        return model
    try:
        if isinstance(model, bytes):
            return onnx.load_model_from_string(model)
        return onnx.load(os.fspath(model))
    except FileNotFoundError:
        raise OnnxImportError(f"cannot read '{model}': no such file") from None
    except OSError as e:
        raise OnnxImportError(f"cannot read '{model}': {e.strerror or e}") from None
    except Exception as e:  # noqa: BLE001 (protobuf's DecodeError and friends)
        raise OnnxImportError(f"'{model}' is not an ONNX model: {e}") from None


def load(
    model: str | os.PathLike | bytes | onnx.ModelProto,
    entry: str = "main",
    *,
    constants: dict[str, np.ndarray] | None = None,
    inline_limit: int = INLINE_LIMIT,
) -> ModuleOp:
    """Import an ONNX model (a path, serialized bytes or a ModelProto) as a
    `builtin.module` holding `func.func @<entry>` in tensor_graph. Raises
    OnnxImportError naming the node for anything stepwell cannot express.

    `constants` binds graph inputs to values fixed at import time: they become
    constants, not arguments (for inputs that tensor_graph needs as properties, such
    as a Reshape's shape or a reduction's axes fed as graph inputs).

    Constants of more than `inline_limit` bytes (initializers, Constant nodes) become
    `dense_resource` blobs, named after their ONNX value (stepwell/ir/resources.py)."""
    proto = read_model(model)
    _default_opset(proto)
    try:
        proto = onnx.shape_inference.infer_shapes(proto, check_type=True, strict_mode=True, data_prop=True)
    except Exception as e:  # noqa: BLE001 (onnx raises InferenceError, ValidationError, ...)
        message = str(e).strip().splitlines()[-1] if str(e).strip() else type(e).__name__
        raise OnnxImportError(f"ONNX shape inference rejects the model: {message}") from None
    unknown = set(constants or {}) - {vi.name for vi in proto.graph.input}
    if unknown:
        raise OnnxImportError(f"constants names no graph input: {', '.join(sorted(unknown))}")
    module = Importer(proto, dict(constants or {}), inline_limit).run(entry)
    try:
        module.verify()
    except VerifyException as e:
        raise ImporterBug(f"the imported module does not verify: {e} (an importer bug)") from None
    return module
