"""Pointwise kernels of the Triton path (1-D blocks, 2-D tiles for transposes), every
element type and every scalar op a lone pointwise body holds: each generated kernel
compiles ahead of time for sm_90, and runs in Triton's interpreter against
stepwell.reference at odd, prime, size-1 and zero sizes with special values (NaN,
+-inf, -0, integer extremes), broadcast and transposed reads, leading batch dims of 1.
Skipped without triton."""

from __future__ import annotations

import re

import numpy as np
import pytest

triton = pytest.importorskip("triton")
pytest.importorskip("torch")

from stepwell import reference, registry
from stepwell.ir import parse_module
from stepwell.registry import make_context
from tests.unit._triton import compile_sm90, element_dtype, interpret

FLOATS = ["f16", "bf16", "f32", "f64"]
INTS = ["i8", "i32", "i64"]
ALL = [*FLOATS, *INTS, "i1"]
FLOAT_UNARY = ["neg", "abs", "exp", "exp2", "log", "log2", "sqrt", "rsqrt", "reciprocal", "tanh", "sin", "cos",
               "erf", "floor", "ceil", "sign", "round", "sigmoid", "relu", "silu"]  # fmt: skip
INT_UNARY = ["neg", "abs", "sign"]
BINARY = ["add", "sub", "mul", "max", "min", "div", "pow"]
PREDICATES = ["eq", "ne", "lt", "le", "gt", "ge"]
SHAPE = (5, 7)


def tt(shape, dt: str) -> str:
    return f"tensor<{'x'.join(map(str, shape))}{'x' if shape else ''}{dt}>"


def program(args: list[tuple[str, tuple, str]], lines: list[str], result: tuple[str, tuple, str]) -> str:
    params = ", ".join(f"%{n}: {tt(s, d)}" for n, s, d in args)
    body = "\n  ".join(lines)
    name, shape, dt = result
    return f"func.func @f({params}) -> {tt(shape, dt)} {{\n  {body}\n  func.return %{name} : {tt(shape, dt)}\n}}"


def unary(op: str, dt: str, shape=SHAPE) -> str:
    return program([("x", shape, dt)], [f"%y = tensor_graph.{op} %x : {tt(shape, dt)}"], ("y", shape, dt))


def binary(op: str, dt: str, shape=SHAPE, other=SHAPE) -> str:
    return program([("x", shape, dt), ("b", other, dt)],
                   [f"%y = tensor_graph.{op} %x, %b : {tt(shape, dt)}, {tt(other, dt)} -> {tt(shape, dt)}"], ("y", shape, dt))


def cmp(pred: str, dt: str) -> str:
    return program([("x", SHAPE, dt), ("b", SHAPE, dt)],
                   [f'%y = tensor_graph.cmp %x, %b {{predicate = "{pred}"}} : {tt(SHAPE, dt)}, {tt(SHAPE, dt)} -> {tt(SHAPE, "i1")}'],
                   ("y", SHAPE, "i1"))


def cast(src: str, dst: str) -> str:
    return program([("x", SHAPE, src)], [f"%y = tensor_graph.cast %x : {tt(SHAPE, src)} -> {tt(SHAPE, dst)}"], ("y", SHAPE, dst))


def select(dt: str) -> str:
    return program([("c", SHAPE, "i1"), ("x", SHAPE, dt), ("b", (SHAPE[-1],), dt)],
                   [f"%y = tensor_graph.select %c, %x, %b : {tt(SHAPE, 'i1')}, {tt(SHAPE, dt)}, {tt((SHAPE[-1],), dt)} -> {tt(SHAPE, dt)}"],
                   ("y", SHAPE, dt))


def composite(op: str, attrs: str, dt: str) -> str:
    return program([("x", SHAPE, dt)], [f"%y = tensor_graph.{op} %x {attrs} : {tt(SHAPE, dt)}"], ("y", SHAPE, dt))


def transpose_add(m: int, n: int, dt: str = "f32", batch=()) -> str:
    xs, ys = (*batch, n, m), (*batch, m, n)
    perm = [*range(len(batch)), len(batch) + 1, len(batch)]
    return program([("x", xs, dt), ("b", ys, dt)],
                   [f"%t = tensor_graph.transpose %x {{perm = {perm}}} : {tt(xs, dt)} -> {tt(ys, dt)}",
                    f"%y = tensor_graph.add %t, %b : {tt(ys, dt)}, {tt(ys, dt)} -> {tt(ys, dt)}"], ("y", ys, dt))


