"""The blocked GEMM path of the CPU backend (stepwell/lowering/loops_to_llvm/contraction.py),
differentially against numpy: odd sizes around the micro-tile and cache blocks, batched
and broadcast operands, transposed operands, every float type (f16/bf16 accumulate in
f32), with and without a fused bias + relu epilogue."""

from __future__ import annotations

import ml_dtypes
import numpy as np
import pytest

from stepwell import registry
from stepwell.compiler import compile
from stepwell.ir.parse import parse_module
from stepwell.ir.pipeline import build_pipeline
from stepwell.registry import make_context

DT = {"f16": np.float16, "bf16": ml_dtypes.bfloat16, "f32": np.float32, "f64": np.float64}
TOL = {"f16": 2e-2, "bf16": 2e-2, "f32": 2e-5, "f64": 1e-12}


def _t(shape, dt):
    return f"tensor<{'x'.join(map(str, shape))}x{dt}>"


def _matmul(a_shape, b_shape, dt, epilogue):
    out = (*np.broadcast_shapes(a_shape[:-2], b_shape[:-2]), a_shape[-2], b_shape[-1])
    lines = [f"%p = tensor_graph.matmul %a, %w : {_t(a_shape, dt)}, {_t(b_shape, dt)} -> {_t(out, dt)}"]
    args = f"%a: {_t(a_shape, dt)}, %w: {_t(b_shape, dt)}"
    result = "%p"
    if epilogue:
        args += f", %b: {_t(out[-1:], dt)}"
        lines += [f"%s = tensor_graph.add %p, %b : {_t(out, dt)}, {_t(out[-1:], dt)} -> {_t(out, dt)}",
                  f"%r = tensor_graph.relu %s : {_t(out, dt)}"]
        result = "%r"
    body = "\n  ".join(lines)
    return f"func.func @f({args}) -> {_t(out, dt)} {{\n  {body}\n  func.return {result} : {_t(out, dt)}\n}}", out


def _check(a_shape, b_shape, dt, epilogue, seed=0):
    source, out = _matmul(a_shape, b_shape, dt, epilogue)
    rng = np.random.default_rng(seed)
    arrays = [rng.standard_normal(a_shape), rng.standard_normal(b_shape)]
    if epilogue:
        arrays.append(rng.standard_normal(out[-1:]))
    arrays = [x.astype(DT[dt]) for x in arrays]
    got = compile(source, "f", target="cpu")(*arrays)
    wide = [x.astype(np.float64) for x in arrays]
    want = wide[0] @ wide[1]
    if epilogue:
        want = np.maximum(want + wide[2], 0)
    assert got.shape == want.shape and got.dtype == DT[dt]
    scale = np.sqrt(a_shape[-1]) + 1
    np.testing.assert_allclose(got.astype(np.float64), want, rtol=TOL[dt], atol=TOL[dt] * scale)


SIZES = [1, 7, 13, 31, 64, 100, 129]


@pytest.mark.parametrize("m", SIZES)
@pytest.mark.parametrize("epilogue", [False, True])
def test_odd_sizes_f32(m, epilogue):
    for k, n in [(m, m), (13, 100), (129, 7), (1, 31), (300, 33)]:
        _check((m, k), (k, n), "f32", epilogue, seed=m * 1000 + k)


@pytest.mark.parametrize("dt", ["f64", "f16", "bf16"])
@pytest.mark.parametrize("epilogue", [False, True])
def test_element_types(dt, epilogue):
    for m, k, n in [(7, 13, 31), (100, 64, 129), (129, 31, 1)]:
        _check((m, k), (k, n), dt, epilogue)


@pytest.mark.parametrize("dt", ["f32", "f16"])
def test_batched_and_broadcast(dt):
    _check((3, 13, 31), (3, 31, 7), dt, True)
    _check((2, 3, 7, 64), (64, 100), dt, False)  # B broadcast over the batch
    _check((1, 29, 5), (4, 5, 33), dt, True)  # A broadcast over the batch


def test_large_k_crosses_cache_blocks():
    _check((70, 600), (600, 300), "f32", True)  # K > KC, N > NC, M > MC


