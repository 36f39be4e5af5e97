"""loops-fuse over any axis: a reduction over a leading or middle axis is one kernel with
its prologue and epilogue, whose parallel dims are not the epilogue's leading dims
(softmax over axis 0: the reductions at (0, p0 | k0), the division at (k0, p0)); the
CPU target runs such a kernel in parallel over its p dims wherever they are (the
schedule, planning.schedule) and computes the same values as the reference
interpreter. And `min-parallelism`."""

from __future__ import annotations

import math

import numpy as np
import pytest
from xdsl.dialects.builtin import ModuleOp

import stepwell
import stepwell.reference
from stepwell.dialects.loops import KernelOp, PointwiseOp, ReduceOp
from stepwell.dialects.tensor_graph import ops as tg
from stepwell.dialects.tensor_graph.builder import build_function
from stepwell.dialects.tensor_graph.types import f32, tensor
from stepwell.ir.pipeline import build_pipeline
from stepwell.lowering.loops_to_llvm.planning import schedule, target_of
from stepwell.registry import make_context, passes, pipelines

LOWER = "tensor_graph-decompose,canonicalize,cse,convert-tensor_graph-to-loops"


def _cpu_pipeline(min_parallelism: int | None) -> str:
    spec = pipelines()["lower-to-cpu"]
    option = "" if min_parallelism is None else f"{{min-parallelism={min_parallelism}}}"
    return spec.replace("loops-fuse", "loops-fuse" + option, 1)


def softmax(shape, axis):
    return build_function([tensor(list(shape), f32)], lambda b, x: b.op(tg.SoftmaxOp, x, axis=axis))


def log_softmax(shape, axis):
    return build_function([tensor(list(shape), f32)], lambda b, x: b.op(tg.LogSoftmaxOp, x, axis=axis))


def norm(shape, axis):
    """Layer norm over one axis (any position), scaled and shifted per element."""

    def body(b, x, w):
        mean = x.mean([axis], keepdim=True)
        d = x - mean
        var = (d * d).mean([axis], keepdim=True)
        return d * (var + 1e-5).rsqrt() * w

    return build_function([tensor(list(shape), f32), tensor(list(shape), f32)], body)


PROGRAMS = {"softmax": softmax, "log_softmax": log_softmax, "norm": norm}


def fused(module: ModuleOp, min_parallelism: int = 1) -> ModuleOp:
    ctx = make_context()
    module = module.clone()
    for _, p in build_pipeline(f"{LOWER},loops-fuse{{min-parallelism={min_parallelism}}},loops-simplify-index", passes()):
        p.apply(ctx, module)
    module.verify()
    return module


def tops(module: ModuleOp) -> list:
    f = module.body.block.first_op
    return [op for op in f.body.block.ops if isinstance(op, (KernelOp, ReduceOp, PointwiseOp))]


def inputs(module: ModuleOp, seed: int, special: bool = False) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    types = module.body.block.first_op.function_type.inputs.data
    arrays = [rng.standard_normal(tuple(t.get_shape())).astype(np.float32) * 3 for t in types]
    x = arrays[0]
    if special and x.size:
        flat = x.reshape(-1)
        flat[0] = -np.inf  # a -inf in the first column/row
        flat[-1] = np.nan
        if x.ndim == 2 and x.shape[0] > 1:
            x[:, -1] = -np.inf  # a whole column of -inf (softmax over axis 0: nan there)
    return arrays


def check_compiled(module: ModuleOp, seed: int, special: bool = False, min_parallelism: int | None = 1) -> None:
    arrays = inputs(module, seed, special)
    want = stepwell.reference.run(module, "f", *arrays)
    got = stepwell.compile(module, "f", pipeline=_cpu_pipeline(min_parallelism))(*arrays)
    assert got.shape == want.shape and got.dtype == want.dtype
    np.testing.assert_allclose(got, want, rtol=2e-5, atol=2e-6)  # nan where nan


