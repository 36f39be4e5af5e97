"""ONNX op type -> its translation into tensor_graph: `OPS`, one small function each.

A translation takes the `Node` (inputs as builder Values, attributes with ONNX's
defaults, constant inputs as arrays) and returns the Value of each output. The ops
that are one tensor_graph elementwise op are derived from the semantic table
(stepwell/semantics.py) by name; their meaning is written there, not here.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import reduce as fold

import numpy as np
from onnx import numpy_helper

from stepwell import semantics
from stepwell.dialects.tensor_graph import ops as tg
from stepwell.dialects.tensor_graph.builder import Value
from stepwell.dialects.tensor_graph.types import i1, i64, is_float, tensor
from stepwell.frontends.onnx.importer import ELEMENT_TYPES, Node, element_type

Translation = Callable[[Node], "Value | list[Value]"]
OPS: dict[str, Translation] = {}

BY_NAME = {op.name: op for op in tg.ALL_OPS}


def op(*names: str):
    def register(fn: Translation) -> Translation:
        for name in names:
            OPS[name] = fn
        return fn

    return register


# --- one tensor_graph op per ONNX op: from the semantic table ----------------------

ELEMENTWISE = {
    "Neg": "neg", "Abs": "abs", "Sign": "sign", "Exp": "exp", "Log": "log", "Sqrt": "sqrt",
    "Reciprocal": "reciprocal", "Tanh": "tanh", "Sin": "sin", "Cos": "cos", "Erf": "erf",
    "Floor": "floor", "Ceil": "ceil", "Round": "round", "Not": "not",
    "Add": "add", "Sub": "sub", "Mul": "mul", "Div": "div",
    "And": "and", "Or": "or", "Xor": "xor", "Where": "select",
}  # fmt: skip
"""ONNX op -> the tensor_graph op (an entry of semantics.ELEMENTWISE) it is."""

COMPARISONS = {"Equal": "eq", "Less": "lt", "LessOrEqual": "le", "Greater": "gt", "GreaterOrEqual": "ge"}

ACTIVATIONS = {"Sigmoid": "sigmoid", "Relu": "relu"}
"""ONNX ops that are a tensor_graph composite of one operand and no properties."""


def _elementwise(name: str) -> Translation:
    cls = BY_NAME[f"tensor_graph.{name}"]
    return lambda n: n.b.op(cls, *(n.input(i) for i in range(len(n.inputs))))


for _onnx, _tg in ELEMENTWISE.items():
    assert f"tensor_graph.{_tg}" in semantics.ELEMENTWISE, _tg
    OPS[_onnx] = _elementwise(_tg)
for _onnx, _tg in ACTIVATIONS.items():
    OPS[_onnx] = _elementwise(_tg)
for _onnx, _pred in COMPARISONS.items():
    assert _pred in semantics.PREDICATES
    OPS[_onnx] = lambda n, p=_pred: n.x.cmp(p, n.input(1))


# --- helpers ------------------------------------------------------------------------


def scalar(n: Node, like: Value, value: float) -> Value:
    return n.b.scalar(value, like.element_type)


def broadcast(n: Node, x: Value, shape) -> Value:
    shape = tuple(shape)
    return x if x.shape == shape else n.b.op(tg.BroadcastToOp, x, result_type=tensor(shape, x.element_type))


def reshape(x: Value, shape) -> Value:
    return x if x.shape == tuple(shape) else x.reshape(shape)


def axis_of(n: Node, axis: int, rank: int) -> int:
    if not -rank <= axis < rank:
        raise n.fail(f"axis {axis} is out of range for rank {rank}")
    return axis % rank


# --- elementwise math -------------------------------------------------------------


@op("Identity")
def identity(n: Node) -> Value:
    return n.x


@op("Pow")
def pow_(n: Node) -> Value:
    exponent = n.input(1)
    if exponent.element_type != n.x.element_type:
        exponent = exponent.cast(n.x.element_type)
    return n.x ** exponent


@op("Max", "Min", "Sum", "Mean")
def variadic(n: Node) -> Value:
    kind = n.proto.op_type
    combine = {"Max": Value.maximum, "Min": Value.minimum}.get(kind, Value.__add__)
    total = fold(combine, [n.input(i) for i in range(len(n.inputs))])
    return total / float(len(n.inputs)) if kind == "Mean" else total


@op("Mod")
def mod(n: Node) -> Value:
    a, b = n.x, n.input(1)
    if is_float(a.element_type):
        raise n.fail("Mod of floating-point tensors is not supported (tensor_graph has no exact fmod)")
    r = a - (a / b) * b  # integer div rounds toward zero: C's fmod
    if n.attr("fmod", 0):
        return r
    # Python's mod: the sign of the divisor
    fix = n.b.op(tg.AndOp, r.cmp("ne", 0), n.b.op(tg.XorOp, r.cmp("lt", 0), b.cmp("lt", 0)))
    return n.b.select(fix, r + b, r)


@op("Gelu")
def gelu(n: Node) -> Value:
    return n.b.op(tg.GeluOp, n.x, approximate=n.attr("approximate", "none"))


@op("Clip")
def clip(n: Node) -> Value:
    lo, hi = n.number(1, "min"), n.number(2, "max")
    return n.b.op(tg.ClampOp, n.x, min=-np.inf if lo is None else lo, max=np.inf if hi is None else hi)


@op("LeakyRelu")
def leaky_relu(n: Node) -> Value:
    x = n.x
    return n.b.select(x.cmp("lt", 0.0), x * n.attr("alpha", 0.01), x)


@op("PRelu")
def prelu(n: Node) -> Value:
    x = n.x
    return n.b.select(x.cmp("lt", 0), x * n.input(1), x)


@op("Elu")
def elu(n: Node) -> Value:
    x = n.x
    return n.b.select(x.cmp("lt", 0.0), (x.exp() - 1.0) * n.attr("alpha", 1.0), x)


@op("Selu")
def selu(n: Node) -> Value:
    x, alpha, gamma = n.x, n.attr("alpha", 1.67326319217681884765625), n.attr("gamma", 1.05070102214813232421875)
    return n.b.select(x.cmp("le", 0.0), (x.exp() * alpha - alpha) * gamma, x * gamma)


@op("Celu")
def celu(n: Node) -> Value:
    x, alpha = n.x, n.attr("alpha", 1.0)
    return x.maximum(0.0) + (((x / alpha).exp() - 1.0) * alpha).minimum(0.0)


@op("ThresholdedRelu")
def thresholded_relu(n: Node) -> Value:
    x = n.x
    return n.b.select(x.cmp("gt", n.attr("alpha", 1.0)), x, 0.0)


@op("HardSigmoid")
def hard_sigmoid(n: Node) -> Value:
    y = n.x * n.attr("alpha", 0.2) + n.attr("beta", 0.5)
    return n.b.op(tg.ClampOp, y, min=0.0, max=1.0)


@op("HardSwish")
def hard_swish(n: Node) -> Value:
    x = n.x
    return x * n.b.op(tg.ClampOp, x * (1 / 6) + 0.5, min=0.0, max=1.0)


@op("Softplus")
def softplus(n: Node) -> Value:
    return (n.x.exp() + 1.0).log()


@op("Softsign")
def softsign(n: Node) -> Value:
    return n.x / (n.x.abs() + 1.0)


@op("Swish")
def swish(n: Node) -> Value:
    x = n.x
    return x * n.b.op(tg.SigmoidOp, x * n.attr("alpha", 1.0))


@op("Mish")
def mish(n: Node) -> Value:
    x = n.x
    return x * (x.exp() + 1.0).log().tanh()


@op("Tan")
def tan(n: Node) -> Value:
    return n.b.op(tg.SinOp, n.x) / n.b.op(tg.CosOp, n.x)


@op("Sinh", "Cosh")
def sinh_cosh(n: Node) -> Value:
    x = n.x
    combine = Value.__sub__ if n.proto.op_type == "Sinh" else Value.__add__
    return combine(x.exp(), (-x).exp()) * 0.5


@op("IsNaN")
def is_nan(n: Node) -> Value:
    return n.x.cmp("ne", n.x)


@op("IsInf")
def is_inf(n: Node) -> Value:
    x = n.x
    pos, neg = x.cmp("eq", float("inf")), x.cmp("eq", float("-inf"))
    want_pos, want_neg = n.attr("detect_positive", 1), n.attr("detect_negative", 1)
    if want_pos and want_neg:
        return n.b.op(tg.OrOp, pos, neg)
    if want_pos:
        return pos
    if want_neg:
        return neg
    return n.b.op(tg.AndOp, pos, neg)  # never true


@op("Shrink")
def shrink(n: Node) -> Value:
    x, bias, lambd = n.x, n.attr("bias", 0.0), n.attr("lambd", 0.5)
    return n.b.select(x.cmp("lt", -lambd), x + bias, n.b.select(x.cmp("gt", lambd), x - bias, 0.0))


# --- types and constants ----------------------------------------------------------


@op("Cast")
def cast(n: Node) -> Value:
    return n.x.cast(element_type(n.attr("to"), f"{n.label}: attribute 'to'"))


@op("CastLike")
def cast_like(n: Node) -> Value:
    return n.x.cast(n.input(1).element_type)


@op("Constant")
def constant(n: Node) -> Value:
    if "value" in n.attrs:
        tensor_proto = n.attrs["value"]
        element = element_type(tensor_proto.data_type, f"{n.label}: attribute 'value'")
        return n.constant(numpy_helper.to_array(tensor_proto), element)
    for name, dtype, element in (
        ("value_float", np.float32, ELEMENT_TYPES[1]), ("value_floats", np.float32, ELEMENT_TYPES[1]),
        ("value_int", np.int64, i64), ("value_ints", np.int64, i64),
    ):  # fmt: skip
        if name in n.attrs:
            return n.constant(np.asarray(n.attrs[name], dtype), element)
    raise n.fail(f"attribute {', '.join(n.attrs) or '(none)'} is not supported (sparse or string constants)")


@op("ConstantOfShape")
def constant_of_shape(n: Node) -> Value:
    shape = n.ints(0, "shape")
    value = n.attrs.get("value")
    if value is None:
        return n.constant(np.zeros(shape, np.float32), ELEMENT_TYPES[1])
    element = element_type(value.data_type, f"{n.label}: attribute 'value'")
    fill = n.constant(numpy_helper.to_array(value).reshape(()), element)
    return broadcast(n, fill, shape)


@op("Shape")
def shape(n: Node) -> Value:
    dims = n.x.shape
    start, end = n.attr("start", 0), n.attr("end", len(dims))
    return n.constant(np.asarray(dims[slice(start, end)], np.int64), i64)


@op("Size")
def size(n: Node) -> Value:
    return n.constant(np.asarray(int(np.prod(n.x.shape)), np.int64), i64)


@op("Range")
def range_(n: Node) -> Value:
    start, limit, delta = (n.const(i, w) for i, w in enumerate(("start", "limit", "delta")))
    values = np.arange(start, limit, delta).astype(start.dtype)
    return n.constant(values, n.x.element_type)


@op("EyeLike")
def eye_like(n: Node) -> Value:
    rows, cols = n.x.shape
    element = element_type(n.attr("dtype"), f"{n.label}: attribute 'dtype'") if "dtype" in n.attrs else n.x.element_type
    from stepwell.dtypes import numpy_dtype

    return n.constant(np.eye(rows, cols, k=n.attr("k", 0), dtype=numpy_dtype(element)), element)


@op("Dropout")
def dropout(n: Node) -> list[Value]:
    if n.number(2, "training_mode"):
        raise n.fail("training_mode = true is not supported (inference only)")
    mask = broadcast(n, n.b.scalar(1, i1), n.x.shape)
    return [n.x, mask]


# --- shapes -----------------------------------------------------------------------


@op("Reshape")
def reshape_(n: Node) -> Value:
    target = n.ints(1, "shape")
    allow_zero = n.attr("allowzero", 0)
    dims = [n.x.shape[i] if d == 0 and not allow_zero else d for i, d in enumerate(target)]
    if dims.count(-1) > 1:
        raise n.fail(f"shape {target} has more than one -1")
    if -1 in dims:
        known = int(np.prod([d for d in dims if d != -1]))
        total = int(np.prod(n.x.shape))
        if known == 0 or total % known:
            raise n.fail(f"cannot reshape {list(n.x.shape)} to {target}")
        dims[dims.index(-1)] = total // known
    return reshape(n.x, dims)


@op("Flatten")
def flatten(n: Node) -> Value:
    dims = n.x.shape
    axis = n.attr("axis", 1)
    axis = axis + len(dims) if axis < 0 else axis
    return reshape(n.x, [int(np.prod(dims[:axis])), int(np.prod(dims[axis:]))])


def _axes(n: Node, input_index: int) -> list[int] | None:
    """`axes` from the input (newer opsets) or the attribute (older)."""
    if n.has(input_index):
        return n.ints(input_index, "axes")
    return n.attr("axes")


@op("Squeeze")
def squeeze(n: Node) -> Value:
    dims = n.x.shape
    axes = _axes(n, 1)
    axes = [i for i, d in enumerate(dims) if d == 1] if axes is None else [axis_of(n, a, len(dims)) for a in axes]
    return reshape(n.x, [d for i, d in enumerate(dims) if i not in axes])


@op("Unsqueeze")
def unsqueeze(n: Node) -> Value:
    rank = len(n.x.shape) + len(_axes(n, 1) or [])
    axes = {axis_of(n, a, rank) for a in _axes(n, 1) or []}
    rest = iter(n.x.shape)
    return reshape(n.x, [1 if i in axes else next(rest) for i in range(rank)])


@op("Expand")
def expand(n: Node) -> Value:
    from stepwell.dialects.tensor_graph.types import broadcast_shapes

    target = n.ints(1, "shape")
    shape = broadcast_shapes(n.x.shape, target)
    if shape is None:
        raise n.fail(f"shape {list(n.x.shape)} does not broadcast with {target}")
    return broadcast(n, n.x, shape)


@op("Transpose")
def transpose(n: Node) -> Value:
    perm = n.attr("perm", list(reversed(range(len(n.x.shape)))))
    return n.x.transpose(perm)


@op("Concat")
def concat(n: Node) -> Value:
    return n.b.op(tg.ConcatOp, *(n.input(i) for i in range(len(n.inputs))), axis=n.attr("axis"))


def take(n: Node, x: Value, axis: int, indices) -> Value:
    """x's elements at the (constant) `indices` along `axis`."""
    return n.b.op(tg.GatherOp, x, n.constant(np.asarray(indices, np.int64), i64), axis=axis)


