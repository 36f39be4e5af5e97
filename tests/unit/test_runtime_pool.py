"""The CPU runtime's persistent pool: how a call's chunks are grouped and handed out,
thread limits, identical results on 1 and many threads, concurrent callers,
exceptions, fork, and the `chunks` field of the plan."""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import threading
import time

import numpy as np
import pytest

from xdsl.dialects.builtin import ArrayAttr, DictionaryAttr, IntegerAttr, i64

from stepwell import reference, registry
from stepwell.compiler import compile
from stepwell.ir.parse import parse_module
from stepwell.ir.pipeline import build_pipeline
from stepwell.lowering.loops_to_llvm import PLAN_ATTR
from stepwell.registry import make_context
from stepwell.runtime import cpu
from stepwell.runtime import plan as plan_mod
from stepwell.runtime.plan import CallSpec


def _cover(extent: int, chunks: int, threads: int) -> list[tuple[int, int]]:
    return [cpu.chunk_range(extent, chunks, *g) for g in cpu.chunk_groups(chunks, threads)]


@pytest.mark.parametrize("threads", [1, 2, 3, 7, 16, 64, 100])
def test_chunk_groups_cover_the_range_exactly_once(threads):
    for chunks in [1, 2, 3, 5, 16, 63, 64, 65, 97, 256, 1000]:
        groups = cpu.chunk_groups(chunks, threads)
        assert groups[0][0] == 0 and groups[-1][1] == chunks, (chunks, threads, groups)
        assert all(i < j for i, j in groups) and all(a[1] == b[0] for a, b in zip(groups, groups[1:]))
        sizes = [j - i for i, j in groups]
        assert sizes == sorted(sizes, reverse=True)  # large groups first, small last
        assert len(groups) >= min(threads, chunks)  # every thread can get work
        if threads == 1:
            assert groups == [(0, chunks)]  # one foreign call
        for extent in {chunks, chunks + 1, 2 * chunks + 3, 1000, 4097, 10**6 + 7} - {0}:
            ranges = _cover(extent, chunks, threads)
            assert ranges[0][0] == 0 and ranges[-1][1] == extent
            assert all(a[1] == b[0] for a, b in zip(ranges, ranges[1:]))
            assert all(b > a for a, b in ranges)
            # group boundaries are chunk boundaries: chunk i = [extent*i//chunks, extent*(i+1)//chunks)
            bounds = {extent * i // chunks for i in range(chunks + 1)}
            assert {a for a, _ in ranges} <= bounds
        for smallest in (2, 5, chunks):
            big = cpu.chunk_groups(chunks, threads, smallest)
            assert big[0][0] == 0 and big[-1][1] == chunks and all(a[1] == b[0] for a, b in zip(big, big[1:]))
            assert all(j - i >= smallest for i, j in big[:-1]) and len(big) <= len(groups)


def test_call_threads_follows_limit_chunks_and_work():
    big = CallSpec("k", (), extent=1000, grain=10**6, chunks=64)
    assert cpu.call_threads(big, 16) == 16
    assert cpu.call_threads(big, 1) == 1
    assert cpu.call_threads(dataclasses.replace(big, chunks=1), 16) == 1  # one piece: one thread
    assert cpu.call_threads(dataclasses.replace(big, chunks=3), 16) == 3
    assert cpu.call_threads(dataclasses.replace(big, grain=1), 16) == 1  # too little work: inline
    assert cpu.call_threads(dataclasses.replace(big, grain=3 * cpu.PARALLEL_WORK // 1000), 16) == 2


def test_a_group_of_chunks_is_worth_parallel_work():
    call = CallSpec("k", (), extent=1024, grain=4 * cpu.PARALLEL_WORK // 1024, chunks=64)
    assert cpu.call_threads(call, 16) == 4
    assert cpu.call_groups(call, 4) == [(0, 16), (16, 32), (32, 48), (48, 64)]
    big = dataclasses.replace(call, grain=10**6)
    assert cpu.call_groups(big, 16) == cpu.chunk_groups(64, 16)  # chunks worth PARALLEL_WORK each
    assert len(cpu.call_groups(big, 16)) > 16


def _recording_fn(sleep: float = 0.0):
    seen: list[tuple[int, int, int]] = []

    def fn(begin, end, *pointers):
        seen.append((begin, end, threading.get_ident()))
        if sleep:
            time.sleep(sleep)

    return fn, seen


@pytest.mark.parametrize("extent,chunks", [(7, 7), (1000, 64), (10**6 + 3, 257), (65, 64)])
def test_the_pool_runs_every_chunk_once(monkeypatch, extent, chunks):
    monkeypatch.setattr(cpu, "_CORES", 16)  # more threads than this machine's cores
    call = CallSpec("k", (), extent=extent, grain=10**6, chunks=chunks)
    for _ in range(20):
        fn, seen = _recording_fn()
        cpu._run(fn, call, [])
        covered = sorted((b, e) for b, e, _ in seen)
        assert covered == _cover(extent, chunks, min(16, chunks))


def test_one_thread_runs_everything_on_the_calling_thread(monkeypatch):
    monkeypatch.setattr(cpu, "_CORES", 16)
    call = CallSpec("k", (), extent=1000, grain=10**6, chunks=64)
    fn, seen = _recording_fn(sleep=0.002)
    cpu._run(fn, call, [])
    assert len({t for *_, t in seen}) > 1  # the pool took part (64 chunks, 2 ms each)
    me = threading.get_ident()
    monkeypatch.setenv("STEPWELL_NUM_THREADS", "1")
    fn, seen = _recording_fn(sleep=0.002)
    cpu._run(fn, call, [])
    assert seen == [(0, 1000, me)]
    monkeypatch.delenv("STEPWELL_NUM_THREADS")
    with cpu.threads(1):
        assert cpu.num_threads() == 1
        fn, seen = _recording_fn()
        cpu._run(fn, call, [])
        assert seen == [(0, 1000, me)]
    assert cpu.num_threads() == 16


def test_an_exception_in_a_chunk_reaches_the_caller_and_the_pool_survives(monkeypatch):
    monkeypatch.setattr(cpu, "_CORES", 8)
    call = CallSpec("k", (), extent=640, grain=10**6, chunks=64)

    def failing(begin, end):
        time.sleep(0.001)
        if begin <= 600 < end:
            raise ValueError(f"bad chunk at {begin}")

    with pytest.raises(ValueError, match="bad chunk"):
        cpu._run(failing, call, [])
    fn, seen = _recording_fn()
    cpu._run(fn, call, [])
    assert sorted((b, e) for b, e, _ in seen) == _cover(640, 64, 8)


SOURCE = """
func.func @softmax(%x: tensor<300x257xf32>) -> tensor<300x257xf32> {
  %y = tensor_graph.softmax %x {axis = -1} : tensor<300x257xf32>
  func.return %y : tensor<300x257xf32>
}
func.func @sums(%x: tensor<300x257xf32>) -> (tensor<300xf32>, tensor<257xf32>) {
  %r = tensor_graph.reduce %x {kind = "sum", dims = [1], keepdim = false} : tensor<300x257xf32> -> tensor<300xf32>
  %c = tensor_graph.reduce %x {kind = "sum", dims = [0], keepdim = false} : tensor<300x257xf32> -> tensor<257xf32>
  func.return %r, %c : tensor<300xf32>, tensor<257xf32>
}
"""


def _chunked(name: str, chunks: int):
    """A compiled function whose calls are cut into `chunks` pieces (as far as their
    extent allows), whatever the schedule says."""
    f = compile(SOURCE, entry=name)
    f._calls = [(fn, dataclasses.replace(c, chunks=min(chunks, c.extent), grain=max(c.grain, 10**6)), a) for fn, c, a in f._calls]
    return f


def _as_tuple(r):
    return r if isinstance(r, tuple) else (r,)


def test_results_are_identical_on_one_thread_and_many(monkeypatch):
    monkeypatch.setattr(cpu, "_CORES", 16)
    x = np.random.default_rng(3).standard_normal((300, 257), dtype=np.float32)
    for name in ("softmax", "sums"):
        with cpu.threads(1):
            want = _as_tuple(compile(SOURCE, entry=name)(x))
        np.testing.assert_allclose(want[0], _as_tuple(reference.run(SOURCE, name, x))[0], rtol=1e-5, atol=1e-4)
        for chunks in (1, 3, 64, 300):
            f = _chunked(name, chunks)
            for limit in (1, 2, 5, 16):
                with cpu.threads(limit):
                    got = _as_tuple(f(x))
                for g, w in zip(got, want):
                    np.testing.assert_array_equal(g, w, err_msg=f"{name} chunks={chunks} threads={limit}")


def test_concurrent_calls_from_several_python_threads(monkeypatch):
    monkeypatch.setattr(cpu, "_CORES", 16)
    rng = np.random.default_rng(5)
    inputs = [rng.standard_normal((300, 257), dtype=np.float32) for _ in range(6)]
    fs = {name: _chunked(name, 64) for name in ("softmax", "sums")}
    with cpu.threads(1):
        want = {(n, i): _as_tuple(f(x)) for n, f in fs.items() for i, x in enumerate(inputs)}
    failures: list[str] = []

    def worker(t: int) -> None:
        for r in range(10):
            i = (t + r) % len(inputs)
            for n, f in fs.items():
                got = _as_tuple(f(inputs[i]))
                if not all(np.array_equal(g, w) for g, w in zip(got, want[n, i])):
                    failures.append(f"thread {t} round {r} {n}")

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures


def test_a_failed_check_raises_and_no_later_kernel_runs(monkeypatch):
    text = """
func.func @f(%x: tensor<4x3xf32>, %i: tensor<300xi64>) -> tensor<300x3xf32> {
  %y = tensor_graph.gather %x, %i {axis = 0} : tensor<4x3xf32>, tensor<300xi64> -> tensor<300x3xf32>
  %z = tensor_graph.exp %y : tensor<300x3xf32>
  func.return %z : tensor<300x3xf32>
}
"""
    monkeypatch.setattr(cpu, "_CORES", 16)
    f = compile(text)
    f._calls = [(fn, dataclasses.replace(c, chunks=c.extent if c.check is None else 1, grain=10**6), a) for fn, c, a in f._calls]
    assert any(c.check for _, c, _ in f._calls) and f._calls[-1][1].check is None
    ran = []
    real_run = cpu._run
    monkeypatch.setattr(cpu, "_run", lambda fn, call, pointers, address=None: (ran.append(call.kernel), real_run(fn, call, pointers, address)))
    x = np.arange(12, dtype=np.float32).reshape(4, 3)
    bad = np.zeros(300, np.int64)
    bad[250] = 4
    with pytest.raises(reference.IndexOutOfRange, match="index 4 is out of range"):
        f(x, bad)
    checked = [c.kernel for _, c, _ in f._calls if c.check]
    assert ran[-1] == checked[-1] and f._calls[-1][1].kernel not in ran
    ran.clear()
    np.testing.assert_allclose(f(x, np.full(300, 3, np.int64)), np.exp(np.tile(x[3], (300, 1))), rtol=1e-6)
    assert ran == [c.kernel for _, c, _ in f._calls]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_the_pool_works_in_a_forked_child(monkeypatch):
    monkeypatch.setattr(cpu, "_CORES", 4)
    call = CallSpec("k", (), extent=640, grain=10**6, chunks=64)
    fn, seen = _recording_fn(sleep=0.001)
    cpu._run(fn, call, [])  # the parent's workers exist
    pid = os.fork()
    if pid == 0:  # the child starts workers of its own; a hang is killed by the alarm
        signal.alarm(20)
        try:
            fn, seen = _recording_fn(sleep=0.001)
            cpu._run(fn, call, [])
            ok = sorted((b, e) for b, e, _ in seen) == _cover(640, 64, 4) and len({t for *_, t in seen}) > 1
        finally:
            os._exit(0 if ok else 1)
    _, status = os.waitpid(pid, 0)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, status


def test_chunks_in_the_plan_and_the_cache_format():
    module, _ = parse_module(make_context(), SOURCE, "source")
    ctx = make_context()
    for _, pass_ in build_pipeline(registry.pipelines()["lower-to-cpu"], registry.passes(), registry.pipelines()):
        pass_.apply(ctx, module)
    entry = module.attributes[PLAN_ATTR].data[0]
    calls = entry.data["calls"].data
    assert all(c.chunks == ("chunks" in d.data and d.data["chunks"].value.data or 1)
               for c, d in zip(plan_mod.plans_from_module(module)[0].calls, calls))
    chunked = DictionaryAttr({**calls[0].data, "chunks": IntegerAttr(5, i64)})  # as loops-schedule-cpu writes it
    entry = DictionaryAttr({**entry.data, "calls": ArrayAttr([chunked, *calls[1:]])})
    module.attributes[PLAN_ATTR] = ArrayAttr([entry, *module.attributes[PLAN_ATTR].data[1:]])
    assert plan_mod.plans_from_module(module)[0].calls[0].chunks == 5
    f = compile(SOURCE, entry="softmax")
    plans = [dataclasses.replace(f.plan, calls=tuple(dataclasses.replace(c, chunks=7) for c in f.plan.calls))]
    assert plan_mod.from_json(plan_mod.to_json(plans)) == plans
    old = json.loads(plan_mod.to_json(plans))  # a cache written before `chunks` existed
    for c in old[0]["calls"]:
        del c["chunks"]
    assert all(c.chunks == 1 for c in plan_mod.from_json(json.dumps(old))[0].calls)
