"""Peak memory of one call: stepwell before and after memory planning, torch.compile
and numpy, on the CPU workloads of bench/WORKLOADS.md and a deep chain (mlp48: 48
layers of matmul + bias + gelu, 1024 wide, batch 256, a weight and a bias per layer).

    python bench/memory.py [--quick] [--only NAME,...] [--out bench/MEMORY.md]

Every number comes from a fresh subprocess (one per program and system), so no
allocator state is carried over. In it the program is compiled and called twice
(warm-up: compilation, thread pools, first-touch pages), then measured on one more
call, its inputs excluded and its result included:

- RSS: the growth of the resident set's high-water mark over the call (Linux: the mark
  is reset through /proc/self/clear_refs just before), with glibc's mmap threshold
  pinned at 128 KiB (MALLOC_MMAP_THRESHOLD_) so a freed large buffer leaves the resident
  set at once for every system alike. This is the one measure that sees torch's
  allocations (torch's CPU allocator is invisible to tracemalloc, and torch.profiler
  does not see what Inductor's generated code allocates).
- traced: tracemalloc's peak over the call (numpy arrays, and so every stepwell buffer,
  are traced); torch: n/a.

stepwell's measured call is the first call of a freshly made function (so its arena,
which a function keeps for its next calls, is counted). "before" compiles with
`lower-to-cpu` less `loops-plan-memory` (every intermediate allocated for the whole
call), "after" with `lower-to-cpu` as it is; where the pipeline has no
`loops-plan-memory` yet the two are the same program and the script says so.
"""

from __future__ import annotations

import argparse
import datetime
import gc
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from workloads import Workload, _func, _np_gelu, _t, cpu_name, workloads  # noqa: E402

PLAN_PASS = "loops-plan-memory"
SYSTEMS = ("before", "after", "torch", "numpy")
MIB = 1 << 20


class Mlp(Workload):
    """x -> gelu(x @ w + b), `depth` times; weights scaled so values stay O(1)."""

    def inputs(self, seed: int = 0) -> list[np.ndarray]:
        rng = np.random.default_rng(seed)
        scale = np.float32(1 / np.sqrt(self.shapes[1][0]))
        return [rng.standard_normal(s, dtype=np.float32) * (scale if len(s) == 2 and i else np.float32(1)) for i, s in enumerate(self.shapes)]


def mlp(depth: int = 48, width: int = 1024, batch: int = 256) -> Workload:
    x, w, b = (batch, width), (width, width), (width,)
    body, h = [], "%a0"
    for i in range(depth):
        wi, bi = f"%a{1 + 2 * i}", f"%a{2 + 2 * i}"
        body += [
            f"%m{i} = tensor_graph.matmul {h}, {wi} : {_t(x)}, {_t(w)} -> {_t(x)}",
            f"%s{i} = tensor_graph.add %m{i}, {bi} : {_t(x)}, {_t(b)} -> {_t(x)}",
            f'%g{i} = tensor_graph.gelu %s{i} {{approximate = "none"}} : {_t(x)}',
        ]
        h = f"%g{i}"
    body.append(f"func.return {h} : {_t(x)}")

    def np_mlp(a, *wb):
        for i in range(0, len(wb), 2):
            a = _np_gelu(a @ wb[i] + wb[i + 1])
        return a

    def torch_mlp(a, *wb):
        import torch.nn.functional as F

        for i in range(0, len(wb), 2):
            a = F.gelu(a @ wb[i] + wb[i + 1])
        return a

    return Mlp(f"mlp{depth}", _func([x] + [w, b] * depth, x, body), [x] + [w, b] * depth, np_mlp, torch_mlp)


def all_workloads(quick: bool) -> list[Workload]:
    if quick:
        return workloads(256, 384, 128, (1, 2, 64, 32)) + [mlp(48, 128, 32)]
    return workloads() + [mlp()]


