"""The reference interpreter against hand-computed numpy, op by op and dtype by dtype."""

from __future__ import annotations

import math

import ml_dtypes
import numpy as np
import pytest
from xdsl.dialects.builtin import ModuleOp

from stepwell.ir import DiagnosticError
from stepwell.reference import (
    EvaluationError,
    element_type_of,
    find_function,
    load_module,
    numpy_dtype,
    run,
    run_function,
)

pytestmark = pytest.mark.filterwarnings("error")  # float errors must stay silent

BF16 = np.dtype(ml_dtypes.bfloat16)
F16, F32, F64 = np.dtype(np.float16), np.dtype(np.float32), np.dtype(np.float64)
I1, I8, I32, I64 = np.dtype(np.bool_), np.dtype(np.int8), np.dtype(np.int32), np.dtype(np.int64)
FLOATS = [F16, BF16, F32, F64]
INTS = [I8, I32, I64]
NUMERIC = FLOATS + INTS
ALL = NUMERIC + [I1]

rng = np.random.default_rng(1234)


# --- helpers ------------------------------------------------------------------------


def type_of(shape, dtype) -> str:
    """`tensor<2x3xf32>` for a shape and a numpy dtype."""
    dims = "".join(f"{d}x" for d in shape)
    return f"tensor<{dims}{element_type_of(dtype)}>"


def prop_text(value) -> str:
    """A Python value as the MLIR text of a property."""
    if isinstance(value, str) and (value.startswith("dense<") or value.startswith("array<")):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return f"{value} : i64"
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            bits = np.array(value, F64).view(np.uint64)
            return f"0x{int(bits):016X} : f64"
        return f"{value:.17e} : f64"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, (list, tuple)):
        return "array<i64" + "".join(f"{', ' if i else ': '}{v}" for i, v in enumerate(value)) + ">"
    raise TypeError(value)


def one_op(name: str, props: dict, inputs: list[str], result: str) -> str:
    """A program `@f` whose body is the one op `tensor_graph.NAME`."""
    args = ", ".join(f"%a{i}: {t}" for i, t in enumerate(inputs))
    operands = ", ".join(f"%a{i}" for i in range(len(inputs)))
    attrs = ", ".join(f"{k} = {prop_text(v)}" for k, v in props.items())
    attrs = f" <{{{attrs}}}>" if attrs else ""
    return (
        f"func.func @f({args}) -> {result} {{\n"
        f'  %r = "tensor_graph.{name}"({operands}){attrs} : ({", ".join(inputs)}) -> {result}\n'
        f"  func.return %r : {result}\n"
        "}\n"
    )


def apply(name: str, *arrays, result=None, **props):
    """Run the one-op program of `name` on `arrays`. `result` is a type string, or a
    numpy dtype (same shape as the first operand), or None (the first operand's type)."""
    arrays = [np.asarray(a) for a in arrays]
    inputs = [type_of(a.shape, a.dtype) for a in arrays]
    if result is None:
        result = inputs[0]
    elif not isinstance(result, str):
        result = type_of(arrays[0].shape, result)
    out = run(one_op(name, props, inputs, result), "f", *arrays)
    return out


def in_f32(fn, *arrays):
    """`fn` computed as the spec says: f16/bf16 in f32, rounded once at the end."""
    dtype = arrays[0].dtype
    wide = [a.astype(F32) if a.dtype in (F16, BF16) else a for a in arrays]
    with np.errstate(all="ignore"):
        return np.asarray(fn(*wide)).astype(dtype)


def sample(shape, dtype, low=-4.0, high=4.0):
    if dtype == I1:
        return rng.random(shape) < 0.5
    if dtype in INTS:
        return rng.integers(int(low) * 10, int(high) * 10, size=shape).astype(dtype)
    return rng.uniform(low, high, size=shape).astype(dtype)


def same(actual, expected, dtype=None):
    """Equal values (NaN equal to NaN) and the expected dtype and shape."""
    expected = np.asarray(expected)
    dtype = dtype or expected.dtype
    assert actual.dtype == dtype, (actual.dtype, dtype)
    assert actual.shape == expected.shape, (actual.shape, expected.shape)
    if dtype in FLOATS:
        np.testing.assert_array_equal(actual.astype(F64), expected.astype(F64))
    else:
        np.testing.assert_array_equal(actual, expected)


def close(actual, expected, dtype, rtol=None, atol=None):
    expected = np.asarray(expected)
    assert actual.dtype == dtype and actual.shape == expected.shape
    tol = {F16: 2e-3, BF16: 1e-2, F32: 2e-6, F64: 1e-13}[dtype]
    np.testing.assert_allclose(
        actual.astype(F64), expected.astype(F64), rtol=rtol or tol, atol=atol or tol
    )


def ids(dtypes):
    return [str(element_type_of(d)) for d in dtypes]


# --- dtype mapping ------------------------------------------------------------------


@pytest.mark.parametrize("dtype", ALL, ids=ids(ALL))
def test_dtype_round_trip(dtype):
    assert numpy_dtype(element_type_of(dtype)) == dtype


def test_dtype_names():
    assert [str(element_type_of(d)) for d in ALL] == [
        "f16", "bf16", "f32", "f64", "i8", "i32", "i64", "i1"
    ]
    assert element_type_of(ml_dtypes.bfloat16) == element_type_of("bfloat16")


@pytest.mark.parametrize("bad", [np.uint8, np.complex64, np.int16, object])
def test_dtype_unsupported(bad):
    with pytest.raises(TypeError, match="no tensor_graph element type"):
        element_type_of(bad)


# --- elementwise, one operand ---------------------------------------------------------

FLOAT_UNARY = {
    "exp": np.exp,
    "exp2": np.exp2,
    "log": np.log,
    "log2": np.log2,
    "sqrt": np.sqrt,
    "rsqrt": lambda x: 1 / np.sqrt(x),
    "reciprocal": lambda x: 1 / x,
    "tanh": np.tanh,
    "sin": np.sin,
    "cos": np.cos,
    "floor": np.floor,
    "ceil": np.ceil,
    "round": np.rint,
    "neg": np.negative,
    "abs": np.abs,
    "sign": np.sign,
}