# --- the kernels ------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(PROGRAMS))
@pytest.mark.parametrize("shape, axis", [((6, 10), 0), ((3, 6, 10), 1), ((3, 6, 10), 0)], ids=str)
def test_one_kernel_over_a_non_trailing_axis(name, shape, axis):
    (kernel,) = tops(fused(PROGRAMS[name](shape, axis)))
    assert isinstance(kernel, KernelOp)
    rest = tuple(n for i, n in enumerate(shape) if i != axis)
    assert kernel.parallel_sizes == rest and kernel.reduction_sizes == (shape[axis],)
    last = kernel.compute_ops()[-1]
    assert last.shape == shape
    assert last.dim_map[axis] == "k0"  # the epilogue walks the reduced axis
    assert all(n.startswith("p") for i, n in enumerate(last.dim_map) if i != axis)
    for op in kernel.compute_ops():
        if isinstance(op, ReduceOp):  # the reduced axis is size 1 in the result
            assert op.dim_map[axis] == "0" and op.dim_map[len(op.shape) :] == ("k0",)


def test_softmax_columns_map():
    (kernel,) = tops(fused(softmax((6, 10), 0)))
    assert kernel.parallel_sizes == (10,)
    maps = [op.dim_map for op in kernel.compute_ops()]
    assert maps == [("0", "p0", "k0"), ("0", "p0", "k0"), ("k0", "p0")]


def test_cpu_outer_loop_covers_every_parallel_dim():
    """The CPU schedule walks every p dim of a kernel in parallel, wherever its ops map
    it: the columns of softmax over axis 0 (in blocks, the block innermost), the batch
    dim and the columns for axis 1 of a 3-D tensor."""
    (cols,) = tops(fused(softmax((64, 4096), 0)))
    sched = schedule(target_of(cols), vector=16)
    assert [name for name, _ in sched.outer] == ["p0"] and sched.chunks > 1
    (middle,) = tops(fused(softmax((3, 64, 4096), 1)))
    assert middle.parallel_sizes == (3, 4096)
    assert sorted(name for name, _ in schedule(target_of(middle), vector=16).outer) == ["p0", "p1"]


# --- compiled for the CPU == reference ----------------------------------------------------

SHAPES = [((7, 13), 0), ((1, 5), 0), ((5, 1), 0), ((13, 2, 7), 1), ((2, 3, 1), 1), ((4, 5, 3), 0)]


@pytest.mark.parametrize("name", sorted(PROGRAMS))
@pytest.mark.parametrize("shape, axis", SHAPES, ids=str)
def test_compiled_matches_reference(name, shape, axis):
    check_compiled(PROGRAMS[name](shape, axis), seed=sum(shape))


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
@pytest.mark.parametrize("shape, axis", [((0, 5), 0), ((5, 0), 0), ((3, 0, 4), 1), ((3, 4, 0), 1)], ids=str)
def test_compiled_zero_sizes(name, shape, axis):
    check_compiled(PROGRAMS[name](shape, axis), seed=1)


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_compiled_special_values(name):
    check_compiled(PROGRAMS[name]((11, 7), 0), seed=3, special=True)


def test_compiled_at_the_default_min_parallelism():
    """Large enough to fuse at the default: 300 columns of 67."""
    module = softmax((67, 300), 0)
    assert len(tops(fused(module, 64))) == 1
    check_compiled(module, seed=5, min_parallelism=None)


# --- min-parallelism ---------------------------------------------------------------------


def test_min_parallelism_keeps_a_wide_epilogue_out():
    """Softmax over 4 rows of 100000: the epilogue alone exposes 400000 points, the
    kernel of the reductions 4; at the default it stays out, at 1 it joins."""
    module = softmax((4, 100000), 1)
    kernel, epilogue = tops(fused(module, 64))
    assert math.prod(kernel.parallel_sizes) == 4 and isinstance(epilogue, PointwiseOp)
    (one,) = tops(fused(module, 1))
    assert math.prod(one.parallel_sizes) == 4


def test_min_parallelism_merges_groups_that_were_both_below_it():
    """Both sides below the minimum: nothing lost, the merge stands (6 rows of 10)."""
    (kernel,) = tops(fused(softmax((6, 10), 1), 64))
    assert math.prod(kernel.parallel_sizes) == 6
