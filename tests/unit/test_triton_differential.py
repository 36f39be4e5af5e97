"""The differential suite of the Triton target: every spec op through
`stepwell.compile(..., target="triton")`, at every element type it allows, against the
reference interpreter.

Sizes are odd, prime, 1 and 0, with leading batch dims of 1, broadcast and transposed
reads, and NaN / +-inf / -0 among the floats (`_programs.rand`). Without a CUDA GPU the
programs run through Triton's interpreter (the `interpreter` cases; shapes are small:
~2 ms per program instance); with one they run on it (the `gpu` cases, what
bench/gpu_check.sh runs), and the interpreter cases are skipped. Each case is one
program of one function, so a case the Triton path cannot convert yet fails alone:
XFAIL lists those (strict: when a change makes one pass, it XPASSes, fails, and comes
off the list). Every kernel the suite generates also compiles ahead of time for sm_90
(test_every_kernel_compiles_for_sm90).
"""

from __future__ import annotations

import importlib.util
import zlib
from dataclasses import dataclass

import numpy as np
import pytest

triton = pytest.importorskip("triton")
torch = pytest.importorskip("torch")

from _composites import COMPOSITES  # noqa: E402
from _dtypes import ALL, DTYPES, FLOATS, INTS, NUMERIC  # noqa: E402
from _programs import FLOAT_UNARY, ULP, VIEWS, assert_close, func, rand, tt, zero_size_programs  # noqa: E402

from stepwell import reference  # noqa: E402
from stepwell.compiler import CompileError, compile  # noqa: E402

GPU = torch.cuda.is_available()
COMPOSITE_TOLERANCE = {"f64": 1e-12, "f32": 1e-5, "f16": 1e-2, "bf16": 6e-2}
# The GPU's exp/log/sin ... (Triton's libdevice calls, some approximate) are a few ulps off
# where the interpreter (numpy) rounds correctly: the tolerance of a float op's result.
MATH_SLACK = {"f16": 8, "bf16": 4, "f32": 16, "f64": 4}


@dataclass(frozen=True)
class Case:
    text: str
    inputs: tuple
    rtol: float
    atol: float


CASES: dict[str, Case] = {}


def add(name: str, args, lines, results, inputs=None, rtol=None, atol=0.0) -> None:
    """One case: a function @f of `args` [(name, shape, dtype)], body `lines` and
    `results`; random inputs unless given (seeded by the case's name)."""
    assert name not in CASES, name
    if inputs is None:
        rng = np.random.default_rng(zlib.crc32(name.encode()))
        inputs = [rand(rng, s, t) for _, s, t in args]
    if rtol is None:
        rtol = max((2 * ULP[t] for _, _, t in results if t in ULP), default=0.0)
    CASES[name] = Case(func("f", args, lines, results), tuple(inputs), rtol, atol)


def rng_for(name: str) -> np.random.Generator:
    return np.random.default_rng(zlib.crc32(name.encode()))


# --- the cases --------------------------------------------------------------------------

for dt in FLOATS:  # float unary ops, with a leading batch dim of 1
    shape = (1, 3, 37)
    for op in FLOAT_UNARY:
        atol = 2e-4 if dt in ("f16", "bf16") and op in ("sigmoid", "silu") else 0.0  # exp(-x) overflows f16
        add(f"{op}_{dt}", [("x", shape, dt)], [f"%y = tensor_graph.{op} %x : {tt(shape, dt)}"], [("y", shape, dt)],
            rtol=ULP[dt] * (64 if op == "exp2" else MATH_SLACK[dt]), atol=atol)
    for approx in ("none", "tanh"):
        tol = COMPOSITE_TOLERANCE[dt]
        add(f"gelu_{approx}_{dt}", [("x", shape, dt)],
            [f'%y = tensor_graph.gelu %x {{approximate = "{approx}"}} : {tt(shape, dt)}'], [("y", shape, dt)],
            [rand(rng_for(f"gelu_{approx}_{dt}"), shape, dt, specials=False)], tol, tol)

