"""GPU benchmark: stepwell's Triton target vs torch.compile (Inductor, default mode) on
the GPU workloads of bench/WORKLOADS.md, in one process, on the same CUDA inputs; with
a column for stepwell's PTX target (kernel time by CUDA-graph replay too, its speed
against the Triton target's, and its error), or why the PTX path refuses the workload.

    python bench/gpu.py [--only NAME,...] [--out FILE] [--commit SHA]

(--commit: the commit the header names; by default `git rev-parse` of this checkout,
which on a machine that got a copy of the tree may not be the commit it holds.)

Per workload:
- correctness first: the max error relative to the largest reference value, against a
  float64 torch reference on the GPU (f32 under 1e-5, bf16 under 1e-2), for both sides;
- kernel time: each side's call captured once in a CUDA graph, the graph replayed and
  timed with CUDA events (median of several runs of many replays), so a Python
  launcher's host time neither hides nor is hidden by kernel quality;
- call time: `triton.testing.do_bench` on the plain call (host launch overhead included);
- the floor: the bytes that must move (each input read once, the output written once)
  at the measured streaming rate of `torch.mul(x, 1.0, out=y)` on 1 GiB (a kernel, not
  a copy: a captured copy becomes a slower DMA node), and each side's % of it;
- peak memory above the inputs during one call (`torch.cuda.max_memory_allocated`:
  both sides allocate through torch's caching allocator);
- compile time: stepwell's compile + first call in a fresh process with empty stepwell
  and Triton caches (cold), then again in another fresh process with those caches kept
  (cached: no pipeline, no Triton compile, no autotuning).

Needs a CUDA GPU, torch and Triton; prints a markdown table (and writes it to --out).
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from workloads import Workload, gpu_workloads  # noqa: E402

TOLERANCE = {"f32": 1e-5, "bf16": 1e-2}
MEMORY_BOUND = ("softmax_rows", "layernorm", "gelu_bias", "ew_chain", "sum_rows", "sum_cols", "transpose_add")


def graph_ms(fn, args, replays: int = 20, runs: int = 7) -> float:
    """Median time of one call, replaying a CUDA graph of it."""
    import torch

    stream = torch.cuda.Stream()
    stream.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(stream):
        for _ in range(3):  # warm-up (and autotuning) outside the capture
            fn(*args)
    torch.cuda.current_stream().wait_stream(stream)
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        for _ in range(replays):
            fn(*args)
    graph.replay()
    torch.cuda.synchronize()
    times = []
    for _ in range(runs):
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        graph.replay()
        end.record()
        torch.cuda.synchronize()
        times.append(start.elapsed_time(end) / replays)
    return statistics.median(times)


def call_ms(fn, args) -> float:
    import triton.testing

    return triton.testing.do_bench(lambda: fn(*args), warmup=25, rep=200, return_mode="median")


def streaming_gbs() -> float:
    import torch

    x = torch.randn(1 << 28, device="cuda")  # 1 GiB of f32
    y = torch.empty_like(x)
    ms = graph_ms(lambda a: torch.mul(a, 1.0, out=y), [x], replays=5)
    return 2 * x.numel() * 4 / ms / 1e6


def rel_error(out, ref) -> float:
    scale = max(float(ref.abs().max()), 1e-30)
    return float((out.double() - ref).abs().max()) / scale


def peak_mib(fn, args) -> float:
    import torch

    torch.cuda.synchronize()
    base = torch.cuda.memory_allocated()
    torch.cuda.reset_peak_memory_stats()
    out = fn(*args)
    torch.cuda.synchronize()
    peak = torch.cuda.max_memory_allocated() - base
    del out
    return peak / 2**20


def cuda_inputs(w: Workload):
    import torch

    gen = torch.Generator(device="cuda").manual_seed(0)
    dtype = {"f32": torch.float32, "bf16": torch.bfloat16}[w.dtype]
    return [torch.randn(s, generator=gen, device="cuda", dtype=torch.float32).to(dtype) for s in w.shapes]


def compile_seconds(name: str) -> tuple[float, float]:
    """(cold, cached) seconds of compile + first call, each in a fresh process."""
    with tempfile.TemporaryDirectory() as root:
        env = {**os.environ, "STEPWELL_CACHE_DIR": f"{root}/stepwell", "TRITON_CACHE_DIR": f"{root}/triton"}
        times = []
        for _ in range(2):
            out = subprocess.run(
                [sys.executable, __file__, "--compile-only", name], env=env, capture_output=True, text=True, check=True
            )
            times.append(float(out.stdout.strip().splitlines()[-1]))
        return times[0], times[1]


def compile_only(name: str) -> None:
    import time

    import torch

    import stepwell

    (w,) = [w for w in gpu_workloads() if w.name == name]
    args = cuda_inputs(w)
    torch.cuda.synchronize()
    t = time.perf_counter()
    stepwell.compile(w.source, "main", target="triton")(*args)
    torch.cuda.synchronize()
    print(time.perf_counter() - t)


def bench(w: Workload, gbs: float) -> dict:
    import torch

    import stepwell

    args = cuda_inputs(w)
    with torch.no_grad():
        ref = w.torch(*(a.double() for a in args))
    ours = stepwell.compile(w.source, "main", target="triton")
    theirs = torch.compile(w.torch)
    row: dict = {"name": w.name, "dtype": w.dtype}
    with torch.no_grad():
        for side, fn in (("stepwell", ours), ("torch", theirs)):
            row[f"{side}_err"] = rel_error(fn(*args), ref)
            row[f"{side}_ms"] = graph_ms(fn, args)
            row[f"{side}_call_ms"] = call_ms(fn, args)
            row[f"{side}_peak_mib"] = peak_mib(fn, args)
        ptx = ptx_side(w)
        if isinstance(ptx, str):
            row["ptx_refused"] = ptx
        else:
            row["ptx_err"] = rel_error(ptx(*args), ref)
            row["ptx_ms"] = graph_ms(ptx, args)
            row["ptx_call_ms"] = call_ms(ptx, args)
            row["ptx_peak_mib"] = peak_mib(ptx, args)
    moved = sum(a.numel() * a.element_size() for a in args) + ref.numel() * args[0].element_size()
    row["floor_ms"] = moved / gbs / 1e6
    row["ok"] = row["stepwell_err"] < TOLERANCE[w.dtype]
    row["cold_s"], row["cached_s"] = compile_seconds(w.name)
    return row


def ptx_side(w: Workload):
    """The workload compiled for the PTX target, or why the PTX path refuses it (one line)."""
    import stepwell
    from stepwell.compiler import CompileError

    try:
        return stepwell.compile(w.source, "main", target="ptx")
    except CompileError as e:
        lines = [line for line in str(e).splitlines() if "not supported" in line] or str(e).splitlines()
        return lines[0].removeprefix("target ptx: ").replace("|", "/")


def ptx_cell(r: dict) -> str:
    if "ptx_refused" in r:
        return f"refused: {r['ptx_refused']}"
    wrong = "" if r["ptx_err"] < TOLERANCE[r["dtype"]] else " WRONG"
    return (f"{r['ptx_ms']:.3f} ({r['stepwell_ms'] / r['ptx_ms']:.2f}x Triton, {r['torch_ms'] / r['ptx_ms']:.2f}x "
            f"torch.compile; call {r['ptx_call_ms']:.3f}; peak {r['ptx_peak_mib']:.0f} MiB; err {r['ptx_err']:.1e}{wrong})")


def table(rows: list[dict], gbs: float) -> str:
    lines = [
        "| workload | dtype | stepwell ms | torch.compile ms | speed vs torch.compile | floor ms | stepwell % of floor "
        "| torch.compile % of floor | call ms (stepwell / torch.compile) | peak MiB (stepwell / torch.compile) "
        "| rel. error (stepwell / torch.compile) | compile cold / cached s | PTX target ms |",
        "|---" * 13 + "|",
    ]
    for r in rows:
        speed = r["torch_ms"] / r["stepwell_ms"]
        bound = r["name"].split("_4096")[0] in MEMORY_BOUND
        floor = f"{r['floor_ms']:.3f}" if bound else "-"
        pct = (lambda ms: f"{100 * r['floor_ms'] / ms:.0f}" if bound else "-")
        lines.append(
            f"| {r['name']} | {r['dtype']} | {r['stepwell_ms']:.3f} | {r['torch_ms']:.3f} | {speed:.2f}x | {floor} "
            f"| {pct(r['stepwell_ms'])} | {pct(r['torch_ms'])} | {r['stepwell_call_ms']:.3f} / {r['torch_call_ms']:.3f} "
            f"| {r['stepwell_peak_mib']:.0f} / {r['torch_peak_mib']:.0f} "
            f"| {r['stepwell_err']:.1e} / {r['torch_err']:.1e}{'' if r['ok'] else ' WRONG'} "
            f"| {r['cold_s']:.1f} / {r['cached_s']:.2f} | {ptx_cell(r)} |"
        )
    bound = [r["torch_ms"] / r["stepwell_ms"] for r in rows if r["name"] in MEMORY_BOUND]
    if bound:
        geo = math.exp(sum(map(math.log, bound)) / len(bound))
        lines.append("")
        lines.append(f"Memory-bound workloads ({len(bound)}): geometric mean {geo:.2f}x torch.compile, "
                     f"slowest {min(bound):.2f}x; streaming rate {gbs:.0f} GB/s.")
    ptx = [(r["stepwell_ms"] / r["ptx_ms"], r["torch_ms"] / r["ptx_ms"]) for r in rows
           if r["name"] in MEMORY_BOUND and "ptx_ms" in r]
    if ptx:
        geo = [math.exp(sum(math.log(p[i]) for p in ptx) / len(ptx)) for i in (0, 1)]
        lines.append(f"PTX target on the memory-bound workloads it runs ({len(ptx)}): geometric mean {geo[0]:.2f}x "
                     f"the Triton target, {geo[1]:.2f}x torch.compile; slowest {min(p[0] for p in ptx):.2f}x Triton.")
    return "\n".join(lines)


def header(commit: str = "") -> str:
    import torch
    import triton

    commit = commit or subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                                      cwd=Path(__file__).parent).stdout.strip() or "unknown"
    return (f"Measured {datetime.date.today()} on {torch.cuda.get_device_name()}, Python {sys.version.split()[0]}, "
            f"torch {torch.__version__}, Triton {triton.__version__}, commit {commit}.\n"
            f"Command: `python bench/gpu.py`\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", default="")
    parser.add_argument("--out", default="")
    parser.add_argument("--commit", default="", help="the commit the header names (default: git rev-parse HEAD)")
    parser.add_argument("--compile-only", default="", help=argparse.SUPPRESS)
    opts = parser.parse_args()
    if opts.compile_only:
        return compile_only(opts.compile_only)
    import torch

    if not torch.cuda.is_available():
        sys.exit("bench/gpu.py needs a CUDA GPU")
    only = set(filter(None, opts.only.split(",")))
    gbs = streaming_gbs()
    print(f"streaming: {gbs:.0f} GB/s", flush=True)
    rows = []
    for w in gpu_workloads():
        if only and w.name not in only:
            continue
        try:
            row = bench(w, gbs)
        except Exception as e:  # one workload's failure is a row, not the end of the run
            print(f"{w.name}: FAILED: {type(e).__name__}: {e}", flush=True)
            continue
        rows.append(row)
        print(json.dumps(row), flush=True)
    text = header(opts.commit) + "\n" + table(rows, gbs) + "\n"
    print(text)
    if opts.out:
        Path(opts.out).write_text(text)


if __name__ == "__main__":
    main()