@pytest.mark.parametrize("dtype", FLOATS, ids=ids(FLOATS))
@pytest.mark.parametrize("name", FLOAT_UNARY)
def test_float_unary(name, dtype):
    x = np.concatenate([sample((2, 5), dtype).ravel(), np.array([0, -0.0, 2.5, -1.5], dtype)])
    x = x.reshape(2, 7)
    same(apply(name, x), in_f32(FLOAT_UNARY[name], x))


def test_float_unary_values():
    x = np.array([4.0, 0.25, 8.0], F32)
    same(apply("exp2", np.array([3.0, -1.0, 0.0], F32)), np.array([8, 0.5, 1], F32))
    same(apply("log2", x), np.array([2, -2, 3], F32))
    same(apply("rsqrt", x), np.array([0.5, 2, 1 / math.sqrt(8)], F32))
    same(apply("reciprocal", x), np.array([0.25, 4, 0.125], F32))
    same(apply("rsqrt", np.array([0.0, -1.0], F32)), np.array([np.inf, np.nan], F32))
    same(apply("log", np.array([0.0, -1.0], F64)), np.array([-np.inf, np.nan]))


@pytest.mark.parametrize("dtype", FLOATS, ids=ids(FLOATS))
def test_round_half_to_even(dtype):
    x = np.array([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4, -2.6], dtype)
    same(apply("round", x), np.array([0, 2, 2, -0.0, -2, -2, 2, -3], dtype))


@pytest.mark.parametrize("dtype", FLOATS, ids=ids(FLOATS))
def test_erf(dtype):
    x = np.array([0.0, 1.0, -1.0, 0.5, 3.0, -10.0, np.inf, np.nan], dtype)
    expected = [math.erf(float(v)) for v in x.astype(F64)]
    same(apply("erf", x), np.array(expected).astype(dtype))


def test_erf_rank0_and_empty():
    same(apply("erf", np.array(1.0, F32)), np.array(math.erf(1.0), F32))
    same(apply("erf", np.zeros((0, 3), F16)), np.zeros((0, 3), F16))


@pytest.mark.parametrize("dtype", INTS, ids=ids(INTS))
def test_int_unary(dtype):
    info = np.iinfo(dtype)
    x = np.array([3, -4, 0, info.max, info.min], dtype)
    same(apply("neg", x), np.array([-3, 4, 0, -info.max, info.min], dtype))  # wraps
    same(apply("abs", x), np.array([3, 4, 0, info.max, info.min], dtype))  # wraps
    same(apply("sign", x), np.array([1, -1, 0, 1, -1], dtype))


def test_sign_nan():
    same(apply("sign", np.array([np.nan, -3.0, 0.0], F32)), np.array([np.nan, -1, 0], F32))


def test_not():
    same(apply("not", np.array([True, False])), np.array([False, True]))


# --- composites, one operand -----------------------------------------------------------


@pytest.mark.parametrize("dtype", FLOATS, ids=ids(FLOATS))
def test_sigmoid_silu(dtype):
    x = np.array([0.0, 1.0, -1.0, 30.0, -30.0, -200.0], dtype)
    sig = lambda v: 1 / (1 + np.exp(-v))  # noqa: E731
    same(apply("sigmoid", x), in_f32(sig, x))
    same(apply("silu", x), in_f32(lambda v: v * sig(v), x))
    close(apply("sigmoid", x), np.array([0.5, 0.7310585786300049, 0.2689414213699951, 1, 0, 0]), dtype)


@pytest.mark.parametrize("dtype", NUMERIC, ids=ids(NUMERIC))
def test_relu(dtype):
    x = np.array([-3, 0, 2, 5, -1], dtype)
    same(apply("relu", x), np.array([0, 0, 2, 5, 0], dtype))


def test_relu_nan():
    same(apply("relu", np.array([np.nan, -1.0], F32)), np.array([np.nan, 0], F32))


@pytest.mark.parametrize("dtype", FLOATS, ids=ids(FLOATS))
def test_gelu(dtype):
    x = np.array([0.0, 1.0, -1.0, 2.0, -3.0], dtype)
    exact = [0.5 * v * (1 + math.erf(v / math.sqrt(2))) for v in x.astype(F64)]
    tanh = [
        0.5 * v * (1 + math.tanh(math.sqrt(2 / math.pi) * (v + 0.044715 * v**3)))
        for v in x.astype(F64)
    ]
    close(apply("gelu", x, approximate="none"), np.array(exact), dtype)
    close(apply("gelu", x, approximate="tanh"), np.array(tanh), dtype)
    assert abs(float(apply("gelu", np.array([1.0]), approximate="none")[0]) - 0.8413447460685429) < 1e-15
    assert abs(float(apply("gelu", np.array([1.0]), approximate="tanh")[0]) - 0.8411919906082768) < 1e-15


@pytest.mark.parametrize("dtype", FLOATS, ids=ids(FLOATS))
def test_clamp_float(dtype):
    x = np.array([-2.0, -0.5, 0.0, 0.7, 3.0, np.nan], dtype)
    same(apply("clamp", x, min=-1.0, max=0.5), np.array([-1, -0.5, 0, 0.5, 0.5, np.nan], dtype))
    same(apply("clamp", x, min=-np.inf, max=0.0), np.array([-2, -0.5, 0, 0, 0, np.nan], dtype))


def test_clamp_min_above_max_gives_max():
    x = np.array([-2.0, 0.0, 3.0, np.nan], np.float32)
    same(apply("clamp", x, min=2.0, max=-1.0), np.array([-1, -1, -1, np.nan], np.float32))
    i = np.array([-128, 0, 127], np.int8)
    same(apply("clamp", i, min=1000.0, max=-1000.0), np.array([-128, -128, -128], np.int8))


def test_clamp_bound_rounds_once_to_element_type():
    # 1 + 2^-11 + 2^-40 is just above an f16 tie: its one rounding is 1 + 2^-10.
    bound = 1 + 2**-11 + 2**-40
    out = apply("clamp", np.array([5.0], F16), min=-1.0, max=bound)
    same(out, np.array([1 + 2**-10], F16))


