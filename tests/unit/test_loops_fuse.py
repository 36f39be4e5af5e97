"""`loops-fuse` (and `loops-simplify-index` after it) never change results, and form the
kernels the design asks for.

Differential: tensor_graph programs (the workloads of bench/WORKLOADS.md and more) at
several shapes (size 1, odd, prime, non-powers of two) are lowered to loops and run
by the loops evaluator unfused and fused; both agree with each other and with the
tensor_graph reference. Every fused module is printed and parsed back, and every
kernel in it is checked against the kernel contract (loops_fuse/__init__.py).
Structural: softmax, log_softmax, layer_norm, rms_norm over rows are one kernel;
reductions are never duplicated; recomputation is stated.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from xdsl.dialects.builtin import ModuleOp, TensorType

from stepwell import reference
from stepwell.dialects.loops import ComputeOp, KernelOp, LoadOp, PointwiseOp, ReduceOp
from stepwell.dialects.loops.contract import kernel_violation
from stepwell.dialects.loops.index import sym
from stepwell.dialects.tensor_graph import ops as tg
from stepwell.dialects.tensor_graph.builder import Value, build_function
from stepwell.dialects.tensor_graph.types import bf16, f16, f32, i32, i64, tensor
from stepwell.ir import parse_module, verify_module
from stepwell.ir.pipeline import build_pipeline
from stepwell.reference import loops as loops_ref
from stepwell.registry import make_context, passes
from stepwell.dialects.loops.simplify import simplify_index, space_ranges

LOWER = "tensor_graph-decompose,canonicalize,cse,convert-tensor_graph-to-loops"
# min-parallelism=1: the small shapes here stand for large ones (the default keeps an
# epilogue out of a kernel of fewer than 64 parallel points; test_fuse_any_axis.py)
FUSE = LOWER + ",loops-fuse{min-parallelism=1},loops-simplify-index"

TOLERANCE = {f32: (2e-5, 2e-6), f16: (2e-2, 2e-2), bf16: (6e-2, 6e-2)}


# --- building and running ---------------------------------------------------------------


def build(arg_types: list[TensorType], body: Callable[..., Value | tuple[Value, ...]]) -> ModuleOp:
    return build_function(arg_types, body)


def run_passes(source: ModuleOp | str, spec: str) -> ModuleOp:
    """Run `spec` on a copy of `source`, print the result and parse it back."""
    ctx = make_context()
    module = source.clone() if isinstance(source, ModuleOp) else parse_module(ctx, source)[0]
    for _, p in build_pipeline(spec, passes()):
        p.apply(ctx, module)
    parsed, locations = parse_module(ctx, str(module))
    assert not verify_module(parsed, locations), verify_module(parsed, locations)
    return parsed


def random_inputs(module: ModuleOp, seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    f = module.body.block.first_op
    out = []
    for t in f.function_type.inputs.data:
        dtype = reference.numpy_dtype(t.element_type)
        shape = tuple(t.get_shape())
        if np.issubdtype(dtype, np.integer):
            out.append(rng.integers(0, max(1, min(shape or (1,))), size=shape).astype(dtype))
        else:
            out.append(rng.standard_normal(shape).astype(dtype))
    return out


def as_tuple(x) -> tuple:
    return x if isinstance(x, tuple) else (x,)


def check(module: ModuleOp, seed: int = 0, inputs: list[np.ndarray] | None = None) -> ModuleOp:
    """Fused == unfused (loops evaluator) ~= reference; returns the fused module."""
    arrays = inputs if inputs is not None else random_inputs(module, seed)
    expected = as_tuple(reference.run(module, "f", *arrays))
    unfused_module = run_passes(module, LOWER)
    unfused = as_tuple(loops_ref.run(unfused_module, "f", *arrays))
    fused_module = run_passes(module, FUSE)
    assert reduce_count(fused_module) == reduce_count(unfused_module)  # none duplicated
    fused = as_tuple(loops_ref.run(fused_module, "f", *arrays))
    types = module.body.block.first_op.function_type.outputs.data
    for got, before, want, t in zip(fused, unfused, expected, types, strict=True):
        assert got.dtype == before.dtype and got.shape == before.shape
        np.testing.assert_array_equal(got, before)
        if t.element_type in TOLERANCE:
            rtol, atol = TOLERANCE[t.element_type]
            np.testing.assert_allclose(got.astype(np.float64), want.astype(np.float64), rtol=rtol, atol=atol)
        else:
            np.testing.assert_array_equal(got, want)
    check_contract(fused_module)
    return fused_module


# --- the kernel contract ---------------------------------------------------------------


def check_contract(module: ModuleOp) -> None:
    """Every kernel: each member maps each parallel dim to one of its d-dims of that
    size; kernel-local reads are of buffers whose every dim is parallel (or of size 1),
    at the reader's own d-symbol of that parallel dim (checked here independently of
    the dialect's predicate, which must agree)."""
    for kernel in (op for op in module.walk() if isinstance(op, KernelOp)):
        assert kernel_violation(kernel) is None
        parallel = kernel.parallel_sizes
        members = kernel.compute_ops()
        assert len(members) >= 2
        for op in members:
            names = op.dim_map[: len(op.shape)]
            for j, n in enumerate(parallel):
                assert names.count(f"p{j}") == 1 and op.shape[names.index(f"p{j}")] == n, (op.dim_map, parallel)
        for op in members:
            mine = {name: i for i, name in enumerate(op.dim_map[: len(op.shape)])}
            for ld in (o for o in op.body.walk() if isinstance(o, LoadOp)):
                producer = ld.buffer.owner
                if producer not in members:
                    continue
                assert members.index(producer) < members.index(op)
                exprs = [simplify_index(e, space_ranges(op) or {}) for e in ld.index_exprs]
                for name, e, n in zip(producer.dim_map, exprs, producer.shape):
                    assert name == "0" or name.startswith("p"), (ld, producer.dim_map)
                    assert e == 0 and n == 1 or e == sym(f"d{mine.get(name, -1)}"), (ld, name, e)


