"""No kernel of the benchmark workloads (bench/workloads.py, at the benchmark's full
sizes) with more than a million scalar iterations runs as a single chunk: the CPU
schedule cuts each such call into enough chunks for 16-64 cores (issue 7, item 6).
The workloads are lowered to their plans only (no machine code, nothing runs)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from stepwell import registry
from stepwell.ir.parse import parse_module
from stepwell.ir.pipeline import build_pipeline
from stepwell.registry import make_context
from stepwell.runtime.plan import CallSpec, FunctionPlan, plans_from_module

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from workloads import workloads  # noqa: E402

BIG = 1_000_000  # scalar iterations (extent * grain) above which a call must be split
MIN_CHUNKS = 64  # loops.contract.MIN_PARALLELISM: pieces for 16-64 cores
CHUNK_WORK = 32768  # scalar iterations worth a chunk of their own (runtime.cpu.PARALLEL_WORK)


def unsplit(plan: FunctionPlan) -> list[str]:
    """The calls of `plan` with more than BIG scalar iterations and fewer than
    min(MIN_CHUNKS, work // CHUNK_WORK) chunks."""
    bad = []
    for c in plan.calls:
        work = c.extent * c.grain
        if work > BIG and c.chunks < min(MIN_CHUNKS, work // CHUNK_WORK):
            bad.append(f"{c.kernel}: extent {c.extent} x grain {c.grain} = {work} iterations in {c.chunks} chunk(s)")
    return bad


def _plan(calls: list[tuple[int, int, int]]) -> FunctionPlan:
    return FunctionPlan("f", (), (), (), tuple(CallSpec(f"k{i}", (), e, g, None, n) for i, (e, g, n) in enumerate(calls)))


def test_the_rule_on_fake_plans():
    assert unsplit(_plan([(1, 10**6, 1), (1000, 1000, 1), (2048, 4096, 64), (100, 10**5, 64)])) == []
    assert len(unsplit(_plan([(4, 10**6, 4)]))) == 1  # 4 chunks do not keep 64 cores busy
    assert unsplit(_plan([(1, 10**6 + 1, 1)])) == ["k0: extent 1 x grain 1000001 = 1000001 iterations in 1 chunk(s)"]
    assert len(unsplit(_plan([(2048, 4096, 1), (2048, 4096, 63), (1000, 1001, 29), (1000, 1001, 30)]))) == 3
    assert unsplit(_plan([(10**6, 2, 61)])) == []  # 2e6 // 32768 = 61 chunks are enough


def _lowered_plans(source: str) -> list[FunctionPlan]:
    module, _ = parse_module(make_context(), source, "workload")
    ctx = make_context()
    for _, pass_ in build_pipeline(registry.pipelines()["lower-to-cpu"], registry.passes(), registry.pipelines()):
        pass_.apply(ctx, module)
    return plans_from_module(module)


@pytest.mark.parametrize("workload", workloads(), ids=lambda w: w.name)
def test_no_big_kernel_of_the_benchmark_runs_as_one_chunk(workload):
    (plan,) = _lowered_plans(workload.source)
    assert any(c.extent * c.grain > BIG for c in plan.calls), "the workload is no longer big: the test checks nothing"
    assert unsplit(plan) == []