def test_transposed_operands_and_attention():
    # q @ k^T reads B along k contiguously (packed through the panel)
    q, k, v = np.random.default_rng(1).standard_normal((3, 1, 2, 37, 24)).astype(np.float32)
    t = _t(q.shape, "f32")
    source = (f'func.func @f(%q: {t}, %k: {t}, %v: {t}) -> {t} {{\n'
              f'  %r = "tensor_graph.attention"(%q, %k, %v) <{{scale = 0.2 : f64, causal = false}}> : ({t}, {t}, {t}) -> {t}\n'
              f'  func.return %r : {t}\n}}')
    got = compile(source, "f", target="cpu")(q, k, v)
    s = q.astype(np.float64) @ np.swapaxes(k, -1, -2) * 0.2
    p = np.exp(s - s.max(-1, keepdims=True))
    want = (p / p.sum(-1, keepdims=True)) @ v
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


def test_takes_the_gemm_path():
    source, _ = _matmul((100, 37), (37, 70), "f32", True)
    ctx = make_context()
    module, _ = parse_module(ctx, source, "<test>")
    for _, pass_ in build_pipeline("lower-to-cpu", registry.passes(), registry.pipelines()):
        pass_.apply(ctx, module)
    assert "llvm.fmuladd.v" in str(module)


def test_bench_contractions_take_the_gemm_path():
    """Every matmul of the bench workloads (mm_bias_relu, the two of attention) is a
    `loops.contract` that the CPU planner takes as a blocked GEMM."""
    import sys
    from pathlib import Path

    from stepwell.dialects.loops import ComputeOp, ContractOp, KernelOp
    from stepwell.lowering.loops_to_llvm.planning import plan_kernel, target_of

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
    from workloads import workloads

    to_loops = "tensor_graph-decompose{expand-log2-exp2=true},canonicalize,cse,convert-tensor_graph-to-loops,loops-fuse,loops-simplify-index"
    found = {}
    for w in workloads():
        if w.name not in ("mm_bias_relu", "attention"):
            continue
        ctx = make_context()
        module, _ = parse_module(ctx, w.source)
        for _, pass_ in build_pipeline(to_loops, registry.passes(), registry.pipelines()):
            pass_.apply(ctx, module)
        for op in module.body.block.first_op.body.block.ops:
            if not isinstance(op, (KernelOp, ComputeOp)):
                continue
            target = target_of(op)
            if isinstance(target.ops[0], ContractOp):
                plan = plan_kernel(target, target.yielded)
                found.setdefault(w.name, []).append(plan.contraction is not None)
    assert found == {"mm_bias_relu": [True], "attention": [True, True]}


def test_prologue_keeps_the_generic_path():
    """A cast fused into a matmul operand is a prologue of the contraction: still a
    `loops.contract` (the verifier accepts it), computed by the generic reduction path
    (the blocked GEMM packs plain loads only), with the cast's rounding."""
    from stepwell.dialects.loops import ContractOp

    source = """func.func @f(%a: tensor<9x7xf32>, %w: tensor<7x11xf16>) -> tensor<9x11xf16> {
  %c = tensor_graph.cast %a : tensor<9x7xf32> -> tensor<9x7xf16>
  %y = tensor_graph.matmul %c, %w : tensor<9x7xf16>, tensor<7x11xf16> -> tensor<9x11xf16>
  func.return %y : tensor<9x11xf16>
}"""
    ctx = make_context()
    module, _ = parse_module(ctx, source, "<test>")
    for _, pass_ in build_pipeline("lower-to-cpu", registry.passes(), registry.pipelines()):
        pass_.apply(ctx, module)
    assert "llvm.fmuladd.v" not in str(module)
    module, _ = parse_module(ctx, source, "<test>")
    for _, pass_ in build_pipeline("convert-tensor_graph-to-loops,loops-fuse", registry.passes(), registry.pipelines()):
        pass_.apply(ctx, module)
    (contract,) = [op for op in module.walk() if isinstance(op, ContractOp)]
    assert "arith.truncf" in [op.name for op in contract.body.block.ops]
    rng = np.random.default_rng(3)
    a, w = rng.standard_normal((9, 7)).astype(np.float32), rng.standard_normal((7, 11)).astype(np.float16)
    got = compile(source, "f", target="cpu")(a, w)
    want = a.astype(np.float16).astype(np.float64) @ w.astype(np.float64)
    np.testing.assert_allclose(got.astype(np.float64), want, rtol=2e-2, atol=2e-2 * 4)
