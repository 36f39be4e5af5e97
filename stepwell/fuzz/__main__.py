"""`python -m stepwell.fuzz`: a long fuzzing campaign; every failure is written to
`--out` as a `.mlir` reproducer (with its seed and what failed in a comment), and, for
the differential mode, a minimized `.min.mlir` with its inputs in `.min.npz`.

    python -m stepwell.fuzz --seed 0 --count 10000 --target cpu --out fuzz-out
    python -m stepwell.fuzz --mutate --seed 0 --count 2000 --out fuzz-out
"""

from __future__ import annotations

import argparse
import collections
import os
import sys
import time
import warnings

import numpy as np


def _comment(text: str) -> str:
    return "".join(f"// {line}\n" for line in text.splitlines())


def differential(args) -> int:
    from stepwell.fuzz.compare import check_program
    from stepwell.fuzz.generate import generate
    from stepwell.fuzz.minimize import minimize

    seen: collections.Counter = collections.Counter()
    for seed in range(args.seed, args.seed + args.count):
        program = generate(seed, args.max_ops)
        failures = check_program(program, args.target)
        if not failures:
            continue
        first = failures[0]
        signature = (first.kind, first.op, first.dtype)
        seen[signature] += 1
        print(f"seed {seed}: {str(first).splitlines()[0]}", flush=True)
        header = f"stepwell.fuzz seed {seed} (--max-ops {args.max_ops}, target {args.target})\n"
        base = os.path.join(args.out, f"seed{seed}")
        with open(base + ".mlir", "w") as f:
            f.write(_comment(header + "\n".join(map(str, failures))) + program.text)
        if args.minimize and seen[signature] <= args.minimize:
            small = minimize(program, first, lambda p: check_program(p, args.target))
            with open(base + ".min.mlir", "w") as f:
                f.write(_comment(header + f"minimized; inputs in seed{seed}.min.npz\n{first}") + small.text)
            np.savez(base + ".min.npz", *small.inputs)
    _summary(seen)
    return 1 if seen else 0


def mutation(args) -> int:
    from stepwell.fuzz.generate import generate
    from stepwell.fuzz.mutate import check_mutant, mutants

    seen: collections.Counter = collections.Counter()
    per_source = 20
    for seed in range(args.seed, args.seed + args.count // per_source):
        text = generate(seed, args.max_ops).text
        for n, (names, mutant) in enumerate(mutants(text, seed, per_source)):
            problem = check_mutant(mutant, seconds=args.time_limit)
            if problem is None:
                continue
            seen[problem.split(":", 2)[1][:60]] += 1
            print(f"seed {seed} mutant {n} ({'+'.join(names)}): {problem.splitlines()[0][:200]}", flush=True)
            with open(os.path.join(args.out, f"mutant{seed}_{n}.mlir"), "w") as f:
                f.write(_comment(f"stepwell.fuzz --mutate seed {seed} mutant {n}: {problem}") + mutant)
    _summary(seen)
    return 1 if seen else 0


def _summary(seen: collections.Counter) -> None:
    print(f"{sum(seen.values())} failing; by kind:")
    for what, n in seen.most_common():
        print(f"  {n:6d}  {what}")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m stepwell.fuzz", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seed", type=int, default=0, help="first seed (each program has its own)")
    p.add_argument("--count", type=int, default=100, help="how many programs (or mutants)")
    p.add_argument("--target", default="cpu", help="target to compare with the reference")
    p.add_argument("--max-ops", type=int, default=12, help="ops per program, at most")
    p.add_argument("--out", default="fuzz-out", help="folder for reproducers")
    p.add_argument("--mutate", action="store_true", help="mutate programs for the parser and verifier")
    p.add_argument("--minimize", type=int, default=3, metavar="N",
                   help="minimize the first N failures of each kind (0: none)")
    p.add_argument("--time-limit", type=float, default=10.0, help="seconds per mutant")
    args = p.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    warnings.simplefilter("ignore")
    start = time.time()
    status = (mutation if args.mutate else differential)(args)
    print(f"{time.time() - start:.0f} s", file=sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main())