for dt in INTS + ["i1"]:
    for op in ["not"] if dt == "i1" else ["neg", "abs", "sign"]:
        add(f"{op}_{dt}", [("x", (5, 7), dt)], [f"%y = tensor_graph.{op} %x : {tt((5, 7), dt)}"], [("y", (5, 7), dt)])

for dt in ALL:  # binary ops with broadcast reads, cmp, select
    (sa, sb), so = ((5, 1, 7), (3, 1)), (5, 3, 7)
    types = f"{tt(sa, dt)}, {tt(sb, dt)} -> "
    for op in ["and", "or", "xor", "max", "min"] if dt == "i1" else ["add", "sub", "mul", "div", "max", "min", "pow"]:
        rng = rng_for(f"{op}_{dt}")
        if op == "pow" and dt in INTS:
            inputs = [rand(rng, sa, dt, -5, 5), rand(rng, sb, dt, -3, 40)]
        elif op == "div" and dt in INTS:
            inputs = [rand(rng, sa, dt), rand(rng, sb, dt, 1, 9) * np.where(rng.random(sb) < 0.5, -1, 1).astype(DTYPES[dt])]
        else:
            inputs = [rand(rng, sa, dt), rand(rng, sb, dt)]
        rtol = 4 * ULP[dt] * MATH_SLACK[dt] if op == "pow" and dt in FLOATS else None
        add(f"{op}_{dt}", [("a", sa, dt), ("b", sb, dt)], [f"%y = tensor_graph.{op} %a, %b : {types}{tt(so, dt)}"],
            [("y", so, dt)], inputs, rtol)
    a, b = rand(rng_for(f"cmp_{dt}"), sa, dt), rand(rng_for(f"cmp_{dt}b"), sb, dt)
    if dt != "i1":
        a.reshape(-1)[:3] = b.reshape(-1)[:3]
    predicates = ("eq", "ne", "lt", "le", "gt", "ge")
    add(f"cmp_{dt}", [("a", sa, dt), ("b", sb, dt)],
        [f'%{p} = tensor_graph.cmp %a, %b {{predicate = "{p}"}} : {types}{tt(so, "i1")}' for p in predicates],
        [(p, so, "i1") for p in predicates], [a, b])
    add(f"select_{dt}", [("c", (7,), "i1"), ("a", sa, dt), ("b", sb, dt)],
        [f"%y = tensor_graph.select %c, %a, %b : {tt((7,), 'i1')}, {types}{tt(so, dt)}"], [("y", so, dt)])

for src in ALL:  # every cast, one function per source type
    x = rand(rng_for(f"cast_{src}"), (40,), src)
    if src in FLOATS:
        edge = [1e10, -1e10, 3e38, -3e38, 127.9, -128.9, 2.5, -2.5, 65519.0, 65520.0, 1.00390625, 300.0, -0.7, 1e-8, np.nan]
        with np.errstate(over="ignore"):
            x[: len(edge)] = np.asarray(edge).astype(DTYPES[src])
    if src == "i64":
        x[:4] = [2**60 + 2**52 + 1, -(2**40) - 2**32 - 1, 2**63 - 1, 2**24 + 1]
    add(f"cast_{src}", [("x", (40,), src)], [f"%{d} = tensor_graph.cast %x : {tt((40,), src)} -> {tt((40,), d)}" for d in ALL],
        [(d, (40,), d) for d in ALL], [x], 0.0)

REDUCE_DIMS = [((7, 13), [1], False), ((13, 7), [0], True), ((3, 5, 4), [0, 2], False), ((3, 5), [], False),
               ((4, 0), [1], False), ((1, 1, 9), [2], False), ((2, 3), [-1], True)]


def _reduced(shape, dims, keep):
    axes = [d % len(shape) for d in dims] if dims else list(range(len(shape)))
    return tuple(1 if d in axes else n for d, n in enumerate(shape)) if keep else tuple(n for d, n in enumerate(shape) if d not in axes)