def top_compute(module: ModuleOp) -> list:
    f = module.body.block.first_op
    return [op for op in f.body.block.ops if isinstance(op, (ComputeOp, KernelOp))]


def kernels(module: ModuleOp) -> list[KernelOp]:
    return [op for op in top_compute(module) if isinstance(op, KernelOp)]


def reduce_count(module: ModuleOp) -> int:
    return sum(isinstance(op, ReduceOp) for op in module.walk())


# --- the workloads (bench/WORKLOADS.md) at small shapes ---------------------------------------

ROWS = [(1, 1), (1, 7), (3, 1), (3, 5), (7, 13), (4, 16), (11, 6)]


def softmax(m, n, dtype=f32):
    return build([tensor([m, n], dtype)], lambda b, x: b.op(tg.SoftmaxOp, x, axis=-1))


def log_softmax(m, n, dtype=f32):
    return build([tensor([m, n], dtype)], lambda b, x: b.op(tg.LogSoftmaxOp, x, axis=1))


def layernorm(m, n, dtype=f32):
    types = [tensor([m, n], dtype), tensor([n], dtype), tensor([n], dtype)]
    return build(types, lambda b, x, w, c: b.op(tg.LayerNormOp, x, w, c, axis=-1, epsilon=1e-5))


def rms_norm(m, n, dtype=f32):
    types = [tensor([m, n], dtype), tensor([n], dtype)]
    return build(types, lambda b, x, w: b.op(tg.RmsNormOp, x, w, axis=-1, epsilon=1e-6))


def gelu_bias(m, n, dtype=f32):
    types = [tensor([m, n], dtype), tensor([n], dtype)]
    return build(types, lambda b, x, c: b.op(tg.GeluOp, x + c, approximate="none"))


def ew_chain(m, n, dtype=f32):
    def body(b, a, x, c, d):
        return b.op(tg.ReluOp, a * x + c) * b.op(tg.SigmoidOp, d)

    return build([tensor([m, n], dtype)] * 4, body)


def sum_rows(m, n, dtype=f32):
    return build([tensor([m, n], dtype)], lambda b, x: x.sum(1))


def sum_cols(m, n, dtype=f32):
    return build([tensor([m, n], dtype)], lambda b, x: x.sum(0))


def transpose_add(m, n, dtype=f32):
    types = [tensor([n, m], dtype), tensor([m, n], dtype)]
    return build(types, lambda b, x, y: x.transpose([1, 0]) + y)