@pytest.mark.parametrize("dtype", INTS, ids=ids(INTS))
def test_clamp_int(dtype):
    info = np.iinfo(dtype)
    x = np.array([info.min, -5, 0, 5, info.max], dtype)
    same(apply("clamp", x, min=-3.0, max=4.0), np.array([-3, -3, 0, 4, 4], dtype))
    same(apply("clamp", x, min=-np.inf, max=np.inf), x)
    same(apply("clamp", x, min=0.0, max=np.inf), np.array([0, 0, 0, 5, info.max], dtype))


# --- elementwise, two and three operands ---------------------------------------------------

BINARY = {
    "add": np.add,
    "sub": np.subtract,
    "mul": np.multiply,
    "max": np.maximum,
    "min": np.minimum,
}


@pytest.mark.parametrize("dtype", NUMERIC, ids=ids(NUMERIC))
@pytest.mark.parametrize("name", BINARY)
def test_binary_broadcast(name, dtype):
    a, b = sample((2, 1, 4), dtype), sample((3, 1), dtype)
    out = apply(name, a, b, result=type_of((2, 3, 4), dtype))
    same(out, in_f32(BINARY[name], a, b))


@pytest.mark.parametrize("name", ["max", "min"])
def test_max_min_i1_and_nan(name):
    a, b = np.array([True, False, True, False]), np.array([True, True, False, False])
    same(apply(name, a, b), BINARY[name](a, b))
    x = apply(name, np.array([np.nan, 1.0], F32), np.array([0.0, np.nan], F32))
    same(x, np.array([np.nan, np.nan], F32))


def test_int_arithmetic_wraps():
    a, b = np.array([100, -100, 127], I8), np.array([100, -100, 2], I8)
    same(apply("add", a, b), np.array([-56, 56, -127], I8))
    same(apply("mul", a, b), np.array([16, 16, -2], I8))
    same(apply("sub", a, -b), np.array([-56, 56, -127], I8))
    big = np.array([2**62], I64)
    same(apply("add", big, big), np.array([-(2**63)], I64))


def test_f16_add_rounds_once_per_op():
    # 1 + 2^-11 is exact in f32 and a tie in f16: it rounds to even, 1.0.
    one, tiny = np.array([1.0, 1.0], F16), np.array([2**-11, 3 * 2**-12], F16)
    same(apply("add", one, tiny), np.array([1.0, 1 + 2**-10], F16))
    # Two adds round twice (each result is stored in f16): 1.0, not 1 + 2^-10.
    t = "tensor<1xf16>"
    src = f"""
    func.func @f(%a: {t}, %b: {t}) -> {t} {{
      %s = "tensor_graph.add"(%a, %b) : ({t}, {t}) -> {t}
      %r = "tensor_graph.add"(%s, %b) : ({t}, {t}) -> {t}
      func.return %r : {t}
    }}"""
    same(run(src, "f", one[:1], tiny[:1]), np.array([1.0], F16))


def test_bf16_mul_rounds_once():
    # (1 + 2^-7) * (1 + 2^-7) = 1 + 2^-6 + 2^-14: exact in f32, rounds to 1 + 2^-6 in bf16.
    a = np.array([1 + 2**-7], BF16)
    same(apply("mul", a, a), np.array([1 + 2**-6], BF16))


@pytest.mark.parametrize("dtype", FLOATS, ids=ids(FLOATS))
def test_float_div(dtype):
    a, b = np.array([1.0, -1.0, 0.0, 7.0], dtype), np.array([0.0, 0.0, 0.0, 2.0], dtype)
    same(apply("div", a, b), np.array([np.inf, -np.inf, np.nan, 3.5], dtype))
    a, b = sample((3, 4), dtype), sample((4,), dtype, 0.5, 3.0)
    same(apply("div", a, b, result=type_of((3, 4), dtype)), in_f32(np.divide, a, b))


@pytest.mark.parametrize("dtype", INTS, ids=ids(INTS))
def test_int_div_truncates(dtype):
    info = np.iinfo(dtype)
    a = np.array([7, -7, 7, -7, 6, -6, 0, 5, info.min, info.min, info.max], dtype)
    b = np.array([2, 2, -2, -2, 3, 3, 4, 0, -1, 1, -1], dtype)
    expected = [3, -3, -3, 3, 2, -2, 0, 0, info.min, info.min, -info.max]
    same(apply("div", a, b), np.array(expected, dtype))


@pytest.mark.parametrize("dtype", INTS, ids=ids(INTS))
def test_int_pow(dtype):
    base = np.array([3, 2, -2, 0, 5, 1, -1, -1, 2, 0, -3, 7], dtype)
    exp = np.array([4, 5, 3, 0, 1, -3, -3, -2, -1, -1, -2, 0], dtype)
    expected = [81, 32, -8, 1, 5, 1, -1, 1, 0, 0, 0, 1]
    same(apply("pow", base, exp), np.array(expected, dtype))


def wrap(value: int, bits: int) -> int:
    value &= (1 << bits) - 1
    return value - (1 << bits) if value >> (bits - 1) else value


@pytest.mark.parametrize("dtype", INTS, ids=ids(INTS))
def test_int_pow_wraps_exactly(dtype):
    bits = np.iinfo(dtype).bits
    pairs = [(3, 40), (2, 10), (-7, 33), (5, 100), (3, 127), (-3, 63)]
    base = np.array([p[0] for p in pairs], dtype)
    exp = np.array([p[1] for p in pairs], dtype)
    expected = [wrap(b**e, bits) for b, e in pairs]  # exact Python ints, then wrapped
    same(apply("pow", base, exp), np.array(expected, dtype))


def test_int_pow_broadcast():
    base, exp = np.array([[2], [3]], I32), np.array([0, 1, 2], I32)
    same(apply("pow", base, exp, result="tensor<2x3xi32>"), np.array([[1, 2, 4], [1, 3, 9]], I32))


@pytest.mark.parametrize("dtype", FLOATS, ids=ids(FLOATS))
def test_float_pow(dtype):
    a = np.array([2.0, 4.0, -8.0, 0.0, 2.0, -2.0], dtype)
    b = np.array([10.0, 0.5, 1 / 3, -1.0, -2.0, 0.5], dtype)
    same(apply("pow", a, b), in_f32(np.power, a, b))
    same(apply("pow", a[:2], b[:2])[:1], np.array([1024], dtype))