for dt in ALL:  # reductions: every kind at every type; every axis pattern at f32 and i32
    kinds = ["max", "min"] if dt == "i1" else ["sum", "prod", "max", "min"] + (["mean"] if dt in FLOATS else [])
    for kind in kinds:
        for i, (shape, dims, keep) in enumerate(REDUCE_DIMS if dt in ("f32", "i32") else REDUCE_DIMS[:1]):
            name = f"reduce_{kind}_{i}_{dt}"
            rng = rng_for(name)
            if kind == "prod" and dt in INTS:
                x = rand(rng, shape, dt, -3, 3)
            elif kind in ("sum", "prod", "mean") and dt in FLOATS:
                x = (rand(rng, shape, dt, specials=False) * (0.3 if kind == "prod" else 1)).astype(DTYPES[dt])
            else:
                x = rand(rng, shape, dt)
            eps = ULP.get(dt, 0.0)
            atol = 0.0 if kind in ("max", "min") or dt not in FLOATS else 64 * eps * (1 + float(np.abs(x.astype(np.float64)).sum()))
            out = _reduced(shape, dims, keep)
            add(name, [("x", shape, dt)],
                [f'%y = tensor_graph.reduce %x {{kind = "{kind}", dims = [{", ".join(map(str, dims))}], keepdim = {str(keep).lower()}}} : {tt(shape, dt)} -> {tt(out, dt)}'],
                [("y", out, dt)], [x], 4 * eps, atol)
    for op in ("argmax", "argmin"):  # ties and NaN: the first index
        for i, (shape, axis, keep) in enumerate([((9, 13), 1, False), ((13, 9), 0, True), ((1, 5, 3), -2, False)]):
            name = f"{op}_{i}_{dt}"
            x = rand(rng_for(name), shape, dt, -2, 2) if dt in INTS else rand(rng_for(name), shape, dt)
            if dt in FLOATS:
                x.reshape(-1)[1] = x.reshape(-1)[0]
                x.reshape(-1)[5] = np.nan
            out = _reduced(shape, [axis], keep)
            add(name, [("x", shape, dt)],
                [f"%y = tensor_graph.{op} %x {{axis = {axis}, keepdim = {str(keep).lower()}}} : {tt(shape, dt)} -> {tt(out, 'i64')}"],
                [("y", out, "i64")], [x])

add("sum_all_then_epilogue_f32", [("x", (7, 13), "f32")],  # a whole-tensor reduction followed by an epilogue
    ['%s = tensor_graph.reduce %x {kind = "sum", dims = [], keepdim = true} : tensor<7x13xf32> -> tensor<1x1xf32>',
     "%y = tensor_graph.sub %x, %s : tensor<7x13xf32>, tensor<1x1xf32> -> tensor<7x13xf32>"],
    [("y", (7, 13), "f32")], [rand(rng_for("sum_all"), (7, 13), "f32", specials=False)], 1e-5, 1e-4)

for dt in ALL:  # views and data movement
    views = VIEWS
    for src, op, props, dst in views:
        add(f"{op}_{dt}", [("x", src, dt)], [f"%y = tensor_graph.{op} %x {props} : {tt(src, dt)} -> {tt(dst, dt)}"],
            [("y", dst, dt)], rtol=0.0)
    add(f"concat_{dt}", [("a", (2, 3), dt), ("b", (2, 0), dt), ("c", (2, 4), dt)],
        [f"%y = tensor_graph.concat %a, %b, %c {{axis = 1}} : {tt((2, 3), dt)}, {tt((2, 0), dt)}, {tt((2, 4), dt)} -> {tt((2, 7), dt)}"],
        [("y", (2, 7), dt)], rtol=0.0)
    rng = rng_for(f"gather_{dt}")
    add(f"gather_{dt}", [("x", (2, 7, 5), dt), ("i", (4, 3), "i32")],
        [f"%y = tensor_graph.gather %x, %i {{axis = 1}} : {tt((2, 7, 5), dt)}, {tt((4, 3), 'i32')} -> {tt((2, 4, 3, 5), dt)}"],
        [("y", (2, 4, 3, 5), dt)], [rand(rng, (2, 7, 5), dt), rand(rng, (4, 3), "i32", -7, 6)], 0.0)
    if dt != "i1":
        add(f"iota_{dt}", [], [f"%y = tensor_graph.iota {{dim = 1}} : {tt((3, 300), dt)}"], [("y", (3, 300), dt)], [], 0.0)
        add(f"constant_{dt}", [("x", (2, 2), dt)],
            [f"%c = tensor_graph.constant {{value = dense<[[1, 2], [3, 4]]> : {tt((2, 2), dt)}}} : {tt((2, 2), dt)}",
             f"%y = tensor_graph.add %x, %c : {tt((2, 2), dt)}, {tt((2, 2), dt)} -> {tt((2, 2), dt)}"],
            [("y", (2, 2), dt)], [rand(rng_for(f"constant_{dt}"), (2, 2), dt, -5, 5)])

