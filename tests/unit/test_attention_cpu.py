"""The CPU's fused attention kernel (stepwell/lowering/loops_to_llvm/attention.py):
an attention chain compiled by `lower-to-cpu` is one kernel call, and it matches the
reference interpreter at odd, prime and size-1 lengths (none a multiple of the
tiles), causal or not, in every float type the spec allows; special values behave as
the reference's; a long sequence does not grow the stack (a schedule that does not
fit: tests/filecheck/transforms/loops-schedule-cpu/errors.mlir)."""

from __future__ import annotations

import sys
import zlib
from pathlib import Path

import numpy as np
import pytest

import stepwell
from stepwell import reference

sys.path.insert(0, str(Path(__file__).parent))
from _programs import assert_close, rand  # noqa: E402

# the differential suites' composite tolerance (tests/unit/test_cpu_target.py)
TOLERANCE = {"f64": 1e-12, "f32": 1e-5, "f16": 1e-2, "bf16": 6e-2}
FLOATS = ["f32", "f64", "f16", "bf16"]


@pytest.fixture
def rng(request):
    return np.random.default_rng(zlib.crc32(request.node.name.encode()))


def program(batch, s, t, d, e, dt, causal, scale=0.35) -> str:
    b = "x".join(map(str, batch)) + "x" if batch else ""
    q, k, v, o = (f"tensor<{b}{x}x{y}x{dt}>" for x, y in ((s, d), (t, d), (t, e), (s, e)))
    return f"""func.func @f(%q: {q}, %k: {k}, %v: {v}) -> {o} {{
  %r = "tensor_graph.attention"(%q, %k, %v) <{{scale = {scale} : f64, causal = {str(causal).lower()}}}> : ({q}, {k}, {v}) -> {o}
  func.return %r : {o}
}}
"""


def inputs(rng, batch, s, t, d, e, dt, specials=False):
    return [rand(rng, (*batch, *shape), dt, specials=specials) for shape in ((s, d), (t, d), (t, e))]


SHAPES = [  # (batch, S, T, D, E)
    ((), 1, 1, 1, 1),
    ((2,), 1, 37, 5, 3),
    ((3,), 5, 7, 8, 3),
    ((2, 3), 17, 17, 16, 16),
    ((2,), 67, 131, 13, 7),
    ((1, 2), 100, 40, 64, 33),
    ((1,), 131, 67, 3, 65),
]


@pytest.mark.parametrize("dt", FLOATS)
@pytest.mark.parametrize("causal", [False, True])
@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "x".join(map(str, (*s[0], *s[1:]))))
def test_fused_attention_matches_the_reference(shape, causal, dt, rng):
    batch, s, t, d, e = shape
    src = program(batch, s, t, d, e, dt, causal)
    f = stepwell.compile(src, "f")
    assert len(f.plan.calls) == 1  # one kernel: the chain is fused
    args = inputs(rng, batch, s, t, d, e, dt)
    tol = TOLERANCE[dt]
    assert_close(f(*args), reference.run(src, "f", *args), tol, tol)


@pytest.mark.parametrize("dt", ["f32", "f64"])
def test_special_values_as_the_reference(dt, rng):
    """NaN, inf and -0 in q, k and v give NaN (or inf) where the reference has them: a
    NaN query row, an inf key (+inf scores: NaN rows, -inf: probability 0), an inf in
    the last key's v (a key every causal row but the last never attends to: the
    reference's 0 * inf still makes NaN of its column), the rest equal."""
    for causal in (False, True):
        src = program((2,), 19, 19, 6, 5, dt, causal)
        f = stepwell.compile(src, "f")
        assert len(f.plan.calls) == 1
        q, k, v = inputs(rng, (2,), 19, 19, 6, 5, dt)
        q[0, 3, 2], q[1, 4, 0], k[1, 5, 0], v[0, 18, 1] = np.nan, -0.0, np.inf, np.inf
        expected = reference.run(src, "f", q, k, v)
        assert np.isnan(expected).any() and not np.isnan(expected).all()
        assert_close(f(q, k, v), expected, TOLERANCE[dt], TOLERANCE[dt], f"causal={causal}")