@pytest.mark.parametrize("name", ["and", "or", "xor"])
def test_logical(name):
    a = np.array([[True], [False]])
    b = np.array([True, False])
    fn = {"and": np.logical_and, "or": np.logical_or, "xor": np.logical_xor}[name]
    same(apply(name, a, b, result="tensor<2x2xi1>"), fn(a, b))


PREDICATES = {
    "eq": np.equal,
    "ne": np.not_equal,
    "lt": np.less,
    "le": np.less_equal,
    "gt": np.greater,
    "ge": np.greater_equal,
}


@pytest.mark.parametrize("dtype", ALL, ids=ids(ALL))
@pytest.mark.parametrize("predicate", PREDICATES)
def test_cmp(predicate, dtype):
    a, b = sample((3, 4), dtype, -2, 2), sample((4,), dtype, -2, 2)
    a[0, :] = b  # some equal elements
    out = apply("cmp", a, b, result=type_of((3, 4), I1), predicate=predicate)
    same(out, PREDICATES[predicate](a, b))


@pytest.mark.parametrize("predicate", PREDICATES)
def test_cmp_nan(predicate):
    a, b = np.array([np.nan, np.nan, 1.0], F32), np.array([np.nan, 1.0, np.nan], F32)
    out = apply("cmp", a, b, result=I1, predicate=predicate)
    same(out, np.full(3, predicate == "ne"))


@pytest.mark.parametrize("dtype", ALL, ids=ids(ALL))
def test_select(dtype):
    cond = np.array([[True], [False], [True]])
    a, b = sample((1, 4), dtype), sample((3, 1), dtype)
    out = apply("select", cond, a, b, result=type_of((3, 4), dtype))
    same(out, np.where(cond, a, b))


# --- type and shape ------------------------------------------------------------------------


@pytest.mark.parametrize("dst", INTS, ids=ids(INTS))
@pytest.mark.parametrize("src", FLOATS, ids=ids(FLOATS))
def test_cast_float_to_int(src, dst):
    info = np.iinfo(dst)
    values = [-2.75, 2.75, -0.5, 0.5, 0.0, 100.0, -100.0, np.nan, np.inf, -np.inf, 1e30, -1e30]
    with np.errstate(over="ignore"):
        x = np.array(values).astype(src)  # 1e30 is inf in f16
    expected = [-2, 2, 0, 0, 0, 100, -100, 0, info.max, info.min, info.max, info.min]
    same(apply("cast", x, result=dst), np.array(expected, dst))


def test_cast_float_to_int_near_limits():
    x = np.array([2.0**63, 2.0**63 - 1024, -(2.0**63), 127.9, -128.9, 128.0], F64)
    same(apply("cast", x, result=I64), np.array([2**63 - 1, 2**63 - 1024, -(2**63), 127, -128, 128], I64))
    same(apply("cast", x, result=I8), np.array([127, 127, -128, 127, -128, 127], I8))


@pytest.mark.parametrize("dst", FLOATS, ids=ids(FLOATS))
@pytest.mark.parametrize("src", INTS, ids=ids(INTS))
def test_cast_int_to_float(src, dst):
    x = np.array([0, 1, -1, 7, -100, 100], src)
    same(apply("cast", x, result=dst), np.array([0, 1, -1, 7, -100, 100], dst))


def test_cast_int_to_float_rounds_to_nearest_once():
    # f16 spacing is 2 in [2048, 4096): 2049 ties to even (2048), 2051 ties up (2052).
    same(apply("cast", np.array([2049, 2051, 65519, 65520], I32), result=F16),
         np.array([2048, 2052, 65504, np.inf], F16))
    # i64 -> f32: 2^60 + 2^36 + 1 is just above a tie (through f64 it would be a tie).
    same(apply("cast", np.array([2**60 + 2**36 + 1], I64), result=F32), np.array([2.0**60 + 2.0**37], F32))
    # i64 -> bf16: 2^30 + 2^22 + 1 is just above a bf16 tie: rounds up, once.
    same(apply("cast", np.array([2**30 + 2**22 + 1, 2**30 + 2**22], I64), result=BF16),
         np.array([2.0**30 + 2.0**23, 2.0**30], BF16))
    # i64 -> bf16 beyond 2^53: 2^62 + 2^54 + 1 (exact result 2^62 + 2^55).
    same(apply("cast", np.array([2**62 + 2**54 + 1, -(2**63)], I64), result=BF16),
         np.array([2.0**62 + 2.0**55, -(2.0**63)], BF16))


def test_cast_rank0_and_i64_to_f16():
    same(apply("cast", np.array(1 + 2**-8 + 2**-30), result=BF16), np.array(1 + 2**-7, BF16))
    same(apply("cast", np.array(2**30 + 2**22 + 1, I64), result=BF16), np.array(2.0**30 + 2.0**23, BF16))
    x = np.array([2049, 2051, -2049, 2**40, 0], I64)
    same(apply("cast", x, result=F16), np.array([2048, 2052, -2048, np.inf, 0], F16))
    same(apply("cast", np.array([True, False]), result=BF16), np.array([1, 0], BF16))


def test_cast_f64_to_bf16_and_f16_rounds_once():
    x = np.array([1 + 2**-8 + 2**-30, 1 + 2**-8, -(1 + 2**-8 + 2**-30), 1e300, np.nan, 2**-140])
    same(apply("cast", x, result=BF16), np.array([1 + 2**-7, 1.0, -(1 + 2**-7), np.inf, np.nan, 2**-140], BF16))
    y = np.array([1 + 2**-11 + 2**-40, 1 + 2**-11, 65520.0, 2**-25 + 2**-50, 2**-25])
    same(apply("cast", y, result=F16), np.array([1 + 2**-10, 1.0, np.inf, 2**-24, 0.0], F16))


@pytest.mark.parametrize("dst", FLOATS, ids=ids(FLOATS))
@pytest.mark.parametrize("src", FLOATS, ids=ids(FLOATS))
def test_cast_float_to_float(src, dst):
    x = sample((5,), src)
    expected = x.astype(F64).astype(F32).astype(dst) if dst != F64 else x.astype(F64)
    same(apply("cast", x, result=dst), expected)


