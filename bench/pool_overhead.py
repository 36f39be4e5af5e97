"""Per-call overhead of the CPU runtime's parallel dispatch: the native pool
(stepwell/runtime/pool.py) vs the runtime's Python path (`_run` of
stepwell/runtime/cpu.py), on an empty kernel, at 1, 2, 4, 8, ... threads up to every core.

    python bench/pool_overhead.py [--chunks 64] [--calls 2000]

Each row: the median over 5 batches of the time per call (a batch: `--calls` calls
back to back, after a warm-up), in microseconds.
"""

from __future__ import annotations

import argparse
import ctypes
import dataclasses
import os
import platform
import statistics
import time

from stepwell.runtime import cpu, pool
from stepwell.runtime.plan import CallSpec

EMPTY = "define void @empty(i64 %begin, i64 %end, ptr %b0) {\n  ret void\n}\n"


def per_call_us(call, calls: int) -> float:
    for _ in range(calls // 10 + 1):  # warm-up: workers started, trampolines compiled
        call()
    batches = []
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(calls):
            call()
        batches.append((time.perf_counter() - start) / calls)
    return statistics.median(batches) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--chunks", type=int, default=64, help="chunks per call (= extent)")
    parser.add_argument("--calls", type=int, default=2000, help="calls per batch")
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    counts = sorted({1 << i for i in range(cores.bit_length()) if 1 << i <= cores} | {cores})

    address = pool._compile(EMPTY, "empty")[0]
    kernel = ctypes.CFUNCTYPE(None, ctypes.c_int64, ctypes.c_int64, ctypes.c_void_p)(address)
    buffer = ctypes.create_string_buffer(64)
    pointers = [ctypes.addressof(buffer)]
    n = args.chunks
    fields = {f.name for f in dataclasses.fields(CallSpec)}
    extra = {"chunks": n} if "chunks" in fields else {}  # (the plan's chunk count, where the runtime has it)
    spec = CallSpec(kernel="empty", buffers=(0,), extent=n, grain=cpu.PARALLEL_WORK, **extra)

    print(f"{platform.node()}: {cores} cores, {platform.processor() or platform.machine()}; empty kernel, extent = chunks = {n}")
    print(f"native pool: {'yes' if pool.available() else 'no (' + str(pool.unavailable_reason()) + ')'}")
    print(f"{'threads':>7}  {'native pool (us)':>16}  {'runtime _run (us)':>17}")
    for t in counts:
        native = per_call_us(lambda: pool.parallel_for(address, 1, n, n, pointers, t), args.calls) if pool.available() else float("nan")
        os.environ["STEPWELL_NUM_THREADS"] = str(t)
        python = per_call_us(lambda: cpu._run(kernel, spec, pointers), args.calls)
        print(f"{t:>7}  {native:>16.2f}  {python:>17.2f}")


if __name__ == "__main__":
    main()
