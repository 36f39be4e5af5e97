"""stepwell's own fuzzer in CI (stepwell/fuzz): random valid programs compiled for the
CPU and judged op by op against the reference interpreter by the spec's Numerics
section, and mutated programs that must end in success or a located error.

Long runs: `python -m stepwell.fuzz --seed 0 --count 10000 --target cpu --out fuzz-out`
(and `--mutate`). A failure here prints its seed: `python -m stepwell.fuzz --seed S
--count 1 --max-ops 8` writes the program and a minimized reproducer.

KNOWN lists the failures of bugs already filed that are being fixed elsewhere; a failure
that matches an entry is tolerated. Once a fix is merged, delete its entry: the fuzzer
then checks that the bug stays fixed.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import numpy as np
import pytest
from xdsl.dialects import func

from stepwell import reference
from stepwell.dialects.tensor_graph import ops
from stepwell.fuzz import __main__ as cli
from stepwell.fuzz import compare, generate, minimize, mutate
from stepwell.fuzz.compare import Failure

ROOT = Path(__file__).resolve().parents[2]

KNOWN: dict[str, tuple[int, object]] = {
    # name: (issue number, predicate on a Failure of the differential test or on a problem
    # string of the mutation test). Empty: every failure issue 6 listed is fixed, and the
    # fuzzer now checks that each stays fixed.
}


def known(failure) -> str | None:
    for name, (_, matches) in KNOWN.items():
        if matches(failure):  # type: ignore[operator]
            return name
    return None


# --- the differential test ------------------------------------------------------------

SEEDS = range(0, 200)
MAX_OPS = 8
CHUNKS = 4


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_random_programs_match_the_reference(chunk, tmp_path, monkeypatch):
    monkeypatch.setenv("STEPWELL_CACHE_DIR", str(tmp_path))
    new = []
    for seed in SEEDS[chunk::CHUNKS]:
        program = generate.generate(seed, MAX_OPS)
        for f in compare.check_program(program):
            if known(f) is None:
                new.append(f"seed {seed} (python -m stepwell.fuzz --seed {seed} --count 1 "
                           f"--max-ops {MAX_OPS}): {f}\n{program.text}")
    assert not new, f"{len(new)} new failure(s):\n\n" + "\n\n".join(new[:3])


def test_generated_programs_cover_the_spec():
    """Every op and element type of the spec, zero-size and size-1 dimensions, rank 0
    and special values occur in the programs of the test above."""
    names, elements, shapes, specials = set(), set(), set(), set()
    for seed in SEEDS:
        program = generate.generate(seed, MAX_OPS)
        f_all = program.function("f_all")
        for op in f_all.body.block.ops:
            names.add(op.name)
            for v in (*op.operands, *op.results):
                elements.add(str(v.type.element_type))
                shapes.add(tuple(v.type.get_shape()))
        for x in program.inputs:
            if x.dtype.kind == "f":
                specials |= {"nan"} if np.isnan(x).any() else set()
                specials |= {"inf"} if np.isinf(x).any() else set()
                specials |= {"-0.0"} if ((x == 0) & np.signbit(x)).any() else set()
            elif x.dtype.kind == "i" and x.size and (x == np.iinfo(x.dtype).min).any():
                specials.add("int-min")
    assert names >= {op.name for op in ops.ALL_OPS} | {"func.return"}
    assert elements >= {"f16", "bf16", "f32", "f64", "i1", "i8", "i32", "i64"}
    assert () in shapes and any(0 in s for s in shapes) and any(1 in s for s in shapes)
    assert specials == {"nan", "inf", "-0.0", "int-min"}


def test_generation_is_deterministic():
    a, b = generate.generate(17), generate.generate(17)
    assert a.text == b.text
    assert all(np.array_equal(x, y, equal_nan=True) for x, y in zip(a.inputs, b.inputs, strict=True))
    assert generate.generate(18).text != a.text


# --- the comparison itself can fail -----------------------------------------------------

def _single(line: str, arg_types: str, result: str):
    text = f"func.func @f({arg_types}) -> {result} {{\n  {line}\n  func.return %y : {result}\n}}\n"
    module = reference.load_module(text)
    return next(op for op in module.walk() if op.name.startswith("tensor_graph."))


def test_compare_follows_the_numerics_section():
    sin = _single("%y = tensor_graph.sin %x : tensor<4xf32>", "%x: tensor<4xf32>", "tensor<4xf32>")
    x = np.array([0.5, -0.0, np.nan, 3.0], np.float32)
    good = np.sin(x)
    assert compare.compare(sin, [x], good, good) == []
    close = good.copy()
    close[0] *= 1 + 5e-6  # within 1e-5
    assert compare.compare(sin, [x], close, good) == []
    far = good.copy()
    far[3] *= 1 + 1e-4
    assert [f.kind for f in compare.compare(sin, [x], far, good)] == ["mismatch"]
    plus_zero = good.copy()
    plus_zero[1] = 0.0
    assert [f.kind for f in compare.compare(sin, [x], plus_zero, good)] == ["signed-zero"]
    no_nan = good.copy()
    no_nan[2] = 0.5
    assert [f.kind for f in compare.compare(sin, [x], no_nan, good)] == ["nan"]

    mx = _single("%y = tensor_graph.max %a, %b : tensor<2xf32>", "%a: tensor<2xf32>, %b: tensor<2xf32>",
                 "tensor<2xf32>")
    a, b = np.array([0.0, -0.0], np.float32), np.array([-0.0, 0.0], np.float32)
    assert compare.compare(mx, [a, b], np.array([-0.0, -0.0], np.float32), np.maximum(a, b)) == []

    add = _single("%y = tensor_graph.add %a, %b : tensor<2xf16>", "%a: tensor<2xf16>, %b: tensor<2xf16>",
                  "tensor<2xf16>")
    h = np.array([1.0, 2.0], np.float16)
    off = (h + h).view(np.uint16) + 1  # one ulp: add is correctly rounded, so exact
    assert [f.kind for f in compare.compare(add, [h, h], off.view(np.float16), h + h)] == ["mismatch"]

    total = _single('%y = tensor_graph.reduce %x {kind = "sum", dims = [], keepdim = false} : tensor<3xf32> -> tensor<f32>',
                    "%x: tensor<3xf32>", "tensor<f32>")
    x = np.array([1e8, 1.0, -1e8], np.float32)  # the sum of |x| sets the scale
    assert compare.compare(total, [x], np.float32(0.0).reshape(()), np.float32(1.0).reshape(())) == []
    assert compare.compare(total, [x], np.float32(5000.0).reshape(()), np.float32(1.0).reshape(())) != []


def test_fused_ops_after_a_sum_are_not_held_to_the_unfused_sum(tmp_path, monkeypatch):
    """Found by a long run (seed 1718): fused, `prod` is recomputed in another order and
    the `sub` after it differs from @f_all's by the rounding of the product; the spec
    lets a sum go in any order, so that is no failure."""
    monkeypatch.setenv("STEPWELL_CACHE_DIR", str(tmp_path))
    body = """  %1 = tensor_graph.reduce %0 {kind = "prod", dims = [], keepdim = true} : tensor<5xf32> -> tensor<1xf32>
  %2 = tensor_graph.sub %1, %0 : tensor<1xf32>, tensor<5xf32> -> tensor<5xf32>