for dt in ("f32", "bf16"):  # a transposed read feeding a pointwise op, at odd and prime sizes
    for m, n in ((31, 17), (1, 13), (5, 1)):
        add(f"transpose_mul_{m}x{n}_{dt}", [("x", (n, m), dt), ("y", (m, n), dt)],
            [f"%t = tensor_graph.transpose %x {{perm = [1, 0]}} : {tt((n, m), dt)} -> {tt((m, n), dt)}",
             f"%z = tensor_graph.mul %t, %y : {tt((m, n), dt)}, {tt((m, n), dt)} -> {tt((m, n), dt)}"],
            [("z", (m, n), dt)])

MATMULS = [((3, 4), (4, 5)), ((2, 1, 3, 7), (6, 7, 2)), ((33, 65), (65, 17)), ((1, 16, 32), (32, 16))]
for dt in NUMERIC:
    for i, (sa, sb) in enumerate(MATMULS):
        name = f"matmul_{i}_{dt}"
        out = np.broadcast_shapes(sa[:-2], sb[:-2]) + (sa[-2], sb[-1])
        a, b = rand(rng_for(name), sa, dt, specials=False), rand(rng_for(name + "b"), sb, dt, specials=False)
        eps = ULP.get(dt, 0.0)
        add(name, [("a", sa, dt), ("b", sb, dt)], [f"%y = tensor_graph.matmul %a, %b : {tt(sa, dt)}, {tt(sb, dt)} -> {tt(out, dt)}"],
            [("y", out, dt)], [a, b], 4 * eps, 128 * eps * (1 + float(np.abs(a.astype(np.float64)).max(initial=0)) ** 2 * sa[-1]))

for dt in FLOATS:
    for name, (args, line, out) in COMPOSITES.items():
        rng = rng_for(f"{name}_{dt}")
        tol = 0.6 if name == "attention" and dt in ("f16", "bf16") else COMPOSITE_TOLERANCE[dt]
        add(f"c_{name}_{dt}", [(n, s, dt) for n, s in args], [line.replace("xX>", f"x{dt}>")], [("y", out, dt)],
            [rand(rng, s, dt, specials=False) for _, s in args], tol, tol)

for i, s in enumerate([(), (1,), (0,), (2, 0, 3), (1, 1, 13), (97,), (7, 11, 3)]):  # rank 0, size 1, empty, prime
    t = tt(s, "f32")
    add(f"tanh_add_shape{i}", [("x", s, "f32"), ("b", s[-1:], "f32")],
        [f"%e = tensor_graph.tanh %x : {t}", f"%y = tensor_graph.add %e, %b : {t}, {tt(s[-1:], 'f32')} -> {t}"],
        [("y", s, "f32")], rtol=1e-6, atol=1e-6)
    if s:
        add(f"sum_shape{i}", [("x", s, "f32")],
            [f'%y = tensor_graph.reduce %x {{kind = "sum", dims = [-1], keepdim = false}} : {t} -> {tt(s[:-1], "f32")}'],
            [("y", s[:-1], "f32")], [rand(rng_for(f"sum_shape{i}"), s, "f32", specials=False)], 1e-5, 1e-5)
        add(f"softmax_shape{i}", [("x", s, "f32")], [f"%y = tensor_graph.softmax %x {{axis = 0}} : {t}"],
            [("y", s, "f32")], [rand(rng_for(f"softmax_shape{i}"), s, "f32", specials=False)], 1e-5, 1e-7)

