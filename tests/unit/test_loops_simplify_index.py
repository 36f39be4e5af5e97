"""`loops-simplify-index`: the range-aware simplifier agrees with the original
expression at every point of the index space (random expressions, exhaustively
checked), prints back to the same expression, and the pass keeps the values of
lowered programs full of views (loops evaluator before vs after)."""

from __future__ import annotations

import itertools
import random

import numpy as np
import pytest
import sympy

from stepwell.dialects.loops.index import dims, format_index, parse_index, sym
from stepwell.dialects.tensor_graph import ops as tg
from stepwell.dialects.tensor_graph.types import f32, i32, tensor
from stepwell.reference import loops as loops_ref
from stepwell.dialects.loops.simplify import bounds, simplify_index

from test_loops_fuse import LOWER, build, random_inputs, run_passes  # noqa: E402


def ranges_of(**sizes: int) -> dict:
    return {sym(name): (sympy.Integer(0), sympy.Integer(n - 1)) for name, n in sizes.items()}


CASES = [
    ("(d0 * 3 + d1) floordiv 3", dict(d0=4, d1=3), "d0"),
    ("(d0 * 3 + d1) mod 3", dict(d0=4, d1=3), "d1"),
    ("(d0 * 3 + d1) floordiv 3", dict(d0=4, d1=5), "d0 + d1 floordiv 3"),
    ("d0 mod 8", dict(d0=8), "d0"),
    ("d0 mod 8", dict(d0=9), "d0 mod 8"),
    ("d0 floordiv 8", dict(d0=8), "0"),
    ("min(d0, 7)", dict(d0=8), "d0"),
    ("max(d0 - 1, 0)", dict(d0=8), "max(0, d0 - 1)"),
    ("max(d0 + 1, 0)", dict(d0=8), "d0 + 1"),
    ("(d0 floordiv 4) * 4 + d0 mod 4", dict(d0=100), "d0"),
    ("((d0 * 12 + d1 * 4 + d2) floordiv 4) mod 3", dict(d0=2, d1=3, d2=4), "d1"),
    ("(d0 floordiv 2) floordiv 3", dict(d0=100), "d0 floordiv 6"),
    ("(d0 mod 12) mod 4", dict(d0=100), "d0 mod 4"),
    ("(d0 mod 12) mod 5", dict(d0=100), "(d0 mod 12) mod 5"),
    ("d1", dict(d0=3, d1=1), "0"),
    ("r0 + d0", dict(d0=3, r0=1), "d0"),
    ("s0 mod 4", dict(d0=3), "s0 mod 4"),
    ("(s0 * 4 + d0) floordiv 4", dict(d0=4), "s0"),
]


@pytest.mark.parametrize("text, sizes, expected", CASES, ids=[c[0] for c in CASES])
def test_cases(text, sizes, expected):
    got = simplify_index(parse_index(text), ranges_of(**sizes))
    assert format_index(got) == expected


def test_bounds():
    r = ranges_of(d0=4, d1=3)
    d0, d1 = dims(2)
    assert bounds(d0 * 3 + d1, r) == (0, 11)
    assert bounds(sympy.floor((d0 * 3 + d1) / 4), r) == (0, 2)
    assert bounds(sympy.Mod(d0 + 8, 8), r) == (0, 3)
    assert bounds(sympy.Max(d0 - 5, d1), r) == (0, 2)
    assert bounds(-2 * d0, r) == (-6, 0)
    lo, hi = bounds(sym("s0") + d0, r)
    assert lo == -sympy.oo and hi == sympy.oo


def _random_expr(rng: random.Random, symbols: list, depth: int) -> sympy.Expr:
    if depth == 0 or rng.random() < 0.25:
        return rng.choice(symbols + [sympy.Integer(rng.randint(-3, 5))])
    a, b = _random_expr(rng, symbols, depth - 1), _random_expr(rng, symbols, depth - 1)
    c = sympy.Integer(rng.randint(1, 6))
    build = rng.choice(
        [
            lambda: a + b,
            lambda: a - b,
            lambda: a * c,
            lambda: -a,
            lambda: sympy.floor(a / c),
            lambda: sympy.Mod(a, c),
            lambda: sympy.Max(a, b),
            lambda: sympy.Min(a, b),
            lambda: a * c + b,
        ]
    )
    return build()


