"""The Triton path end to end (convert-loops-to-gpu_block, --emit triton): every emitted
kernel compiles ahead of time for sm_90, and the launchers run in Triton's interpreter
on CPU tensors and match stepwell's reference interpreter. Skipped without triton."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

triton = pytest.importorskip("triton")
torch = pytest.importorskip("torch")

from stepwell import reference  # noqa: E402
from stepwell.ir import parse_module  # noqa: E402
from stepwell.registry import make_context  # noqa: E402
from stepwell.targets.triton.emit import emit_triton  # noqa: E402
from tests.unit._triton import compile_sm90, interpret, lower  # noqa: E402


def exp_add(m: int, n: int) -> str:
    return f"""
func.func @f(%x: tensor<{m}x{n}xf32>, %y: tensor<{n}xf32>) -> tensor<{m}x{n}xf32> {{
  %e = tensor_graph.exp %x : tensor<{m}x{n}xf32>
  %s = tensor_graph.add %e, %y : tensor<{m}x{n}xf32>, tensor<{n}xf32> -> tensor<{m}x{n}xf32>
  func.return %s : tensor<{m}x{n}xf32>
}}"""


def transpose_add(m: int, n: int) -> str:
    return f"""
func.func @f(%x: tensor<{n}x{m}xf32>, %y: tensor<{m}x{n}xf32>) -> tensor<{m}x{n}xf32> {{
  %t = tensor_graph.transpose %x {{perm = [1, 0]}} : tensor<{n}x{m}xf32> -> tensor<{m}x{n}xf32>
  %s = tensor_graph.mul %t, %y : tensor<{m}x{n}xf32>, tensor<{m}x{n}xf32> -> tensor<{m}x{n}xf32>
  func.return %s : tensor<{m}x{n}xf32>
}}"""


def row_reduce(kind: str, m: int, n: int) -> str:
    return f"""
func.func @f(%x: tensor<{m}x{n}xf32>) -> tensor<{m}xf32> {{
  %s = tensor_graph.reduce %x {{kind = "{kind}", dims = [1], keepdim = false}} : tensor<{m}x{n}xf32> -> tensor<{m}xf32>
  func.return %s : tensor<{m}xf32>
}}"""


def row_op(op: str, m: int, n: int) -> str:
    """softmax / log_softmax over the last axis, or layer_norm over it with scale and bias."""
    t = f"tensor<{m}x{n}xf32>"
    if op == "layer_norm":
        v = f"tensor<{n}xf32>"
        return f"""
func.func @f(%x: {t}, %w: {v}, %b: {v}) -> {t} {{
  %s = tensor_graph.layer_norm %x, %w, %b {{axis = -1, epsilon = 1.0e-05}} : {t}, {v}, {v} -> {t}
  func.return %s : {t}
}}"""
    return f"""
func.func @f(%x: {t}) -> {t} {{
  %s = tensor_graph.{op} %x {{axis = -1}} : {t} -> {t}
  func.return %s : {t}
}}"""


ROW_OPS = {
    f"{op}_{m}x{n}": row_op(op, m, n)
    for op in ("softmax", "log_softmax", "layer_norm")
    for m, n in ((64, 1000), (7, 13), (1, 1), (3, 8192), (0, 5))
}
# rows with special values: row 0 all -inf, row 1 holds a NaN, row 2 one -inf
SPECIAL = {
    **{f"{op}_inf_nan_4x9": row_op(op, 4, 9) for op in ("softmax", "log_softmax", "layer_norm")},
    **{f"{kind}_inf_nan_4x9": row_reduce(kind, 4, 9) for kind in ("max", "min")},
}


def inputs(case: str, fn) -> list[np.ndarray]:
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(tuple(t.get_shape())).astype(np.float32) for t in fn.function_type.inputs.data]
    if "inf_nan" in case:
        x = arrays[0]
        x[0, :] = -np.inf
        x[1, 3] = np.nan
        x[2, 5] = -np.inf
    return arrays


CASES = {
    "exp_add_1000x37": exp_add(1000, 37),
    "exp_add_7x13": exp_add(7, 13),
    "exp_add_1x1": exp_add(1, 1),
    "exp_add_0x5": exp_add(0, 5),
    "transpose_mul_31x17": transpose_add(31, 17),
    "sum_5x300": row_reduce("sum", 5, 300),
    "max_3x1": row_reduce("max", 3, 1),
    "min_2x0": row_reduce("min", 2, 0),
    "sum_0x7": row_reduce("sum", 0, 7),
    **ROW_OPS,
    **SPECIAL,
}


def emit(source: str) -> str:
    """The Triton source of `source` (lowered and emitted in this process, as
    `stepwell-opt -p lower-to-triton --emit triton` prints it: FileCheck tests run that)."""
    return emit_triton(lower(source))


def load(path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("case", sorted(CASES))
def test_compiles_for_sm90(case, tmp_path):
    assert compile_sm90(CASES[case], tmp_path / f"aot_{case}.py") >= 1


@pytest.fixture(scope="module")
def interpreted(tmp_path_factory):
    """Every case's launcher run by Triton's interpreter, all in one fresh process
    (TRITON_INTERPRET is read when @triton.jit decorates, triton's own functions
    included, so it is set before triton is imported there): (inputs, outputs or the
    error's text) by case."""
    programs = {}
    for case, source in CASES.items():
        parsed, _ = parse_module(make_context(), source)
        programs[case] = (source, inputs(case, parsed.body.block.first_op))
    results = interpret(programs, tmp_path_factory.mktemp("target_interp"))
    return {case: (programs[case][1], results[case]) for case in CASES}


@pytest.mark.parametrize("case", sorted(CASES))
def test_interpreter_matches_reference(case, interpreted):
    arrays, outputs = interpreted[case]
    assert not isinstance(outputs, str), outputs
    (actual,) = outputs
    expected = reference.run(CASES[case], "f", *arrays)
    assert actual.shape == expected.shape
    np.testing.assert_allclose(actual, expected, rtol=2e-6, atol=1e-5, equal_nan=True)


GPU_CASES = {
    **CASES,
    "exp_add_4096x4096": exp_add(4096, 4096),
    "sum_4096x4096": row_reduce("sum", 4096, 4096),
    "softmax_4096x4096": row_op("softmax", 4096, 4096),
}


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
@pytest.mark.parametrize("case", sorted(GPU_CASES))
def test_gpu_matches_reference(case, tmp_path):
    """The emitted launcher on the GPU (CUDA tensors in and out) against the reference."""
    source = GPU_CASES[case]
    path = tmp_path / f"gpu_{case}.py"
    path.write_text(emit(source))
    module = load(path, f"gpu_{case}")
    parsed, _ = parse_module(make_context(), source)
    arrays = inputs(case, parsed.body.block.first_op)
    out = module.f(*(torch.from_numpy(a).cuda() for a in arrays))
    assert out.is_cuda
    expected = reference.run(parsed, "f", *arrays)
    np.testing.assert_allclose(out.cpu().numpy(), expected, rtol=2e-6, atol=1e-4, equal_nan=True)