@op("Slice")
def slice_(n: Node) -> Value:
    x = n.x
    starts, ends = n.ints(1, "starts"), n.ints(2, "ends")
    rank = len(x.shape)
    axes = n.ints(3, "axes") or list(range(len(starts)))
    steps = n.ints(4, "steps") or [1] * len(starts)
    start, stop, step = [0] * rank, list(x.shape), [1] * rank
    backwards = []
    for a, lo, hi, st in zip(axes, starts, ends, steps):
        a = axis_of(n, a, rank)
        if st == 0:
            raise n.fail(f"step 0 on axis {a}")
        lo, hi, st = slice(lo, hi, st).indices(x.shape[a])
        if st > 0:
            start[a], stop[a], step[a] = lo, max(lo, hi), st
        else:
            backwards.append((a, list(range(lo, hi, st))))
    y = x if (start, stop, step) == ([0] * rank, list(x.shape), [1] * rank) else n.b.op(
        tg.SliceOp, x, start=start, stop=stop, step=step)
    for a, indices in backwards:
        y = take(n, y, a, indices)
    return y


@op("Split")
def split(n: Node) -> list[Value]:
    x = n.x
    axis = axis_of(n, n.attr("axis", 0), len(x.shape))
    sizes = n.ints(1, "split") if n.has(1) else n.attr("split")
    if sizes is None:
        count = n.attr("num_outputs", len(n.proto.output))
        chunk = -(-x.shape[axis] // count)
        sizes = [min(chunk, x.shape[axis] - i * chunk) for i in range(count)]
    out, at = [], 0
    for s in sizes:
        start, stop = [0] * len(x.shape), list(x.shape)
        start[axis], stop[axis] = at, at + s
        out.append(n.b.op(tg.SliceOp, x, start=start, stop=stop, step=[1] * len(x.shape)))
        at += s
    return out


@op("Gather")
def gather(n: Node) -> Value:
    return n.b.op(tg.GatherOp, n.x, n.input(1), axis=n.attr("axis", 0))


@op("Tile")
def tile(n: Node) -> Value:
    x, repeats = n.x, n.ints(1, "repeats")
    spread = [v for d in x.shape for v in (1, d)]
    tiled = [v for r, d in zip(repeats, x.shape) for v in (r, d)]
    y = broadcast(n, reshape(x, spread), tiled)
    return reshape(y, [r * d for r, d in zip(repeats, x.shape)])


@op("Pad")
def pad(n: Node) -> Value:
    x, rank = n.x, len(n.x.shape)
    pads = n.ints(1, "pads")
    axes = [axis_of(n, a, rank) for a in (n.ints(3, "axes") or range(rank))]
    low, high = [0] * rank, [0] * rank
    for i, a in enumerate(axes):
        low[a], high[a] = pads[i], pads[i + len(axes)]
    mode = n.attr("mode", "constant")
    if mode == "constant":
        value = n.number(2, "constant_value")
        fill = value if value is not None else 0.0
        y = n.b.op(tg.PadOp, x, low=[max(v, 0) for v in low], high=[max(v, 0) for v in high], value=fill)
        if any(v < 0 for v in low + high):  # negative pads crop
            start = [-min(v, 0) for v in low]
            stop = [d - (-min(v, 0)) for d, v in zip(y.shape, high)]
            y = n.b.op(tg.SliceOp, y, start=start, stop=stop, step=[1] * rank)
        return y
    y = x
    for a in range(rank):
        if low[a] or high[a]:
            size_ = x.shape[a]
            positions = np.arange(-low[a], size_ + high[a])
            if mode == "edge":
                indices = np.clip(positions, 0, size_ - 1)
            elif mode == "reflect":
                period = 2 * (size_ - 1)
                m = np.mod(positions, period) if period else np.zeros_like(positions)
                indices = np.where(m < size_, m, period - m)
            elif mode == "wrap":
                indices = np.mod(positions, size_)
            else:
                raise n.fail(f"mode '{mode}' is not supported")
            y = take(n, y, a, indices)
    return y


@op("Trilu")
def trilu(n: Node) -> Value:
    x = n.x
    k = int(n.number(1, "k") or 0)
    rows, cols = x.shape[-2:]
    diff = n.b.iota([rows, cols], 1) - n.b.iota([rows, cols], 0)
    keep = diff.cmp("ge", k) if n.attr("upper", 1) else diff.cmp("le", k)
    return n.b.select(keep, x, 0)


@op("DepthToSpace")
def depth_to_space(n: Node) -> Value:
    x, bs = n.x, n.attr("blocksize")
    b, c, h, w = x.shape
    if n.attr("mode", "DCR") == "DCR":
        y = reshape(x, [b, bs, bs, c // bs**2, h, w]).transpose([0, 3, 4, 1, 5, 2])
    else:
        y = reshape(x, [b, c // bs**2, bs, bs, h, w]).transpose([0, 1, 4, 2, 5, 3])
    return reshape(y, [b, c // bs**2, h * bs, w * bs])


@op("SpaceToDepth")
def space_to_depth(n: Node) -> Value:
    x, bs = n.x, n.attr("blocksize")
    b, c, h, w = x.shape
    perm = [0, 3, 5, 1, 2, 4] if n.attr("mode", "DCR") == "DCR" else [0, 1, 3, 5, 2, 4]
    y = reshape(x, [b, c, h // bs, bs, w // bs, bs]).transpose(perm)
    return reshape(y, [b, c * bs * bs, h // bs, w // bs])


@op("OneHot")
def one_hot(n: Node) -> Value:
    indices, values = n.x, n.input(2)
    depth = int(n.number(1, "depth"))
    rank = len(indices.shape) + 1
    axis = axis_of(n, n.attr("axis", -1), rank)
    idx = indices.cast(i64)
    idx = n.b.select(idx.cmp("lt", 0), idx + depth, idx)
    shape = list(indices.shape)
    shape.insert(axis, 1)
    full = list(indices.shape)
    full.insert(axis, depth)
    hot = reshape(idx, shape).cmp("eq", n.b.iota(full, axis))
    off, on = (n.b.op(tg.SliceOp, values, start=[i], stop=[i + 1], step=[1]) for i in (0, 1))
    return n.b.select(hot, reshape(on, []), reshape(off, []))


# --- reductions -------------------------------------------------------------------


def reduction(n: Node, x: Value, kind: str) -> Value:
    axes = _axes(n, 1)
    keep = bool(n.attr("keepdims", 1))
    if not axes and n.attr("noop_with_empty_axes", 0):
        return x
    dims = [axis_of(n, a, len(x.shape)) for a in axes or []]
    return x.reduce(kind, dims, keep)


REDUCTIONS: dict[str, Callable[[Node], Value]] = {
    "ReduceSum": lambda n: reduction(n, n.x, "sum"),
    "ReduceProd": lambda n: reduction(n, n.x, "prod"),
    "ReduceMax": lambda n: reduction(n, n.x, "max"),
    "ReduceMin": lambda n: reduction(n, n.x, "min"),
    "ReduceMean": lambda n: reduction(n, n.x, "mean"),
    "ReduceL1": lambda n: reduction(n, n.x.abs(), "sum"),
    "ReduceL2": lambda n: reduction(n, n.x * n.x, "sum").sqrt(),
    "ReduceSumSquare": lambda n: reduction(n, n.x * n.x, "sum"),
    "ReduceLogSum": lambda n: reduction(n, n.x, "sum").log(),
    "ReduceLogSumExp": lambda n: reduction(n, n.x.exp(), "sum").log(),
}
OPS.update(REDUCTIONS)


@op("ArgMax", "ArgMin")
def arg_reduce(n: Node) -> Value:
    x = n.x
    cls = tg.ArgmaxOp if n.proto.op_type == "ArgMax" else tg.ArgminOp
    axis = axis_of(n, n.attr("axis", 0), len(x.shape))
    keep = bool(n.attr("keepdims", 1))
    if not n.attr("select_last_index", 0):
        return n.b.op(cls, x, axis=axis, keepdim=keep)
    last = x.shape[axis] - 1  # the first index in the reversed tensor is the last one
    first = n.b.op(cls, take(n, x, axis, range(last, -1, -1)), axis=axis, keepdim=keep)
    return n.b.scalar(last, i64) - first


@op("GlobalAveragePool", "GlobalMaxPool")
def global_pool(n: Node) -> Value:
    kind = "mean" if n.proto.op_type == "GlobalAveragePool" else "max"
    return n.x.reduce(kind, list(range(2, len(n.x.shape))), True)


# --- contractions and composites --------------------------------------------------


@op("MatMul")
def matmul(n: Node) -> Value:
    a, b = n.x, n.input(1)
    a_vec, b_vec = len(a.shape) == 1, len(b.shape) == 1
    a2 = reshape(a, [1, *a.shape]) if a_vec else a
    b2 = reshape(b, [*b.shape, 1]) if b_vec else b
    y = a2 @ b2
    shape = list(y.shape)
    if b_vec:
        shape.pop(-1)
    if a_vec:
        shape.pop(-1 if b_vec else -2)
    return reshape(y, shape)


@op("Gemm")
def gemm(n: Node) -> Value:
    a, b = n.x, n.input(1)
    a = a.swap_last_two() if n.attr("transA", 0) else a
    b = b.swap_last_two() if n.attr("transB", 0) else b
    y = a @ b
    alpha, beta = n.attr("alpha", 1.0), n.attr("beta", 1.0)
    y = y if alpha == 1.0 else y * alpha
    if n.has(2):
        c = n.input(2)
        y = y + (c if beta == 1.0 else c * beta)
    return y


@op("Softmax", "LogSoftmax")
def softmax(n: Node) -> Value:
    cls = tg.SoftmaxOp if n.proto.op_type == "Softmax" else tg.LogSoftmaxOp
    return n.b.op(cls, n.x, axis=n.attr("axis", -1))


@op("Hardmax")
def hardmax(n: Node) -> Value:
    x = n.x
    axis = axis_of(n, n.attr("axis", -1), len(x.shape))
    first = n.b.op(tg.ArgmaxOp, x, axis=axis, keepdim=True)
    return first.cmp("eq", n.b.iota(x.shape, axis)).cast(x.element_type)


def _trailing(n: Node, v: Value, shape) -> Value:
    return broadcast(n, v, shape)


def _stash(n: Node, x: Value) -> Value:
    """x in the precision of the statistics (stash_type: f32 by default)."""
    if n.attr("stash_type", 1) == 1 and x.element_type != ELEMENT_TYPES[1]:
        return x.cast(ELEMENT_TYPES[1])
    return x


@op("LayerNormalization")
def layer_norm(n: Node) -> list[Value]:
    x = n.x
    axis = axis_of(n, n.attr("axis", -1), len(x.shape))
    eps = n.attr("epsilon", 1e-5)
    inner = x.shape[axis:]
    scale = _trailing(n, n.input(1), inner)
    bias = _trailing(n, n.input(2), inner) if n.has(2) else broadcast(n, scale.b.scalar(0.0, x.element_type), inner)
    y = n.b.op(tg.LayerNormOp, x, scale, bias, axis=axis, epsilon=eps)
    outputs = [y]
    if len([o for o in n.proto.output if o]) > 1:
        s = _stash(n, x)
        dims = list(range(axis, len(x.shape)))
        mean = s.mean(dims, True)
        var = n.b.op(tg.VarOp, s, dims=dims, correction=0, keepdim=True)
        outputs += [mean, (var + eps).rsqrt()]
    return outputs


@op("RMSNormalization")
def rms_norm(n: Node) -> Value:
    x = n.x
    axis = axis_of(n, n.attr("axis", -1), len(x.shape))
    scale = _trailing(n, n.input(1), x.shape[axis:])
    return n.b.op(tg.RmsNormOp, x, scale, axis=axis, epsilon=n.attr("epsilon", 1e-5))


def _per_channel(n: Node, v: Value, rank: int) -> Value:
    return reshape(v, [v.shape[0]] + [1] * (rank - 2))


@op("BatchNormalization")
def batch_norm(n: Node) -> Value:
    if n.attr("training_mode", 0):
        raise n.fail("training_mode = 1 is not supported (inference only)")
    x = n.x
    rank = len(x.shape)
    scale, bias, mean, var = (_per_channel(n, n.input(i), rank) for i in range(1, 5))
    return (x - mean) / (var + n.attr("epsilon", 1e-5)).sqrt() * scale + bias


@op("InstanceNormalization")
def instance_norm(n: Node) -> Value:
    x = n.x
    rank = len(x.shape)
    dims = list(range(2, rank))
    mean = x.mean(dims, True)
    var = n.b.op(tg.VarOp, x, dims=dims, correction=0, keepdim=True)
    y = (x - mean) / (var + n.attr("epsilon", 1e-5)).sqrt()
    return y * _per_channel(n, n.input(1), rank) + _per_channel(n, n.input(2), rank)


@op("GroupNormalization")
def group_norm(n: Node) -> Value:
    x = n.x
    groups, eps = n.attr("num_groups"), n.attr("epsilon", 1e-5)
    shape = x.shape
    g = _stash(n, reshape(x, [shape[0], groups, int(np.prod(shape[1:])) // groups]))
    mean = g.mean([2], True)
    var = n.b.op(tg.VarOp, g, dims=[2], correction=0, keepdim=True)
    normalized = (g - mean) / (var + eps).sqrt()
    if normalized.element_type != x.element_type:
        normalized = normalized.cast(x.element_type)
    y = reshape(normalized, shape)
    return y * _per_channel(n, n.input(1), len(shape)) + _per_channel(n, n.input(2), len(shape))
