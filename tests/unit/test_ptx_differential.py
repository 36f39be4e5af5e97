"""The differential suite through the PTX target: every program of the Triton
differential suite (its case table, test_triton_differential.CASES) compiled with
`stepwell.compile(..., target="ptx")`, which lowers it (lower-to-ptx-gpu_block, then
convert-gpu_block-to-nvvm), emits PTX and assembles every kernel with ptxas for sm_90:
the CI half (no GPU needed). On a CUDA GPU, each case also runs and is compared with
the reference interpreter (the `gpu` tests; bench/gpu_check.sh runs them).

Cases the PTX path refuses today ("not supported by the PTX path yet") are in
NOT_YET_BY_REASON, an xfail(strict) each: when the lowering learns one, it XPASSes and
fails, and comes off the table.

The compiles run once per session in a pool of forked processes (one per core, at most
8): each writes its artifact to this module's compile cache, from which the tests load it.
"""

from __future__ import annotations

import multiprocessing
import os
import traceback
from concurrent.futures import ProcessPoolExecutor

import pytest

pytest.importorskip("triton")  # (the case table's module needs triton and torch)
torch = pytest.importorskip("torch")

from _programs import assert_close
from test_triton_differential import CASES, XFAIL

from stepwell import reference
from stepwell.compiler import CompileError, compile
from stepwell.lowering.gpu_block_to_nvvm import UNSUPPORTED
from stepwell.targets.ptx.assemble import find_ptxas

GPU = torch.cuda.is_available()

