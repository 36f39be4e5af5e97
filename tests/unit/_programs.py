"""Test programs shared by the differential tests of the targets: a function's text
from its arguments, body lines and results (`func`), random inputs with the special
values sprinkled in (`rand`), and the comparison against the reference
(`assert_close`)."""

from __future__ import annotations

import math

import numpy as np

from _composites import COMPOSITES
from _dtypes import DTYPES, FLOATS

FLOAT_UNARY = ["neg", "abs", "sign", "exp", "exp2", "log", "log2", "sqrt", "rsqrt", "reciprocal", "tanh",
               "sin", "cos", "erf", "floor", "ceil", "round", "sigmoid", "relu", "silu"]
ULP = {"f16": 2.0**-10, "bf16": 2.0**-7, "f32": 2.0**-23, "f64": 2.0**-52}


def tt(shape, dt: str) -> str:
    return "tensor<" + "".join(f"{n}x" for n in shape) + dt + ">"


def func(name: str, args, lines, results) -> str:
    """`func.func @name` with arguments [(name, shape, dtype)], body lines, results."""
    sig = ", ".join(f"%{n}: {tt(s, t)}" for n, s, t in args)
    outs = ", ".join(tt(s, t) for _, s, t in results)
    ret = ", ".join(f"%{n}" for n, _, _ in results)
    body = "".join(f"  {line}\n" for line in lines)
    return f"func.func @{name}({sig}) -> ({outs}) {{\n{body}  func.return {ret} : {outs}\n}}\n"


def softmax_chain(depth: int, m: int = 7, n: int = 13) -> str:
    """softmax applied `depth` times: 2 * depth kernels whose intermediates a memory
    plan reuses (the runtimes' peak-memory tests)."""
    t = f"tensor<{m}x{n}xf32>"
    lines = "".join(f"  %a{i + 1} = tensor_graph.softmax %a{i} {{axis = -1}} : {t}\n" for i in range(depth))
    return f"func.func @f(%a0: {t}) -> {t} {{\n{lines}  func.return %a{depth} : {t}\n}}"


def rand(rng, shape, dt: str, low=None, high=None, specials=True) -> np.ndarray:
    """Floats ~ N(0, 3) with NaN, +-inf, -0 and ties sprinkled in; integers small plus
    the type's extremes (or uniform in [low, high]); i1 coin flips."""
    size = math.prod(shape)
    if dt == "i1":
        return rng.random(shape) < 0.5
    if dt in FLOATS:
        x = rng.standard_normal(size) * 3
        extra = [np.nan, np.inf, -np.inf, -0.0, 0.0, 0.5, -2.5, 1.0]
        if specials and size >= 12:
            x[rng.choice(size, len(extra), replace=False)] = extra
        return x.astype(DTYPES[dt]).reshape(shape)
    if low is not None:
        return rng.integers(low, high + 1, size=shape).astype(DTYPES[dt])
    info = np.iinfo(DTYPES[dt])
    x = rng.integers(-20, 21, size=size)
    if size >= 6:
        x[rng.choice(size, 4, replace=False)] = [info.min, info.max, 0, -1]
    return x.astype(DTYPES[dt]).reshape(shape)


def assert_close(actual, expected, rtol=0.0, atol=0.0, what=""):
    assert actual.dtype == expected.dtype and actual.shape == expected.shape, (
        what, actual.dtype, expected.dtype, actual.shape, expected.shape)
    if actual.dtype.kind in "biu":
        np.testing.assert_array_equal(actual, expected, err_msg=what)
    else:
        np.testing.assert_allclose(actual.astype(np.float64), expected.astype(np.float64),
                                   rtol=rtol, atol=atol, equal_nan=True, err_msg=what)


