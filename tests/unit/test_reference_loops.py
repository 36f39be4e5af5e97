"""The loops evaluator (`stepwell.reference.loops`): the semantics of every scalar op
it knows, loads (bounds, gathers through syms, floordiv/mod of negative values),
reductions (identities, argmax ties and NaN, several reduced axes), kernels, constants
and calls, and the errors it gives."""

from __future__ import annotations

import ml_dtypes
import numpy as np
import pytest
import sympy

from stepwell.dialects.loops.index import dims, sym
from stepwell.reference import EvaluationError, IndexOutOfRange
from stepwell.reference.loops import index_function, run, space_symbols

BF16 = ml_dtypes.bfloat16
NAN, INF = float("nan"), float("inf")


def elementwise(line: str, *arrays: np.ndarray, result: str) -> np.ndarray:
    """Run one scalar op over 1-d inputs: `line` uses %x0, %x1, ... and defines %r."""
    n = arrays[0].shape[0]
    names = {np.dtype(np.bool_): "i1", np.dtype(BF16): "bf16"}
    types = [names.get(a.dtype) or {"f": "f", "i": "i"}[a.dtype.kind] + str(8 * a.dtype.itemsize) for a in arrays]
    args = ", ".join(f"%a{i}: tensor<{n}x{t}>" for i, t in enumerate(types))
    loads = "\n".join(f"    %x{i} = loops.load %a{i}[d0] : tensor<{n}x{t}>" for i, t in enumerate(types))
    text = f"""
func.func @f({args}) -> tensor<{n}x{result}> {{
  %y = loops.pointwise : tensor<{n}x{result}> {{
{loads}
    {line}
    loops.yield %r : {result}
  }}
  func.return %y : tensor<{n}x{result}>
}}"""
    return run(text, "f", *arrays)


def i(values, dtype=np.int32):
    return np.array(values, dtype=dtype)


def f(values, dtype=np.float32):
    return np.array(values, dtype=dtype)


def same(actual, expected):
    expected = np.asarray(expected)
    assert actual.dtype == expected.dtype, (actual.dtype, expected.dtype)
    assert np.array_equal(actual, expected, equal_nan=actual.dtype.kind == "f"), (actual, expected)


# --- integer arithmetic -------------------------------------------------------------------


def test_integer_ops_wrap():
    a, b = i([127, -128, 5], np.int8), i([1, -1, 7], np.int8)
    same(elementwise("%r = arith.addi %x0, %x1 : i8", a, b, result="i8"), i([-128, 127, 12], np.int8))
    same(elementwise("%r = arith.muli %x0, %x1 : i8", a, b, result="i8"), i([127, -128, 35], np.int8))
    same(elementwise("%r = math.absi %x0 : i8", a, result="i8"), i([127, -128, 5], np.int8))


def test_divsi_and_remsi_round_toward_zero():
    a, b = i([7, -7, 7, -7, 0]), i([2, 2, -2, -2, 3])
    same(elementwise("%r = arith.divsi %x0, %x1 : i32", a, b, result="i32"), i([3, -3, -3, 3, 0]))
    same(elementwise("%r = arith.remsi %x0, %x1 : i32", a, b, result="i32"), i([1, -1, 1, -1, 0]))
    same(elementwise("%r = arith.floordivsi %x0, %x1 : i32", a, b, result="i32"), i([3, -4, -4, 3, 0]))
    big = i([-(2**63), 2**63 - 1], np.int64)
    same(elementwise("%r = arith.divsi %x0, %x1 : i64", big, i([3, -2], np.int64), result="i64"),
         i([-3074457345618258602, -4611686018427387903], np.int64))


@pytest.mark.parametrize("b", [[1, 0, 2], [-1, -1, 1]], ids=["by_zero", "overflow"])
def test_undefined_division_raises(b):
    a = i([1, -(2**31), 3])
    with pytest.raises(EvaluationError, match="undefined behaviour"):
        elementwise("%r = arith.divsi %x0, %x1 : i32", a, i(b), result="i32")