def mm_bias_relu(m, n, dtype=bf16, k=5):
    types = [tensor([m, k], dtype), tensor([k, n], dtype), tensor([n], dtype)]
    return build(types, lambda b, a, w, c: b.op(tg.ReluOp, a @ w + c))


ROW_WORKLOADS = [softmax, log_softmax, layernorm, rms_norm, gelu_bias, ew_chain, sum_rows, sum_cols, transpose_add, mm_bias_relu]


@pytest.mark.parametrize("shape", ROWS, ids=str)
@pytest.mark.parametrize("program", ROW_WORKLOADS, ids=lambda p: p.__name__)
def test_workloads_keep_values(program, shape):
    check(program(*shape), seed=sum(shape))


@pytest.mark.parametrize("shape", [(0, 5), (3, 0)], ids=str)
@pytest.mark.parametrize("program", [layernorm, rms_norm, sum_rows, sum_cols, gelu_bias, mm_bias_relu], ids=lambda p: p.__name__)
def test_workloads_keep_values_empty(program, shape):
    check(program(*shape))


@pytest.mark.parametrize("dtype", [f16, bf16], ids=str)
@pytest.mark.parametrize("program", [softmax, layernorm, rms_norm, gelu_bias, mm_bias_relu], ids=lambda p: p.__name__)
def test_workloads_keep_values_half(program, dtype):
    check(program(5, 9, dtype), seed=3)


def attention(bsz, heads, s, t, d, e, dtype=bf16, causal=False):
    types = [tensor([bsz, heads, s, d], dtype), tensor([bsz, heads, t, d], dtype), tensor([bsz, heads, t, e], dtype)]
    return build(types, lambda b, q, k, v: b.op(tg.AttentionOp, q, k, v, scale=0.125, causal=causal))


@pytest.mark.parametrize(
    "dims", [(1, 1, 1, 1, 1, 1), (1, 2, 4, 4, 8, 8), (2, 3, 5, 7, 3, 2), (1, 1, 6, 3, 4, 5)], ids=str
)
@pytest.mark.parametrize("causal", [False, True])
def test_attention_keeps_values(dims, causal):
    fused = check(attention(*dims, dtype=f32, causal=causal), seed=1)
    assert reduce_count(fused) == 4  # q@k, max, sum, p@v: none duplicated
    check(attention(*dims, dtype=bf16, causal=causal), seed=2)


# --- the kernels each workload becomes ---------------------------------------------------


@pytest.mark.parametrize("program", [softmax, log_softmax, layernorm, rms_norm], ids=lambda p: p.__name__)
@pytest.mark.parametrize("shape", [(3, 5), (7, 13), (4, 1)], ids=str)
def test_row_normalizations_are_one_kernel(program, shape):
    fused = run_passes(program(*shape), FUSE)
    (kernel,) = top_compute(fused)
    assert isinstance(kernel, KernelOp)
    assert len(kernel.outputs) == 1
    outer = kernel.parallel_sizes
    assert outer[:1] == shape[:1] and math.prod(outer) == shape[0]
    x = fused.body.block.first_op.args[0]
    outside = {ld.buffer for ld in kernel.walk() if isinstance(ld, LoadOp)} - {op.result for op in kernel.compute_ops()}
    assert x in outside
    # every reduction of the program is there once, kernel-local
    assert all(not isinstance(op, ReduceOp) or op.result not in kernel.body.block.last_op.operands for op in kernel.compute_ops())


@pytest.mark.parametrize("program", [gelu_bias, ew_chain, transpose_add, sum_rows, sum_cols], ids=lambda p: p.__name__)
def test_single_op_workloads(program):
    fused = run_passes(program(6, 10), FUSE)
    (op,) = top_compute(fused)
    assert isinstance(op, ComputeOp)


def test_mm_bias_relu_is_one_kernel_over_the_output():
    fused = run_passes(mm_bias_relu(6, 10), FUSE)
    (kernel,) = top_compute(fused)
    assert isinstance(kernel, KernelOp)
    assert kernel.parallel_sizes == (6, 10)
    assert reduce_count(fused) == 1