for dt in ("f64", "bf16", "i1"):  # a rank-0 argument returned as it is (its copy); a rank-0 constant, returned too
    add(f"rank0_identity_{dt}", [("x", (), dt)], [f"%y = tensor_graph.transpose %x {{perm = []}} : {tt((), dt)}"],
        [("y", (), dt)], rtol=0.0)
for dt, value in (("f32", "2.5"), ("i32", "19")):
    add(f"rank0_constant_{dt}", [("x", (3,), dt)],
        [f"%c = tensor_graph.constant {{value = dense<{value}> : {tt((), dt)}}} : {tt((), dt)}",
         f"%y = tensor_graph.add %x, %c : {tt((3,), dt)}, {tt((), dt)} -> {tt((3,), dt)}"],
        [("y", (3,), dt), ("c", (), dt)], [rand(rng_for(f"rank0_constant_{dt}"), (3,), dt, -5, 5)])

for dt in ("f64", "bf16"):  # a rank-0 exponent computed in the kernel (a scalar there): tests on it (scalar i1s) and the block's combined
    add(f"pow_rank0_exponent_{dt}", [("x", (7,), dt), ("e", (), dt)],
        [f"%s = tensor_graph.silu %e : {tt((), dt)}",
         f"%y = tensor_graph.pow %x, %s : {tt((7,), dt)}, {tt((), dt)} -> {tt((7,), dt)}"], [("y", (7,), dt), ("s", (), dt)],
        [rand(rng_for(f"pow_rank0_{dt}"), (7,), dt), np.array(3.0).astype(rand(rng_for("e"), (), dt).dtype)],
        rtol=ULP[dt] * MATH_SLACK[dt])

SUBNORMAL_BF16 = np.array([9.18355e-41, 1.0102e-39, -1.0102e-39, -9.18355e-41, 1.1755e-38, 1.0, 0.0], np.float32)
for op, props, dst in (("relu", "", (7,)), ("slice", "{start = [0], stop = [7], step = [2]} ", (4,))):  # bf16 subnormals
    add(f"{op}_subnormal_bf16", [("x", (7,), "bf16")], [f"%y = tensor_graph.{op} %x {props}: {tt((7,), 'bf16')} -> {tt(dst, 'bf16')}"],
        [("y", dst, "bf16")], [SUBNORMAL_BF16.astype(rand(rng_for("bf16"), (), "bf16").dtype)], rtol=0.0)

for dt in ("f32", "f16", "i32"):  # every op at a zero-size dimension
    for name, args, lines, results in zero_size_programs(dt):
        rng = rng_for(f"zero_{name}_{dt}")
        inputs = [rand(rng, s, t, 0, 1) if t in INTS else rand(rng, s, t) for _, s, t in args]  # indices in range
        add(f"zero_{name}_{dt}", args, lines, results, inputs, rtol=0.0)

for op in ("softmax", "log_softmax"):  # rows with special values: all -inf, a NaN, one -inf
    x = rand(rng_for(f"{op}_special"), (4, 9), "f32", specials=False)
    x[0, :], x[1, 3], x[2, 5] = -np.inf, np.nan, -np.inf
    add(f"{op}_special_f32", [("x", (4, 9), "f32")], [f"%y = tensor_graph.{op} %x {{axis = -1}} : {tt((4, 9), 'f32')}"],
        [("y", (4, 9), "f32")], [x], 1e-5, 1e-6)

DEEP = 12
add("deep_chain_f32", [("a0", (7, 13), "f32")],  # kernels whose intermediates the memory plan reuses
    [f"%a{i + 1} = tensor_graph.softmax %a{i} {{axis = -1}} : tensor<7x13xf32>" for i in range(DEEP)],
    [(f"a{DEEP}", (7, 13), "f32")], [rand(rng_for("deep"), (7, 13), "f32", specials=False)], 1e-5, 1e-6)