def cases() -> dict[str, str]:
    out: dict[str, str] = {}
    for dt in FLOATS:
        out |= {f"{op}_{dt}": unary(op, dt) for op in FLOAT_UNARY}
        out[f"gelu_{dt}"] = composite("gelu", '{approximate = "none"}', dt)
        out[f"gelu_tanh_{dt}"] = composite("gelu", '{approximate = "tanh"}', dt)
        out[f"clamp_{dt}"] = composite("clamp", "{min = -0.5 : f64, max = 0.5 : f64}", dt)
    for dt in INTS:
        out |= {f"{op}_{dt}": unary(op, dt) for op in INT_UNARY}
    for dt in [*FLOATS, *INTS]:
        out |= {f"{op}_{dt}": binary(op, dt) for op in BINARY}
        out |= {f"cmp_{p}_{dt}": cmp(p, dt) for p in PREDICATES}
    for dt in ALL:
        out[f"select_{dt}"] = select(dt)
        out |= {f"cast_{dt}_{dst}": cast(dt, dst) for dst in ALL if dst != dt}
    out |= {f"{op}_i1": binary(op, "i1") for op in ("and", "or", "xor")}
    out["not_i1"] = unary("not", "i1")
    # sizes: prime, size 1, zero, a leading batch dim of 1, a broadcast read
    out |= {f"add_f32_{n}": binary("add", "f32", (n,), (n,)) for n in (1, 0, 1031)}
    out["add_f32_batch1"] = binary("add", "f32", (1, 3, 7), (7,))
    out["mul_f32_bcast_col"] = binary("mul", "f32", (13, 11), (13, 1))
    # transposes: 2-D tiles
    out |= {f"transpose_add_{m}x{n}": transpose_add(m, n) for m, n in ((31, 17), (2, 3), (67, 1), (0, 5))}
    out["transpose_add_batch1_f16"] = transpose_add(9, 13, "f16", (1,))
    out["transpose_add_batch3_i64"] = transpose_add(5, 6, "i64", (3,))
    return out


CASES = cases()

SPECIAL_FLOATS = [np.nan, np.inf, -np.inf, -0.0, 0.0, 0.5, -0.5, 1.5, 2.5, -2.5, 1e30, -1e30, 1e-30, 3.0, -3.0]


def inputs(name: str, source: str) -> list[np.ndarray]:
    rng = np.random.default_rng(abs(hash(name)) % 2**32)
    module, _ = parse_module(make_context(), source)
    fn = module.body.block.first_op
    arrays = []
    for t in fn.function_type.inputs.data:
        shape, dt = tuple(t.get_shape()), str(t.element_type)
        dtype = element_dtype(dt)
        n = int(np.prod(shape))
        if dt == "i1":
            a = rng.integers(0, 2, n).astype(bool)
        elif dt in INTS:
            info = np.iinfo(dtype)
            if name.startswith("pow_"):
                a = rng.integers(-3, 6, n)
            else:
                a = rng.integers(max(info.min, -1000), min(info.max, 1000), n)
                extremes = [info.min, info.max, 0, -1, 1, info.min + 1]
                a[: min(n, len(extremes))] = extremes[: min(n, len(extremes))]
            a = a.astype(dtype)
        else:
            a = rng.standard_normal(n) * 4
            if "cast" in name and "_i" in name:  # exact halves and values near the integer ranges
                a[: min(n, 4)] = [1e10, -1e10, 300.7, -129.5][: min(n, 4)]
            k = min(n, len(SPECIAL_FLOATS))
            a[rng.permutation(n)[:k]] = SPECIAL_FLOATS[:k]
            a = a.astype(dtype)
        arrays.append(a.reshape(shape))
    return arrays


def tolerance(dt: np.dtype) -> dict:
    name = dt.name
    if name in ("float16", "bfloat16"):
        return {"rtol": 1e-2 if name == "bfloat16" else 2e-3, "atol": 1e-3}
    if name == "float32":
        return {"rtol": 1e-5, "atol": 1e-6}
    return {"rtol": 1e-12, "atol": 1e-13}