def test_attention_is_matmul_softmax_matmul():
    fused = run_passes(attention(1, 2, 4, 6, 8, 8), FUSE)
    tops = top_compute(fused)
    assert len(tops) == 3
    softmax_kernel = tops[1]
    assert isinstance(softmax_kernel, KernelOp)
    kinds = [op.kind.data for op in softmax_kernel.compute_ops() if isinstance(op, ReduceOp)]
    assert kinds == ["max", "sum"]
    assert softmax_kernel.parallel_sizes == (1, 2, 4)


# --- more programs: views, broadcasts, several results, negative cases ---------------------


def _programs():
    yield "reshape_chain", [tensor([6, 4], f32), tensor([4, 6], f32)], lambda b, x, y: (
        x.reshape([24]).reshape([2, 3, 4]).transpose([2, 0, 1]).reshape([4, 6]) + y
    )
    yield "broadcast_cheap_per_row", [tensor([5, 7], f32), tensor([5, 1], f32)], lambda b, x, c: x * (c + 1.0)
    yield "broadcast_expensive_per_row", [tensor([5, 7], f32), tensor([5, 1], f32)], lambda b, x, c: x * c.exp().tanh()
    yield "mean_and_mean_of_squares", [tensor([5, 7], f32)], lambda b, x: (x.mean(1), (x * x).mean(1))
    yield "sum_and_max_rows", [tensor([3, 11], f32)], lambda b, x: (x.sum(1, keepdim=True), x.max(1, keepdim=True))
    yield "sum_rows_and_cols", [tensor([4, 6], f32)], lambda b, x: (x.sum(1), x.sum(0))
    yield "returned_producer", [tensor([4, 6], f32)], lambda b, x: ((x + 1.0), (x + 1.0).sum(1))
    yield "returned_reduction", [tensor([4, 6], f32)], lambda b, x: _softmax_and_max(x)
    yield "row_sum_read_by_column", [tensor([5, 5], f32)], lambda b, x: x / x.sum(1)
    yield "row_sum_read_by_row", [tensor([5, 5], f32)], lambda b, x: x / x.sum(1, keepdim=True)
    yield "expensive_many_consumers", [tensor([4, 6], f32)], lambda b, x: _many(x.exp().tanh())
    yield "slice_pad_concat", [tensor([5, 8], f32)], lambda b, x: _views(b, x)
    yield "gather_rows", [tensor([6, 4], f32), tensor([3], i32)], lambda b, x, i: b.op(tg.GatherOp, x.exp(), i, axis=0) * 2.0
    yield "gather_of_iota", [tensor([5], i64)], lambda b, i: b.op(tg.GatherOp, b.iota([7, 3], 0) * 3, i, axis=0)
    yield "softmax_columns", [tensor([6, 5], f32)], lambda b, x: b.op(tg.SoftmaxOp, x, axis=0)
    yield "softmax_3d_middle", [tensor([2, 5, 3], f32)], lambda b, x: b.op(tg.SoftmaxOp, x, axis=1)
    yield "softmax_vector", [tensor([9], f32)], lambda b, x: b.op(tg.SoftmaxOp, x, axis=0)
    yield "var_rows", [tensor([4, 9], f32)], lambda b, x: b.op(tg.VarOp, x, dims=[1], correction=1, keepdim=False)
    yield "argmax_then_use", [tensor([4, 9], f32)], lambda b, x: b.op(tg.ArgmaxOp, x * 2.0, axis=1, keepdim=False)
    yield "full_sum_epilogue", [tensor([3, 4], f32)], lambda b, x: x / x.sum([0, 1])
    yield "linear_gelu", [tensor([3, 5], f32), tensor([4, 5], f32), tensor([4], f32)], lambda b, x, w, c: b.op(
        tg.GeluOp, b.op(tg.LinearOp, x, w, c), approximate="tanh"
    )
    yield "int_chain", [tensor([4, 5], i32), tensor([5], i32)], lambda b, x, y: b.op(tg.ReluOp, x * y - 3) + x


def _softmax_and_max(x):
    return x.b.op(tg.SoftmaxOp, x, axis=1), x.max(1)


def _many(e):
    return e + 1.0, e * 2.0, e.sum(1), e - 3.0, e.max(0)


def _views(b, x):
    s = b.op(tg.SliceOp, x.exp(), start=[1, 0], stop=[5, 8], step=[2, 3])
    p = b.op(tg.PadOp, s, low=[1, 0], high=[0, 2], value=0.5)
    return b.op(tg.ConcatOp, p, p * 2.0, axis=1)


