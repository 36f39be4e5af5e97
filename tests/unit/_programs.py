"""Test programs shared by the differential tests of the targets: a function's text
from its arguments, body lines and results (`func`), random inputs with the special
values sprinkled in (`rand`), and the comparison against the reference
(`assert_close`)."""

from __future__ import annotations

import math

import numpy as np

from _dtypes import DTYPES, FLOATS

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
