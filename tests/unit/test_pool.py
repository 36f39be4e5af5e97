"""The native thread pool (stepwell/runtime/pool.py): every chunk exactly once, any
number of buffers, compiled stepwell functions give the same results as on one
thread, concurrent callers, a forked child, idle workers that sleep, and a clean
refusal where the pool cannot run."""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

import stepwell
from stepwell.runtime import cpu, pool

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from workloads import workloads  # noqa: E402

pytestmark = pytest.mark.skipif(not pool.available(), reason=f"no native pool here: {pool.unavailable_reason()}")

# k(begin, end, log): log[0] counts the calls; call i writes (begin, end) at log[1 + 2i]
RECORD = """
define void @record(i64 %begin, i64 %end, ptr %log) {
  %i = atomicrmw add ptr %log, i64 1 seq_cst
  %twice = mul i64 %i, 2
  %at = add i64 %twice, 1
  %p = getelementptr i64, ptr %log, i64 %at
  store i64 %begin, ptr %p
  %q = getelementptr i64, ptr %p, i64 1
  store i64 %end, ptr %q
  ret void
}
"""

# k(begin, end, state): state[0] counts the calls that arrived; each call waits (a
# bounded spin, ~1 s) until two have, else sets state[1]: two threads ran at once
MEET = """
define void @meet(i64 %begin, i64 %end, ptr %state) {
entry:
  atomicrmw add ptr %state, i64 1 seq_cst
  br label %wait
wait:
  %k = phi i64 [ 0, %entry ], [ %k1, %again ]
  %n = load atomic i64, ptr %state seq_cst, align 8
  %met = icmp sge i64 %n, 2
  br i1 %met, label %out, label %again
again:
  %k1 = add i64 %k, 1
  %give_up = icmp sgt i64 %k1, 1000000000
  br i1 %give_up, label %alone, label %wait
alone:
  %lonely = getelementptr i64, ptr %state, i64 1
  store atomic i64 1, ptr %lonely seq_cst, align 8
  br label %out
out:
  ret void
}
"""


def two_threads_meet() -> bool:
    """Whether a job of two chunks ran them on two threads at once."""
    state = np.zeros(2, np.int64)
    pool.parallel_for(kernel("meet", MEET), 1, 2, 2, [state.ctypes.data], 2)
    return state[0] == 2 and state[1] == 0


def add_kernel(n: int) -> str:
    """k_n(begin, end, b0, ..., b{n-1}): b_k[p] += k + 1 (i64) for p in [begin, end)."""
    params = "".join(f", ptr %b{k}" for k in range(n))
    body = "".join(
        f"  %q{k} = getelementptr i64, ptr %b{k}, i64 %p\n  %v{k} = load i64, ptr %q{k}\n"
        f"  %w{k} = add i64 %v{k}, {k + 1}\n  store i64 %w{k}, ptr %q{k}\n"
        for k in range(n)
    )
    return (
        f"define void @add_{n}(i64 %begin, i64 %end{params}) {{\nentry:\n  br label %loop\nloop:\n"
        f"  %p = phi i64 [ %begin, %entry ], [ %p1, %body ]\n  %more = icmp slt i64 %p, %end\n"
        f"  br i1 %more, label %body, label %out\nbody:\n{body}  %p1 = add i64 %p, 1\n  br label %loop\n"
        f"out:\n  ret void\n}}\n"
    )


_kernels: dict[str, int] = {}


def kernel(name: str, text: str) -> int:
    if name not in _kernels:
        (_kernels[name],) = pool._compile(text, name)
    return _kernels[name]


def run_add(n_buffers: int, extent: int, chunks: int, threads: int) -> list[np.ndarray]:
    buffers = [np.zeros(extent, np.int64) for _ in range(n_buffers)]
    address = kernel(f"add_{n_buffers}", add_kernel(n_buffers))
    pool.parallel_for(address, n_buffers, extent, chunks, [b.ctypes.data for b in buffers], threads)
    return buffers


def calls_of(extent: int, chunks: int, threads: int) -> list[tuple[int, int]]:
    log = np.zeros(1 + 2 * chunks, np.int64)
    pool.parallel_for(kernel("record", RECORD), 1, extent, chunks, [log.ctypes.data], threads)
    n = int(log[0])
    assert 1 <= n <= chunks
    return sorted(zip(log[1 : 1 + 2 * n : 2].tolist(), log[2 : 2 + 2 * n : 2].tolist()))


CASES = [
    (1, 1, 1), (1, 1, 4), (10, 1, 2), (7, 7, 2), (64, 64, 16), (100, 7, 2), (100, 7, 3), (1000, 3, 8),
    (1000, 1000, 2), (1000, 999, 64), (12345, 17, 4), (1 << 20, 4096, 2), (2**40, 1000, 2), (5, 2, 1),
]