@pytest.mark.parametrize("dtype", NUMERIC, ids=ids(NUMERIC))
def test_cast_to_and_from_i1(dtype):
    x = np.array([0, 1, -2, 3], dtype)
    same(apply("cast", x, result=I1), np.array([False, True, True, True]))
    b = np.array([True, False, True])
    same(apply("cast", b, result=dtype), np.array([1, 0, 1], dtype))


def test_cast_nan_and_negative_zero_to_i1():
    same(apply("cast", np.array([np.nan, -0.0, 0.1], F32), result=I1), np.array([True, False, True]))


def test_cast_int_to_int_wraps():
    same(apply("cast", np.array([300, -129, 127], I32), result=I8), np.array([44, 127, 127], I8))
    same(apply("cast", np.array([-1, 2**40], I64), result=I32), np.array([-1, 0], I32))
    same(apply("cast", np.array([-5], I8), result=I64), np.array([-5], I64))


def constant_program(value: str, t: str) -> str:
    return one_op("constant", {"value": f"{value} : {t}"}, [], t)


@pytest.mark.parametrize(
    "value, t, expected",
    [
        ("dense<1.5>", "tensor<2x3xf32>", np.full((2, 3), 1.5, F32)),
        ("dense<[[1.0, 2.0], [3.0, 4.5]]>", "tensor<2x2xbf16>", np.array([[1, 2], [3, 4.5]], BF16)),
        ("dense<[0.1, 65504.0]>", "tensor<2xf16>", np.array([0.1, 65504], F16)),
        ("dense<[0.1, -2.5]>", "tensor<2xf64>", np.array([0.1, -2.5], F64)),
        ("dense<[true, false, true]>", "tensor<3xi1>", np.array([True, False, True])),
        ("dense<true>", "tensor<2x2xi1>", np.ones((2, 2), I1)),
        ("dense<[-128, 127]>", "tensor<2xi8>", np.array([-128, 127], I8)),
        ("dense<[9223372036854775807, -9223372036854775808]>", "tensor<2xi64>",
         np.array([2**63 - 1, -(2**63)], I64)),
        ("dense<7>", "tensor<i32>", np.array(7, I32)),
        ("dense<>", "tensor<0x3xf32>", np.zeros((0, 3), F32)),
        ("dense<[0x7F800000, 0xFF800000, 0x3F800000]>", "tensor<3xf32>", np.array([np.inf, -np.inf, 1], F32)),
        ("dense<[0x3C00, 0x7E00]>", "tensor<2xf16>", np.array([1, np.nan], F16)),
        ("dense<0xC000>", "tensor<2xbf16>", np.array([-2, -2], BF16)),
    ],
)
def test_constant(value, t, expected):
    same(run(constant_program(value, t), None), expected)


@pytest.mark.parametrize("dtype", NUMERIC, ids=ids(NUMERIC))
def test_iota(dtype):
    t = type_of((2, 3), dtype)
    same(run(one_op("iota", {"dim": 1}, [], t), None), np.array([[0, 1, 2], [0, 1, 2]], dtype))
    same(run(one_op("iota", {"dim": -2}, [], t), None), np.array([[0, 0, 0], [1, 1, 1]], dtype))


def test_iota_wraps_and_rounds():
    out = run(one_op("iota", {"dim": 0}, [], "tensor<300xi8>"), None)
    same(out, np.arange(300).astype(I8))
    out = run(one_op("iota", {"dim": 0}, [], "tensor<2052xf16>"), None)
    assert out[2049] == 2048 and out[2051] == 2052


@pytest.mark.parametrize("dtype", ALL, ids=ids(ALL))
def test_shape_ops(dtype):
    x = sample((2, 1, 3), dtype)
    same(apply("broadcast_to", x, result=type_of((4, 2, 5, 3), dtype)), np.broadcast_to(x, (4, 2, 5, 3)))
    same(apply("reshape", x, result=type_of((3, 2), dtype)), x.reshape(3, 2))
    same(apply("transpose", x, result=type_of((3, 2, 1), dtype), perm=[2, 0, 1]), np.transpose(x, (2, 0, 1)))


def test_reshape_and_broadcast_rank0():
    x = np.array(2.5, F32)
    same(apply("reshape", x, result="tensor<1x1xf32>"), np.full((1, 1), 2.5, F32))
    same(apply("broadcast_to", x, result="tensor<3xf32>"), np.full(3, 2.5, F32))


@pytest.mark.parametrize("dtype", ALL, ids=ids(ALL))
def test_slice(dtype):
    x = sample((5, 7), dtype)
    out = apply("slice", x, result=type_of((2, 3), dtype), start=[1, 0], stop=[5, 7], step=[2, 3])
    same(out, x[1:5:2, 0:7:3])
    out = apply("slice", x, result=type_of((0, 7), dtype), start=[3, 0], stop=[3, 7], step=[1, 1])
    same(out, x[3:3])


@pytest.mark.parametrize("dtype", ALL, ids=ids(ALL))
def test_concat(dtype):
    a, b, c = sample((2, 1), dtype), sample((2, 3), dtype), sample((2, 0), dtype)
    out = apply("concat", a, b, c, result=type_of((2, 4), dtype), axis=-1)
    same(out, np.concatenate([a, b, c], axis=1))
    same(apply("concat", b, b, result=type_of((4, 3), dtype), axis=0), np.concatenate([b, b]))


@pytest.mark.parametrize("dtype", ALL, ids=ids(ALL))
def test_pad(dtype):
    x = sample((2, 3), dtype)
    out = apply("pad", x, result=type_of((3, 6), dtype), low=[1, 0], high=[0, 3], value=1.0)
    expected = np.ones((3, 6), dtype)
    expected[1:, :3] = x
    same(out, expected)


def test_pad_value_conversion():
    x = np.zeros((1,), I32)
    same(apply("pad", x, result="tensor<3xi32>", low=[1], high=[1], value=-2.7), np.array([-2, 0, -2], I32))
    y = np.zeros((1,), F32)
    same(apply("pad", y, result="tensor<2xf32>", low=[0], high=[1], value=-np.inf), np.array([0, -np.inf], F32))
    same(apply("pad", np.zeros((0, 2), F16), result="tensor<1x2xf16>", low=[1, 0], high=[0, 0], value=0.5),
         np.full((1, 2), 0.5, F16))