def check(name: str, actual, expected) -> str | None:
    if actual.shape != expected.shape or actual.dtype != expected.dtype:
        return f"{name}: got {actual.dtype}{actual.shape}, expected {expected.dtype}{expected.shape}"
    if expected.dtype.kind == "f" or expected.dtype.name == "bfloat16":
        a, e = actual.astype(np.float64), expected.astype(np.float64)
        try:
            np.testing.assert_allclose(a, e, equal_nan=True, **tolerance(expected.dtype))
        except AssertionError as err:
            return f"{name}: {err}"
        return None
    if not np.array_equal(actual, expected):
        return f"{name}: {actual.ravel().tolist()} != {expected.ravel().tolist()}"
    return None


def reference_of(source: str, arrays):
    module, _ = parse_module(make_context(), source)
    out = reference.run(module, "f", *arrays)
    return out if isinstance(out, tuple) else (out,)


BATCH = 40  # programs per interpreter subprocess


@pytest.mark.parametrize("part", range(-(-len(CASES) // BATCH)))
def test_interpreter_matches_reference(part, tmp_path):
    names = sorted(CASES)[part * BATCH : (part + 1) * BATCH]
    programs = {n: (CASES[n], inputs(n, CASES[n])) for n in names}
    results = interpret(programs, tmp_path)
    problems = mismatches(programs, results)
    assert not problems, "\n".join(problems)


def mismatches(programs: dict, results: dict) -> list[str]:
    """What the interpreter got wrong: an error's last line, or where a result differs
    from the reference."""
    problems = []
    for n in programs:
        if isinstance(results[n], str):
            problems.append(f"{n}: {results[n].strip().splitlines()[-1]}")
            continue
        for actual, expected in zip(results[n], reference_of(*programs[n])):
            if (p := check(n, np.asarray(actual), np.asarray(expected))) is not None:
                problems.append(p)
    return problems


@pytest.mark.parametrize("part", range(-(-len(CASES) // BATCH)))
def test_compiles_for_sm90(part, tmp_path):
    names = sorted(CASES)[part * BATCH : (part + 1) * BATCH]
    for n in names:
        assert compile_sm90(CASES[n], tmp_path / f"aot_{n}.py") >= (0 if "_0" in n else 1), n


SIZES_ARGS = registry.pipelines()["lower-to-triton"].replace("convert-loops-to-gpu_block", "convert-loops-to-gpu_block{sizes=args}")
ARGS_CASES = ["add_f32_1031", "add_f32_batch1", "mul_f32_bcast_col", "transpose_add_31x17", "transpose_add_batch3_i64", "cast_f32_i8", "add_f32_0"]


def test_sizes_as_arguments_in_the_interpreter(tmp_path):
    """One program of each kernel kind with sizes=args (every size a kernel argument)."""
    programs = {n: (CASES[n], inputs(n, CASES[n])) for n in ARGS_CASES}
    results = interpret(programs, tmp_path, SIZES_ARGS)
    for n in ARGS_CASES:
        assert re.search(r"^    n\d+ = \d+$", (tmp_path / f"{n}.py").read_text(), re.MULTILINE) or n.endswith("_0"), n  # sizes passed
    problems = mismatches(programs, results)
    assert not problems, "\n".join(problems)


# Conversions to f16 and bf16 round once (to nearest even), as the reference: values
# where a conversion through f32 rounds twice (a tie after the first rounding), f32 ties
# (Triton's interpreter truncates f32 -> bf16), overflow, NaN; iota at bf16 (i64 -> bf16).
NARROWING = {
    "f32": [259.0, 263.0, -259.0, 1.01171875, 3.0e38, 65520.0, 65519.0, np.nan, -np.inf, 1e-45],
    "f64": [1 + 2.0**-11 + 2.0**-40, 1 + 2.0**-8 + 2.0**-40, -(1 + 2.0**-8 + 2.0**-40), 3.5e38, 65520.0, 1e-300, np.nan],
    "i32": [2**24 + 2**16 + 1, -(2**24 + 2**16 + 1), 65519, 65520, 2**31 - 1, 259],
    "i64": [2**60 + 2**52 + 1, -(2**40) - 2**32 - 1, 2**63 - 1, -(2**63), 2**24 + 1, 259],
    "f16": [259.0, 263.0, 1.00390625, -65504.0, np.inf],
}


def narrowing_programs() -> dict[str, tuple[str, list[np.ndarray]]]:
    programs = {}
    for src, values in NARROWING.items():
        x = np.asarray(values).astype(element_dtype(src))
        for dst in ("f16", "bf16"):
            if dst != src:
                programs[f"narrow_{src}_{dst}"] = (cast(src, dst).replace(tt(SHAPE, src), tt(x.shape, src))
                                                   .replace(tt(SHAPE, dst), tt(x.shape, dst)), [x])
    iota = program([("x", (1,), "f32")], ["%y = tensor_graph.iota {dim = 1} : tensor<3x300xbf16>"], ("y", (3, 300), "bf16"))
    programs["iota_bf16"] = (iota, [np.zeros(1, np.float32)])  # (x: the launcher's device)
    return programs


def test_narrowing_casts_round_once(tmp_path):
    """Exact (no tolerance) against the reference, in the interpreter; and for sm_90."""
    programs = narrowing_programs()
    results = interpret(programs, tmp_path)
    problems = []
    for n, (source, arrays) in programs.items():
        assert not isinstance(results[n], str), results[n]
        (actual,), (expected,) = results[n], reference_of(source, arrays)
        a, e = np.asarray(actual).astype(np.float64), np.asarray(expected).astype(np.float64)
        if not np.array_equal(a, e, equal_nan=True):
            problems.append(f"{n}: {a.ravel().tolist()[:12]} != {e.ravel().tolist()[:12]}")
        assert compile_sm90(source, tmp_path / f"aot_{n}.py") == 1
    assert not problems, "\n".join(problems)


# Gathers (a loops.load at an index read at run time) and loops.check_index.
GATHER = program([("x", (6, 5), "f32"), ("i", (2, 3), "i64")],
                 ["%y = tensor_graph.gather %x, %i {axis = 0} : tensor<6x5xf32>, tensor<2x3xi64> -> tensor<2x3x5xf32>"],
                 ("y", (2, 3, 5), "f32"))
GATHER_SUM = program([("x", (9, 5), "f32"), ("i", (7,), "i32")],  # an embedding bag: a reduction reads through the gather
                     ["%g = tensor_graph.gather %x, %i {axis = 0} : tensor<9x5xf32>, tensor<7xi32> -> tensor<7x5xf32>",
                      '%y = tensor_graph.reduce %g {kind = "sum", dims = [0], keepdim = false} : tensor<7x5xf32> -> tensor<5xf32>'],
                     ("y", (5,), "f32"))


def test_gathers_match_the_reference_and_compile_for_sm90(tmp_path):
    from stepwell import compile as compile_

    rng = np.random.default_rng(9)
    x = rng.standard_normal((6, 5)).astype(np.float32)
    i = np.array([[0, -1, 5], [-6, 2, 3]], np.int64)  # negative indices count from the end
    np.testing.assert_array_equal(compile_(GATHER, "f", target="triton")(x, i), reference_of(GATHER, [x, i])[0])
    x9, i7 = rng.standard_normal((9, 5)).astype(np.float32), np.array([8, 0, -9, 4, 4, 1, -1], np.int32)
    np.testing.assert_allclose(compile_(GATHER_SUM, "f", target="triton")(x9, i7), reference_of(GATHER_SUM, [x9, i7])[0], rtol=1e-6)
    assert compile_sm90(GATHER, tmp_path / "aot_gather.py") == 3  # the check's two reductions and the gather
    assert compile_sm90(GATHER_SUM, tmp_path / "aot_gather_sum.py") == 3


@pytest.mark.parametrize("bad", [[[0, 6, 1], [7, 2, -9]], [[0, 1, 2], [3, 4, -7]]])
def test_an_index_out_of_range_raises_as_on_the_cpu(bad):
    """The first (row-major) index outside [-6, 6) is named, with the CPU target's and
    the reference interpreter's exception and message."""
    from stepwell import compile as compile_
    from stepwell.reference import IndexOutOfRange

    x, i = np.zeros((6, 5), np.float32), np.array(bad, np.int64)
    messages = []
    for run in (compile_(GATHER, "f", target="triton"), compile_(GATHER, "f"), lambda *a: reference.run(GATHER, "f", *a)):
        with pytest.raises(IndexOutOfRange) as err:
            run(x, i)
        messages.append(str(err.value))
    assert messages[0] == messages[1] == messages[2], messages
