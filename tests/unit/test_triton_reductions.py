"""Reductions on the Triton path: every kind x dtype of the spec, odd/prime/size-1/zero
sizes, non-trailing and several reduced dims, the whole tensor and an epilogue,
argmax/argmin ties and NaN, f16/bf16 accumulated in f32 and rounded once, rows just
above 8192 (looped), column reductions and split ones. Every kernel compiles ahead of
time for sm_90; all cases run in one interpreter subprocess against stepwell.reference."""

from __future__ import annotations

import os
import subprocess
import sys

import ml_dtypes
import numpy as np
import pytest

triton = pytest.importorskip("triton")
torch = pytest.importorskip("torch")

from test_triton_target import load
from xdsl.dialects import func

from stepwell import reference, registry
from stepwell.dialects import gpu_block as gb
from stepwell.dtypes import numpy_dtype
from stepwell.ir import parse_module
from stepwell.ir.pipeline import build_pipeline
from stepwell.registry import make_context
from stepwell.targets.triton.emit import emit_triton

KINDS = ("sum", "prod", "max", "min", "argmax", "argmin")
DTYPES = ("f32", "f64", "f16", "bf16", "i8", "i32", "i64", "i1")
NO_I1 = {("sum", "i1"), ("prod", "i1")}  # not defined by tensor_graph (use max / min)


def reduce_src(kind: str, dtype: str, shape: tuple[int, ...], dims: list[int], keepdim: bool = False) -> str:
    t = f"tensor<{'x'.join(map(str, shape))}x{dtype}>" if shape else f"tensor<{dtype}>"
    kept = [1 if i in dims else n for i, n in enumerate(shape)] if keepdim else [n for i, n in enumerate(shape) if i not in dims]
    rt_elt = "i64" if kind.startswith("arg") else dtype
    r = f"tensor<{'x'.join(map(str, kept))}x{rt_elt}>" if kept else f"tensor<{rt_elt}>"
    if kind.startswith("arg"):
        (axis,) = dims
        op = f'tensor_graph.{kind} %x {{axis = {axis}, keepdim = {str(keepdim).lower()}}}'
    else:
        op = f'tensor_graph.reduce %x {{kind = "{kind}", dims = {dims}, keepdim = {str(keepdim).lower()}}}'
    return f"""
func.func @f(%x: {t}) -> {r} {{
  %s = {op} : {t} -> {r}
  func.return %s : {r}
}}"""


def normalized(m: int, n: int) -> str:
    """x / sum(x): a whole-tensor reduction followed by an epilogue."""
    t = f"tensor<{m}x{n}xf32>"
    return f"""
func.func @f(%x: {t}) -> {t} {{
  %s = tensor_graph.reduce %x {{kind = "sum", dims = [0, 1], keepdim = true}} : {t} -> tensor<1x1xf32>
  %y = tensor_graph.div %x, %s : {t}, tensor<1x1xf32> -> {t}
  func.return %y : {t}
}}"""


CASES: dict[str, str] = {
    **{f"{k}_{d}_5x37": reduce_src(k, d, (5, 37), [1]) for k in KINDS for d in DTYPES if (k, d) not in NO_I1},
    "sum_f32_1x1": reduce_src("sum", "f32", (1, 1), [1]),
    "sum_f32_3x0": reduce_src("sum", "f32", (3, 0), [1]),
    "max_i32_3x0": reduce_src("max", "i32", (3, 0), [1]),
    "sum_f32_0x5": reduce_src("sum", "f32", (0, 5), [1]),
    "argmax_f32_4x1": reduce_src("argmax", "f32", (4, 1), [1]),
    "sum_f32_7x8191": reduce_src("sum", "f32", (7, 8191), [1]),
    "mean_f16_3x3000": reduce_src("mean", "f16", (3, 3000), [1]),
    "sum_f32_axis0_37x5": reduce_src("sum", "f32", (37, 5), [0]),
    "sum_f32_axis0_100x70": reduce_src("sum", "f32", (100, 70), [0]),
    "argmin_f32_axis0_41x7": reduce_src("argmin", "f32", (41, 7), [0]),
    "max_f32_middle_3x7x5": reduce_src("max", "f32", (3, 7, 5), [1], keepdim=True),
    "sum_f64_axes02_4x5x6": reduce_src("sum", "f64", (4, 5, 6), [0, 2]),
    "prod_i32_axes01_3x4x5": reduce_src("prod", "i32", (3, 4, 5), [0, 1]),
    "sum_f32_all_6x7": reduce_src("sum", "f32", (6, 7), [0, 1]),
    "normalized_9x11": normalized(9, 11),
    "argmax_ties_nan_6x9": reduce_src("argmax", "f32", (6, 9), [1]),
    "argmin_ties_nan_6x9": reduce_src("argmin", "f32", (6, 9), [1]),
    "sum_f32_2x8200": reduce_src("sum", "f32", (2, 8200), [1]),
    "sum_f16_ones_2x9000": reduce_src("sum", "f16", (2, 9000), [1]),
    "max_nan_f32_2x8193": reduce_src("max", "f32", (2, 8193), [1]),
    "argmax_ties_nan_6x8209": reduce_src("argmax", "f32", (6, 8209), [1]),
    "argmin_i8_2x9001": reduce_src("argmin", "i8", (2, 9001), [1]),
    "sum_f32_split_300x1000": reduce_src("sum", "f32", (300, 1000), [0, 1]),
    "sum_f32_split_cols_4096x16": reduce_src("sum", "f32", (4096, 16), [0]),
    # few long rows: not split on the GPU (split-args=false), one looped program per row
    "argmax_f32_unsplit_2x40000": reduce_src("argmax", "f32", (2, 40000), [1]),
    "argmin_i32_unsplit_3x30011": reduce_src("argmin", "i32", (3, 30011), [1]),
}