@pytest.mark.parametrize("index_dtype", [I32, I64], ids=["i32", "i64"])
@pytest.mark.parametrize("dtype", ALL, ids=ids(ALL))
def test_gather(dtype, index_dtype):
    x = sample((4, 5), dtype)
    idx = np.array([[0, -1, 2], [3, -4, 1]], index_dtype)
    out = apply("gather", x, idx, result=type_of((4, 2, 3), dtype), axis=1)
    same(out, np.take(x, np.where(idx < 0, idx + 5, idx), axis=1))
    out = apply("gather", x, np.array(-1, index_dtype), result=type_of((5,), dtype), axis=0)
    same(out, x[3])


@pytest.mark.parametrize("bad", [5, -6])
def test_gather_out_of_range(bad):
    with pytest.raises(EvaluationError, match="out of range"):
        apply("gather", np.zeros((5,), F32), np.array([0, bad], I64), result="tensor<2xf32>", axis=0)


# --- reductions ---------------------------------------------------------------------------

REDUCE = {"sum": np.sum, "prod": np.prod, "max": np.max, "min": np.min, "mean": np.mean}


def reduce_kinds(dtype):
    if dtype == I1:
        return ["max", "min"]
    if dtype in INTS:
        return ["sum", "prod", "max", "min"]
    return list(REDUCE)


@pytest.mark.parametrize("dtype", ALL, ids=ids(ALL))
@pytest.mark.parametrize("dims, keepdim", [([1], False), ([-1, 0], True), ([], False), ([0, 2], False)])
def test_reduce(dtype, dims, keepdim):
    x = sample((2, 3, 4), dtype, -2, 2)
    axes = tuple(d % 3 for d in dims) or None
    for kind in reduce_kinds(dtype):
        expected = in_f32(lambda v: REDUCE[kind](v, axis=axes, keepdims=keepdim), x)
        shape = np.asarray(expected).shape
        out = apply("reduce", x, result=type_of(shape, dtype), kind=kind, dims=dims, keepdim=keepdim)
        if kind in ("sum", "mean", "prod") and dtype in FLOATS:
            close(out, expected, dtype)
        else:
            same(out, expected)


def test_reduce_int_wraps():
    x = np.array([100, 100, 100], I8)
    same(apply("reduce", x, result="tensor<i8>", kind="sum", dims=[], keepdim=False), np.array(44, I8))
    same(apply("reduce", x, result="tensor<i8>", kind="prod", dims=[], keepdim=False), np.array(wrap(10**6, 8), I8))


def test_reduce_f16_accumulates_in_f32():
    # An f16 accumulator would stall at 2048 (2048 + 1 rounds back to 2048).
    x = np.ones(4096, F16)
    same(apply("reduce", x, result="tensor<f16>", kind="sum", dims=[0], keepdim=False), np.array(4096, F16))
    out = apply("reduce", x.astype(BF16), result="tensor<bf16>", kind="sum", dims=[0], keepdim=False)
    same(out, np.array(4096, BF16))
    same(apply("reduce", x, result="tensor<f16>", kind="mean", dims=[0], keepdim=False), np.array(1, F16))


EMPTY_IDENTITY = {
    "sum": lambda d: 0,
    "prod": lambda d: 1,
    "max": lambda d: False if d == I1 else (np.iinfo(d).min if d in INTS else -np.inf),
    "min": lambda d: True if d == I1 else (np.iinfo(d).max if d in INTS else np.inf),
    "mean": lambda d: np.nan,
}


@pytest.mark.parametrize("dtype", ALL, ids=ids(ALL))
def test_reduce_over_empty(dtype):
    x = np.zeros((3, 0), dtype)
    for kind in reduce_kinds(dtype):
        out = apply("reduce", x, result=type_of((3,), dtype), kind=kind, dims=[1], keepdim=False)
        same(out, np.full(3, EMPTY_IDENTITY[kind](dtype), dtype))
        out = apply("reduce", x, result=type_of((1, 1), dtype), kind=kind, dims=[], keepdim=True)
        same(out, np.full((1, 1), EMPTY_IDENTITY[kind](dtype), dtype))
        # Reducing the non-empty dimension of an empty tensor gives an empty tensor.
        out = apply("reduce", x, result=type_of((0,), dtype), kind=kind, dims=[0], keepdim=False)
        same(out, np.zeros((0,), dtype))


def test_reduce_rank0_and_nan():
    x = np.array(3.0, F32)
    for kind in REDUCE:
        same(apply("reduce", x, kind=kind, dims=[], keepdim=False), x)
    y = np.array([1.0, np.nan, 3.0], F32)
    for kind in REDUCE:
        same(apply("reduce", y, result="tensor<f32>", kind=kind, dims=[0], keepdim=False), np.array(np.nan, F32))


@pytest.mark.parametrize("dtype", ALL, ids=ids(ALL))
@pytest.mark.parametrize("name, fn", [("argmax", np.argmax), ("argmin", np.argmin)])
def test_argmax_argmin(name, fn, dtype):
    x = sample((3, 5), dtype, -2, 2)
    for axis, keepdim in [(1, False), (-2, True), (0, False)]:
        expected = fn(x, axis=axis, keepdims=keepdim)
        out = apply(name, x, result=type_of(expected.shape, I64), axis=axis, keepdim=keepdim)
        same(out, expected.astype(I64))


def test_arg_ties_and_nan():
    x = np.array([[1, 3, 3, 0, 0], [2, 2, 2, 2, 2]], I32)
    same(apply("argmax", x, result="tensor<2xi64>", axis=1, keepdim=False), np.array([1, 0], I64))
    same(apply("argmin", x, result="tensor<2xi64>", axis=1, keepdim=False), np.array([3, 0], I64))
    y = np.array([1.0, np.nan, 5.0, np.nan], F16)
    same(apply("argmax", y, result="tensor<i64>", axis=0, keepdim=False), np.array(1, I64))
    same(apply("argmin", y, result="tensor<i64>", axis=0, keepdim=False), np.array(1, I64))
    b = np.array([False, True, True])
    same(apply("argmax", b, result="tensor<i64>", axis=0, keepdim=False), np.array(1, I64))


