"""Compile time against program size: each stage of `lower-to-cpu` (parse, verify, every
pass, print) and LLVM (translate, O3 + object code), on programs of 100 / 1,000 /
10,000 tensor_graph ops of several shapes.

    python bench/compile_time.py [--sizes 100,1000,10000] [--shapes chain,fanout,reductions]
                                 [--no-llvm] [--out bench/COMPILE_TIME.md]

Times are CPU seconds of this process (`time.process_time`: the machine is shared, and
other processes' load then stretches a wall clock, not this). Every stage should grow
about linearly with the number of ops: the last columns give each size's time per op.

The shapes (`PROGRAMS`, also used by tests/unit/test_compile_time.py, which checks the
growth by counting work instead of timing it):

  chain      one long elementwise chain (unary and binary ops, two arguments)
  fanout     one argument read by n/4 branches exp(x * c_i), summed by a tree of adds
  reductions a chain of softmax + add blocks (a reduction, a broadcast, a division each)
  functions  n/4 independent functions of 4 ops each (exp, add, mul, a row sum), as a
             module of many small functions (e.g. batched ONNX node tests) is
"""

from __future__ import annotations

import argparse
import gc
import platform
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

SHAPE = "16x64"
UNARY = ("exp", "neg", "tanh", "sqrt", "abs")


def _t(shape: str = SHAPE) -> str:
    return f"tensor<{shape}xf32>"


def chain(n: int) -> str:
    t = _t()
    lines, cur = [], "%x"
    for i in range(n):
        k = i % 7
        if k < len(UNARY):
            lines.append(f"%v{i} = tensor_graph.{UNARY[k]} {cur} : {t}")
        else:
            other = "%y" if k == 5 else "%x"
            lines.append(f"%v{i} = tensor_graph.{'add' if k == 5 else 'mul'} {cur}, {other} : {t}")
        cur = f"%v{i}"
    return _function(f"%x: {t}, %y: {t}", lines, cur, t)


