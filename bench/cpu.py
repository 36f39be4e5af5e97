"""CPU benchmark: stepwell vs numpy vs torch.compile (Inductor, CPU) on the workloads of
bench/WORKLOADS.md, in one process, on the same inputs.

    python bench/cpu.py [--quick] [--only NAME,...] [--out bench/RESULTS.md]

Each workload: correctness first (max relative error against a float64 numpy
reference: f32 under 1e-5), then warm-up, then the median of repeated runs: stepwell on
all threads (STEPWELL_NUM_THREADS or every core) and on one thread, and the number of
chunks the schedule cuts its largest kernel (most extent * grain) into. Compile time:
cold (empty disk and memory caches) and cached (memory cache dropped, disk hit).
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from workloads import Workload, cpu_name, workloads  # noqa: E402


def median_ms(fn, args, min_runs: int = 5, budget_s: float = 1.5) -> float:
    fn(*args)  # warm-up
    fn(*args)
    times = []
    start = time.perf_counter()
    while len(times) < min_runs or (time.perf_counter() - start < budget_s and len(times) < 200):
        t = time.perf_counter()
        fn(*args)
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1e3


def rel_error(out: np.ndarray, ref: np.ndarray) -> float:
    scale = max(float(np.max(np.abs(ref))), 1e-30)
    return float(np.max(np.abs(out.astype(np.float64) - ref))) / scale


def compile_times(w: Workload) -> tuple[float, float]:
    from stepwell.runtime import cache as cache_module
    import stepwell

    with tempfile.TemporaryDirectory() as cache_dir:
        os.environ["STEPWELL_CACHE_DIR"] = cache_dir
        cache_module.CACHE.clear_memory()
        t = time.perf_counter()
        stepwell.compile(w.source, "main")
        cold = time.perf_counter() - t
        cache_module.CACHE.clear_memory()
        t = time.perf_counter()
        stepwell.compile(w.source, "main")
        cached = time.perf_counter() - t
    del os.environ["STEPWELL_CACHE_DIR"]
    return cold, cached


def bench(w: Workload) -> dict:
    import torch

    import stepwell
    from stepwell.runtime import cpu

    inputs = w.inputs()
    ref = np.asarray(w.numpy(*[a.astype(np.float64) for a in inputs]), dtype=np.float64)
    cold, cached = compile_times(w)
    fn = stepwell.compile(w.source, "main")
    err = rel_error(fn(*inputs), ref)
    row = {"name": w.name, "err": err, "cold_s": cold, "cached_s": cached}
    row["stepwell"] = median_ms(fn, inputs)
    with cpu.threads(1):
        row["stepwell_1t"] = median_ms(fn, inputs)
    row["chunks"] = max(fn.plan.calls, key=lambda c: c.extent * c.grain).chunks
    row["numpy"] = median_ms(w.numpy, inputs)
    tensors = [torch.from_numpy(a) for a in inputs]
    compiled = torch.compile(w.torch)
    with torch.no_grad():
        terr = rel_error(compiled(*tensors).numpy(), ref)
        row["torch"] = median_ms(compiled, tensors)
    row["torch_err"] = terr
    return row


def table(rows: list[dict], threads: int) -> str:
    out = [
        f"| workload | stepwell ms ({threads} threads) | stepwell ms (1 thread) | speed-up | chunks | numpy ms "
        "| torch.compile ms | vs numpy | vs torch.compile | rel. error | compile cold s | compile cached s |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        out.append(
            f"| {r['name']} | {r['stepwell']:.2f} | {r['stepwell_1t']:.2f} | {r['stepwell_1t'] / r['stepwell']:.2f}x "
            f"| {r['chunks']} | {r['numpy']:.2f} | {r['torch']:.2f} "
            f"| {r['numpy'] / r['stepwell']:.2f}x | {r['torch'] / r['stepwell']:.2f}x "
            f"| {r['err']:.1e} | {r['cold_s']:.2f} | {r['cached_s']:.3f} |"
        )
    gm = lambda k: statistics.geometric_mean([r[k] / r["stepwell"] for r in rows])  # noqa: E731
    out.append(
        f"| **geomean** | | | **{gm('stepwell_1t'):.2f}x** | | | | **{gm('numpy'):.2f}x** | **{gm('torch'):.2f}x** | | | |"
    )
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small shapes (a smoke run)")
    parser.add_argument("--only", default="", help="comma-separated workload names")
    parser.add_argument("--out", help="write the table (markdown) here")
    args = parser.parse_args()
    ws = workloads(256, 384, 128, (1, 2, 64, 32)) if args.quick else workloads()
    if args.only:
        ws = [w for w in ws if w.name in args.only.split(",")]
    from stepwell.runtime import cpu

    threads = cpu.num_threads()
    print(f"stepwell threads: {threads} (of {os.cpu_count()} cores)", flush=True)
    rows = []
    for w in ws:
        row = bench(w)
        rows.append(row)
        print(f"{w.name}: stepwell {row['stepwell']:.2f} ms ({threads} threads), {row['stepwell_1t']:.2f} ms (1 thread, "
              f"{row['stepwell_1t'] / row['stepwell']:.2f}x), largest kernel {row['chunks']} chunks, "
              f"numpy {row['numpy']:.2f} ms, torch.compile {row['torch']:.2f} ms, err {row['err']:.1e}", flush=True)
    text = table(rows, threads)
    print(text)
    if args.out:
        import torch

        header = (
            f"Measured {datetime.date.today()} on {cpu_name()} "
            f"({os.cpu_count()} cores, stepwell on {threads} threads), Python {platform.python_version()}, numpy {np.__version__}, "
            f"torch {torch.__version__}.\nCommand: `python bench/cpu.py{' --quick' if args.quick else ''}"
            f"{' --only ' + args.only if args.only else ''} --out {args.out}`\n\n"
        )
        Path(args.out).write_text(header + text + "\n")


if __name__ == "__main__":
    main()
