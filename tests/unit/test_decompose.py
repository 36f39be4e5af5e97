"""`tensor_graph-decompose` preserves values: every composite, run by the reference
interpreter before and after decomposition on random inputs, at several shapes (odd
sizes, size-1 dims, ranks 0..4, broadcasting operands), axes (negative ones too) and
element types. The decomposed module is printed and parsed back before it runs, so the
printed constants are checked as well."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest
from xdsl.dialects.builtin import ModuleOp, TensorType
from xdsl.passes import PassPipeline

from stepwell import reference
from stepwell.dialects.tensor_graph import COMPOSITES
from stepwell.dialects.tensor_graph import ops as tg
from stepwell.dialects.tensor_graph.builder import GraphBuilder, Value, build_function
from stepwell.dialects.tensor_graph.types import bf16, f16, f32, f64, i8, i32, i64, tensor
from stepwell.ir import parse_module, verify_module
from stepwell.registry import make_context, passes
from stepwell.transforms.tensor_graph_decompose import (
    DECOMPOSITIONS,
    EXPANSIONS,
    TensorGraphDecompose,
)

FLOAT_TYPES = [f32, f64, f16, bf16]
INT_TYPES = [i8, i32, i64]

# (rtol, atol) between the composite and its decomposition. An f16/bf16 composite is
# decomposed in f32 and rounded once (see the pass's docstring), as the reference
# computes the composite: the two agree to one rounding of the narrow type (its ulp is
# 2**-10 resp. 2**-7 relative), plus f32's absolute slack near zero, which also covers
# f16's subnormal ulp (2**-24).
TOLERANCE = {
    f64: (1e-13, 1e-13),
    f32: (1e-5, 1e-6),
    f16: (2**-10, 1e-6),
    bf16: (2**-7, 1e-6),
}


# --- building, decomposing, running -------------------------------------------------


def build(arg_types: list[TensorType], body: Callable[..., Value | tuple[Value, ...]]) -> ModuleOp:
    """A module with one function @f(args) whose body `body(b, *args)` builds."""
    module = build_function(arg_types, body)
    assert not verify_module(module), verify_module(module)
    return module


def one_op(op_type: type[tg.TensorGraphOp], arg_types: list[TensorType], **props) -> ModuleOp:
    return build(arg_types, lambda b, *args: b.op(op_type, *args, **props))


def decompose(module: ModuleOp, **options) -> ModuleOp:
    """Decompose a copy of `module`, print it and parse it back."""
    ctx = make_context()
    out = module.clone()
    TensorGraphDecompose(**options).apply(ctx, out)
    remaining = [op.name for op in out.walk() if type(op) in COMPOSITES]
    assert not remaining, f"composites left after decomposition: {remaining}"
    parsed, locations = parse_module(ctx, str(out))
    assert not verify_module(parsed, locations), verify_module(parsed, locations)
    return parsed


def random_array(rng: np.random.Generator, t: TensorType, scale: float = 2.0) -> np.ndarray:
    dtype = reference.numpy_dtype(t.element_type)
    shape = tuple(t.get_shape())
    if np.issubdtype(dtype, np.integer):
        return rng.integers(-100, 100, size=shape).astype(dtype)
    return (rng.standard_normal(shape) * scale).astype(dtype)


def assert_close(actual, expected, element_type) -> None:
    assert actual.shape == expected.shape and actual.dtype == expected.dtype
    if element_type in INT_TYPES:
        np.testing.assert_array_equal(actual, expected)
        return
    rtol, atol = TOLERANCE[element_type]
    np.testing.assert_allclose(
        actual.astype(np.float64), expected.astype(np.float64), rtol=rtol, atol=atol, equal_nan=True
    )


def check(
    module: ModuleOp,
    arrays: list[np.ndarray] | None = None,
    seed: int = 0,
    scale: float = 2.0,
    **options,
) -> ModuleOp:
    """The reference gives the same values before and after decomposition (on `arrays`,
    or random ones of standard deviation `scale`); returns the decomposed module."""
    arg_types = list(module.body.block.first_op.function_type.inputs.data)
    if arrays is None:
        rng = np.random.default_rng(seed)
        arrays = [random_array(rng, t, scale) for t in arg_types]
    expected = reference.run(module, "f", *arrays)
    decomposed = decompose(module, **options)
    actual = reference.run(decomposed, "f", *arrays)
    if not isinstance(expected, tuple):
        expected, actual = (expected,), (actual,)
    result_types = module.body.block.first_op.function_type.outputs.data
    for a, e, t in zip(actual, expected, result_types, strict=True):
        assert_close(a, e, t.element_type)
    return decomposed


def name(t) -> str:
    return str(t)


# --- elementwise composites -----------------------------------------------------------

SHAPES = [(7, 13), (), (1,), (5,), (2, 1, 3), (2, 3, 1, 4)]

FLOAT_UNARY = [
    (tg.SigmoidOp, {}),
    (tg.ReluOp, {}),
    (tg.GeluOp, {"approximate": "none"}),
    (tg.GeluOp, {"approximate": "tanh"}),
    (tg.SiluOp, {}),
    (tg.ClampOp, {"min": -0.5, "max": 0.75}),
    (tg.ClampOp, {"min": -math.inf, "max": 0.3}),
    (tg.ClampOp, {"min": -1.0, "max": math.inf}),
    (tg.ClampOp, {"min": -math.inf, "max": math.inf}),
    (tg.ClampOp, {"min": 0.25, "max": 0.25}),
]


@pytest.mark.parametrize("element_type", FLOAT_TYPES, ids=name)
@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize(
    "op_type,props", FLOAT_UNARY, ids=[f"{o.name[13:]}{sorted(p.values())}" for o, p in FLOAT_UNARY]
)
def test_float_elementwise(op_type, props, shape, element_type):
    check(one_op(op_type, [tensor(shape, element_type)], **props))


EXTREMES = [0.0, -0.0, 1e-30, -1e-30, 3.0, -3.0, 20.0, -20.0, 80.0, -80.0, 1e4, -1e4,
            math.inf, -math.inf, math.nan]


@pytest.mark.parametrize("element_type", FLOAT_TYPES, ids=name)
@pytest.mark.parametrize("op_type,props", FLOAT_UNARY, ids=[f"{o.name[13:]}{sorted(p.values())}" for o, p in FLOAT_UNARY])
def test_float_elementwise_extremes(op_type, props, element_type):
    # Saturation, overflow of exp(-x), infinities and NaN behave as the composite does.
    x = np.array(EXTREMES, dtype=np.float64).astype(reference.numpy_dtype(element_type))
    check(one_op(op_type, [tensor(x.shape, element_type)], **props), [x])


INT_UNARY = [
    (tg.ReluOp, {}),
    (tg.ClampOp, {"min": -7.0, "max": 42.0}),
    (tg.ClampOp, {"min": -math.inf, "max": 0.0}),
    (tg.ClampOp, {"min": 3.0, "max": math.inf}),
    (tg.ClampOp, {"min": -1000.0, "max": 1000.0}),  # past i8's range on both sides
    (tg.ClampOp, {"min": 200.0, "max": 300.0}),  # entirely above i8's range: saturates
    (tg.ClampOp, {"min": -300.0, "max": -200.0}),  # entirely below i8's range
]


@pytest.mark.parametrize("element_type", INT_TYPES, ids=name)
@pytest.mark.parametrize("shape", [(7, 13), (), (2, 1, 3)], ids=str)
@pytest.mark.parametrize("op_type,props", INT_UNARY, ids=[f"{o.name[13:]}{sorted(p.values())}" for o, p in INT_UNARY])
def test_integer_relu_clamp(op_type, props, shape, element_type):
    module = one_op(op_type, [tensor(shape, element_type)], **props)
    x = random_array(np.random.default_rng(1), tensor(shape, element_type))
    if x.size > 1:  # the type's extremes too
        x.flat[0], x.flat[-1] = np.iinfo(x.dtype).min, np.iinfo(x.dtype).max
    check(module, [x])


# --- var ------------------------------------------------------------------------------

VAR_CASES = [
    # shape, dims, correction, keepdim
    ((7, 13), [1], 1, True),
    ((7, 13), [0], 0, False),
    ((7, 13), [], 1, False),
    ((7, 13), [-1, 0], 2, True),
    ((5,), [0], 1, False),
    ((5,), [-1], 0, True),
    ((2, 1, 3), [1], 0, False),  # a size-1 reduced dimension, no correction
    ((2, 1, 3), [1], 1, False),  # N - correction = 0: inf / NaN as numpy
    ((2, 3), [1], 7, True),  # N - correction < 0
    ((2, 3, 4, 5), [1, 3], 1, False),
    ((2, 3, 4, 5), [-3, -2], 3, True),
    ((), [], 0, False),
]


@pytest.mark.parametrize("element_type", FLOAT_TYPES, ids=name)
@pytest.mark.parametrize("shape,dims,correction,keepdim", VAR_CASES, ids=str)
def test_var(shape, dims, correction, keepdim, element_type):
    module = one_op(
        tg.VarOp, [tensor(shape, element_type)], dims=dims, correction=correction, keepdim=keepdim
    )
    check(module)


def test_var_large_f16_count():
    # N = 70000 does not fit in f16, nor does a sum of squares of it: the decomposition
    # never forms either.
    module = one_op(tg.VarOp, [tensor((70000,), f16)], dims=[0], correction=1, keepdim=False)
    check(module, seed=3)


def test_var_constant_rows():
    x = np.ones((3, 4), np.float32) * np.float32(1.5)
    check(one_op(tg.VarOp, [tensor((3, 4), f32)], dims=[1], correction=1, keepdim=False), [x])


# --- linear ---------------------------------------------------------------------------

LINEAR_X_SHAPES = [(13,), (7, 13), (1, 13), (2, 3, 13), (2, 1, 4, 13)]


@pytest.mark.parametrize("element_type", FLOAT_TYPES + [i32, i64], ids=name)
@pytest.mark.parametrize("x_shape", LINEAR_X_SHAPES, ids=str)
def test_linear(x_shape, element_type):
    types = [tensor(x_shape, element_type), tensor((5, 13), element_type), tensor((5,), element_type)]
    check(one_op(tg.LinearOp, types))


def test_linear_single_output_feature():
    types = [tensor((4, 1), f32), tensor((1, 1), f32), tensor((1,), f32)]
    check(one_op(tg.LinearOp, types))


# --- softmax, log_softmax -------------------------------------------------------------

AXIS_CASES = [
    ((7, 13), 1),
    ((7, 13), -1),
    ((7, 13), 0),
    ((5,), 0),
    ((5,), -1),
    ((3, 1), -1),  # a size-1 axis
    ((2, 1, 3), 1),
    ((2, 3, 4, 5), -3),
    ((2, 3, 4, 5), 3),
]


@pytest.mark.parametrize("element_type", FLOAT_TYPES, ids=name)
@pytest.mark.parametrize("shape,axis", AXIS_CASES, ids=str)
@pytest.mark.parametrize("op_type", [tg.SoftmaxOp, tg.LogSoftmaxOp], ids=["softmax", "log_softmax"])
def test_softmax(op_type, shape, axis, element_type):
    check(one_op(op_type, [tensor(shape, element_type)], axis=axis))


@pytest.mark.parametrize("element_type", FLOAT_TYPES, ids=name)
@pytest.mark.parametrize("op_type", [tg.SoftmaxOp, tg.LogSoftmaxOp], ids=["softmax", "log_softmax"])
def test_softmax_is_stable(op_type, element_type):
    # Logits far beyond exp's range, and masked (-inf) entries: the max is subtracted.
    dtype = reference.numpy_dtype(element_type)
    big = 60000.0 if element_type == f16 else 1e30 if element_type != f64 else 1e300
    x = np.array(
        [[big, big - 1, -big, 0.0],
         [-math.inf, 1.0, 2.0, -math.inf],
         [-big, -big, -big, -big],
         [0.5, -0.25, 3.0, 1.0]],
        dtype=np.float64,
    ).astype(dtype)
    decomposed = check(one_op(op_type, [tensor(x.shape, element_type)], axis=-1), [x])
    y = reference.run(decomposed, "f", x).astype(np.float64)
    if op_type is tg.SoftmaxOp:  # (log_softmax's -big - big may overflow the type)
        assert np.isfinite(y[[0, 2, 3]]).all()


# --- layer_norm, rms_norm ---------------------------------------------------------------

NORM_CASES = [
    ((7, 13), -1),
    ((7, 13), 0),
    ((5,), 0),
    ((2, 3, 4), 1),
    ((2, 1, 3, 4), -2),
    ((3, 1), 1),  # normalizing over one element
]


@pytest.mark.parametrize("element_type", FLOAT_TYPES, ids=name)
@pytest.mark.parametrize("shape,axis", NORM_CASES, ids=str)
def test_layer_norm(shape, axis, element_type):
    trailing = shape[axis % len(shape):]
    types = [tensor(shape, element_type), tensor(trailing, element_type), tensor(trailing, element_type)]
    check(one_op(tg.LayerNormOp, types, axis=axis, epsilon=1e-5))


@pytest.mark.parametrize("element_type", FLOAT_TYPES, ids=name)
@pytest.mark.parametrize("shape,axis", NORM_CASES, ids=str)
def test_rms_norm(shape, axis, element_type):
    trailing = shape[axis % len(shape):]
    types = [tensor(shape, element_type), tensor(trailing, element_type)]
    check(one_op(tg.RmsNormOp, types, axis=axis, epsilon=1e-6))


def test_layer_norm_large_offset():
    # Two passes: a large common offset does not cancel the variance away.
    rng = np.random.default_rng(5)
    x = (1000.0 + rng.standard_normal((4, 64))).astype(np.float32)
    s, b = np.ones(64, np.float32), np.zeros(64, np.float32)
    types = [tensor((4, 64), f32), tensor((64,), f32), tensor((64,), f32)]
    check(one_op(tg.LayerNormOp, types, axis=-1, epsilon=1e-5), [x, s, b])


# --- attention ------------------------------------------------------------------------

ATTENTION_SHAPES = [
    # q, k, v
    ((7, 8), (11, 8), (11, 5)),
    ((2, 3, 7, 8), (2, 3, 7, 8), (2, 3, 7, 4)),
    ((2, 3, 5, 4), (1, 3, 6, 4), (6, 2)),  # batch dims broadcast, v batch-less
    ((3, 2, 6, 4), (6, 4), (2, 6, 5)),
    ((2, 9, 4), (2, 5, 4), (2, 5, 3)),  # more queries than keys
    ((2, 1, 4), (2, 5, 4), (2, 5, 3)),  # one query
]


@pytest.mark.parametrize("element_type", FLOAT_TYPES, ids=name)
@pytest.mark.parametrize("causal", [False, True], ids=["full", "causal"])
@pytest.mark.parametrize("scale", [1.0, 0.125])
@pytest.mark.parametrize("shapes", ATTENTION_SHAPES, ids=str)
def test_attention(shapes, scale, causal, element_type):
    # Unit-variance inputs (larger logits: test_attention_bf16_large_logits).
    types = [tensor(s, element_type) for s in shapes]
    check(one_op(tg.AttentionOp, types, scale=scale, causal=causal), scale=1.0)


# --- f16/bf16: computed in f32, rounded once ----------------------------------------------


def assert_in_f32(decomposed: ModuleOp, narrow) -> None:
    """Only casts touch the `narrow` type: the arguments are cast to f32 once each, and
    the one result is cast back once."""
    narrow_ops = [
        op
        for op in decomposed.walk()
        if isinstance(op, tg.TensorGraphOp)
        and any(isinstance(r.type, TensorType) and r.type.element_type == narrow for r in op.results)
    ]
    assert [op.name for op in narrow_ops] == ["tensor_graph.cast"], [str(op) for op in narrow_ops]
    function = decomposed.body.block.first_op
    for arg in function.body.block.args:
        uses = [use.operation.name for use in arg.uses]
        assert uses == ["tensor_graph.cast"], uses


# The unbounded clamp computes nothing: it leaves no op and no cast.
NARROW_UNARY = [
    (o, p) for o, p in FLOAT_UNARY if not (o is tg.ClampOp and p["min"] == -p["max"] == -math.inf)
]


@pytest.mark.parametrize("element_type", [f16, bf16], ids=name)
@pytest.mark.parametrize(
    "op_type,props", NARROW_UNARY, ids=[f"{o.name[13:]}{sorted(p.values())}" for o, p in NARROW_UNARY]
)
def test_narrow_unary_in_f32(op_type, props, element_type):
    module = one_op(op_type, [tensor((7, 13), element_type)], **props)
    assert_in_f32(check(module), element_type)


NARROW_COMPOSITES = [
    # op, operand shapes, properties
    (tg.VarOp, [(7, 13)], {"dims": [1], "correction": 1, "keepdim": False}),
    (tg.LinearOp, [(2, 3, 13), (5, 13), (5,)], {}),
    (tg.LinearOp, [(13,), (5, 13), (5,)], {}),
    (tg.SoftmaxOp, [(7, 13)], {"axis": -1}),
    (tg.LogSoftmaxOp, [(7, 13)], {"axis": 0}),
    (tg.LayerNormOp, [(2, 7, 13), (13,), (13,)], {"axis": -1, "epsilon": 1e-5}),
    (tg.RmsNormOp, [(2, 7, 13), (7, 13)], {"axis": 1, "epsilon": 1e-6}),
    (tg.AttentionOp, [(2, 5, 8), (2, 7, 8), (2, 7, 3)], {"scale": 0.35, "causal": True}),
    (tg.AttentionOp, [(3, 2, 6, 4), (6, 4), (2, 6, 5)], {"scale": 1.0, "causal": False}),
]


@pytest.mark.parametrize("element_type", [f16, bf16], ids=name)
@pytest.mark.parametrize(
    "op_type,shapes,props", NARROW_COMPOSITES, ids=[f"{o.name[13:]}{s}" for o, s, _ in NARROW_COMPOSITES]
)
def test_narrow_composite_in_f32(op_type, shapes, props, element_type):
    module = one_op(op_type, [tensor(s, element_type) for s in shapes], **props)
    assert_in_f32(check(module), element_type)


def test_attention_bf16_large_logits():
    # Regression: rounding every primitive to bf16 (the scores, the max-shifted scores,
    # their exponentials, the probabilities) made this differ from the composite by 0.14
    # (9 bf16 ulps, at 3.77); the logits have a standard deviation of about 10.
    types = [tensor((2, 5, 8), bf16), tensor((2, 7, 8), bf16), tensor((2, 7, 3), bf16)]
    decomposed = check(one_op(tg.AttentionOp, types, scale=0.35, causal=True), seed=287, scale=3.0)
    assert_in_f32(decomposed, bf16)


def test_sigmoid_f16_tiny_results():
    # Regression: rounded to f16, exp(-x) overflowed (exp(12) = 162755 > 65504) and
    # sigmoid(x < -11.09) came out 1/inf = 0. In f32 it is the reference's value: a
    # subnormal f16 for x = -15 and -16.
    x = np.array([-12.0, -15.0, -11.0, -16.0], np.float16)
    module = one_op(tg.SigmoidOp, [tensor(x.shape, f16)])
    expected = reference.run(module, "f", x)
    actual = reference.run(decompose(module), "f", x)
    exact = 1 / (1 + np.exp(-x.astype(np.float64)))
    assert (actual > 0).all(), actual
    np.testing.assert_allclose(actual[:2].astype(np.float64), [6.1e-6, 3.1e-7], rtol=0.05)
    for want in (expected, exact):  # within one f16 rounding (2**-24 when subnormal)
        np.testing.assert_allclose(actual.astype(np.float64), want, rtol=2**-10, atol=2**-24)


def test_exp2_f16_expanded_large():
    # Regression: x * ln 2 rounded to f16 before the exp shifts the exponent by up to
    # half an f16 ulp of the product, a relative error of up to ~x * 2**-11 in the
    # result (0.3%, six f16 ulps, at x = 15.9). In f32 the expansion is within one f16
    # rounding of exp2.
    x = np.array([4.09, 10.3, 15.9], np.float16)
    module = one_op(tg.Exp2Op, [tensor(x.shape, f16)])
    decomposed = check(module, [x], expand_log2_exp2=True)
    assert "tensor_graph.exp2" not in {op.name for op in decomposed.walk()}
    assert_in_f32(decomposed, f16)
    actual = reference.run(decomposed, "f", x).astype(np.float64)
    np.testing.assert_allclose(actual, np.exp2(x.astype(np.float64)), rtol=2**-10, atol=0)


# --- log2 / exp2 (on request) -----------------------------------------------------------


@pytest.mark.parametrize("element_type", FLOAT_TYPES, ids=name)
@pytest.mark.parametrize("shape", [(7, 13), (), (2, 1, 3)], ids=str)
def test_log2_exp2_expanded(shape, element_type):
    def body(b, x):
        positive = x.abs() + 0.01
        return b.op(tg.Log2Op, positive), b.op(tg.Exp2Op, x)

    module = build([tensor(shape, element_type)], body)
    decomposed = check(module, expand_log2_exp2=True)
    names = {op.name for op in decomposed.walk()}
    assert "tensor_graph.log2" not in names and "tensor_graph.exp2" not in names
    kept = {op.name for op in decompose(module).walk()}
    assert {"tensor_graph.log2", "tensor_graph.exp2"} <= kept


# --- the whole set ----------------------------------------------------------------------


def all_composites(b: GraphBuilder, x, w, bias, scale, q, k, v, n):
    """Every composite (gelu in both forms), each feeding the next where it can."""
    y = b.op(tg.SigmoidOp, x)
    y = b.op(tg.ReluOp, y - 0.5)
    y = b.op(tg.GeluOp, y, approximate="none")
    y = b.op(tg.GeluOp, y, approximate="tanh")
    y = b.op(tg.SiluOp, y)
    y = b.op(tg.ClampOp, y, min=-0.2, max=0.4)
    var = b.op(tg.VarOp, y, dims=[1], correction=1, keepdim=True)
    lin = b.op(tg.LinearOp, x + var, w, bias)
    sm = b.op(tg.SoftmaxOp, lin, axis=-1)
    lsm = b.op(tg.LogSoftmaxOp, lin, axis=0)
    ln = b.op(tg.LayerNormOp, x, scale, scale, axis=1, epsilon=1e-5)
    rms = b.op(tg.RmsNormOp, ln, scale, axis=-1, epsilon=1e-6)
    att = b.op(tg.AttentionOp, q, k, v, scale=0.5, causal=True)
    ints = b.op(tg.ClampOp, b.op(tg.ReluOp, n), min=-3.0, max=50.0)
    return sm, lsm, rms, att, ints


ALL_TYPES = [
    tensor((7, 13), f32),
    tensor((5, 13), f32),
    tensor((5,), f32),
    tensor((13,), f32),
    tensor((2, 7, 4), f32),
    tensor((2, 6, 4), f32),
    tensor((2, 6, 3), f32),
    tensor((9,), i32),
]


def test_no_composite_remains():
    module = build(ALL_TYPES, all_composites)
    present = {type(op) for op in module.walk()}
    assert set(COMPOSITES) <= present, "the program should hold every composite"
    decomposed = check(module)
    assert not [op for op in decomposed.walk() if type(op) in COMPOSITES]


def test_every_composite_has_a_decomposition():
    assert set(COMPOSITES) <= set(DECOMPOSITIONS)
    assert not set(EXPANSIONS) & set(COMPOSITES)


def test_idempotent():
    once = decompose(build(ALL_TYPES, all_composites))
    twice = decompose(once)
    assert str(once) == str(twice)


def test_registered_by_name_with_option():
    ctx = make_context()
    module = build([tensor((3,), f32)], lambda b, x: b.op(tg.Log2Op, b.op(tg.SigmoidOp, x)))
    pipeline = PassPipeline.parse_spec(passes(), "tensor_graph-decompose{expand-log2-exp2=true}")
    (p,) = pipeline.passes
    assert isinstance(p, TensorGraphDecompose) and p.expand_log2_exp2
    pipeline.apply(ctx, module)
    names = [op.name for op in module.walk()]
    assert "tensor_graph.sigmoid" not in names and "tensor_graph.log2" not in names
    default = PassPipeline.parse_spec(passes(), "tensor_graph-decompose").passes[0]
    assert default == TensorGraphDecompose() and not default.expand_log2_exp2
