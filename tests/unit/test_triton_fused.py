"""Persistent fused kernels over non-contiguous or several reduced dims on the Triton path
(stepwell/lowering/loops_to_gpu_block/fused.py): softmax / log_softmax over axis 0 (columns,
with -inf and NaN in them), softmax over a middle axis, layer_norm over the trailing dims
of a 3-D tensor, var over two dims (trailing and not), at odd, prime and size-1 sizes,
f16/bf16 computed in f32 and rounded once. Each program is checked to take the fused path
(a reduction of a 2-D block along its R axis), every kernel compiles ahead of time for
sm_90, and all programs run in one Triton-interpreter subprocess against the reference."""

from __future__ import annotations

import zlib

import numpy as np
import pytest

triton = pytest.importorskip("triton")
pytest.importorskip("torch")

from _programs import ULP, assert_close, func, rand, tt
from _triton import compile_sm90, interpret, lower

from stepwell import reference
from stepwell.dialects import gpu_block as gb

CASES: dict[str, tuple[str, list[np.ndarray], float, float]] = {}


def add(name, args, line, out, inputs=None, rtol=1e-5, atol=1e-6):
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    if inputs is None:
        inputs = [rand(rng, s, dt, specials=False) for _, s, dt in args]
    CASES[name] = (func("f", args, [line], [out]), inputs, rtol, atol)


def specials(x: np.ndarray) -> np.ndarray:
    """A column of -inf, a NaN in another, one -inf in a third (where there are that many)."""
    x = x.copy()
    n = x.shape[1]
    x[:, 0] = -np.inf
    if n > 1:
        x[-1, 1] = np.nan
    if n > 2:
        x[x.shape[0] // 2, 2] = -np.inf
    return x


for op in ("softmax", "log_softmax"):
    for m, n in ((7, 13), (1, 1), (33, 5)):
        s = (m, n)
        x = specials(rand(np.random.default_rng(m * n), s, "f32", specials=False))
        add(f"{op}_axis0_{m}x{n}", [("x", s, "f32")], f"%y = tensor_graph.{op} %x {{axis = 0}} : {tt(s, 'f32')}",
            ("y", s, "f32"), [x])
    for dt in ("f16", "bf16"):  # computed in f32, rounded once: within an ulp of the reference
        s = (33, 5)
        add(f"{op}_axis0_{dt}", [("x", s, dt)], f"%y = tensor_graph.{op} %x {{axis = 0}} : {tt(s, dt)}",
            ("y", s, dt), rtol=ULP[dt], atol=ULP[dt] / 8)

s = (4, 9, 6)
add("softmax_middle_4x9x6", [("x", s, "f32")], f"%y = tensor_graph.softmax %x {{axis = 1}} : {tt(s, 'f32')}", ("y", s, "f32"))

for dt in ("f32", "f16", "bf16"):  # layer_norm over dims [1, 2] of a 3-D tensor
    s, w = (5, 7, 3), (7, 3)
    tol = 1e-5 if dt == "f32" else 2 * ULP[dt]
    add(f"layer_norm_middle_{dt}", [("x", s, dt), ("g", w, dt), ("b", w, dt)],
        f"%y = tensor_graph.layer_norm %x, %g, %b {{axis = 1, epsilon = 1.0e-05}} : {tt(s, dt)}, {tt(w, dt)}, {tt(w, dt)} -> {tt(s, dt)}",
        ("y", s, dt), rtol=tol, atol=tol)

for dims, out in (([1, 2], (3,)), ([0, 2], (5,))):  # var over two dims: trailing, and not
    s = (3, 5, 4)
    name = "var_" + "".join(map(str, dims))
    add(name, [("x", s, "f32")],
        f"%y = tensor_graph.var %x {{dims = [{dims[0]}, {dims[1]}], correction = 1, keepdim = false}} : {tt(s, 'f32')} -> {tt(out, 'f32')}",
        ("y", out, "f32"))
add("var_01_f16", [("x", (6, 7, 2), "f16")],
    f"%y = tensor_graph.var %x {{dims = [0, 1], correction = 0, keepdim = true}} : {tt((6, 7, 2), 'f16')} -> {tt((1, 1, 2), 'f16')}",
    ("y", (1, 1, 2), "f16"), rtol=ULP["f16"], atol=ULP["f16"] / 8)


def fused_reductions(module) -> list[gb.ReduceOp]:
    """The reductions of 2-D blocks along their R axis (fused.py's; rows.py reduces 1-D rows)."""
    return [op for op in module.walk() if isinstance(op, gb.ReduceOp) and op.axis.value.data == 1
            and len(gb.ops.shape_of(op.source.type)) == 2]


@pytest.mark.parametrize("case", sorted(CASES))
def test_takes_the_fused_path(case):
    """Every case but a column of one element (contiguous: rows.py's persistent row kernel)."""
    assert bool(fused_reductions(lower(CASES[case][0]))) == ("1x1" not in case)


@pytest.mark.parametrize("case", sorted(CASES))
def test_compiles_for_sm90(case, tmp_path):
    assert compile_sm90(CASES[case][0], tmp_path / f"aot_{case}.py") > 0


@pytest.fixture(scope="module")
def interpreted(tmp_path_factory):
    return interpret({name: (src, inputs) for name, (src, inputs, _, _) in CASES.items()}, tmp_path_factory.mktemp("fused"))


@pytest.mark.parametrize("case", sorted(CASES))
def test_interpreter_matches_reference(case, interpreted):
    src, inputs, rtol, atol = CASES[case]
    actual = interpreted[case]
    assert not isinstance(actual, str), actual
    expected = reference.run(src, "f", *inputs)
    assert_close(actual[0], expected, rtol, atol, src)