NOT_YET_BY_REASON: dict[str, str] = {
    '2-D blocks (gpu_block.expand_dims): reductions, dots, gathers, transposes': """
        argmax_0_bf16 argmax_0_f16 argmax_0_f32 argmax_0_f64 argmax_0_i1 argmax_0_i32 argmax_0_i64 argmax_0_i8
        argmax_1_bf16 argmax_1_f16 argmax_1_f32 argmax_1_f64 argmax_1_i1 argmax_1_i32 argmax_1_i64 argmax_1_i8
        argmax_2_bf16 argmax_2_f16 argmax_2_f32 argmax_2_f64 argmax_2_i1 argmax_2_i32 argmax_2_i64 argmax_2_i8
        argmin_0_bf16 argmin_0_f16 argmin_0_f32 argmin_0_f64 argmin_0_i1 argmin_0_i32 argmin_0_i64 argmin_0_i8
        argmin_1_bf16 argmin_1_f16 argmin_1_f32 argmin_1_f64 argmin_1_i1 argmin_1_i32 argmin_1_i64 argmin_1_i8
        argmin_2_bf16 argmin_2_f16 argmin_2_f32 argmin_2_f64 argmin_2_i1 argmin_2_i32 argmin_2_i64 argmin_2_i8
        c_attention_bf16 c_attention_f16 c_attention_f32 c_attention_f64 c_layer_norm_bf16 c_layer_norm_f16
        c_layer_norm_f32 c_layer_norm_f64 c_linear_bf16 c_linear_f16 c_linear_f32 c_linear_f64 c_log_softmax_bf16
        c_log_softmax_f16 c_log_softmax_f32 c_log_softmax_f64 c_var_bf16 c_var_f16 c_var_f32 c_var_f64 gather_bf16
        gather_f16 gather_f32 gather_f64 gather_i1 gather_i32 gather_i64 gather_i8 matmul_0_bf16 matmul_0_f16
        matmul_0_f32 matmul_0_f64 matmul_0_i32 matmul_0_i64 matmul_0_i8 matmul_1_bf16 matmul_1_f16 matmul_1_f32
        matmul_1_f64 matmul_1_i32 matmul_1_i64 matmul_1_i8 matmul_2_bf16 matmul_2_f16 matmul_2_f32 matmul_2_f64
        matmul_2_i32 matmul_2_i64 matmul_2_i8 matmul_3_bf16 matmul_3_f16 matmul_3_f32 matmul_3_f64 matmul_3_i32
        matmul_3_i64 matmul_3_i8 reduce_max_0_bf16 reduce_max_0_f16 reduce_max_0_f32 reduce_max_0_f64
        reduce_max_0_i1 reduce_max_0_i32 reduce_max_0_i64 reduce_max_0_i8 reduce_max_1_f32 reduce_max_1_i32
        reduce_max_2_f32 reduce_max_2_i32 reduce_max_3_f32 reduce_max_3_i32 reduce_max_4_f32 reduce_max_4_i32
        reduce_max_5_f32 reduce_max_5_i32 reduce_max_6_f32 reduce_max_6_i32 reduce_mean_0_bf16 reduce_mean_0_f16
        reduce_mean_0_f32 reduce_mean_0_f64 reduce_mean_1_f32 reduce_mean_2_f32 reduce_mean_3_f32 reduce_mean_4_f32
        reduce_mean_5_f32 reduce_mean_6_f32 reduce_min_0_bf16 reduce_min_0_f16 reduce_min_0_f32 reduce_min_0_f64
        reduce_min_0_i1 reduce_min_0_i32 reduce_min_0_i64 reduce_min_0_i8 reduce_min_1_f32 reduce_min_1_i32
        reduce_min_2_f32 reduce_min_2_i32 reduce_min_3_f32 reduce_min_3_i32 reduce_min_4_f32 reduce_min_4_i32
        reduce_min_5_f32 reduce_min_5_i32 reduce_min_6_f32 reduce_min_6_i32 reduce_prod_0_bf16 reduce_prod_0_f16
        reduce_prod_0_f32 reduce_prod_0_f64 reduce_prod_0_i32 reduce_prod_0_i64 reduce_prod_0_i8 reduce_prod_1_f32
        reduce_prod_1_i32 reduce_prod_2_f32 reduce_prod_2_i32 reduce_prod_3_f32 reduce_prod_3_i32 reduce_prod_4_f32
        reduce_prod_4_i32 reduce_prod_5_f32 reduce_prod_5_i32 reduce_prod_6_f32 reduce_prod_6_i32 reduce_sum_0_bf16
        reduce_sum_0_f16 reduce_sum_0_f32 reduce_sum_0_f64 reduce_sum_0_i32 reduce_sum_0_i64 reduce_sum_0_i8
        reduce_sum_1_f32 reduce_sum_1_i32 reduce_sum_2_f32 reduce_sum_2_i32 reduce_sum_3_f32 reduce_sum_3_i32
        reduce_sum_4_f32 reduce_sum_4_i32 reduce_sum_5_f32 reduce_sum_5_i32 reduce_sum_6_f32 reduce_sum_6_i32
        softmax_shape3 softmax_shape6 sum_all_then_epilogue_f32 sum_shape1 sum_shape2 sum_shape3 sum_shape4
        sum_shape5 sum_shape6 transpose_mul_31x17_bf16 transpose_mul_31x17_f32 zero_argmax_f16 zero_argmax_f32
        zero_argmax_i32 zero_c_attention_f16 zero_c_attention_f32 zero_c_layer_norm_f16 zero_c_layer_norm_f32
        zero_c_linear_f16 zero_c_linear_f32 zero_c_log_softmax_f16 zero_c_log_softmax_f32
        zero_c_softmax_empty_axis_f16 zero_c_softmax_empty_axis_f32 zero_c_softmax_f16 zero_c_softmax_f32
        zero_c_var_f16 zero_c_var_f32 zero_gather_empty_rows_f16 zero_gather_empty_rows_f32
        zero_gather_empty_rows_i32 zero_matmul_batch_f16 zero_matmul_batch_f32 zero_matmul_batch_i32
        zero_matmul_k_f16 zero_matmul_k_f32 zero_matmul_k_i32 zero_matmul_m_f16 zero_matmul_m_f32 zero_matmul_m_i32
        zero_matmul_n_f16 zero_matmul_n_f32 zero_matmul_n_i32 zero_reduce_max_of_empty_f16
        zero_reduce_max_of_empty_f32 zero_reduce_max_of_empty_i32 zero_reduce_max_over_empty_f16
        zero_reduce_max_over_empty_f32 zero_reduce_max_over_empty_i32 zero_reduce_mean_of_empty_f16
        zero_reduce_mean_of_empty_f32 zero_reduce_mean_over_empty_f16 zero_reduce_mean_over_empty_f32
        zero_reduce_min_of_empty_f16 zero_reduce_min_of_empty_f32 zero_reduce_min_of_empty_i32
        zero_reduce_min_over_empty_f16 zero_reduce_min_over_empty_f32 zero_reduce_min_over_empty_i32
        zero_reduce_prod_of_empty_f16 zero_reduce_prod_of_empty_f32 zero_reduce_prod_of_empty_i32
        zero_reduce_prod_over_empty_f16 zero_reduce_prod_over_empty_f32 zero_reduce_prod_over_empty_i32
        zero_reduce_sum_of_empty_f16 zero_reduce_sum_of_empty_f32 zero_reduce_sum_of_empty_i32
        zero_reduce_sum_over_empty_f16 zero_reduce_sum_over_empty_f32 zero_reduce_sum_over_empty_i32""",
    'reductions (gpu_block.reduce)': """
        c_rms_norm_bf16 c_rms_norm_f16 c_rms_norm_f32 c_rms_norm_f64 c_softmax_bf16 c_softmax_f16 c_softmax_f32
        c_softmax_f64 deep_chain_f32 log_softmax_special_f32 softmax_shape1 softmax_shape2 softmax_shape4
        softmax_shape5 softmax_special_f32""",
    'loads of a 0-d tensor (pointers other than splat(arg) + offsets)': """
        cast_bf16 cast_f16 cast_f32 cast_f64 cast_i1 cast_i32 cast_i64 cast_i8 cmp_bf16 cmp_f16 cmp_f32 cmp_f64
        cmp_i1 cmp_i32 cmp_i64 cmp_i8 pow_rank0_exponent_bf16 pow_rank0_exponent_f64""",
}
"""Cases the PTX path refuses today, by why (names separated by white space)."""