def zero_size_programs(dt: str) -> list[tuple[str, list, list[str], list]]:
    """(name, args, lines, results) of every spec op with a zero-size dimension in an
    operand, the result or the reduced space. %x is 3x0x5, %e is 0 (rank 1)."""
    x, e = (3, 0, 5), (0,)
    T = lambda s: tt(s, dt)  # noqa: E731
    X, E = T(x), T(e)
    one = [("x", x, dt)]
    unary = FLOAT_UNARY if dt in FLOATS else ["neg", "abs", "sign"]
    progs = [(f"u_{op}", one, [f"%y = tensor_graph.{op} %x : {X}"], [("y", x, dt)]) for op in unary]
    for op in ["add", "sub", "mul", "div", "max", "min", "pow"]:
        progs.append((f"b_{op}", [("x", x, dt), ("b", (1, 5), dt)], [f"%y = tensor_graph.{op} %x, %b : {X}, {T((1, 5))} -> {X}"], [("y", x, dt)]))
    progs += [
        ("cmp", [("x", x, dt), ("b", (5,), dt)], [f'%y = tensor_graph.cmp %x, %b {{predicate = "lt"}} : {X}, {T((5,))} -> {tt(x, "i1")}'], [("y", x, "i1")]),
        ("select", [("c", (0, 1), "i1"), ("x", x, dt), ("b", (5,), dt)],
         [f"%y = tensor_graph.select %c, %x, %b : {tt((0, 1), 'i1')}, {X}, {T((5,))} -> {X}"], [("y", x, dt)]),
        ("cast", one, [f"%y = tensor_graph.cast %x : {X} -> {tt(x, 'f16')}"], [("y", x, "f16")]),
        ("iota", [], [f"%y = tensor_graph.iota {{dim = 0}} : {X}"], [("y", x, dt)]),
        ("constant", [], [f"%y = tensor_graph.constant {{value = dense<> : {E}}} : {E}"], [("y", e, dt)]),
        ("constant_sliced_to_empty", [], [f"%c = tensor_graph.constant {{value = dense<[1, 2, 3]> : {T((3,))}}} : {T((3,))}",
                                          f"%s = tensor_graph.slice %c {{start = [1], stop = [1], step = [1]}} : {T((3,))} -> {E}",
                                          f"%y = tensor_graph.{'sin' if dt in FLOATS else 'neg'} %s : {E}"], [("y", e, dt)]),
        ("broadcast_to", [("a", (1, 5), dt)], [f"%y = tensor_graph.broadcast_to %a : {T((1, 5))} -> {T((3, 0, 5))}"], [("y", x, dt)]),
        ("reshape", one, [f"%y = tensor_graph.reshape %x : {X} -> {T((0, 7))}"], [("y", (0, 7), dt)]),
        ("transpose", one, [f"%y = tensor_graph.transpose %x {{perm = [2, 0, 1]}} : {X} -> {T((5, 3, 0))}"], [("y", (5, 3, 0), dt)]),
        ("slice", [("a", (4, 6), dt)], [f"%y = tensor_graph.slice %a {{start = [1, 2], stop = [1, 6], step = [1, 2]}} : {T((4, 6))} -> {T((0, 2))}"], [("y", (0, 2), dt)]),
        ("concat", [("x", x, dt), ("a", (3, 2, 5), dt)], [f"%y = tensor_graph.concat %x, %a, %x {{axis = 1}} : {X}, {T((3, 2, 5))}, {X} -> {T((3, 2, 5))}"], [("y", (3, 2, 5), dt)]),
        ("concat_empty", [("x", x, dt)], [f"%y = tensor_graph.concat %x, %x {{axis = 0}} : {X}, {X} -> {T((6, 0, 5))}"], [("y", (6, 0, 5), dt)]),
        ("pad", one, [f"%y = tensor_graph.pad %x {{low = array<i64: 0, 1, 0>, high = array<i64: 1, 2, 0>, value = 2.0 : f64}} : {X} -> {T((4, 3, 5))}"], [("y", (4, 3, 5), dt)]),
        ("gather_empty_indices", [("a", (4, 6), dt), ("i", (0, 2), "i64")],
         [f"%y = tensor_graph.gather %a, %i {{axis = 0}} : {T((4, 6))}, {tt((0, 2), 'i64')} -> {T((0, 2, 6))}"], [("y", (0, 2, 6), dt)]),
        ("gather_empty_rows", [("x", x, dt), ("i", (2,), "i32")],
         [f"%y = tensor_graph.gather %x, %i {{axis = 2}} : {X}, {tt((2,), 'i32')} -> {T((3, 0, 2))}"], [("y", (3, 0, 2), dt)]),
        ("argmax", one, [f"%y = tensor_graph.argmax %x {{axis = 2, keepdim = false}} : {X} -> {tt((3, 0), 'i64')}"], [("y", (3, 0), "i64")]),
        ("matmul_m", [("a", (8, 4, 0, 7), dt), ("b", (4, 7, 5), dt)],
         [f"%y = tensor_graph.matmul %a, %b : {T((8, 4, 0, 7))}, {T((4, 7, 5))} -> {T((8, 4, 0, 5))}"], [("y", (8, 4, 0, 5), dt)]),
        ("matmul_n", [("a", (3, 7), dt), ("b", (7, 0), dt)], [f"%y = tensor_graph.matmul %a, %b : {T((3, 7))}, {T((7, 0))} -> {T((3, 0))}"], [("y", (3, 0), dt)]),
        ("matmul_k", [("a", (3, 0), dt), ("b", (0, 5), dt)], [f"%y = tensor_graph.matmul %a, %b : {T((3, 0))}, {T((0, 5))} -> {T((3, 5))}"], [("y", (3, 5), dt)]),
        ("matmul_batch", [("a", (0, 3, 4), dt), ("b", (4, 5), dt)], [f"%y = tensor_graph.matmul %a, %b : {T((0, 3, 4))}, {T((4, 5))} -> {T((0, 3, 5))}"], [("y", (0, 3, 5), dt)]),
    ]
    kinds = ["sum", "prod", "max", "min"] + (["mean"] if dt in FLOATS else [])
    for kind in kinds:
        progs.append((f"reduce_{kind}_over_empty", one, [f'%y = tensor_graph.reduce %x {{kind = "{kind}", dims = [1], keepdim = false}} : {X} -> {T((3, 5))}'], [("y", (3, 5), dt)]))
        progs.append((f"reduce_{kind}_of_empty", one, [f'%y = tensor_graph.reduce %x {{kind = "{kind}", dims = [2], keepdim = true}} : {X} -> {T((3, 0, 1))}'], [("y", (3, 0, 1), dt)]))
    if dt in FLOATS:
        progs += [(f"c_{name}", [(n, tuple(0 if i == 0 else d for i, d in enumerate(s)), dt) for n, s in args],
                   [line.replace("xX>", f"x{dt}>").replace("tensor<2x", "tensor<0x").replace("tensor<3x", "tensor<0x")
                    .replace("tensor<4x", "tensor<0x").replace("tensor<5x", "tensor<0x").replace("tensor<9x", "tensor<0x")],
                   [("y", tuple(0 if i == 0 else d for i, d in enumerate(out)), dt)])
                  for name, (args, line, out) in COMPOSITES.items() if name not in ("layer_norm", "rms_norm", "linear", "var")]
        progs += [
            ("c_softmax_empty_axis", one, [f"%y = tensor_graph.softmax %x {{axis = 1}} : {X}"], [("y", x, dt)]),
            ("c_linear", [("a", (2, 0), dt), ("w", (3, 0), dt), ("b", (3,), dt)],
             [f"%y = tensor_graph.linear %a, %w, %b : {T((2, 0))}, {T((3, 0))}, {T((3,))} -> {T((2, 3))}"], [("y", (2, 3), dt)]),
            ("c_layer_norm", [("x", x, dt), ("s", (0, 5), dt), ("b", (0, 5), dt)],
             [f"%y = tensor_graph.layer_norm %x, %s, %b {{axis = 1, epsilon = 1.0e-05}} : {X}, {T((0, 5))}, {T((0, 5))} -> {X}"], [("y", x, dt)]),
            ("c_var", one, [f"%y = tensor_graph.var %x {{dims = [1], correction = 0, keepdim = false}} : {X} -> {T((3, 5))}"], [("y", (3, 5), dt)]),
        ]
    return progs


VIEWS = [
    ((4, 1), "broadcast_to", "", (2, 4, 3)),
    ((4, 6), "reshape", "", (3, 8)),
    ((2, 3, 4), "transpose", "{perm = [2, 0, 1]}", (4, 2, 3)),
    ((4, 10), "slice", "{start = [1, 2], stop = [3, 10], step = [1, 3]}", (2, 3)),
    ((3, 5), "pad", "{low = array<i64: 1, 0>, high = array<i64: 2, 3>, value = 1.000000e+00 : f64}", (6, 8)),
]
"""The view ops of the differential tests: (source shape, op, properties, result shape)."""