@pytest.mark.parametrize("dtype", FLOATS, ids=ids(FLOATS))
@pytest.mark.parametrize("dims, correction, keepdim", [([1], 1, False), ([], 0, False), ([0, -1], 1, True)])
def test_var(dtype, dims, correction, keepdim):
    x = sample((3, 4, 5), dtype)
    axes = tuple(d % 3 for d in dims) or None
    expected = np.var(x.astype(F64), axis=axes, ddof=correction, keepdims=keepdim)
    out = apply("var", x, result=type_of(expected.shape, dtype), dims=dims, correction=correction, keepdim=keepdim)
    close(out, expected, dtype)


def test_var_degenerate():
    x = np.array([[1.0, 3.0], [2.0, 2.0]], F32)
    out = apply("var", x, result="tensor<2xf32>", dims=[1], correction=2, keepdim=False)
    same(out, np.array([np.inf, np.nan], F32))  # divisor max(N - correction, 0) = 0
    out = apply("var", np.zeros((2, 0), F32), result="tensor<2xf32>", dims=[1], correction=0, keepdim=False)
    same(out, np.full(2, np.nan, F32))


# --- contractions and composites ------------------------------------------------------------


@pytest.mark.parametrize("dtype", NUMERIC, ids=ids(NUMERIC))
def test_matmul(dtype):
    a, b = sample((2, 1, 3, 4), dtype, -2, 2), sample((5, 4, 2), dtype, -2, 2)
    out = apply("matmul", a, b, result=type_of((2, 5, 3, 2), dtype))
    expected = in_f32(np.matmul, a, b)
    if dtype in FLOATS:
        close(out, expected, dtype)
    else:
        same(out, expected)


def test_matmul_int_wraps_and_f16_accumulates_in_f32():
    a = np.full((1, 3), 100, I8)
    same(apply("matmul", a, a.T.copy(), result="tensor<1x1xi8>"), np.array([[wrap(30000, 8)]], I8))
    ones = np.ones((1, 4096), F16)
    same(apply("matmul", ones, ones.T.copy(), result="tensor<1x1xf16>"), np.array([[4096]], F16))
    same(apply("matmul", np.zeros((2, 0), F32), np.zeros((0, 3), F32), result="tensor<2x3xf32>"),
         np.zeros((2, 3), F32))


@pytest.mark.parametrize("dtype", NUMERIC, ids=ids(NUMERIC))
def test_linear(dtype):
    x, w, b = sample((2, 3, 4), dtype, -2, 2), sample((5, 4), dtype, -2, 2), sample((5,), dtype, -2, 2)
    out = apply("linear", x, w, b, result=type_of((2, 3, 5), dtype))
    expected = in_f32(lambda x, w, b: x @ w.T + b, x, w, b)
    if dtype in FLOATS:
        close(out, expected, dtype)
    else:
        same(out, expected)


def np_softmax(x, axis):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


@pytest.mark.parametrize("dtype", FLOATS, ids=ids(FLOATS))
@pytest.mark.parametrize("axis", [0, -1])
def test_softmax_log_softmax(dtype, axis):
    x = sample((3, 6), dtype)
    expected = np_softmax(x.astype(F64), axis)
    close(apply("softmax", x, axis=axis), expected, dtype)
    close(apply("log_softmax", x, axis=axis), np.log(expected), dtype)


def test_softmax_is_stable():
    x = np.array([[1000.0, 1000.0, -np.inf], [-1000.0, -1001.0, -1000.0]], F32)
    p = apply("softmax", x, axis=1)
    close(p, [[0.5, 0.5, 0.0], [1 / (2 + math.exp(-1)), math.exp(-1) / (2 + math.exp(-1)), 1 / (2 + math.exp(-1))]], F32)
    lp = apply("log_softmax", x, axis=1)
    close(lp[0, :2], [-math.log(2)] * 2, F32)
    assert lp[0, 2] == -np.inf


@pytest.mark.parametrize("dtype", FLOATS, ids=ids(FLOATS))
@pytest.mark.parametrize("axis", [1, -1])
def test_layer_norm(dtype, axis):
    x = sample((2, 3, 4), dtype)
    trailing = x.shape[axis % 3:]
    scale, bias = sample(trailing, dtype), sample(trailing, dtype)
    dims = tuple(range(axis % 3, 3))
    x64 = x.astype(F64)
    mean = x64.mean(axis=dims, keepdims=True)
    var = ((x64 - mean) ** 2).mean(axis=dims, keepdims=True)
    expected = (x64 - mean) / np.sqrt(var + 1e-5) * scale.astype(F64) + bias.astype(F64)
    out = apply("layer_norm", x, scale, bias, axis=axis, epsilon=1e-5)
    close(out, expected, dtype, atol={F16: 1e-2, BF16: 6e-2, F32: 1e-5, F64: 1e-12}[dtype])


@pytest.mark.parametrize("dtype", FLOATS, ids=ids(FLOATS))
def test_rms_norm(dtype):
    x = sample((3, 8), dtype)
    scale = sample((8,), dtype)
    x64 = x.astype(F64)
    expected = x64 / np.sqrt((x64**2).mean(axis=1, keepdims=True) + 1e-6) * scale.astype(F64)
    out = apply("rms_norm", x, scale, axis=-1, epsilon=1e-6)
    close(out, expected, dtype, atol={F16: 1e-2, BF16: 6e-2, F32: 1e-5, F64: 1e-12}[dtype])


def np_attention(q, k, v, scale, causal):
    """Loops over query rows: an independent formulation."""
    batch = np.broadcast_shapes(q.shape[:-2], k.shape[:-2], v.shape[:-2])
    q, k, v = (np.broadcast_to(a, batch + a.shape[-2:]) for a in (q, k, v))
    out = np.zeros(batch + (q.shape[-2], v.shape[-1]))
    for index in np.ndindex(*batch):
        for i in range(q.shape[-2]):
            scores = k[index] @ q[index][i] * scale
            if causal:
                scores[i + 1:] = -np.inf
            weights = np.exp(scores - scores.max())
            out[index][i] = weights @ v[index] / weights.sum()
    return out