def test_i1_is_signed_for_signed_ops_and_unsigned_for_unsigned_ones():
    t, fl = np.array([True, True, False, False]), np.array([True, False, True, False])
    same(elementwise("%r = arith.cmpi slt, %x0, %x1 : i1", t, fl, result="i1"), [False, True, False, False])
    same(elementwise("%r = arith.cmpi ult, %x0, %x1 : i1", t, fl, result="i1"), [False, False, True, False])
    same(elementwise("%r = arith.maxsi %x0, %x1 : i1", t, fl, result="i1"), [True, False, False, False])
    same(elementwise("%r = arith.maxui %x0, %x1 : i1", t, fl, result="i1"), [True, True, True, False])
    same(elementwise("%r = arith.addi %x0, %x1 : i1", t, fl, result="i1"), [False, True, True, False])
    same(elementwise("%r = arith.extsi %x0 : i1 to i8", t, result="i8"), i([-1, -1, 0, 0], np.int8))
    same(elementwise("%r = arith.extui %x0 : i1 to i8", t, result="i8"), i([1, 1, 0, 0], np.int8))
    same(elementwise("%r = arith.sitofp %x0 : i1 to f32", t, result="f32"), f([-1, -1, 0, 0]))
    same(elementwise("%r = arith.uitofp %x0 : i1 to f16", t, result="f16"), f([1, 1, 0, 0], np.float16))


def test_integer_casts_wrap():
    a = i([300, -129, 255], np.int32)
    same(elementwise("%r = arith.trunci %x0 : i32 to i8", a, result="i8"), i([44, 127, -1], np.int8))
    same(elementwise("%r = arith.trunci %x0 : i32 to i1", a, result="i1"), [False, True, True])
    same(elementwise("%r = arith.extui %x0 : i8 to i32", i([-1, 5], np.int8), result="i32"), i([255, 5]))


def test_cmpi_predicates():
    a, b = i([-1, 2, 3]), i([1, 2, -4])
    for predicate, expected in {
        "eq": [0, 1, 0], "ne": [1, 0, 1], "slt": [1, 0, 0], "sge": [0, 1, 1],
        "ult": [0, 0, 1], "ugt": [1, 0, 0],
    }.items():
        line = f"%r = arith.cmpi {predicate}, %x0, %x1 : i32"
        same(elementwise(line, a, b, result="i1"), np.array(expected, bool))


def test_ipowi_is_exact_and_wraps():
    base, exp = i([3, -2, 2, 1, -1, -1, 0, 5], np.int64), i([4, 3, 70, -5, -3, -4, -2, -1], np.int64)
    expected = i([81, -8, 0, 1, -1, 1, 0, 0], np.int64)  # 2**70 wraps to 0
    same(elementwise("%r = math.ipowi %x0, %x1 : i64", base, exp, result="i64"), expected)


# --- floats ---------------------------------------------------------------------------------


def test_float_min_max_propagate_nan_num_forms_do_not():
    a, b = f([1, NAN, -0.0]), f([NAN, 2, 0.0])
    same(elementwise("%r = arith.maximumf %x0, %x1 : f32", a, b, result="f32"), f([NAN, NAN, 0.0]))
    same(elementwise("%r = arith.maxnumf %x0, %x1 : f32", a, b, result="f32"), f([1, 2, 0.0]))
    same(elementwise("%r = arith.minimumf %x0, %x1 : f32", a, b, result="f32"), f([NAN, NAN, -0.0]))


@pytest.mark.parametrize(
    "predicate, expected",
    [("oeq", [0, 1, 0]), ("une", [1, 0, 1]), ("olt", [0, 0, 1]), ("ult", [1, 0, 1]),
     ("ord", [0, 1, 1]), ("uno", [1, 0, 0]), ("one", [0, 0, 1]), ("ueq", [1, 1, 0]),
     ("true", [1, 1, 1]), ("false", [0, 0, 0])],
)
def test_cmpf_predicates_with_nan(predicate, expected):
    a, b = f([NAN, 2, 1]), f([1, 2, 3])
    line = f"%r = arith.cmpf {predicate}, %x0, %x1 : f32"
    same(elementwise(line, a, b, result="i1"), np.array(expected, bool))


def test_truncf_rounds_once_from_f64():
    # 1 + 2**-11 + 2**-40 is just above the f16 halfway point: one rounding goes up;
    # through f32 (which drops 2**-40) it would tie to even and go down.
    x = np.array([1 + 2**-11 + 2**-40, 65520.0, -1e-9], np.float64)
    out = elementwise("%r = arith.truncf %x0 : f64 to f16", x, result="f16")
    same(out, np.array([1 + 2**-10, INF, -0.0], np.float16))
    out = elementwise("%r = arith.truncf %x0 : f64 to bf16", np.array([1 + 2**-8 + 2**-40]), result="bf16")
    assert float(out[0]) == 1 + 2**-7


