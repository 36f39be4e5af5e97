"""The CPU schedule (loops-schedule-cpu, `#loops.cpu<...>`) and the code that follows
it, differentially against the reference interpreters: outer loops over any p dim
(column sums, a column softmax kernel, transposes), blocks of inner dims in the outer
range (leading size-1 and small dims), GEMMs over batch, M blocks and N blocks; at
odd, prime, size-1 and zero sizes. Every call is run one chunk at a time (last chunk
first), so the chunk boundaries are exercised as the runtime's threads would run them;
small `chunk-work` and vector widths make many small, uneven blocks and chunks."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import pytest

import stepwell.reference
import stepwell.reference.loops
from stepwell.compiler import compile
from stepwell.dialects.loops import ComputeOp, CpuScheduleAttr, KernelOp
from stepwell.ir import parse_module
from stepwell.ir.pipeline import build_pipeline
from stepwell.lowering.loops_to_llvm import planning
from stepwell.registry import make_context, passes, pipelines

TO_LOOPS = "tensor_graph-decompose{expand-log2-exp2=true},canonicalize,cse,convert-tensor_graph-to-loops,loops-fuse,loops-simplify-index"


def _pipeline(vector: int, chunk_work: int = 1, max_chunks: int = 7, to_loops: bool = True) -> str:
    schedule = f"loops-schedule-cpu{{vector-width={vector} chunk-work={chunk_work} max-chunks={max_chunks}}}"
    return ",".join([*([TO_LOOPS] if to_loops else []), schedule, "convert-loops-to-llvm"])


def run_in_chunks(f, *arrays):
    """Call compiled function `f` as the runtime would with threads, each chunk
    [extent * c // chunks, extent * (c + 1) // chunks) of each call on its own, the last
    first. Returns (results, the largest chunk count seen)."""
    plan = f.plan
    buffers = []
    for spec in plan.buffers:
        if spec.kind == "arg":
            buffers.append(np.ascontiguousarray(arrays[spec.index]))
        else:
            assert spec.kind != "const" or spec.shape == (), "constants are not used by these programs"
            buffers.append(np.empty(spec.shape, spec.np_dtype))
    most = 0
    for call in plan.calls:
        fn = f.library.kernel(call.kernel, len(call.buffers))
        pointers = [buffers[i].ctypes.data for i in call.buffers]
        assert 1 <= call.chunks <= max(1, call.extent)
        bounds = [call.extent * c // call.chunks for c in range(call.chunks + 1)]
        for c in reversed(range(call.chunks)):
            fn(bounds[c], bounds[c + 1], *pointers)
        most = max(most, call.chunks)
    results = [buffers[i] for i in plan.results]
    return (results[0] if len(results) == 1 else tuple(results)), most


def _check(source: str, arrays, vector: int, tol: float = 2e-5, **options) -> int:
    f = compile(source, "f", pipeline=_pipeline(vector, **options))
    got, most = run_in_chunks(f, *arrays)
    want = stepwell.reference.run(source, "f", *arrays)
    np.testing.assert_allclose(got, want, rtol=tol, atol=tol)
    return most


def _t(shape) -> str:
    return f"tensor<{'x'.join(map(str, shape))}{'x' if shape else ''}f32>"


def _rand(*shapes, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s).astype(np.float32) for s in shapes]


# --- pointwise: blocks of the last dim in the outer range ---------------------------------

POINTWISE_SHAPES = [(1, 4099), (3, 1001), (1, 1), (0, 5), (5, 0), (7,), (13, 17, 19), (1, 1, 257)]


@pytest.mark.parametrize("vector", [4, 16])
@pytest.mark.parametrize("shape", POINTWISE_SHAPES)
def test_pointwise_in_blocks(shape, vector):
    source = f"""func.func @f(%x: {_t(shape)}, %y: {_t(shape)}) -> {_t(shape)} {{
  %e = tensor_graph.exp %x : {_t(shape)}
  %r = tensor_graph.mul %e, %y : {_t(shape)}, {_t(shape)} -> {_t(shape)}
  func.return %r : {_t(shape)}
}}"""
    most = _check(source, _rand(shape, shape), vector)
    if math.prod(shape) >= 1000:
        assert most > 1  # cut into chunks, and the chunks run one by one


@pytest.mark.parametrize("shape", [(1, 67, 70), (2, 131, 64), (64, 64), (65, 129), (1, 1)])
def test_transpose_in_squares(shape):
    *batch, m, n = shape
    t = (*batch, n, m)
    perm = [*range(len(batch)), len(batch) + 1, len(batch)]
    source = f"""func.func @f(%x: {_t(shape)}, %y: {_t(t)}) -> {_t(t)} {{
  %t = tensor_graph.transpose %x {{perm = {perm}}} : {_t(shape)} -> {_t(t)}
  %r = tensor_graph.add %t, %y : {_t(t)}, {_t(t)} -> {_t(t)}
  func.return %r : {_t(t)}
}}"""
    _check(source, _rand(shape, t), 4)


# --- reductions -------------------------------------------------------------------------


@pytest.mark.parametrize("vector", [4, 16])
@pytest.mark.parametrize("shape,axis", [((7, 1031), 0), ((1, 65), 0), ((0, 9), 0), ((9, 0), 0), ((5, 3, 67), 1), ((3, 71, 1), 0), ((11, 13), 1)])
def test_sums(shape, axis, vector):
    out = tuple(n for i, n in enumerate(shape) if i != axis)
    source = f"""func.func @f(%x: {_t(shape)}) -> {_t(out)} {{
  %r = tensor_graph.reduce %x {{kind = "sum", dims = [{axis}], keepdim = false}} : {_t(shape)} -> {_t(out)}
  func.return %r : {_t(out)}
}}"""
    _check(source, _rand(shape), vector, tol=1e-4)


@pytest.mark.parametrize("shape,axis", [((6, 1000), -1), ((1, 13), -1), ((37, 131), 0), ((1, 1), 0), ((2, 3, 67), 1)])
def test_softmax(shape, axis):
    source = f"""func.func @f(%x: {_t(shape)}) -> {_t(shape)} {{
  %r = tensor_graph.softmax %x {{axis = {axis}}} : {_t(shape)}
  func.return %r : {_t(shape)}
}}"""
    _check(source, _rand(shape), 4)


COLUMN_SOFTMAX = """func.func @f(%x: tensor<{M}x{N}xf32>) -> tensor<{M}x{N}xf32> {{
  %y = loops.kernel parallel [p0 = {N}] reduction [k0 = {M}] -> tensor<{M}x{N}xf32> {{
    %m = loops.reduce max over [{M}] : tensor<1x{N}xf32> at (0, p0 | k0) {{
      %a = loops.load %x[r0, d1] : tensor<{M}x{N}xf32>
      loops.yield %a : f32
    }}
    %s = loops.reduce sum over [{M}] : tensor<1x{N}xf32> at (0, p0 | k0) {{
      %a = loops.load %x[r0, d1] : tensor<{M}x{N}xf32>
      %b = loops.load %m[0, d1] : tensor<1x{N}xf32>
      %c = arith.subf %a, %b : f32
      %e = math.exp %c : f32
      loops.yield %e : f32
    }}
    %o = loops.pointwise : tensor<{M}x{N}xf32> at (k0, p0) {{
      %a = loops.load %x[d0, d1] : tensor<{M}x{N}xf32>
      %b = loops.load %m[0, d1] : tensor<1x{N}xf32>
      %c = arith.subf %a, %b : f32
      %e = math.exp %c : f32
      %t = loops.load %s[0, d1] : tensor<1x{N}xf32>
      %r = arith.divf %e, %t : f32
      loops.yield %r : f32
    }}
    loops.yield %o : tensor<{M}x{N}xf32>
  }}
  func.return %y : tensor<{M}x{N}xf32>
}}"""


@pytest.mark.parametrize("vector", [4, 16])
@pytest.mark.parametrize("m,n", [(37, 1031), (1, 67), (5, 1), (3, 1030), (0, 7), (7, 0)])
def test_column_softmax_kernel(m, n, vector):
    """A kernel whose p dim is the ops' trailing dim (softmax over axis 0 as one kernel):
    its outer loop runs over blocks of columns, the max and the sum are rows of
    accumulators on the stack, read by the epilogue at their own column."""
    source = COLUMN_SOFTMAX.format(M=m, N=n)
    (x,) = _rand((m, n))
    f = compile(source, "f", pipeline=_pipeline(vector, to_loops=False))
    got, most = run_in_chunks(f, x)
    want = stepwell.reference.loops.run(source, "f", x)
    np.testing.assert_allclose(got, want, rtol=2e-5, atol=2e-6)
    if n > planning.MIN_ROW:
        assert most > 1  # blocks of columns, the last one shorter
    if m > 1 and n > 1:
        (schedule,) = _schedules(source, vector)
        assert schedule.outer[0][0] == "p0" and schedule.inner_output == (0, 1)


# --- GEMMs over batch, M blocks and N blocks -----------------------------------------------


@pytest.mark.parametrize("vector", [4, 16])
@pytest.mark.parametrize("a,b", [((1, 7), (7, 45)), ((13, 31), (31, 67)), ((3, 5, 17), (3, 17, 101)), ((2, 70, 3), (3, 33)), ((16, 9), (9, 130))])
def test_gemm_blocks(a, b, vector):
    out = (*np.broadcast_shapes(a[:-2], b[:-2]), a[-2], b[-1])
    source = f"""func.func @f(%a: {_t(a)}, %b: {_t(b)}, %c: {_t(out[-1:])}) -> {_t(out)} {{
  %p = tensor_graph.matmul %a, %b : {_t(a)}, {_t(b)} -> {_t(out)}
  %s = tensor_graph.add %p, %c : {_t(out)}, {_t(out[-1:])} -> {_t(out)}
  %r = tensor_graph.relu %s : {_t(out)}
  func.return %r : {_t(out)}
}}"""
    most = _check(source, _rand(a, b, out[-1:]), vector, tol=1e-4)
    gemm = [s for s in _schedules(source, vector, tensor_graph=True) if s.gemm is not None]
    assert len(gemm) == 1
    if math.prod(out) >= 64 * 4:
        assert most > 1


# --- the schedules themselves -------------------------------------------------------------


def _schedules(source: str, vector: int, tensor_graph: bool = False, **options) -> list[CpuScheduleAttr]:
    ctx = make_context()
    module, _ = parse_module(ctx, source)
    schedule = f"loops-schedule-cpu{{vector-width={vector}}}"
    for _, p in build_pipeline(",".join([*([TO_LOOPS] if tensor_graph else []), schedule]), passes(), pipelines()):
        p.apply(ctx, module)
    return [op.attributes["schedule"] for op in module.walk() if isinstance(op, (KernelOp, ComputeOp)) and "schedule" in op.attributes]  # type: ignore[misc]


def _extent(attr: CpuScheduleAttr, sizes) -> int:
    return math.prod(-(-sizes[int(name[1:])] // block) for name, block in attr.outer)


@pytest.mark.parametrize("shape", [(1, 4194304), (3, 1000000), (2048, 1024)])
def test_big_pointwise_kernels_have_enough_chunks(shape):
    """Every kernel of more than about a million scalar iterations gets at least
    min(64, work / chunk-work) chunks, whatever its leading dims."""
    source = f"""func.func @f(%x: {_t(shape)}) -> {_t(shape)} {{
  %r = tensor_graph.exp %x : {_t(shape)}
  func.return %r : {_t(shape)}
}}"""
    (attr,) = _schedules(source, 16, tensor_graph=True)
    want = min(64, math.prod(shape) // planning.CHUNK_WORK)
    assert attr.chunks >= want
    assert _extent(attr, shape) >= attr.chunks


def test_bench_gemms_have_64_chunks():
    """mm 1024^3 (once 16 blocks of 64 rows) and the attention GEMMs (batch 1 x 4,
    N = 64) split over batch, M blocks and N blocks."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
    from workloads import workloads

    for w in workloads():
        if w.name in ("mm_bias_relu", "attention"):
            for attr in _schedules(w.source, 16, tensor_graph=True):
                if attr.gemm is not None:
                    assert attr.chunks >= 64, (w.name, attr)


def test_the_same_ir_on_every_host(monkeypatch):
    """With `vector-width` given, the printed schedule does not depend on the host."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
    from workloads import workloads

    printed = set()
    for lanes in (4, 8, 16):
        monkeypatch.setattr(planning, "host_vector_width", lambda lanes=lanes: lanes)
        printed.add(tuple(str(s) for w in workloads() for s in _schedules(w.source, 8, tensor_graph=True)))
    assert len(printed) == 1
    (one,) = printed
    assert all("vector = 8" in s for s in one)


def test_an_op_without_a_schedule_gets_the_default_one():
    """convert-loops-to-llvm alone schedules what has no schedule, as the pass does by
    default: the same plan either way."""
    source = COLUMN_SOFTMAX.format(M=300, N=5000)
    alone = compile(source, "f", pipeline="convert-loops-to-llvm")
    passed = compile(source, "f", pipeline="loops-schedule-cpu,convert-loops-to-llvm")
    assert alone.plan.calls == passed.plan.calls
    assert alone.plan.calls[0].chunks > 1