NOT_YET = {name: reason for reason, names in NOT_YET_BY_REASON.items() for name in names.split()}
NAMES = sorted(set(CASES) - set(XFAIL))  # (what the Triton path cannot do is not asked of this one)


def _params(marks: list) -> list:
    return [
        pytest.param(name, id=name, marks=[
            *marks, *([pytest.mark.xfail(strict=True, raises=CompileError, reason=NOT_YET[name])] if name in NOT_YET else []),
        ])
        for name in NAMES
    ]


def _build(name: str) -> str | None:
    """Compile case `name` for the PTX target (in a worker): None, or why it failed
    ("compile: " and the CompileError's message, else "crash: " and a traceback)."""
    try:
        compile(CASES[name].text, "f", target="ptx")
    except CompileError as e:
        return f"compile: {e}"
    except Exception:  # noqa: BLE001  (reported by the test, with its traceback)
        return f"crash: {traceback.format_exc()}"
    return None


@pytest.fixture(scope="module")
def built(request, tmp_path_factory) -> dict[str, str | None]:
    """The outcome of compiling each selected case (the artifacts in this module's
    compile cache), compiled in parallel."""
    mp = pytest.MonkeyPatch()
    mp.setenv("STEPWELL_CACHE_DIR", str(tmp_path_factory.mktemp("ptx-cache")))
    names = sorted({
        item.callspec.params["name"] for item in request.session.items
        if item.module is request.module and hasattr(item, "callspec")
    })
    workers = max(1, min(8, os.cpu_count() or 1, len(names)))
    # forked: the parent's imports come along; a worker only compiles (no CUDA in it)
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
        outcomes = dict(zip(names, pool.map(_build, names, chunksize=8)))
    yield outcomes
    mp.undo()


def _compiled(name: str, built: dict):
    outcome = built[name]
    if outcome is not None:
        kind, _, message = outcome.partition(": ")
        if kind == "compile":
            raise CompileError(message)
        raise AssertionError(f"compiling {name} for ptx crashed:\n{message}")
    return compile(CASES[name].text, "f", target="ptx")  # (from the cache)


@pytest.mark.parametrize("name", _params([]))
def test_every_kernel_assembles_for_sm90(name, built):
    f = _compiled(name, built)
    assert ".entry f_k0(" in f.program.ptx or all(k.startswith("f_k") for k in f.program.kernels), name
    assert " call" not in f.program.ptx  # no libm (nor any other) call
    if find_ptxas() is None:
        pytest.skip("no ptxas (neither STEPWELL_PTXAS, the triton wheel's, nor the CUDA toolkit's)")
    assert f.program.cubin[:4] == b"\x7fELF"


def test_refusals_say_what_is_not_supported_yet(built):
    """Every refusal is the lowering's own ("not supported by the PTX path yet"), not a crash."""
    for name in NOT_YET:
        if built.get(name) is not None:
            assert UNSUPPORTED in built[name], (name, built[name])


@pytest.mark.parametrize("name", _params([pytest.mark.gpu, pytest.mark.skipif(not GPU, reason="needs a CUDA GPU")]))
def test_matches_reference_on_gpu(name, built):
    case = CASES[name]
    f = _compiled(name, built)
    expected = reference.run(case.text, "f", *case.inputs)
    actual = f(*case.inputs)
    if not isinstance(expected, tuple):
        actual, expected = (actual,), (expected,)
    assert isinstance(actual, tuple) and len(actual) == len(expected)
    for i, (a, e) in enumerate(zip(actual, expected)):
        assert_close(a, e, case.rtol, case.atol, f"result {i} of\n{case.text}")
