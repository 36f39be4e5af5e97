"""The kernel iteration space from loops-fuse to the CPU plan: the softmax kernel of
the bench attention workload (its shape starts with a size-1 batch dim) declares all
its parallel dims, and the CPU planner's outer loop covers all of them (it used to
re-derive its own prefix, refuse the size-1 dim read at index 0, and run that kernel
on one thread)."""

import math
import sys
from pathlib import Path

from stepwell.dialects.loops import KernelOp, ReduceOp
from stepwell.ir import parse_module
from stepwell.ir.pipeline import build_pipeline
from stepwell.lowering.loops_to_llvm.planning import plan_kernel, target_of
from stepwell.registry import make_context, passes

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from workloads import workloads  # noqa: E402

TO_LOOPS = "tensor_graph-decompose{expand-log2-exp2=true},canonicalize,cse,convert-tensor_graph-to-loops,loops-fuse,loops-simplify-index"


def _loops(source: str):
    ctx = make_context()
    module, _ = parse_module(ctx, source)
    for _, p in build_pipeline(TO_LOOPS, passes()):
        p.apply(ctx, module)
    module.verify()
    return module


def test_attention_softmax_kernel_runs_over_every_row():
    (attention,) = [w for w in workloads() if w.name == "attention"]  # 1x4x512x64
    module = _loops(attention.source)
    kernels = [op for op in module.walk() if isinstance(op, KernelOp)]
    (softmax,) = [k for k in kernels if [o.kind.data for o in k.compute_ops() if isinstance(o, ReduceOp)] == ["max", "sum"]]
    assert softmax.parallel_sizes == (1, 4, 512)
    assert softmax.reduction_sizes == (512,)
    target = target_of(softmax)
    plan = plan_kernel(target, target.yielded)
    assert plan.extent == math.prod(softmax.parallel_sizes) == 2048