"""
    text = (f"func.func @f_all(%0: tensor<5xf32>) -> (tensor<1xf32>, tensor<5xf32>) {{\n{body}"
            "  func.return %1, %2 : tensor<1xf32>, tensor<5xf32>\n}\n"
            f"func.func @f(%0: tensor<5xf32>) -> tensor<5xf32> {{\n{body}  func.return %2 : tensor<5xf32>\n}}\n")
    x = np.array([-3.3e7, 1.7e7, -2.9e7, 1.1e7, -1.2e-1], np.float32)
    program = generate.Program(0, reference.load_module(text), [x])
    assert compare.check_program(program) == []
    f = program.function("f")
    assert compare._after_order_sensitive(list(f.body.block.ops)[:-1]) == {list(f.body.block.ops)[1]}


def test_minimize_cuts_a_program_down_to_the_failing_op():
    program = generate.generate(3, 12)
    body = [op for op in program.function("f_all").body.block.ops if not isinstance(op, func.ReturnOp)]
    target = body[-1].name

    def check(p):  # pretend the target's last op is wrong whenever it is in the program
        names = [op.name for op in p.function("f_all").body.block.ops]
        return [Failure("mismatch", target, "", "", names.index(target))] if target in names else []

    small = minimize.minimize(program, Failure("mismatch", target, "", "", len(body) - 1), check)
    kept = [op.name for op in small.function("f_all").body.block.ops]
    assert kept == [target, "func.return"]
    f_all = small.function("f_all")
    reference.run_function(f_all, *small.inputs)  # the inputs fit the new arguments


def test_cli_writes_reproducers(tmp_path, monkeypatch):
    def fake_check(program, target="cpu"):
        f_all = program.function("f_all")
        first = next(iter(f_all.body.block.ops))
        return [Failure("mismatch", first.name, "f32", "made up", 0)]

    monkeypatch.setattr(compare, "check_program", fake_check)
    monkeypatch.setattr(minimize, "check_program", fake_check)
    status = cli.main(["--seed", "5", "--count", "1", "--out", str(tmp_path), "--max-ops", "4"])
    assert status == 1
    text = (tmp_path / "seed5.mlir").read_text()
    assert text.startswith("// stepwell.fuzz seed 5") and "made up" in text
    reference.load_module((tmp_path / "seed5.min.mlir").read_text())
    assert (tmp_path / "seed5.min.npz").exists()


# --- the mutation test of the parser and verifier --------------------------------------

SOURCES = [ROOT / "tests/filecheck/dialects/tensor_graph/roundtrip.mlir", *sorted((ROOT / "examples").glob("*.mlir"))]
MUTANTS_PER_SOURCE = 40


def _sources() -> list[tuple[str, str]]:
    files = [(p.name, p.read_text()) for p in SOURCES]
    return files + [(f"generated seed {s}", generate.generate(s, 10).text) for s in range(6)]


def test_mutants_end_in_success_or_a_located_error():
    new = []
    count = 0
    for k, (name, text) in enumerate(_sources()):
        for names, mutant in mutate.mutants(text, k, MUTANTS_PER_SOURCE):
            if known(mutant):
                continue
            count += 1
            problem = mutate.check_mutant(mutant)
            if problem and not known(problem):
                new.append(f"{name}, mutant by {'+'.join(names)}: {problem}\n--- mutant:\n{mutant[:3000]}")
    assert count > 200
    assert not new, f"{len(new)} new problem(s):\n\n" + "\n\n".join(new[:3])


@pytest.mark.parametrize("pipeline", [None, "tensor_graph-decompose,canonicalize,cse", "lower-to-cpu"])
def test_mutants_through_the_command_line_and_pipelines(pipeline, tmp_path, monkeypatch):
    monkeypatch.setenv("STEPWELL_CACHE_DIR", str(tmp_path))
    text = generate.generate(11, 8).text
    new = []
    for n, (names, mutant) in enumerate(mutate.mutants(text, 99, 12)):
        if known(mutant):
            continue
        problem = mutate.check_mutant(mutant, pipeline, subprocess_run=n < 2)
        if problem and not known(problem):
            new.append(f"mutant by {'+'.join(names)}: {problem}\n--- mutant:\n{mutant}")
    assert not new, "\n\n".join(new[:3])


def test_check_mutant_rejects_tracebacks_and_unlocated_errors():
    assert mutate.judge(0, "ok", "") is None
    assert mutate.judge(1, "", "mutant.mlir:3:7: error: expected ':'\n  %y = x\n      ^") is None
    assert "internal exception" in mutate.judge(1, "", "mutant.mlir: error: cannot parse: KeyError: 'x'")
    assert "internal exception" in mutate.judge(1, "", "Traceback (most recent call last):\n ...")
    assert "FILE:LINE:COL" in mutate.judge(1, "", "mutant.mlir: error: something")
    assert "wrote output" in mutate.judge(1, "module {}", "mutant.mlir:1:1: error: bad")
    assert "exit status" in mutate.judge(-11, "", "")