# --- what the Triton path cannot do yet ---------------------------------------------------

XFAIL: dict[str, str] = {}
"""Cases the Triton path cannot do yet, with why: each is an xfail(strict), so it XPASSes,
and fails, as soon as a change makes it work; then it comes off this list."""


_BF16_WIDEN = ("Triton 3.9's interpreter widens a bf16 subnormal to f32 wrongly (_convert_float: 9.18e-41 -> 0.0, "
               "1.01e-39 -> 4.41e-39); the GPU's bf16 -> f32 is exact")
_SCALAR_I1 = ("Triton 3.9's interpreter gives a comparison's result the operands' dtype (binary_op keeps lhs.dtype): a "
              "scalar i1 splat to a block becomes float, and & with a block's i1 raises TypeError (bitwise_and)")
XFAIL_ON: dict[str, dict[str, str]] = {"interpreter": {
    "relu_subnormal_bf16": _BF16_WIDEN, "slice_subnormal_bf16": _BF16_WIDEN,
    "pow_rank0_exponent_f64": _SCALAR_I1, "pow_rank0_exponent_bf16": _SCALAR_I1,
}, "gpu": {}}
"""Cases that fail on one device only (also strict)."""

DEVICE_MARKS = {
    "interpreter": [pytest.mark.skipif(GPU, reason="a CUDA GPU is here: the gpu cases run instead")],
    "gpu": [pytest.mark.gpu, pytest.mark.skipif(not GPU, reason="needs a CUDA GPU")],
}
PARAMS = [
    pytest.param(
        name, device, id=f"{name}-{device}",
        marks=[*DEVICE_MARKS[device], *(
            [pytest.mark.xfail(strict=True, reason=reason)]
            if (reason := XFAIL.get(name) or XFAIL_ON[device].get(name)) else []
        )],
    )
    for name in sorted(CASES)
    for device in DEVICE_MARKS
]


@pytest.fixture(scope="module", autouse=True)
def _cache(tmp_path_factory):
    """A compile cache of its own (the kernels' source files and tuning files)."""
    mp = pytest.MonkeyPatch()
    mp.setenv("STEPWELL_CACHE_DIR", str(tmp_path_factory.mktemp("triton-cache")))
    mp.setenv("STEPWELL_TRITON_AUTOTUNE", "0")
    yield
    mp.undo()


@pytest.mark.parametrize("name, device", PARAMS)
def test_matches_reference(name, device):
    case = CASES[name]
    f = compile(case.text, "f", target="triton")
    expected = reference.run(case.text, "f", *case.inputs)
    actual = f(*case.inputs)
    if not isinstance(expected, tuple):
        actual, expected = (actual,), (expected,)
    assert isinstance(actual, tuple) and len(actual) == len(expected)
    for i, (a, e) in enumerate(zip(actual, expected)):
        assert_close(a, e, case.rtol, case.atol, f"result {i} of\n{case.text}")


def test_every_kernel_compiles_for_sm90():
    """Every kernel of every case the Triton path converts compiles ahead of time for
    sm_90 (no GPU needed), with its signature, divisibility facts and launch options."""
    from triton.backends.compiler import GPUTarget
    from triton.compiler import ASTSource

    compiled = 0
    for name in sorted(set(CASES) - set(XFAIL)):
        try:
            f = compile(CASES[name].text, "f", target="triton")
        except CompileError:
            continue  # the differential test reports it
        program = f.program
        spec = importlib.util.spec_from_file_location(f"aot_{program.path.stem[:16]}", program.path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)  # without TRITON_INTERPRET: JIT functions
        for kernel in f.info.kernels:
            info = program.info.kernels[kernel]
            attrs = {(i,): [["tt.divisibility", 16]] for i in info.divisible}
            source = ASTSource(fn=getattr(module, kernel), signature=info.signature, attrs=attrs)
            binary = triton.compile(source, target=GPUTarget("cuda", 90, 32), options=dict(info.options))
            assert ".entry" in binary.asm["ptx"], (name, kernel)
            compiled += 1
    assert compiled > 0
