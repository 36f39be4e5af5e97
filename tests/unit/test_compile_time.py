"""Compile work grows about linearly with the program (issue 6, point 11).

Work is counted, not timed: the number of Python function calls each stage of
`lower-to-cpu` makes (cProfile's count, the same on every run), on a program of n and
of 4n ops from bench/compile_time.py. Linear work gives a ratio of about 4; a
quadratic stage gives about 16 (the fusion of a 1,000-op chain used to CSE the fused
body after every inlined producer: 16 s).
"""

from __future__ import annotations

import cProfile
import functools
import pstats
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from xdsl.utils.lexer import Span

from stepwell import registry
from stepwell.ir.parse import parse_module

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from compile_time import PROGRAMS, chain, stages  # noqa: E402

SIZES = {"chain": 100, "fanout": 100, "reductions": 48, "functions": 100}  # n: a few seconds each (reductions: past the warm-up of its candidate window)
LINEAR = 5.0  # 4x the ops may cost at most 5x the work


def calls_per_stage(text: str) -> dict[str, int]:
    out: dict[str, int] = {}

    @contextmanager
    def measure(name: str) -> Iterator[None]:
        profile = cProfile.Profile()
        profile.enable()
        try:
            yield
        finally:
            profile.disable()
            out[name] = out.get(name, 0) + pstats.Stats(profile).total_calls  # type: ignore[attr-defined]

    stages(text, measure, llvm=False)
    return out


@pytest.mark.parametrize("shape", ["chain", "fanout", "reductions", "functions"])
def test_every_stage_is_about_linear(shape: str) -> None:
    build = PROGRAMS[shape]
    calls_per_stage(build(8))  # imports, caches
    small, large = calls_per_stage(build(SIZES[shape])), calls_per_stage(build(4 * SIZES[shape]))
    ratios = {name: large[name] / small[name] for name in small}
    assert {name: r for name, r in ratios.items() if r > LINEAR} == {}


def test_parser_locates_ops_without_rescanning_the_text(monkeypatch: pytest.MonkeyPatch) -> None:
    """xDSL's Span.get_location counts the newlines before the span: once per op it made
    parsing quadratic. The parser's own line table gives the same locations."""
    asked = []
    original = Span.get_location
    monkeypatch.setattr(Span, "get_location", lambda span: asked.append(span) or original(span))
    text = "// a comment\n\n" + chain(20).replace("  %v3", "      %v3")
    _, locations = parse_module(registry.make_context(), text, "f.mlir", line_offset=2)
    assert asked == []
    lines = text.split("\n")
    for op, (line, col) in locations.items():
        source = lines[line - 1 - 2]
        if op.name == "func.func":
            assert (line, col) == (5, 1)
        else:
            assert source[col - 1 :].startswith(f"%{op.results[0].name_hint}" if op.results else "func.return")
    assert (7 + 2, 7) in locations.values()  # the indented %v3


def _calls(fn) -> int:
    profile = cProfile.Profile()
    profile.enable()
    try:
        fn()
    finally:
        profile.disable()
    return pstats.Stats(profile).total_calls  # type: ignore[attr-defined]


def test_fetching_every_function_of_a_compiled_module_is_linear(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The n functions of one module from one compile: the module is printed for the
    cache key once, not once per function (n compiles, one per name, each print all n
    functions: quadratic, as batched ONNX node tests once did)."""
    monkeypatch.setenv("STEPWELL_CACHE_DIR", str(tmp_path))
    from stepwell.compiler import compile

    work = {}
    for n in (10, 40):
        module, _ = parse_module(registry.make_context(), PROGRAMS["functions"](4 * n), "f.mlir")
        names = [f"f{i}" for i in range(n)]
        compile(module, names[0])  # the build, cached
        work[n] = _calls(functools.partial(compile, module, names))
    assert work[40] / work[10] < LINEAR