def fanout(n: int) -> str:
    """n/4 branches `exp(x * c_i)` (c_i a scalar constant), summed by a tree of adds."""
    t = _t()
    lines, level = [], []
    for i in range(max(1, n // 4)):
        lines.append(f"%c{i} = tensor_graph.constant {{value = dense<{i + 1}.0> : tensor<f32>}} : tensor<f32>")
        lines.append(f"%m{i} = tensor_graph.mul %x, %c{i} : {t}, tensor<f32> -> {t}")
        lines.append(f"%u{i} = tensor_graph.{UNARY[i % len(UNARY)]} %m{i} : {t}")
        level.append(f"%u{i}")
    j = 0
    while len(level) > 1:
        nxt = []
        for a, b in zip(level[::2], level[1::2]):
            lines.append(f"%s{j} = tensor_graph.add {a}, {b} : {t}")
            nxt.append(f"%s{j}")
            j += 1
        level = nxt + ([level[-1]] if len(level) % 2 else [])
    return _function(f"%x: {t}", lines, level[0], t)


def reductions(n: int) -> str:
    t = _t()
    lines, cur = [], "%x"
    for i in range(max(1, n // 2)):
        lines.append(f"%m{i} = tensor_graph.softmax {cur} {{axis = -1}} : {t}")
        lines.append(f"%v{i} = tensor_graph.add %m{i}, %y : {t}")
        cur = f"%v{i}"
    return _function(f"%x: {t}, %y: {t}", lines, cur, t)


def functions(n: int) -> str:
    """n/4 functions @f0.. of `exp(x) + y`, `* x`, summed over rows: each its own kernels."""
    t, r = _t(), _t(SHAPE.split("x")[0])
    reduce = f'"tensor_graph.reduce"(%c) <{{kind = "sum", dims = array<i64: 1>, keepdim = false}}> : ({t}) -> {r}'
    lines = [f"%a = tensor_graph.exp %x : {t}", f"%b = tensor_graph.add %a, %y : {t}", f"%c = tensor_graph.mul %b, %x : {t}", f"%d = {reduce}"]
    return "".join(
        _function(f"%x: {t}, %y: {t}", lines, "%d", r, name=f"f{i}") for i in range(max(1, n // 4))
    )


def _function(args: str, lines: list[str], result: str, t: str, name: str = "main") -> str:
    body = "".join(f"  {line}\n" for line in lines)
    return f"func.func @{name}({args}) -> {t} {{\n{body}  func.return {result} : {t}\n}}\n"


PROGRAMS: dict[str, Callable[[int], str]] = {
    "chain": chain,
    "fanout": fanout,
    "reductions": reductions,
    "functions": functions,
}


def stages(text: str, measure: Callable[[str], contextmanager], llvm: bool = True) -> None:
    """Compile `text` the way `stepwell.compile(..., target="cpu")` does, each stage
    inside `measure(name)`."""
    from stepwell import registry
    from stepwell.ir.parse import parse_module, verify_module
    from stepwell.ir.pipeline import build_pipeline
    from stepwell.ir.printer import to_text
    from stepwell.targets import llvm as llvm_target

    ctx = registry.make_context()
    with measure("parse"):
        module, locations = parse_module(ctx, text, "<bench>")
    with measure("verify"):
        assert not verify_module(module, locations)
    for step, pass_ in build_pipeline("lower-to-cpu", registry.passes(), registry.pipelines()):
        with measure(step.name):
            pass_.apply(ctx, module)
    with measure("verify lowered"):
        module.verify()
    with measure("print"):
        to_text(module)
    if llvm:
        with measure("translate"):
            ir = llvm_target.translate(module)
        with measure("llvm O3 + object"):
            llvm_target.emit_object(llvm_target.optimize(ir))  # in this process: its CPU time


def cpu_seconds(text: str, llvm: bool) -> dict[str, float]:
    gc.collect()  # the cycles of the last program's IR: not this program's time
    out: dict[str, float] = {}

    @contextmanager
    def measure(name: str) -> Iterator[None]:
        start = time.process_time()
        yield
        out[name] = out.get(name, 0.0) + time.process_time() - start

    stages(text, measure, llvm)
    return out


def machine() -> str:
    import llvmlite
    import xdsl

    from stepwell.targets.llvm import host

    _, cpu, _ = host()
    date = subprocess.run(["date"], capture_output=True, text=True).stdout.strip()
    return (
        f"Measured {date} on {platform.processor() or platform.machine()}, LLVM host CPU {cpu}, "
        f"Python {platform.python_version()}, xDSL {xdsl.__version__}, llvmlite {llvmlite.__version__}."
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100,1000,10000")
    parser.add_argument("--shapes", default="chain,fanout,reductions")
    parser.add_argument("--no-llvm", action="store_true")
    parser.add_argument("--out")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    stepwell_root = Path(__file__).resolve().parents[1]
    sys.path.insert(0, str(stepwell_root))
    stages(chain(10), lambda name: _nothing(), llvm=not args.no_llvm)  # imports and caches

    lines = ["# Compile time against program size\n", machine(), f"Command: `python bench/compile_time.py {' '.join(sys.argv[1:])}`\n"]
    for shape in args.shapes.split(","):
        results = {n: cpu_seconds(PROGRAMS[shape](n), llvm=not args.no_llvm) for n in sizes}
        names = list(results[sizes[0]])
        header = ["stage", *(f"{n} ops s" for n in sizes), *(f"{n} ops ms/op" for n in sizes)]
        lines += [f"## {shape}\n", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        for name in [*names, "total"]:
            row = [results[n][name] if name != "total" else sum(results[n].values()) for n in sizes]
            cells = [f"{s:.3f}" for s in row] + [f"{1e3 * s / n:.3f}" for s, n in zip(row, sizes)]
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
        lines.append("")
        print("\n".join(lines[-len(names) - 4 :]), flush=True)
    text = "\n".join(lines)
    if args.out:
        Path(args.out).write_text(text)
    return 0


@contextmanager
def _nothing() -> Iterator[None]:
    yield


if __name__ == "__main__":
    raise SystemExit(main())
