"""`loops-split-reduction` keeps results: compiled CPU code (and the loops interpreter)
of split reductions agree with the tensor_graph reference, by the spec's Numerics rules
(`stepwell.fuzz.compare`: integer, max/min and arg results bit for bit, float sums
within their tolerance), on random inputs with special values (inf, nan, -0).

The differential cases run the `lower-to-cpu` pipeline with `min-split-work` lowered,
so that odd, prime, size-1 and zero sizes are split (or, where they cannot be, left
alone) at sizes the interpreter runs in an instant; a few cases run the default
pipeline at the sizes the defaults split.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from xdsl.dialects import func

import stepwell
from stepwell import reference
from stepwell.dialects.loops import ReduceOp
from stepwell.fuzz.compare import compare
from stepwell.fuzz.generate import random_values
from stepwell.ir.pipeline import build_pipeline
from stepwell.reference import loops
from stepwell.registry import make_context, passes, pipelines
from stepwell.transforms.loops_split_reduction import choose_split

from _dtypes import FLOATS, INTS  # noqa: E402

# lower-to-cpu's loops-split-reduction with its options, splitting small work too
_CPU = re.search(r"loops-split-reduction(\{([^}]*)\})?", pipelines()["lower-to-cpu"])
SPLIT = "loops-split-reduction{" + " ".join(filter(None, [_CPU.group(2), "min-split-work=64"])) + "}"
PIPELINE = pipelines()["lower-to-cpu"].replace(_CPU.group(0), SPLIT)
TO_LOOPS = PIPELINE[: PIPELINE.index(SPLIT) + len(SPLIT)]

CASES = [  # (input shape, reduced dims, keepdim)
    ((7, 11), [0, 1], False),  # whole tensor, primes: the larger prime is cut
    ((6, 35), [1], False),  # few rows
    ((35, 6), [0], True),  # over axis 0, few columns
    ((4, 9, 10), [1, 2], False),
    ((1, 1, 97), [2], False),  # size-1 dims, a prime
    ((2, 64), [0, 1], False),
    ((1, 1), [0, 1], False),  # too little work: not split
    ((0, 8), [1], False),  # no outputs
    ((8, 0), [0, 1], False),  # nothing reduced: the identity
]
ARG_CASES = [((5, 96), 1), ((96, 3), 0), ((1, 97), 1), ((7, 1), 0), ((9, 12), 0)]


def function(t: str) -> str:
    """@f: every reduction kind of the spec on element type t, each case."""
    kinds = ["sum", "prod", "max", "min"] + (["mean"] if t in FLOATS else []) if t != "i1" else ["max", "min"]
    args, lines, results = [], [], []
    for i, (shape, dims, keep) in enumerate(CASES):
        x = f"tensor<{'x'.join(map(str, shape))}x{t}>"
        args.append(f"%x{i}: {x}")
        out = [n for j, n in enumerate(shape) if j not in dims or keep]
        out = [1 if j in dims else n for j, n in enumerate(shape)] if keep else out
        y = f"tensor<{''.join(f'{n}x' for n in out)}{t}>"
        for kind in kinds:
            lines.append(f'  %r{len(results)} = tensor_graph.reduce %x{i} {{kind = "{kind}", dims = {dims}, '
                         f"keepdim = {str(keep).lower()}}} : {x} -> {y}")
            results.append(y)
    for i, (shape, axis) in enumerate(ARG_CASES):
        x = f"tensor<{'x'.join(map(str, shape))}x{t}>"
        args.append(f"%a{i}: {x}")
        y = f"tensor<{shape[1 - axis]}xi64>"
        for arg in ("argmax", "argmin"):
            lines.append(f"  %r{len(results)} = tensor_graph.{arg} %a{i} {{axis = {axis}, keepdim = false}} : {x} -> {y}")
            results.append(y)
    names = ", ".join(f"%r{i}" for i in range(len(results)))
    return (f"func.func @f({', '.join(args)}) -> ({', '.join(results)}) {{\n" + "\n".join(lines)
            + f"\n  func.return {names} : {', '.join(results)}\n}}\n")  # fmt: skip


def lower(source: str, spec: str):
    module, ctx = reference.load_module(source), make_context()
    for _, p in build_pipeline(spec, passes()):
        p.apply(ctx, module)
    return module


def reductions(module) -> list[ReduceOp]:
    return [op for op in module.walk() if isinstance(op, ReduceOp)]


TYPES = [*FLOATS, *INTS, "i1"]


@pytest.mark.parametrize("t", TYPES)
def test_split_reductions_agree_with_the_reference(t):
    source = function(t)
    module = reference.load_module(source)
    function_op = reference.find_function(module, "f")
    ops = [op for op in function_op.body.block.ops if not isinstance(op, func.ReturnOp)]
    split = lower(source, TO_LOOPS)
    assert len(reductions(split)) > len(reductions(lower(source, "convert-tensor_graph-to-loops")))
    compiled = stepwell.compile(source, "f", pipeline=PIPELINE)
    for seed in range(2):
        rng = np.random.default_rng(seed)
        args = [random_values(rng, ty, special=0.2) for ty in function_op.function_type.inputs.data]
        expected = reference.run_function(function_op, *args)
        arg_values = dict(zip(function_op.body.block.args, args))
        failures = [
            f"{level}: {failure}"
            for level, values in (("loops", loops.run(split, "f", *args)), ("cpu", compiled(*args)))
            for op, actual, want in zip(ops, values, expected)
            for failure in compare(op, [arg_values[v] for v in op.operands], np.asarray(actual), want)
        ]
        assert not failures, f"seed {seed}:\n" + "\n".join(failures[:10])


# --- at the sizes the defaults split -------------------------------------------------------


ARG_SOURCE = """
func.func @f(%x: tensor<3x65536xf32>) -> (tensor<3xi64>, tensor<3xi64>) {
  %i = tensor_graph.argmax %x {axis = 1, keepdim = false} : tensor<3x65536xf32> -> tensor<3xi64>
  %j = tensor_graph.argmin %x {axis = 1, keepdim = false} : tensor<3x65536xf32> -> tensor<3xi64>
  func.return %i, %j : tensor<3xi64>, tensor<3xi64>
}
"""


def test_arg_reductions_keep_the_first_position_and_the_first_nan():
    """Ties go to the lowest position across chunks; the first NaN wins over later
    NaNs and over every number, in whichever chunk it is."""
    assert "loops.reduce argmax over [2048]" in str(lower(ARG_SOURCE, "convert-tensor_graph-to-loops,loops-split-reduction"))
    f = stepwell.compile(ARG_SOURCE)
    x = np.zeros((3, 65536), np.float32)
    x[0, [5000, 70, 65535]] = 2.0  # a tie in three chunks (of 2048)
    x[0, [6000, 30]] = -2.0
    x[1, [60000, 40000]] = np.nan  # two NaNs, the first one in a later chunk than a max
    x[1, 10] = np.inf
    x[1, 20] = -np.inf
    x[2] = -0.0
    x[2, 4097] = 0.0  # +0 == -0: a tie, the first position wins
    i, j = f(x)
    assert i.tolist() == [70, 40000, 0] == np.argmax(x, axis=1).tolist()
    assert j.tolist() == [30, 40000, 0] == np.argmin(x, axis=1).tolist()


INT_SOURCE = """
func.func @f(%x: tensor<2048x64xi32>, %b: tensor<65536x4xi8>) -> (tensor<i32>, tensor<4xi8>, tensor<4xi8>) {
  %s = tensor_graph.reduce %x {kind = "sum", dims = [0, 1], keepdim = false} : tensor<2048x64xi32> -> tensor<i32>
  %p = tensor_graph.reduce %b {kind = "prod", dims = [0], keepdim = false} : tensor<65536x4xi8> -> tensor<4xi8>
  %m = tensor_graph.reduce %b {kind = "min", dims = [0], keepdim = false} : tensor<65536x4xi8> -> tensor<4xi8>
  func.return %s, %p, %m : tensor<i32>, tensor<4xi8>, tensor<4xi8>
}
"""


def test_integer_results_are_exact():
    """Integer sums wrap (two's complement) whatever the chunks; products and min too."""
    assert len(reductions(lower(INT_SOURCE, "convert-tensor_graph-to-loops,loops-split-reduction"))) == 6
    rng = np.random.default_rng(0)
    x = rng.integers(2**31 - 1000, 2**31 - 1, (2048, 64)).astype(np.int32)
    b = rng.choice(np.array([1, -1, 3, 127, -128], np.int8), (65536, 4))
    s, p, m = stepwell.compile(INT_SOURCE)(x, b)
    assert s == np.sum(x, dtype=np.int32)
    assert (p == np.prod(b, axis=0, dtype=np.int8)).all() and (m == b.min(axis=0)).all()


I1_SOURCE = """
func.func @f(%x: tensor<3x65536xi1>) -> (tensor<3xi1>, tensor<3xi1>, tensor<3xi1>, tensor<3xi1>) {
""" + "".join(f"""  %{k} = loops.reduce {k} over [65536] : tensor<3xi1> {{
    %a = loops.load %x[d0, r0] : tensor<3x65536xi1>
    loops.yield %a : i1
  }}
""" for k in ("sum", "prod", "max", "min")) + """  func.return %sum, %prod, %max, %min : tensor<3xi1>, tensor<3xi1>, tensor<3xi1>, tensor<3xi1>
}
"""


def test_i1_reductions_split_with_their_meaning():
    """On i1, sum is xor (parity), prod and min `and`, max `or`: per chunk and over chunks."""
    to_llvm = "loops-split-reduction,loops-fuse,loops-simplify-index,convert-loops-to-llvm"
    assert "tensor<32x3xi1>" in str(lower(I1_SOURCE, "loops-split-reduction"))
    x = np.random.default_rng(1).random((3, 65536)) < 0.5
    x[1] = True
    x[2] = False
    x[2, 65535] = True
    want = loops.run(I1_SOURCE, "f", x)
    got = stepwell.compile(I1_SOURCE, pipeline=to_llvm)(x)
    for a, b in zip(got, want):
        assert (a == b).all()
    assert got[0].tolist() == (np.sum(x, axis=1) % 2 == 1).tolist()


ARG_LOOPS = """
func.func @f(%x: tensor<2x96x3xf32>, %y: tensor<60x4x5xi8>) -> (tensor<2xi64>, tensor<i64>) {
  %i = loops.reduce argmax over [96, 3] (f32) : tensor<2xi64> {
    %a = loops.load %x[d0, r0, r1] : tensor<2x96x3xf32>
    loops.yield %a : f32
  }
  %j = loops.reduce argmin over [60, 4, 5] (i8) : tensor<i64> {
    %b = loops.load %y[r0, r1, r2] : tensor<60x4x5xi8>
    %c = arith.muli %b, %b : i8
    loops.yield %c : i8
  }
  func.return %i, %j : tensor<2xi64>, tensor<i64>
}
"""


@pytest.mark.parametrize("seed", range(4))
def test_arg_reductions_over_several_dims(seed):
    """A position in a chunk of a reduced space of several dims becomes the position
    in the whole space (the loops interpreter of the unsplit op is the reference)."""
    assert "tensor<32x2xi64>" in str(lower(ARG_LOOPS, SPLIT))
    f = stepwell.compile(ARG_LOOPS, pipeline=SPLIT + ",loops-fuse,loops-simplify-index,convert-loops-to-llvm")
    rng = np.random.default_rng(seed)
    x = rng.integers(-2, 3, (2, 96, 3)).astype(np.float32)  # ties in many chunks
    x[1, rng.integers(0, 96, 2), rng.integers(0, 3, 2)] = np.nan
    y = rng.integers(-4, 5, (60, 4, 5)).astype(np.int8)
    for got, split, want in zip(f(x, y), loops.run(lower(ARG_LOOPS, SPLIT), "f", x, y), loops.run(ARG_LOOPS, "f", x, y)):
        assert np.array_equal(got, want) and np.array_equal(split, want)


# --- the choice of chunks ---------------------------------------------------------------


@pytest.mark.parametrize(
    "over, target, min_chunk, outermost_only, expected",
    [
        ([2048, 4096], 64, 1024, False, (0, 64)),  # the outermost dim, 64 chunks
        ([7, 65536], 64, 1024, False, (1, 64)),  # 7 is too few chunks: the next dim
        ([7, 65536], 64, 1024, True, (0, 7)),  # an arg reduction cuts r0 only
        ([65537], 64, 1024, False, None),  # prime: chunks of 1
        ([2 * 65537], 64, 1024, False, (0, 2)),  # 65537 chunks would be too small
        ([96], 22, 1, False, (0, 24)),  # the smallest divisor >= the target
        ([1, 1], 64, 1, False, None),  # nothing to cut
    ],
)
def test_choose_split(over, target, min_chunk, outermost_only, expected):
    split = choose_split(over, target, min_chunk, outermost_only)
    assert (None if split is None else (split.dim, split.chunks)) == expected