@pytest.mark.parametrize("seed", range(6))
def test_random_expressions_keep_their_values(seed):
    rng = random.Random(seed)
    symbols = dims(2) + dims(1, "r")
    changed = 0
    for _ in range(100):
        sizes = [rng.choice([1, 2, 3, 5, 6]) for _ in symbols]
        ranges = {s: (sympy.Integer(0), sympy.Integer(n - 1)) for s, n in zip(symbols, sizes)}
        e = _random_expr(rng, symbols, 4)
        s = simplify_index(e, ranges)
        changed += s != e
        assert parse_index(format_index(s)) == s, (e, s)
        for point in itertools.product(*(range(n) for n in sizes)):
            env = dict(zip(symbols, point))
            assert e.xreplace(env) == s.xreplace(env), (e, s, env)
    assert changed > 15


# --- the pass on lowered programs ----------------------------------------------------------


def _views(b, x):
    y = x.reshape([x.shape[0] * x.shape[1]]).reshape([x.shape[1], x.shape[0]]).transpose([1, 0])
    z = b.op(tg.SliceOp, y, start=[0, 1], stop=[x.shape[0], x.shape[1]], step=[1, 2])
    p = b.op(tg.PadOp, z, low=[1, 2], high=[2, 0], value=0.0)
    return b.op(tg.ConcatOp, p, p.exp(), axis=0)


def _split_merge(b, x):
    m, n = x.shape
    return x.reshape([m, n, 1]).transpose([2, 0, 1]).reshape([m * n]).reshape([m, n]) * 2.0


def _gather(b, x, i):
    return b.op(tg.GatherOp, x.reshape([x.shape[1], x.shape[0]]), i, axis=1) + 1.0


PROGRAMS = {"views": _views, "split_merge": _split_merge}


@pytest.mark.parametrize("shape", [(1, 1), (2, 3), (5, 7), (4, 6), (6, 1), (1, 9)], ids=str)
@pytest.mark.parametrize("name", PROGRAMS)
def test_pass_keeps_values(name, shape):
    module = build([tensor(list(shape), f32)], PROGRAMS[name])
    lowered = run_passes(module, LOWER)
    simplified = run_passes(module, LOWER + ",loops-simplify-index")
    (x,) = random_inputs(module, sum(shape))
    np.testing.assert_array_equal(loops_ref.run(simplified, "f", x), loops_ref.run(lowered, "f", x))
    again = run_passes(simplified, "loops-simplify-index")
    assert str(again) == str(simplified)


@pytest.mark.parametrize("shape", [(2, 3), (5, 4)], ids=str)
def test_pass_keeps_values_gather(shape):
    module = build([tensor(list(shape), f32), tensor([3], i32)], _gather)
    x, _ = random_inputs(module, 1)
    i = np.array([shape[0] - 1, 0, -1], np.int32)  # in range of the gathered axis (size shape[0])
    lowered = run_passes(module, LOWER)
    simplified = run_passes(module, LOWER + ",loops-simplify-index")
    np.testing.assert_array_equal(loops_ref.run(simplified, "f", x, i), loops_ref.run(lowered, "f", x, i))


def test_split_merge_becomes_the_identity():
    module = build([tensor([4, 6], f32)], _split_merge)
    text = str(run_passes(module, LOWER + ",loops-fuse,loops-simplify-index"))
    assert "floordiv" not in text and " mod " not in text
    assert "[d0, d1] : tensor<4x6xf32>" in text


def test_a_run_time_symbol_may_have_either_sign():
    """An s-symbol (an index read at run time) was built `nonnegative=False`, which
    sympy reads as negative: `max(0, s0)` parsed as 0."""
    from stepwell.dialects.loops.index import format_index, parse_index
    from stepwell.dialects.loops.simplify import simplify_index

    e = parse_index("max(0, s0)")
    assert format_index(e) == "max(0, s0)"
    assert format_index(simplify_index(parse_index("min(max(s0, 0), 3)"), {})) == "min(3, max(0, s0))"
