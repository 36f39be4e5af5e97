"""A CPU column sum (sum over axis 0 of ROWS x COLS f32, bench/workloads.py's sum_cols)
run in shapes that trade split partial sums (memory) for column strips (speed): the
data behind loops-split-reduction's CPU choice (bench/MEMORY.md, sum_cols).

    python bench/column_sum_shapes.py [--rows 2048] [--cols 4096]

A shape is (C, W): loops-split-reduction cuts the rows into C chunks (C = 1: no
split), each giving a row of COLS partial sums (C x COLS x 4 bytes, the arena), and
the schedule walks the columns in strips of W under a row of accumulators
(`#loops.cpu<outer = [p0, p1 / W], inner_output = [0], ...>`, written here by hand in
place of loops-schedule-cpu's): C x COLS / W chunks of parallel work. Every shape
below has 64 chunks (a 64-core machine's worth), except the whole-row shapes with
fewer partial rows. Times: median ms on all threads and on one.
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

import stepwell
from stepwell.runtime import cpu

FRONT = (
    "tensor_graph-decompose{expand-log2-exp2=true},canonicalize,cse,convert-tensor_graph-to-loops,"
    "loops-split-reduction{min-parallelism=%d min-split-work=1},loops-fuse,loops-simplify-index,loops-schedule-cpu"
)
BACK = "loops-expand-math,loops-plan-memory,convert-loops-to-llvm"


def median_ms(fn, x, budget_s: float = 1.0) -> float:
    fn(x)
    fn(x)
    times, begin = [], time.perf_counter()
    while len(times) < 10 or (time.perf_counter() - begin < budget_s and len(times) < 500):
        t = time.perf_counter()
        fn(x)
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1e3


def loops_text(rows: int, cols: int, chunks: int, strip: int) -> str:
    """The column sum at the loops level, split into `chunks` partial rows (1: whole),
    its main reduction scheduled in strips of `strip` columns."""
    t = f"tensor<{rows}x{cols}xf32>"
    src = (
        f"func.func @main(%a0: {t}) -> tensor<{cols}xf32> {{\n"
        f'  %r = "tensor_graph.reduce"(%a0) <{{kind = "sum", dims = array<i64: 0>, keepdim = false}}> '
        f": ({t}) -> tensor<{cols}xf32>\n  func.return %r : tensor<{cols}xf32>\n}}\n"
    )
    opt = [shutil.which("stepwell-opt")] if shutil.which("stepwell-opt") else [sys.executable, "-m", "stepwell.tools.opt"]
    with tempfile.NamedTemporaryFile("w", suffix=".mlir") as f:
        f.write(src)
        f.flush()
        # a column sum has one parallel point (its row): min-parallelism = C gives C
        # chunks of rows, and C = 1 none
        out = subprocess.run([*opt, f.name, "-p", FRONT % chunks], capture_output=True, text=True, check=True).stdout
    main = f"tensor<{chunks}x{cols}xf32>" if chunks > 1 else f"tensor<{cols}xf32>"
    points = chunks * -(-cols // strip)
    sched = f"#loops.cpu<outer = [{'p0, ' if chunks > 1 else ''}p{1 if chunks > 1 else 0} / {strip}], inner_output = [0], chunks = {points}, vector = 16>"
    new, n = re.subn(r"(over \[\d+\] : " + re.escape(main) + r" attributes \{schedule = )#loops\.cpu<[^>]*>", r"\g<1>" + sched, out, count=1)
    if n != 1:
        sys.exit(f"no schedule to replace for C={chunks}:\n{out}")
    return new


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=2048)
    parser.add_argument("--cols", type=int, default=4096)
    args = parser.parse_args()
    rows, cols = args.rows, args.cols
    x = np.random.default_rng(0).standard_normal((rows, cols), dtype=np.float32)
    ref = x.astype(np.float64).sum(0)
    shapes = [(64, cols), (16, cols), (4, cols), (16, cols // 4), (4, cols // 16), (1, cols // 64), (1, cols)]
    print(f"column sum of {rows}x{cols} f32, {cpu.num_threads()} threads")
    print("| C partial rows | W strip | chunks | partials MiB | ms (all threads) | ms (1 thread) | rel. error |")
    print("|---|---|---|---|---|---|---|")
    for c, w in shapes:
        fn = stepwell.compile(loops_text(rows, cols, c, w), "main", pipeline=BACK)
        err = float(np.max(np.abs(fn(x) - ref)) / np.max(np.abs(ref)))
        all_threads = median_ms(fn, x)
        with cpu.threads(1):
            one = median_ms(fn, x)
        partial = c * cols * 4 / (1 << 20) if c > 1 else 0.0
        print(f"| {c} | {w} | {c * -(-cols // w)} | {partial:.2f} | {all_threads:.3f} | {one:.3f} | {err:.1e} |", flush=True)


if __name__ == "__main__":
    main()
