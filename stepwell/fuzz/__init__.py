"""stepwell's own fuzzer: random valid programs checked against the reference
interpreter (differential testing), and mutated programs checked to end in a located
error or success (the parser and verifier).

    python -m stepwell.fuzz --seed 0 --count 10000 --target cpu --out fuzz-out
    python -m stepwell.fuzz --mutate --seed 0 --count 10000 --out fuzz-out

- `generate.generate(seed)`: a random program (MLIR) and its inputs.
- `compare.check_program(program)`: the failures of the CPU target on it, judged by
  the spec's Numerics section.
- `minimize.minimize(program, failure)`: the smallest program that still fails so.
- `mutate.mutants(text, seed)`: damaged copies of a program; `mutate.check_mutant`
  runs one through stepwell-opt and the Python parse path.
"""