def test_sitofp_rounds_once_to_narrow_floats():
    x = np.array([2**53 + 1, 2049, -(2**63)], np.int64)
    same(elementwise("%r = arith.sitofp %x0 : i64 to f16", x, result="f16"),
         np.array([INF, 2048, -INF], np.float16))
    out = elementwise("%r = arith.sitofp %x0 : i64 to bf16", np.array([257, 2**40 + 2**32 + 1]), result="bf16")
    assert [float(v) for v in out] == [256.0, 2**40 + 2**33]


def test_fptosi_truncates_and_saturates():
    x = f([2.9, -2.9, 3e9, -3e9, NAN, INF])
    same(elementwise("%r = arith.fptosi %x0 : f32 to i32", x, result="i32"),
         i([2, -2, 2**31 - 1, -(2**31), 0, 2**31 - 1]))


def test_math_ops_in_their_type():
    x = f([0.5, -1.5, 2.5, -0.0])
    same(elementwise("%r = math.roundeven %x0 : f32", x, result="f32"), f([0, -2, 2, -0.0]))
    same(elementwise("%r = math.round %x0 : f32", x, result="f32"), f([1, -2, 3, -0.0]))
    same(elementwise("%r = math.rsqrt %x0 : f32", f([4, 0.25]), result="f32"), f([0.5, 2]))
    same(elementwise("%r = math.exp2 %x0 : f32", f([3, -1]), result="f32"), f([8, 0.5]))
    erf = elementwise("%r = math.erf %x0 : f32", f([0.5, -3]), result="f32")
    same(erf, f([0.5204998778130465, -0.9999779095030014]))
    same(elementwise("%r = math.powf %x0, %x1 : f32", f([2, -8]), f([0.5, 3]), result="f32"),
         np.power(f([2, -8]), f([0.5, 3])))


def test_bf16_and_f16_arithmetic_without_extension():
    a = np.array([1, 2**-8], BF16)
    out = elementwise("%r = arith.addf %x0, %x0 : bf16", a, result="bf16")
    assert out.dtype == np.dtype(BF16) and [float(v) for v in out] == [2.0, 2**-7]


def test_select_and_bitcast():
    c = np.array([True, False])
    same(elementwise("%r = arith.select %x0, %x1, %x2 : f32", c, f([1, 2]), f([3, 4]), result="f32"), f([1, 4]))
    same(elementwise("%r = arith.bitcast %x0 : f32 to i32", f([1.0, -0.0]), result="i32"),
         i([0x3F800000, -(2**31)]))


# --- loads and index expressions -------------------------------------------------------------


def test_index_functions_floor_toward_minus_infinity():
    d0 = dims(1)[0]
    symbols = {"d0": np.arange(-4, 5)}
    assert list(index_function(sympy.floor(d0 / 3))(symbols)) == [-2, -1, -1, -1, 0, 0, 0, 1, 1]
    assert list(index_function(sympy.Mod(d0, 3))(symbols)) == [2, 0, 1, 2, 0, 1, 2, 0, 1]
    assert list(index_function(sympy.ceiling(d0 / 3))(symbols)) == [-1, -1, 0, 0, 0, 1, 1, 1, 2]
    assert index_function(sympy.Max(d0, 2) * 2 + sym("s0"))({"d0": np.arange(3), "s0": 10}).tolist() == [14, 14, 14]


def test_space_symbols_are_grids_on_their_own_axes():
    grids = space_symbols((2, 3), (4,))
    assert [g.shape for g in grids.values()] == [(2, 1, 1), (1, 3, 1), (1, 1, 4)]


VIEWS = """
func.func @f(%x: tensor<2x3xf32>) -> (tensor<3x2xf32>, tensor<6xf32>, tensor<2x2xf32>) {
  %t = loops.pointwise : tensor<3x2xf32> {
    %a = loops.load %x[d1, d0] : tensor<2x3xf32>
    loops.yield %a : f32
  }
  %r = loops.pointwise : tensor<6xf32> {
    %a = loops.load %x[d0 floordiv 3, d0 mod 3] : tensor<2x3xf32>
    loops.yield %a : f32
  }
  %c = loops.pointwise : tensor<2x2xf32> {
    %a = loops.load %x[d0, max(0, min(2, 2 * d1 + 1))] : tensor<2x3xf32>
    loops.yield %a : f32
  }
  func.return %t, %r, %c : tensor<3x2xf32>, tensor<6xf32>, tensor<2x2xf32>
}"""