def inputs(case: str, fn: func.FuncOp) -> list[np.ndarray]:
    rng = np.random.default_rng(len(case))
    arrays = []
    for t in fn.function_type.inputs.data:
        shape, dtype = tuple(t.get_shape()), numpy_dtype(t.element_type)
        if dtype == np.bool_:
            x = rng.random(shape) < 0.5
        elif dtype.kind == "i":
            x = rng.integers(-4, 5, shape).astype(dtype)
        elif "prod" in case:
            x = rng.uniform(0.5, 1.5, shape).astype(dtype)
        else:
            x = rng.standard_normal(shape).astype(dtype)
        if "ones" in case or "mean_f16" in case:
            x = np.ones(shape, dtype)  # more than 2048 ones: an f16 accumulator would stop at 2048
        if "ties_nan" in case:
            x = np.round(x).astype(dtype)  # many ties
            x[1, 3] = x[1, 7] = np.nan  # the first NaN wins
            x[2, :] = -np.inf if "argmax" in case else np.inf  # all equal: position 0
            x[3, :] = 0.0
            x[3, 5:] = 1.0 if "argmax" in case else -1.0  # ties after a change: the first best
            x[4, -1] = np.nan  # a NaN in the last position
        if case.startswith("max_nan"):
            x[1, -1] = np.nan
        arrays.append(x)
    return arrays


def lower(source: str):
    module, _ = parse_module(make_context(), source, "case")
    ctx = make_context()
    for _, pass_ in build_pipeline(registry.pipelines()["lower-to-triton"], registry.passes(), registry.pipelines()):
        pass_.apply(ctx, module)
    return module


POINTER = {"float32": "*fp32", "float64": "*fp64", "float16": "*fp16", "bfloat16": "*bf16", "bool": "*i1",
           "int8": "*i8", "int32": "*i32", "int64": "*i64"}  # fmt: skip


@pytest.mark.parametrize("case", sorted(CASES))
def test_compiles_for_sm90(case, tmp_path):
    from triton.backends.compiler import GPUTarget
    from triton.compiler import ASTSource

    module = lower(CASES[case])
    path = tmp_path / f"aot_{case}.py"
    path.write_text(emit_triton(module))
    loaded = load(path, f"aot_{case}")
    kernels = [op for op in module.ops if isinstance(op, gb.KernelOp)]
    assert kernels
    for kernel in kernels:
        fn = getattr(loaded, kernel.sym_name.data)
        signature = {
            name: POINTER[numpy_dtype(gb.pointee_type(a.type)).name] for name, a in zip(fn.arg_names, kernel.args)
        }
        compiled = triton.compile(ASTSource(fn=fn, signature=signature), target=GPUTarget("cuda", 90, 32),
                                  options={"num_warps": kernel.num_warps.value.data, "num_stages": 1})
        assert ".entry" in compiled.asm["ptx"]


RUNNER = """
import sys, numpy as np, torch, importlib.util
for case in sys.argv[2:]:
    spec = importlib.util.spec_from_file_location(case, f"{sys.argv[1]}/{case}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    data = np.load(f"{sys.argv[1]}/{case}.npz")
    args = [torch.from_numpy(data[k]).view(torch.bfloat16) if k.endswith("bf16") else torch.from_numpy(data[k])
            for k in sorted(data.files)]
    out = module.f(*args)
    out = out.float() if out.dtype == torch.bfloat16 else out
    np.save(f"{sys.argv[1]}/{case}.out.npy", out.numpy())
"""