PROGRAMS = {name: (types, body) for name, types, body in _programs()}


@pytest.mark.parametrize("name", PROGRAMS)
def test_programs_keep_values(name):
    types, body = PROGRAMS[name]
    check(build(types, body), seed=7)


def fused_program(name: str) -> ModuleOp:
    types, body = PROGRAMS[name]
    return run_passes(build(types, body), FUSE)


def test_horizontal_mean_and_mean_of_squares():
    (kernel,) = top_compute(fused_program("mean_and_mean_of_squares"))
    assert isinstance(kernel, KernelOp)
    assert [type(op) for op in kernel.compute_ops()].count(ReduceOp) == 2


def test_horizontal_sum_and_max():
    (kernel,) = top_compute(fused_program("sum_and_max_rows"))
    assert [op.kind.data for op in kernel.compute_ops()] == ["sum", "max"]
    assert len(kernel.outputs) == 2


def test_rows_and_columns_do_not_merge():
    assert all(isinstance(op, ReduceOp) for op in top_compute(fused_program("sum_rows_and_cols")))


def test_returned_producer_is_written():
    fused = fused_program("returned_producer")
    (kernel,) = top_compute(fused)
    assert len(kernel.outputs) == 2
    consumer = [op for op in kernel.compute_ops() if isinstance(op, ReduceOp)][0]
    assert "recompute" in consumer.attributes


def test_returned_reduction_is_yielded():
    fused = fused_program("returned_reduction")
    (kernel,) = top_compute(fused)
    assert len(kernel.outputs) == 2 and reduce_count(fused) == 3  # max twice: keepdim or not


def test_row_sum_read_by_column_is_not_fused():
    fused = fused_program("row_sum_read_by_column")
    assert not kernels(fused) and reduce_count(fused) == 1
    assert len(kernels(fused_program("row_sum_read_by_row"))) == 1


def test_expensive_producer_is_written_once():
    fused = fused_program("expensive_many_consumers")
    assert sum(op.name == "math.exp" for op in fused.walk()) == 1
    assert not any("recompute" in op.attributes for op in fused.walk())


@pytest.mark.parametrize("name", ["softmax_columns", "softmax_3d_middle"])
def test_softmax_not_over_the_last_axis(name):
    """One kernel: the reductions and the epilogue share the parallel dims (the
    columns), which are not the epilogue's leading dims; its reduced axis is k0."""
    (kernel,) = top_compute(fused_program(name))
    ops = kernel.compute_ops()
    assert [op.kind.data for op in ops if isinstance(op, ReduceOp)] == ["max", "sum"]
    epilogue = ops[-1]
    assert isinstance(epilogue, PointwiseOp)
    axis = 0 if name == "softmax_columns" else 1
    assert epilogue.dim_map[axis] == "k0" and kernel.reduction_sizes == (epilogue.shape[axis],)


def test_softmax_of_a_vector_is_one_kernel():
    (kernel,) = top_compute(fused_program("softmax_vector"))
    assert kernel.parallel_sizes == ()


def test_recomputation_is_stated():
    fused = run_passes(softmax(4, 6), FUSE)
    noted = [op.attributes["recompute"] for op in fused.walk() if "recompute" in op.attributes]
    assert noted and all("math.exp" in str(n) for n in noted)


def test_fusing_twice_changes_nothing():
    once = run_passes(layernorm(4, 6), FUSE)
    twice = run_passes(once, "loops-fuse,loops-simplify-index")
    assert str(once) == str(twice)


@pytest.mark.parametrize(
    "options", ["vertical=false", "kernels=false", "max-recompute=1", "trivial-cost=0", "max-kernel-ops=6"]
)
def test_options_keep_values(options):
    module = layernorm(5, 7)
    x, w, c = random_inputs(module, 5)
    before = loops_ref.run(run_passes(module, LOWER), "f", x, w, c)
    fused = run_passes(module, LOWER + ",loops-fuse{" + options + "}")
    check_contract(fused)
    np.testing.assert_array_equal(loops_ref.run(fused, "f", x, w, c), before)