def test_loads_through_index_expressions():
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    t, r, c = run(VIEWS, "f", x)
    same(t, x.T)
    same(r, x.reshape(6))
    same(c, x[:, [1, 2]])


GATHER = """
func.func @f(%x: tensor<5x3xi8>, %idx: tensor<4xi32>) -> tensor<4x3xi8> {
  %y = loops.pointwise : tensor<4x3xi8> {
    %k = loops.load %idx[d0] : tensor<4xi32>
    %w = arith.extsi %k : i32 to i64
    %v = loops.load %x[s0, d1] syms(%w) : tensor<5x3xi8>
    loops.yield %v : i8
  }
  func.return %y : tensor<4x3xi8>
}"""


def test_gather_through_syms():
    x = np.arange(15, dtype=np.int8).reshape(5, 3)
    same(run(GATHER, "f", x, i([4, 0, 2, 2])), x[[4, 0, 2, 2]])


def test_out_of_bounds_load_raises():
    x = np.zeros((5, 3), np.int8)
    with pytest.raises(EvaluationError, match=r"reads index 5 in dimension 0 of size 5 \(index expression 's0'\)"):
        run(GATHER, "f", x, i([0, 5, 1, 1]))


def test_check_index_raises_as_the_reference_gather():
    text = """func.func @f(%i: tensor<2x2xi32>) -> tensor<2x2xi32> {
      loops.check_index %i in [-3, 3) for "tensor_graph.gather" axis 1 : tensor<2x2xi32>
      func.return %i : tensor<2x2xi32>
    }"""
    same(run(text, "f", i([[0, -3], [2, 1]])), i([[0, -3], [2, 1]]))
    with pytest.raises(IndexOutOfRange, match=r"'tensor_graph.gather': index 3 is out of range for axis 1 of size 3"):
        run(text, "f", i([[0, 3], [-4, 1]]))


# --- reductions, kernels, function level --------------------------------------------------------


def reduce_text(kind: str, in_type: str, shape: str, over: str, out: str, index: str, body_type: str = "") -> str:
    element = in_type
    return f"""
func.func @f(%x: tensor<{shape}x{in_type}>) -> tensor<{out}> {{
  %y = loops.reduce {kind} over [{over}]{body_type} : tensor<{out}> {{
    %a = loops.load %x[{index}] : tensor<{shape}x{in_type}>
    loops.yield %a : {element}
  }}
  func.return %y : tensor<{out}>
}}"""


@pytest.mark.parametrize(
    "kind, dtype, expected",
    [("sum", "f32", 0.0), ("prod", "f32", 1.0), ("max", "f32", -INF), ("min", "f64", INF),
     ("max", "i8", -128), ("min", "i32", 2**31 - 1), ("max", "i1", False), ("min", "i1", True)],
)
def test_empty_reductions_give_the_identity(kind, dtype, expected):
    text = reduce_text(kind, dtype, "0x2", "0", f"2x{dtype}", "r0, d0")
    numpy = {"f32": np.float32, "f64": np.float64, "i8": np.int8, "i32": np.int32, "i1": np.bool_}[dtype]
    same(run(text, "f", np.zeros((0, 2), numpy)), np.full(2, expected, numpy))


EMPTY = """
func.func @f(%x: tensor<0xf32>) -> (tensor<0x2xf32>, tensor<3xf32>, tensor<0xi64>) {
  %y = loops.pointwise : tensor<0x2xf32> {
    %a = loops.load %x[0] : tensor<0xf32>
    loops.yield %a : f32
  }
  %s = loops.reduce sum over [0] : tensor<3xf32> {
    %a = loops.load %x[0] : tensor<0xf32>
    loops.yield %a : f32
  }
  %m = loops.reduce argmax over [4] (f32) : tensor<0xi64> {
    %a = loops.load %x[d0] : tensor<0xf32>
    loops.yield %a : f32
  }
  func.return %y, %s, %m : tensor<0x2xf32>, tensor<3xf32>, tensor<0xi64>
}"""


def test_empty_spaces_run_no_body():
    """A load that would be out of bounds is never made when no point exists."""
    y, s, m = run(EMPTY, "f", np.zeros(0, np.float32))
    same(y, np.zeros((0, 2), np.float32))
    same(s, np.zeros(3, np.float32))
    same(m, np.zeros(0, np.int64))