@pytest.fixture(scope="module")
def interpreted(tmp_path_factory):
    """Every case's launcher run in Triton's interpreter, in one subprocess (TRITON_INTERPRET
    is read when @triton.jit decorates): case -> (inputs, parsed module, output)."""
    tmp = tmp_path_factory.mktemp("interp")
    parsed = {}
    for case, source in CASES.items():
        (tmp / f"{case}.py").write_text(emit_triton(lower(source)))
        module, _ = parse_module(make_context(), source)
        arrays = inputs(case, module.body.block.first_op)
        saved = {
            (f"a{i:02d}_bf16" if a.dtype == ml_dtypes.bfloat16 else f"a{i:02d}"): (a.view(np.uint16) if a.dtype == ml_dtypes.bfloat16 else a)
            for i, a in enumerate(arrays)
        }
        np.savez(tmp / f"{case}.npz", **saved)
        parsed[case] = (arrays, module)
    (tmp / "run.py").write_text(RUNNER)
    done = subprocess.run(
        [sys.executable, str(tmp / "run.py"), str(tmp), *CASES],
        env={**os.environ, "TRITON_INTERPRET": "1"}, capture_output=True, text=True, check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    return {case: (*parsed[case], np.load(tmp / f"{case}.out.npy")) for case in CASES}


@pytest.mark.parametrize("case", sorted(CASES))
def test_interpreter_matches_reference(case, interpreted):
    arrays, module, actual = interpreted[case]
    expected = reference.run(module, "f", *arrays)
    assert actual.shape == expected.shape
    if expected.dtype.kind in "biu":
        np.testing.assert_array_equal(actual, expected)
        return
    expected = expected.astype(np.float64)
    tol = {np.dtype(np.float64): 1e-12, np.dtype(np.float32): 1e-5}.get(np.dtype(arrays[0].dtype), 1e-2)
    if "f16" in case and "bf16" not in case and "prod" not in case:
        tol = 1e-3  # rounded once from the f32 sum: within an ulp
    scale = max(1.0, float(np.nanmax(np.abs(expected), initial=0.0, where=np.isfinite(expected))))
    np.testing.assert_allclose(actual, expected, rtol=tol, atol=tol * scale * 10, equal_nan=True)


# --- fused row kernels over rows longer than a persistent row (rows.py's looped form) ----

FUSED = registry.pipelines()["lower-to-triton"].replace("loops-fuse,", "loops-fuse{min-parallelism=1},")
"""lower-to-triton with every row op fused into its row kernel however few the rows (by
default a kernel of fewer than 64 rows yields only the row statistics, and the
normalization is a pointwise kernel of its own): both forms stay small enough to interpret."""


def row_src(op: str, m: int, n: int, dtype: str = "f32") -> str:
    t = f"tensor<{m}x{n}x{dtype}>"
    if op == "layer_norm":
        w = f"tensor<{n}x{dtype}>"
        return f"""
func.func @f(%x: {t}, %w: {w}, %b: {w}) -> {t} {{
  %y = tensor_graph.layer_norm %x, %w, %b {{axis = -1, epsilon = 1.0e-5 : f64}} : {t}, {w}, {w} -> {t}
  func.return %y : {t}
}}"""
    return f"""
func.func @f(%x: {t}) -> {t} {{
  %y = tensor_graph.{op} %x {{axis = -1}} : {t} -> {t}
  func.return %y : {t}
}}"""


LONG_ROWS = {
    f"{op}_{m}x{n}_{form}": (row_src(op, m, n), pipeline)
    for op in ("softmax", "log_softmax", "layer_norm")
    for m, n in ((2, 9000), (3, 16390))
    for form, pipeline in (("stats", "lower-to-triton"), ("fused", FUSED))
}
LONG_ROWS["softmax_f16_3x9001_fused"] = (row_src("softmax", 3, 9001, "f16"), FUSED)


def long_row_inputs(case: str, source: str) -> list[np.ndarray]:
    """Normal values, and rows with special values: row 0 all -inf, row 1 a NaN, row 2
    one -inf (in its last chunk)."""
    module, _ = parse_module(make_context(), source)
    rng = np.random.default_rng(len(case))
    arrays = []
    for t in module.body.block.first_op.function_type.inputs.data:
        shape, dtype = tuple(t.get_shape()), numpy_dtype(t.element_type)
        arrays.append((rng.standard_normal(shape) * 3).astype(dtype))
    x = arrays[0]
    x[0, :] = -np.inf
    x[1, 4321] = np.nan
    if x.shape[0] > 2:
        x[2, -3] = -np.inf
    return arrays


@pytest.mark.parametrize("case", sorted(LONG_ROWS))
def test_long_rows_compile_for_sm90(case, tmp_path):
    from _triton import compile_sm90

    source, pipeline = LONG_ROWS[case]
    assert compile_sm90(source, tmp_path / f"aot_{case}.py", pipeline) >= 1


@pytest.fixture(scope="module")
def long_rows_interpreted(tmp_path_factory):
    from _triton import interpret

    tmp = tmp_path_factory.mktemp("long_rows")
    cases = {name: (source, long_row_inputs(name, source)) for name, (source, _) in LONG_ROWS.items()}
    results = {}
    for pipeline in {p for _, p in LONG_ROWS.values()}:
        part = {name: cases[name] for name, (_, p) in LONG_ROWS.items() if p == pipeline}
        results.update(interpret(part, tmp, pipeline))
    return cases, results


@pytest.mark.parametrize("case", sorted(LONG_ROWS))
def test_long_rows_match_reference(case, long_rows_interpreted):
    cases, results = long_rows_interpreted
    source, arrays = cases[case]
    actual = results[case]
    assert not isinstance(actual, str), actual
    module, _ = parse_module(make_context(), source)
    expected = reference.run(module, "f", *arrays)
    tol = 1e-2 if "f16" in case else 1e-5
    np.testing.assert_allclose(actual[0].astype(np.float64), expected.astype(np.float64), rtol=tol, atol=tol, equal_nan=True)