def test_a_long_sequence_keeps_fixed_tiles(rng):
    """64k keys: the kernel's stack tiles do not grow with the sequence (a tile of
    the 64 x 65536 scores of one row block would be 16 MiB, past a worker thread's
    stack)."""
    src = program((2,), 64, 65536, 8, 8, "f32", False, scale=0.1)
    f = stepwell.compile(src, "f")
    assert len(f.plan.calls) == 1 and f.plan.arena == 0
    args = inputs(rng, (2,), 64, 65536, 8, 8, "f32")
    assert_close(f(*args), reference.run(src, "f", *args), 1e-5, 1e-5)


def test_the_unfused_chain_still_runs(rng):
    """Scores with a second reader: not fused (three calls or more), still right."""
    src = """func.func @f(%q: tensor<2x16x8xf32>, %k: tensor<2x16x8xf32>, %v: tensor<2x16x8xf32>) -> (tensor<2x16x8xf32>, tensor<2x16x16xf32>) {
  %kt = tensor_graph.transpose %k {perm = [0, 2, 1]} : tensor<2x16x8xf32> -> tensor<2x8x16xf32>
  %s = tensor_graph.matmul %q, %kt : tensor<2x16x8xf32>, tensor<2x8x16xf32> -> tensor<2x16x16xf32>
  %p = tensor_graph.softmax %s {axis = -1} : tensor<2x16x16xf32>
  %y = tensor_graph.matmul %p, %v : tensor<2x16x16xf32>, tensor<2x16x8xf32> -> tensor<2x16x8xf32>
  %t = tensor_graph.neg %s : tensor<2x16x16xf32>
  func.return %y, %t : tensor<2x16x8xf32>, tensor<2x16x16xf32>
}
"""
    f = stepwell.compile(src, "f")
    assert len(f.plan.calls) >= 3
    args = [rand(rng, (2, 16, 8), "f32", specials=False) for _ in range(3)]
    for got, want in zip(f(*args), reference.run(src, "f", *args)):
        assert_close(got, want, 1e-5, 1e-5)


def test_computed_factors_live_until_the_fused_kernel_runs(rng):
    """q and k computed by kernels of their own (scaled by sqrt of the scale, as ONNX's
    expanded FlexAttention does) are read by the fused kernel at the chain's end, not
    at the first product: the memory plan keeps them alive until then (regression: a
    later buffer took their memory, the ONNX node test flexattention_diff_head_sizes)."""
    src = """func.func @f(%q: tensor<2x4x8x16xf32>, %k: tensor<2x4x6x16xf32>, %v: tensor<2x4x6x32xf32>, %c: tensor<f32>) -> tensor<2x4x8x32xf32> {
  %qs = tensor_graph.mul %q, %c : tensor<2x4x8x16xf32>, tensor<f32> -> tensor<2x4x8x16xf32>
  %ks = tensor_graph.mul %k, %c : tensor<2x4x6x16xf32>, tensor<f32> -> tensor<2x4x6x16xf32>
  %kt = tensor_graph.transpose %ks {perm = [0, 1, 3, 2]} : tensor<2x4x6x16xf32> -> tensor<2x4x16x6xf32>
  %s = tensor_graph.matmul %qs, %kt : tensor<2x4x8x16xf32>, tensor<2x4x16x6xf32> -> tensor<2x4x8x6xf32>
  %p = tensor_graph.softmax %s {axis = 3} : tensor<2x4x8x6xf32>
  %y = tensor_graph.matmul %p, %v : tensor<2x4x8x6xf32>, tensor<2x4x6x32xf32> -> tensor<2x4x8x32xf32>
  func.return %y : tensor<2x4x8x32xf32>
}
"""
    f = stepwell.compile(src, "f")
    args = [rand(rng, s, "f32", specials=False) for s in ((2, 4, 8, 16), (2, 4, 6, 16), (2, 4, 6, 32))]
    args.append(np.array(0.5, np.float32))
    assert_close(f(*args), reference.run(src, "f", *args), 1e-5, 1e-5)