@pytest.mark.parametrize("extent,chunks,threads", CASES)
def test_every_chunk_exactly_once(extent, chunks, threads):
    """The calls cover [0, extent) without overlap, and each is a run of whole chunks."""
    bounds = {extent * i // chunks for i in range(chunks + 1)}
    calls = calls_of(extent, chunks, threads)
    assert calls[0][0] == 0 and calls[-1][1] == extent
    for (b0, e0), (b1, _) in zip(calls, calls[1:]):
        assert e0 == b1
    for begin, end in calls:
        assert begin < end and begin in bounds and end in bounds


@pytest.mark.parametrize("extent,chunks,threads", [(1000, 37, 2), (64, 64, 8), (5, 5, 2), (3, 1, 2)])
def test_every_point_once(extent, chunks, threads):
    (b,) = run_add(1, extent, chunks, threads)
    assert (b == 1).all()


def test_seventy_buffers():
    """Any arity: a trampoline per number of buffers, arguments in order."""
    buffers = run_add(70, 301, 13, 2)
    for k, b in enumerate(buffers):
        assert (b == k + 1).all(), k


def test_a_worker_runs_beside_the_caller():
    assert two_threads_meet()


def test_workers_are_kept_and_capped():
    run_add(1, 100, 10, 64)
    started = pool.workers()
    assert 1 <= started <= max(1, (os.cpu_count() or 1) - 1)
    for _ in range(20):
        run_add(1, 100, 10, 64)
    assert pool.workers() == started


def test_compiled_functions_match_one_thread(monkeypatch):
    """Compiled stepwell functions whose kernels run through the pool (odd chunk counts,
    two threads) give bit for bit what they give on one thread."""
    chosen = {"softmax_rows", "sum_rows", "sum_cols", "mm_bias_relu", "gelu_bias"}
    cases = [w for w in workloads(m=96, n=130, mm=72, attn=(1, 2, 16, 8)) if w.name in chosen]
    assert len(cases) == len(chosen)
    functions = [(stepwell.compile(w.source), w.inputs()) for w in cases]
    monkeypatch.setenv("STEPWELL_NUM_THREADS", "1")
    expected = [f(*inputs) for f, inputs in functions]
    seen = []

    def pooled(fn, call, pointers, address=None):
        chunks = min(call.extent, 7) or 1
        seen.append(chunks)
        pool.parallel_for(ctypes.cast(fn, ctypes.c_void_p).value, len(pointers), call.extent, chunks, pointers, 2)

    monkeypatch.setattr(cpu, "_run", pooled)
    for (f, inputs), want, w in zip(functions, expected, cases):
        np.testing.assert_array_equal(f(*inputs), want, err_msg=w.name)
    assert max(seen) == 7


def test_concurrent_callers():
    """Four Python threads calling at once: each job still runs every point once."""
    errors = []

    def caller(i: int) -> None:
        try:
            for round in range(40):
                (b,) = run_add(1, 1000 + i, 37, 2)
                assert (b == 1).all(), (i, round)
        except BaseException as e:  # reported on the main thread
            errors.append(e)

    threads = [threading.Thread(target=caller, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors


def _in_child(queue) -> None:
    try:
        # the first call starts a worker (the parent's are gone), which takes part in it
        met = two_threads_meet()
        (b,) = run_add(1, 5000, 64, 2)
        queue.put((met and bool((b == 1).all()), pool.workers()))
    except BaseException as e:
        queue.put(repr(e))


def test_forked_child_starts_its_own_workers():
    run_add(1, 1000, 16, 2)  # the parent's workers exist
    assert pool.workers() >= 1
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_in_child, args=(queue,))
    child.start()
    child.join(60)
    if child.is_alive():
        child.kill()
        pytest.fail("the forked child hung in parallel_for")
    assert child.exitcode == 0
    ok, workers = queue.get(timeout=5)
    assert ok and workers == pool.workers()
    (b,) = run_add(1, 1000, 16, 2)  # the parent's pool still works
    assert (b == 1).all()


def test_idle_workers_sleep():
    """After a job, workers spin briefly and then sleep: over half a second of idleness
    the process uses far less than half a second of CPU time."""
    for _ in range(10):
        run_add(1, 1000, 16, 64)
    assert pool.workers() >= 1
    time.sleep(0.05)  # past the spin
    start = time.process_time()
    time.sleep(0.5)
    assert time.process_time() - start < 0.25


def test_process_exits_right_after_a_job():
    """Workers block forever in the kernel: they do not hold up the exit, and their
    code is not freed under them while they still spin."""
    code = (
        "from stepwell.runtime import pool\n"
        "import numpy as np, sys\n"
        f"sys.path.insert(0, {str(Path(__file__).parent)!r})\n"
        "from test_pool import run_add\n"
        "b, = run_add(1, 100000, 64, 2)\n"
        "assert (b == 1).all() and pool.workers() >= 1\n"
    )
    done = subprocess.run([sys.executable, "-c", code], timeout=120, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_arguments_are_checked():
    address = kernel("record", RECORD)
    with pytest.raises(ValueError, match="1 buffers declared, 2 pointers given"):
        pool.parallel_for(address, 1, 10, 2, [0, 0], 2)
    with pytest.raises(ValueError, match="cannot cut extent 10 into 0 chunks"):
        pool.parallel_for(address, 1, 10, 0, [0], 2)
    with pytest.raises(ValueError, match="cannot cut extent"):
        pool.parallel_for(address, 1, 1 << 62, 4, [0], 2)
    pool.parallel_for(address, 1, 0, 1, [0], 2)  # nothing to do: the kernel is not called


@pytest.mark.parametrize(
    "patch,reason",
    [
        (lambda m: m.setattr(pool.platform, "machine", lambda: "riscv64"), "Linux on x86-64 and aarch64, not linux on riscv64"),
        (lambda m: m.setattr(pool, "_LIBC", pool._LIBC + ("no_such_function_in_libc",)), "needs no_such_function_in_libc"),
    ],
)
def test_unavailable_is_said_not_crashed(monkeypatch, patch, reason):
    if not sys.platform.startswith("linux"):
        pytest.skip("the messages name Linux")
    monkeypatch.setattr(pool, "_native", None)
    monkeypatch.setattr(pool, "_reason", None)
    patch(monkeypatch)
    assert not pool.available()
    assert reason in pool.unavailable_reason()
    with pytest.raises(pool.PoolUnavailable, match=reason):
        pool.parallel_for(kernel("record", RECORD), 1, 10, 2, [0], 2)
