"""Compile time of one module of N functions, N = 25, 50, 100, 200: the build (every
stage of `lower-to-cpu` and LLVM, as bench/compile_time.py measures them), then
fetching the callables of all N functions from the compiled module, one compile per
name (each prints the whole module for the cache key) or one compile for the list.

    python bench/many_functions.py [--sizes 25,50,100,200] [--program functions|onnx]

`functions`: N copies of bench/compile_time.py's small function (exp, add, mul, a row
sum). `onnx`: N functions cycling through a fixed sample of 25 ONNX node test cases
(tests/unit/_onnx_node_cases.py, renamed apart; needs the `onnx` package). CPU seconds
of this process (`time.process_time`).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def functions_module(n: int):
    from compile_time import functions

    from stepwell import registry
    from stepwell.ir.parse import parse_module

    return parse_module(registry.make_context(), functions(4 * n), "<bench>")[0]


def onnx_module(n: int):
    sys.path.insert(0, str(ROOT / "tests" / "unit"))
    from _onnx_node_cases import cases
    from xdsl.dialects.builtin import ModuleOp, StringAttr

    runnable = [name for name, case in cases().items() if case.module is not None]
    sample = random.Random(1).sample(runnable, 25)
    ops = []
    for k in range(n):
        for op in cases()[sample[k % len(sample)]].module.ops:
            op = op.clone()
            op.sym_name = StringAttr(f"{op.sym_name.data}_{k}")
            ops.append(op)
    return ModuleOp(ops)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="25,50,100,200")
    parser.add_argument("--program", default="functions", choices=["functions", "onnx"])
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "bench"))
    os.environ["STEPWELL_CACHE_DIR"] = tempfile.mkdtemp()  # every build is a build
    from compile_time import cpu_seconds

    import stepwell
    from stepwell.compiler import _print

    build_module = functions_module if args.program == "functions" else onnx_module
    build_module(2)
    print("| N | ops | build s | build ms/function | N compiles, one per name s | one compile of the list s |")
    print("|---|---|---|---|---|---|")
    for n in (int(s) for s in args.sizes.split(",")):
        module = build_module(n)
        names = [op.sym_name.data for op in module.ops]
        build = sum(cpu_seconds(_print(module), llvm=True).values())
        stepwell.compile(module, names[0])  # cached from here on
        start = time.process_time()
        for name in names:
            stepwell.compile(module, name)
        each = time.process_time() - start
        start = time.process_time()
        stepwell.compile(module, names)
        listed = time.process_time() - start
        ops = sum(1 for _ in module.walk())
        print(f"| {n} | {ops} | {build:.2f} | {1e3 * build / n:.1f} | {each:.2f} | {listed:.3f} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