def test_argmax_over_nothing_raises():
    text = reduce_text("argmax", "f32", "2x0", "0", "2xi64", "d0, r0", " (f32)")
    with pytest.raises(EvaluationError, match="argmax over zero elements has no answer"):
        run(text, "f", np.zeros((2, 0), np.float32))


def test_reductions_over_several_axes():
    x = np.random.default_rng(0).integers(-50, 50, (3, 4, 5)).astype(np.int64)
    text = reduce_text("sum", "i64", "3x4x5", "3, 5", "4xi64", "r0, d0, r1")
    same(run(text, "f", x), x.sum(axis=(0, 2)))
    text = reduce_text("argmax", "i64", "3x4x5", "3, 5", "4xi64", "r0, d0, r1", " (i64)")
    same(run(text, "f", x), np.argmax(x.transpose(1, 0, 2).reshape(4, 15), axis=1))


def test_argmax_first_on_ties_and_nan_wins():
    x = f([[1, 3, 3, 0], [NAN, 5, NAN, 9], [2, 2, 2, 2]])
    text = reduce_text("argmax", "f32", "3x4", "4", "3xi64", "d0, r0", " (f32)")
    same(run(text, "f", x), i([1, 0, 0], np.int64))
    text = reduce_text("argmin", "f32", "3x4", "4", "3xi64", "d0, r0", " (f32)")
    same(run(text, "f", x), i([3, 0, 0], np.int64))


def test_i1_max_min_reductions_are_any_all():
    x = np.array([[True, False], [False, False]])
    same(run(reduce_text("max", "i1", "2x2", "2", "2xi1", "d0, r0"), "f", x), [True, False])
    same(run(reduce_text("min", "i1", "2x2", "2", "2xi1", "d0, r0"), "f", x), [False, False])


KERNEL = """
func.func @g(%x: tensor<2x3xf32>) -> tensor<2xf32> {
  %k = "tensor_graph.constant"() <{value = dense<[1.0, 10.0, 100.0]> : tensor<3xf32>}> : () -> tensor<3xf32>
  %m, %e = loops.kernel parallel [p0 = 2] reduction [k0 = 3] -> tensor<2xf32>, tensor<2x3xf32> {
    %m = loops.reduce sum over [3] : tensor<2xf32> at (p0 | k0) {
      %a = loops.load %x[d0, r0] : tensor<2x3xf32>
      %c = loops.load %k[r0] : tensor<3xf32>
      %s = arith.mulf %a, %c : f32
      loops.yield %s : f32
    }
    %e = loops.pointwise : tensor<2x3xf32> at (p0, k0) {
      %a = loops.load %x[d0, d1] : tensor<2x3xf32>
      %c = loops.load %k[d1] : tensor<3xf32>
      %r = loops.load %m[d0] : tensor<2xf32>
      %s = arith.mulf %a, %c : f32
      %t = arith.addf %s, %r : f32
      loops.yield %t : f32
    }
    loops.yield %m, %e : tensor<2xf32>, tensor<2x3xf32>
  }
  func.return %m : tensor<2xf32>
}

func.func @f(%x: tensor<2x3xf32>) -> (tensor<2xf32>, tensor<2xf32>) {
  %m = func.call @g(%x) : (tensor<2x3xf32>) -> tensor<2xf32>
  %n = "tensor_graph.neg"(%m) : (tensor<2xf32>) -> tensor<2xf32>
  func.return %m, %n : tensor<2xf32>, tensor<2xf32>
}"""


def test_kernels_constants_calls_and_tensor_graph_ops():
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    m, n = run(KERNEL, "f", x)
    same(m, f([210, 543]))
    same(n, -m)


def test_arguments_are_checked():
    with pytest.raises(TypeError, match="expected dtype float32"):
        run(VIEWS, "f", np.zeros((2, 3), np.float64))
    with pytest.raises(ValueError, match="expected shape"):
        run(VIEWS, "f", np.zeros((3, 2), np.float32))


def test_unknown_scalar_op_is_named():
    ctlz = "%i = loops.index [d0]\n    %q = math.ctlz %i : i64\n    loops.yield %a : f32\n  }\n  %r"
    bad = VIEWS.replace("loops.yield %a : f32\n  }\n  %r", ctlz)
    with pytest.raises(EvaluationError, match="no semantics for 'math.ctlz'"):
        run(bad, "f", np.zeros((2, 3), np.float32))