def body_ops(op) -> int:
    """Ops in the bodies of a top-level compute op, or of all members of a kernel."""
    members = [m for m in op.body.block.ops if isinstance(m, ComputeOp)] if isinstance(op, KernelOp) else [op]
    return sum(1 for m in members for _ in m.body.walk())


@pytest.mark.parametrize("shape", ["chain", "fanout"])
def test_max_kernel_ops_bounds_every_body(shape):
    """A 400-op chain, and a tree of adds over 100 leaves, are cut into bodies (and
    kernels) of at most max-kernel-ops; the tree above its leaves' subtrees, not at
    every leaf (inlining last to first alone filled the root with the adds and left
    each leaf outside)."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
    from compile_time import PROGRAMS as SHAPES

    fused = run_passes(SHAPES[shape](400), LOWER + ",loops-fuse{max-kernel-ops=64}")
    tops = top_compute(fused)
    sizes = [body_ops(op) for op in tops]
    assert max(sizes) <= 64
    cut = [op for op in fused.walk() if "materialized" in op.attributes]
    assert cut and all(str(op.attributes["materialized"]) == '"max-kernel-ops=64"' for op in cut)
    assert len(tops) <= 2 * sum(sizes) / 64 and len(cut) <= 2 * sum(sizes) / 64  # each written once
    unlimited = run_passes(SHAPES[shape](400), LOWER + ",loops-fuse{max-kernel-ops=100000}")
    assert len(top_compute(unlimited)) == 1


def test_vertical_off_makes_no_recomputation():
    fused = run_passes(softmax(4, 6), LOWER + ",loops-fuse{vertical=false}")
    assert not any("recompute" in op.attributes for op in fused.walk())
    assert sum(op.name == "math.exp" for op in fused.walk()) == 1


def test_kernels_off_makes_no_kernel():
    fused = run_passes(softmax(4, 6), LOWER + ",loops-fuse{kernels=false}")
    assert not kernels(fused)
    assert sum(isinstance(op, PointwiseOp) for op in top_compute(fused)) == 1


# --- random programs --------------------------------------------------------------------------


def random_program(seed: int, m: int, n: int) -> ModuleOp:
    """A random DAG of elementwise ops (broadcasting), reductions (keepdim or not),
    transposes and softmaxes over [m, n] inputs, returning one to three values."""
    rng = np.random.default_rng(seed)

    def body(b, x, y, v):
        pool = [x, y, v]
        for _ in range(int(rng.integers(4, 10))):
            a = pool[int(rng.integers(len(pool)))]
            kind = rng.choice(["unary", "binary", "binary", "reduce", "transpose", "softmax"])
            if kind == "unary":
                new = [lambda t: t.tanh(), lambda t: t.abs(), lambda t: -t, lambda t: b.op(tg.SigmoidOp, t), lambda t: t.tanh().exp()][int(rng.integers(5))](a)
            elif kind == "binary":
                partners = [p for p in pool if _broadcasts(a.shape, p.shape)]
                other = partners[int(rng.integers(len(partners)))]
                new = [a.__add__, a.__mul__, a.__sub__, a.maximum][int(rng.integers(4))](other)
            elif kind == "reduce" and a.rank == 2:
                new = a.reduce(str(rng.choice(["sum", "max", "min"])), int(rng.integers(2)), keepdim=bool(rng.integers(2)))
            elif kind == "transpose" and a.rank == 2:
                new = a.transpose([1, 0])
            elif kind == "softmax" and a.rank == 2:
                new = b.op(tg.SoftmaxOp, a, axis=int(rng.integers(2)))
            else:
                continue
            pool.append(new)
        picks = {len(pool) - 1, *(int(i) for i in rng.integers(3, len(pool), size=int(rng.integers(0, 3))))}
        return tuple(pool[i] for i in sorted(picks))

    return build([tensor([m, n], f32), tensor([m, n], f32), tensor([n], f32)], body)


def _broadcasts(a: tuple, b: tuple) -> bool:
    try:
        return np.broadcast_shapes(a, b) == a
    except ValueError:
        return False


@pytest.mark.parametrize("seed", range(40))
def test_random_programs(seed):
    m, n = [(5, 7), (4, 4), (1, 6), (3, 1)][seed % 4]
    check(random_program(seed, m, n), seed=seed)
