"""Per-call overhead of the CPU runtime's parallel dispatch: the native pool
(stepwell/runtime/pool.py) vs the runtime's Python path (`_run` of
stepwell/runtime/cpu.py), on an empty kernel, at 1, 2, 4, 8, ... threads up to every core.

    python bench/pool_overhead.py [--chunks 64] [--calls 20000] [--work 0]

Once the runtime calls the pool (its `_run` hands a call with more than one thread to
`pool.parallel_for`), the second column is the runtime's whole path: its own
bookkeeping plus the pool. `--work N` gives the kernel N turns of an empty loop per
point (about N cycles), so that the workers must take part: the time is then the
kernel's share plus the overhead.

Each row: over `--calls` calls back to back (after a warm-up), the median time of one
call and the mean (the mean includes the slow calls: a worker preempted while it holds a
chunk, on a busy machine), in microseconds.
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

# k(begin, end, b0): `work` turns of an empty loop (an opaque asm statement) per point
KERNEL = """
define void @kernel(i64 %begin, i64 %end, ptr %b0) {{
entry:
  %points = sub i64 %end, %begin
  %turns = mul i64 %points, {work}
  br label %loop
loop:
  %i = phi i64 [ 0, %entry ], [ %i1, %body ]
  %more = icmp slt i64 %i, %turns
  br i1 %more, label %body, label %out
body:
  call void asm sideeffect "", ""()
  %i1 = add i64 %i, 1
  br label %loop
out:
  ret void
}}
"""


def per_call_us(call, calls: int) -> tuple[float, float]:
    for _ in range(calls // 10 + 1):  # warm-up: workers started, trampolines compiled
        call()
    times = []
    clock = time.perf_counter_ns
    for _ in range(calls):
        start = clock()
        call()
        times.append(clock() - start)
    return statistics.median(times) / 1e3, statistics.fmean(times) / 1e3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--chunks", type=int, default=64, help="chunks per call (= extent)")
    parser.add_argument("--calls", type=int, default=20000, help="calls timed per path and thread count")
    parser.add_argument("--work", type=int, default=0, help="empty-loop turns per point in the kernel")
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    counts = sorted({1 << i for i in range(cores.bit_length()) if 1 << i <= cores} | {cores})

    address = pool._compile(KERNEL.format(work=args.work), "kernel")[0]
    kernel = ctypes.CFUNCTYPE(None, ctypes.c_int64, ctypes.c_int64, ctypes.c_void_p)(address)
    buffer = ctypes.create_string_buffer(64)
    pointers = [ctypes.addressof(buffer)]
    n = args.chunks
    fields = {f.name for f in dataclasses.fields(CallSpec)}
    extra = {"chunks": n} if "chunks" in fields else {}  # (the plan's chunk count, where the runtime has it)
    spec = CallSpec(kernel="kernel", buffers=(0,), extent=n, grain=cpu.PARALLEL_WORK, **extra)

    print(f"{platform.node()}: {cores} cores, {platform.processor() or platform.machine()}; kernel of {args.work} turns per point, extent = chunks = {n}")
    print(f"native pool: {'yes' if pool.available() else 'no (' + str(pool.unavailable_reason()) + ')'}")
    print(f"{'threads':>7}  {'native pool median/mean (us)':>28}  {'runtime _run median/mean (us)':>29}")
    for t in counts:
        if pool.available():
            native = per_call_us(lambda: pool.parallel_for(address, 1, n, n, pointers, t), args.calls)
        else:
            native = (float("nan"), float("nan"))
        os.environ["STEPWELL_NUM_THREADS"] = str(t)
        python = per_call_us(lambda: cpu._run(kernel, spec, pointers), args.calls)
        print(f"{t:>7}  {native[0]:>16.2f} / {native[1]:>9.2f}  {python[0]:>17.2f} / {python[1]:>9.2f}")


if __name__ == "__main__":
    main()