def split_pipeline(spec: str) -> list[str]:
    """A pipeline's passes: its top-level commas (not those inside {...} or (...))."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(spec):
        depth += ch in "{(" and 1 or (ch in "})" and -1 or 0)
        if ch == "," and depth == 0:
            parts.append(spec[start:i])
            start = i + 1
    parts.append(spec[start:])
    return [p.strip() for p in parts if p.strip()]


def pipelines() -> tuple[str, str, bool]:
    """(before, after, whether the after pipeline plans memory)."""
    from stepwell import registry

    after = registry.pipelines()["lower-to-cpu"]
    passes = split_pipeline(after)
    planned = any(p.split("{")[0] == PLAN_PASS for p in passes)
    return ",".join(p for p in passes if p.split("{")[0] != PLAN_PASS), after, planned


# -- in the measuring subprocess ---------------------------------------------------------


def _status_kb(key: str) -> int:
    return int(re.search(rf"^{key}:\s+(\d+) kB", Path("/proc/self/status").read_text(), re.M).group(1))  # type: ignore[union-attr]


def rss_peak(call) -> int:
    """Bytes the resident set's high-water mark rose by over `call()` (its result kept
    until the mark is read)."""
    gc.collect()
    Path("/proc/self/clear_refs").write_text("5")  # VmHWM := VmRSS
    before = _status_kb("VmRSS")
    result = call()
    peak = _status_kb("VmHWM")
    del result
    return (peak - before) * 1024


def traced_peak(call) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        result = call()
        peak = tracemalloc.get_traced_memory()[1]
        del result
        return peak - base
    finally:
        tracemalloc.stop()


def measure(system: str, w: Workload) -> dict:
    inputs = w.inputs()
    row: dict = {}
    if system in ("before", "after"):
        import stepwell

        spec = pipelines()[0 if system == "before" else 1]
        fresh = lambda: stepwell.compile(w.source, "main", pipeline=spec)  # noqa: E731  a function with no arena kept yet
        f = fresh()
        f(*inputs)
        row["result"] = f(*inputs).nbytes
        row["arena"] = f.plan.arena
        f = fresh()
        row["rss"] = rss_peak(lambda: f(*inputs))
        f = fresh()
        row["traced"] = traced_peak(lambda: f(*inputs))
    elif system == "torch":
        import torch

        tensors = [torch.from_numpy(a) for a in inputs]
        g = torch.compile(w.torch)
        with torch.no_grad():
            g(*tensors)
            g(*tensors)
            row["rss"] = rss_peak(lambda: g(*tensors))
        row["traced"] = None
    else:
        w.numpy(*inputs)
        w.numpy(*inputs)
        row["rss"] = rss_peak(lambda: w.numpy(*inputs))
        row["traced"] = traced_peak(lambda: w.numpy(*inputs))
    return row


# -- the driver --------------------------------------------------------------------------


def run_one(system: str, name: str, quick: bool, env: dict) -> dict:
    command = [sys.executable, __file__, "--measure", system, "--only", name] + (["--quick"] if quick else [])
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        sys.stderr.write(done.stderr[-3000:])
        raise SystemExit(f"measuring {system} on {name} failed (exit {done.returncode})")
    return json.loads(lines[-1])


def mib(n: int | None) -> str:
    return "n/a" if n is None else f"{n / MIB:.2f}"


def table(rows: list[dict]) -> str:
    out = [
        "| workload | result MiB | stepwell before: RSS / traced MiB | stepwell after: RSS / traced MiB | after: arena MiB "
        "| torch.compile RSS MiB | numpy RSS / traced MiB | after vs torch.compile (RSS) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        b, a, t, n = (r[s] for s in SYSTEMS)
        ratio = f"{a['rss'] / t['rss']:.2f}x" if t["rss"] > 0 else "n/a"
        out.append(
            f"| {r['name']} | {mib(r['result'])} | {mib(b['rss'])} / {mib(b['traced'])} | {mib(a['rss'])} / {mib(a['traced'])} "
            f"| {mib(a['arena'])} | {mib(t['rss'])} | {mib(n['rss'])} / {mib(n['traced'])} | {ratio} |"
        )
    return "\n".join(out)


def _commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=Path(__file__).parent).stdout.strip()
    except OSError:
        return "?"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small shapes (a smoke run)")
    parser.add_argument("--only", default="", help="comma-separated workload names (mlp48 is the deep chain)")
    parser.add_argument("--out", help="write the table (markdown) here")
    parser.add_argument("--measure", choices=SYSTEMS, help=argparse.SUPPRESS)  # the subprocess's job
    args = parser.parse_args()
    ws = all_workloads(args.quick)
    if args.only:
        ws = [w for w in ws if w.name in args.only.split(",")]
    if args.measure:
        print(json.dumps(measure(args.measure, ws[0])))
        return
    before, after, planned = pipelines()
    if not planned:
        print(f"note: lower-to-cpu has no {PLAN_PASS}: 'after' is the same program as 'before'", flush=True)
    rows = []
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, MALLOC_MMAP_THRESHOLD_="131072", STEPWELL_CACHE_DIR=cache)
        for w in ws:
            row = {"name": w.name, **{system: run_one(system, w.name, args.quick, env) for system in SYSTEMS}}
            row["result"] = row["after"]["result"]
            rows.append(row)
            print(f"{w.name}: " + ", ".join(f"{s} {mib(row[s]['rss'])} MiB RSS" for s in SYSTEMS), flush=True)
    text = table(rows)
    print(text)
    if args.out:
        import torch

        from stepwell.runtime import cpu

        header = (
            f"Measured {datetime.date.today()} on {cpu_name()} ({os.cpu_count()} cores, stepwell on "
            f"{cpu.num_threads()} threads), Python {platform.python_version()}, numpy {np.__version__}, "
            f"torch {torch.__version__}, commit {_commit()}; lower-to-cpu "
            f"{'plans memory' if planned else f'without {PLAN_PASS} (after = before)'}.\n"
            f"Command: `python bench/memory.py{' --quick' if args.quick else ''}"
            f"{' --only ' + args.only if args.only else ''} --out {args.out}`\n\n"
        )
        Path(args.out).write_text(header + text + "\n")


if __name__ == "__main__":
    main()