@pytest.mark.parametrize("dtype", FLOATS, ids=ids(FLOATS))
@pytest.mark.parametrize("causal", [False, True])
def test_attention(dtype, causal):
    q = sample((2, 1, 5, 4), dtype, -1, 1)
    k = sample((1, 3, 6, 4), dtype, -1, 1)
    v = sample((3, 6, 2), dtype, -1, 1)
    out = apply("attention", q, k, v, result=type_of((2, 3, 5, 2), dtype), scale=0.5, causal=causal)
    expected = np_attention(*(a.astype(F64) for a in (q, k, v)), 0.5, causal)
    close(out, expected, dtype)


def test_attention_causal_first_row_sees_only_first_key():
    q = np.ones((3, 2), F32)
    k = np.array([[1, 0], [5, 5], [9, 9]], F32)
    v = np.array([[1.0], [2.0], [3.0]], F32)
    out = apply("attention", q, k, v, result="tensor<3x1xf32>", scale=1.0, causal=True)
    assert out[0, 0] == 1.0
    assert out[2, 0] > 2.99


# --- programs, calls, errors ------------------------------------------------------------------

PROGRAM = """
func.func @helper(%x: tensor<3xf32>) -> tensor<3xf32> {
  %y = "tensor_graph.mul"(%x, %x) : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  func.return %y : tensor<3xf32>
}
func.func @main(%x: tensor<3xf32>, %n: tensor<i32>) -> (tensor<3xf32>, tensor<i32>) {
  %y = func.call @helper(%x) : (tensor<3xf32>) -> tensor<3xf32>
  %z = "tensor_graph.add"(%y, %x) : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  func.return %z, %n : tensor<3xf32>, tensor<i32>
}
"""


def test_call_and_several_results():
    x, n = np.array([1.0, 2.0, 3.0], F32), np.array(4, I32)
    z, m = run(PROGRAM, "main", x, n)
    same(z, np.array([2, 6, 12], F32))
    same(m, n)
    assert m is not n  # results never alias the arguments
    same(run(PROGRAM, "@helper", x), x * x)
    same(run(PROGRAM, None, x), x * x)  # None: the first function


def test_module_and_function_inputs():
    module = load_module(PROGRAM)
    assert isinstance(module, ModuleOp)
    x = np.array([1.0, 2.0, 3.0], F32)
    same(run(module, "helper", x), x * x)
    same(run_function(find_function(module, "helper"), x), x * x)


def test_numpy_scalar_argument():
    src = one_op("neg", {}, ["tensor<f32>"], "tensor<f32>")
    same(run(src, "f", np.float32(2.0)), np.array(-2.0, F32))


def test_wrong_argument_count():
    with pytest.raises(TypeError, match=r"@main takes 2 argument\(s\), got 1"):
        run(PROGRAM, "main", np.zeros(3, F32))


def test_wrong_argument_dtype():
    with pytest.raises(TypeError, match=r"argument #0 \(%x\) of @main: expected dtype float32 .*got float64"):
        run(PROGRAM, "main", np.zeros(3), np.array(1, I32))
    with pytest.raises(TypeError, match=r"argument #1 \(%n\).*expected dtype int32.*got int64"):
        run(PROGRAM, "main", np.zeros(3, F32), np.array(1, I64))


def test_wrong_argument_shape():
    with pytest.raises(ValueError, match=r"argument #0 \(%x\) of @main: expected shape \(3,\) .*got \(4,\)"):
        run(PROGRAM, "main", np.zeros(4, F32), np.array(1, I32))
    with pytest.raises(ValueError, match=r"argument #1 \(%n\).*expected shape \(\).*got \(1,\)"):
        run(PROGRAM, "main", np.zeros(3, F32), np.array([1], I32))


def test_unknown_entry():
    with pytest.raises(ValueError, match=r"no function @nope .*@helper, @main"):
        run(PROGRAM, "nope")


def test_invalid_program_reports_diagnostics():
    bad = one_op("add", {}, ["tensor<3xf32>", "tensor<3xf64>"], "tensor<3xf32>")
    with pytest.raises(DiagnosticError, match=r"<input>:2:3: error: 'tensor_graph.add' op .*f64"):
        run(bad, "f", np.zeros(3, F32), np.zeros(3, F64))
    with pytest.raises(DiagnosticError, match=r"<input>:1:"):
        run("func.func @f(", "f")


def test_bad_source_and_entry_types():
    with pytest.raises(TypeError, match="MLIR text or a builtin.module"):
        run(42, "f")
    with pytest.raises(TypeError, match="entry must be a function name"):
        run(PROGRAM, np.zeros(3, F32))


def test_declaration_is_not_an_entry():
    src = "func.func private @ext(tensor<3xf32>) -> tensor<3xf32>\n" + one_op(
        "neg", {}, ["tensor<3xf32>"], "tensor<3xf32>"
    )
    x = np.array([1.0, -2.0, 0.0], F32)
    same(run(src, None, x), -x)  # None skips declarations
    with pytest.raises(ValueError, match="@ext is a declaration"):
        run(src, "ext", x)


def test_float_errors_are_silent():
    # Overflow, 0/0 and log of a negative: special values, no warnings (see pytestmark).
    big = np.array([60000.0, 0.0, -1.0], F16)
    out = apply("mul", big, big)
    same(out, np.array([np.inf, 0, 1], F16))
    same(apply("div", np.zeros(2, F32), np.zeros(2, F32)), np.full(2, np.nan, F32))
    same(apply("sqrt", np.array([-1.0], F64)), np.array([np.nan]))
    same(apply("exp", np.array([1000.0], F32)), np.array([np.inf], F32))
    same(apply("cast", np.array([np.nan, 1e20], F32), result=I32), np.array([0, 2**31 - 1], I32))


def test_softmax_over_an_empty_axis():
    # max over zero elements is -inf (the spec's identity), not a numpy error
    src = """func.func @f(%x: tensor<3x0xf32>) -> tensor<3x0xf32> {
      %y = "tensor_graph.softmax"(%x) <{axis = 1 : i64}> : (tensor<3x0xf32>) -> tensor<3x0xf32>
      %z = "tensor_graph.log_softmax"(%y) <{axis = -1 : i64}> : (tensor<3x0xf32>) -> tensor<3x0xf32>
      func.return %z : tensor<3x0xf32>
    }"""
    assert run(src, "f", np.zeros((3, 0), np.float32)).shape == (3, 0)
