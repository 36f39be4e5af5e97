"""Column reductions through the PTX target (issue 10, sum_cols): the facts that
prove a column kernel's masks (a loop counter's span, masks combined, a mask that is
the same along a strip), the kernels of column reductions at odd, prime and size-1
shapes assembled by ptxas for sm_90, and (on a GPU) their results."""

from __future__ import annotations

import numpy as np
import pytest
from xdsl.dialects import arith
from xdsl.dialects.builtin import IntegerAttr, i1, i32

from stepwell.lowering.gpu_block_to_nvvm.values import Fact, induction, infer_scalar
from stepwell.targets.ptx.assemble import find_ptxas

torch = pytest.importorskip("torch")
GPU = torch.cuda.is_available()


def _const(c: int, t=i32):
    return arith.ConstantOp(IntegerAttr(c, t))


# --- facts ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lower", "upper", "step", "span"),
    [((0, 0), (2048, 2048), (32, 32), (0, 2016)), ((0, 0), (2047, 2047), (32, 32), (0, 2016)),
     ((0, 0), (2049, 2049), (32, 32), (0, 2048)), ((5, 5), (6, 6), (4, 4), (5, 5)), ((0, 0), (10, 1000), (8, 8), (0, 992)),
     ((0, 3), (64, 64), (8, 8), None), ((0, 0), (64, 64), (1, 8), None), ((0, 0), (0, 0), (8, 8), None),
     ((0, 0), None, (8, 8), None)],
)  # fmt: skip
def test_a_loop_counter_spans_its_first_to_its_last_value(lower, upper, step, span):
    f = induction(Fact(0, 1, lower), Fact(0, 1, upper), Fact(0, step[0], step))
    assert f.stride == 0 and f.span == span


def test_a_loop_counter_is_a_multiple_of_its_start_and_step():
    assert induction(Fact(0, 64, (64, 64)), Fact(0, 1, (1000, 1000)), Fact(0, 32, (32, 32))).div == 32


@pytest.mark.parametrize(
    ("op", "a", "b", "result"),
    [(arith.AndIOp, 1, 1, 1), (arith.AndIOp, 1, 0, 0), (arith.OrIOp, 0, 1, 1), (arith.XOrIOp, 1, 1, 0),
     (arith.AndIOp, 1, None, None), (arith.OrIOp, None, None, None)],
)  # fmt: skip
def test_masks_proven_everywhere_combine_into_a_constant(op, a, b, result):
    x, y = _const(0, i1), _const(0, i1)
    facts = {x.result: Fact(0, 1, (a, a) if a is not None else None), y.result: Fact(0, 1, (b, b) if b is not None else None)}
    f = infer_scalar(op(x.result, y.result), facts.__getitem__)
    assert (f.span if f is not None else None) == (None if result is None else (result, result))


@pytest.mark.parametrize(
    ("pred", "index_first", "index", "bound", "constant"),
    [("slt", True, Fact(1, 4), Fact(0, 4), True), ("sge", True, Fact(1, 8), Fact(0, 4096), True),
     ("ult", True, Fact(1, 4), Fact(0, 4), True), ("uge", True, Fact(1, 4), Fact(0, 4), True),
     ("sgt", False, Fact(1, 4), Fact(0, 4), True), ("sle", False, Fact(1, 4), Fact(0, 4), True),
     ("sle", True, Fact(1, 4), Fact(0, 4), False), ("sgt", True, Fact(1, 4), Fact(0, 4), False),
     ("eq", True, Fact(1, 4), Fact(0, 4), False), ("slt", True, Fact(1, 4), Fact(0, 2), False),
     ("slt", True, Fact(1, 2), Fact(0, 4), False), ("slt", True, Fact(None, 4), Fact(0, 4), False),
     ("slt", True, Fact(1, 4), Fact(1, 4), False)],
)  # fmt: skip
def test_a_bound_that_no_strip_crosses_gives_the_same_mask_along_a_strip(pred, index_first, index, bound, constant):
    """`x < n` with x contiguous from a multiple of 4 and n a multiple of 4: whole
    strips of 4 are in or out (a tail's mask); `x <= n`, or n not a multiple, cut one."""
    x, n = _const(0), _const(0)
    facts = {x.result: index, n.result: bound}
    lhs, rhs = (x, n) if index_first else (n, x)
    f = infer_scalar(arith.CmpiOp(lhs.result, rhs.result, pred), facts.__getitem__, 4)
    assert (f is not None and f.stride == 0) == constant


# --- column reductions at awkward shapes ------------------------------------------------

SHAPES = [(16384, 4096), (1000, 4096), (4099, 4097), (2053, 127), (1, 4096), (4096, 1), (1, 1), (37, 3), (8192, 64)]
KINDS = [("sum", "f32"), ("mean", "f32"), ("max", "f32"), ("sum", "f16"), ("sum", "i32")]
CASES = [(shape, kind, dtype) for shape in SHAPES for kind, dtype in KINDS if shape == (4099, 4097) or dtype == "f32"]


def _source(shape, kind, dtype) -> str:
    rows, cols = shape
    return (
        f"func.func @f(%x: tensor<{rows}x{cols}x{dtype}>) -> tensor<{cols}x{dtype}> {{\n"
        f'  %r = "tensor_graph.reduce"(%x) <{{kind = "{kind}", dims = array<i64: 0>, keepdim = false}}> '
        f": (tensor<{rows}x{cols}x{dtype}>) -> tensor<{cols}x{dtype}>\n"
        f"  func.return %r : tensor<{cols}x{dtype}>\n}}"
    )


def _id(case) -> str:
    (rows, cols), kind, dtype = case
    return f"{kind}_{rows}x{cols}_{dtype}"


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_column_reductions_assemble_for_sm90(case, tmp_path, monkeypatch):
    if find_ptxas() is None:
        pytest.skip("no ptxas")
    from stepwell.compiler import compile

    monkeypatch.setenv("STEPWELL_CACHE_DIR", str(tmp_path))
    f = compile(_source(*case), "f", target="ptx")
    assert f.program.cubin[:4] == b"\x7fELF"


def _inputs(shape, dtype):
    rng = np.random.default_rng(sum(shape))
    if dtype == "i32":
        return rng.integers(-100, 100, shape).astype(np.int32)
    return rng.standard_normal(shape).astype(np.float16 if dtype == "f16" else np.float32)


@pytest.mark.gpu
@pytest.mark.skipif(not GPU, reason="needs a CUDA GPU")
@pytest.mark.parametrize("case", CASES, ids=_id)
def test_column_reductions_match_the_reference_on_gpu(case, tmp_path, monkeypatch):
    from stepwell import reference
    from stepwell.compiler import compile

    monkeypatch.setenv("STEPWELL_CACHE_DIR", str(tmp_path))
    shape, _, dtype = case
    source = _source(*case)
    x = _inputs(shape, dtype)
    expected = reference.run(source, "f", x)
    actual = compile(source, "f", target="ptx")(x)
    tol = {"f16": (2e-2, 2e-2), "f32": (2e-5, 2e-5 * np.sqrt(shape[0])), "i32": (0, 0)}[dtype]
    np.testing.assert_allclose(np.asarray(actual, np.float64), np.asarray(expected, np.float64), rtol=tol[0], atol=tol[1])
