"""Element types as numpy dtypes, and exact conversions between them: the one dtype layer
of the interpreters, the lowerings and the runtime.

Storage vs. compute: a tensor is stored in its element type's dtype (`f16` as
`np.float16`, `bf16` as `ml_dtypes.bfloat16`, `i1` as `np.bool_`). Ops compute in
`compute_dtype(storage)`: `f32` for `f16`/`bf16`, the storage dtype otherwise. A result
goes back to storage through `store`, which rounds exactly once (to nearest, ties to
even) however wide the computed value was.

numpy and ml_dtypes round some conversions twice (`f64 -> bf16` goes through `f32`, and
`int64 -> f64` can round before a narrower step). The helpers here avoid that with
round-to-odd intermediates: rounding to odd into a format with at least two more
significand bits than the final one, then to nearest even, equals one direct rounding.
"""

from __future__ import annotations

import ml_dtypes
import numpy as np
from xdsl.dialects.builtin import (
    BFloat16Type,
    Float16Type,
    Float32Type,
    Float64Type,
    IntegerType,
)
from xdsl.ir import Attribute

BF16 = np.dtype(ml_dtypes.bfloat16)
F16 = np.dtype(np.float16)
F32 = np.dtype(np.float32)
F64 = np.dtype(np.float64)
BOOL = np.dtype(np.bool_)
INT_DTYPES = (np.dtype(np.int8), np.dtype(np.int32), np.dtype(np.int64))
FLOAT_DTYPES = (F16, BF16, F32, F64)

_BY_NAME = {
    "f16": F16,
    "bf16": BF16,
    "f32": F32,
    "f64": F64,
    "i1": BOOL,
    "i8": np.dtype(np.int8),
    "i32": np.dtype(np.int32),
    "i64": np.dtype(np.int64),
}


def _type_name(element_type: Attribute) -> str | None:
    if isinstance(element_type, Float16Type):
        return "f16"
    if isinstance(element_type, BFloat16Type):
        return "bf16"
    if isinstance(element_type, Float32Type):
        return "f32"
    if isinstance(element_type, Float64Type):
        return "f64"
    if isinstance(element_type, IntegerType) and element_type.signedness.data.name != "UNSIGNED":
        name = f"i{element_type.width.data}"
        return name if name in _BY_NAME else None
    return None


def numpy_dtype(element_type: Attribute) -> np.dtype:
    """The numpy dtype that stores tensors of `element_type` (i1 -> np.bool_)."""
    name = _type_name(element_type)
    if name is None:
        raise TypeError(f"no numpy dtype for element type {element_type}")
    return _BY_NAME[name]


def element_type_of(dtype) -> Attribute:
    """The tensor_graph element type of a numpy dtype (or anything np.dtype accepts)."""
    d = np.dtype(dtype)
    for name, known in _BY_NAME.items():
        if d == known:
            return {
                "f16": Float16Type(),
                "bf16": BFloat16Type(),
                "f32": Float32Type(),
                "f64": Float64Type(),
            }.get(name) or IntegerType(int(name[1:]))
    raise TypeError(
        f"no tensor_graph element type for numpy dtype {d} "
        f"(supported: {', '.join(str(k) for k in _BY_NAME.values())})"
    )


def is_float(dtype: np.dtype) -> bool:
    return np.dtype(dtype) in FLOAT_DTYPES


def is_int(dtype: np.dtype) -> bool:
    return np.dtype(dtype) in INT_DTYPES


def compute_dtype(storage: np.dtype) -> np.dtype:
    """The dtype ops compute in: f32 for f16 and bf16, the storage dtype otherwise."""
    return F32 if storage in (F16, BF16) else np.dtype(storage)


def lowest(dtype: np.dtype):
    """The smallest value of `dtype`: -inf, the smallest integer, False."""
    dtype = np.dtype(dtype)
    if dtype == BOOL:
        return False
    if is_int(dtype):
        return int(np.iinfo(dtype).min)
    return -np.inf


def highest(dtype: np.dtype):
    """The largest value of `dtype`: +inf, the largest integer, True."""
    dtype = np.dtype(dtype)
    if dtype == BOOL:
        return True
    if is_int(dtype):
        return int(np.iinfo(dtype).max)
    return np.inf


# --- exact rounding helpers ---------------------------------------------------------


def _set_odd(values: np.ndarray, inexact: np.ndarray, uint: type) -> np.ndarray:
    """Round-to-odd, given values already truncated toward zero: set the last bit
    of the inexact ones."""
    bits = values.view(uint) | inexact.astype(uint)
    return bits.view(values.dtype)


def _f64_to_f32_odd(x: np.ndarray) -> np.ndarray:
    """f64 -> f32 rounding to odd (NaN and infinities pass through)."""
    y = x.astype(F32)
    back = y.astype(F64)
    inexact = (back != x) & ~np.isnan(x)
    if not inexact.any():
        return y
    away = inexact & (np.abs(back) > np.abs(x))
    y = np.where(away, np.nextafter(y, np.float32(0)), y).astype(F32)
    return _set_odd(y, inexact, np.uint32)


def _i64_to_f64_odd(x: np.ndarray) -> np.ndarray:
    """int64 -> f64 rounding to odd, via an exact two-sum of the high and low halves."""
    hi = (x >> 32).astype(F64) * 4294967296.0
    lo = (x & 0xFFFFFFFF).astype(F64)
    s = hi + lo
    bb = s - hi
    err = (hi - (s - bb)) + (lo - bb)  # s + err == hi + lo exactly
    inexact = err != 0
    if not inexact.any():
        return s
    away = inexact & (np.sign(err) != np.sign(s))
    s = np.where(away, np.nextafter(s, 0.0), s)
    return _set_odd(s, inexact, np.uint64)


def to_float(x: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """Convert numbers (float, integer or bool) to the float `dtype`, rounding to
    nearest even exactly once."""
    x = np.asarray(x)
    dtype = np.dtype(dtype)
    if x.dtype == dtype:
        return x
    if x.dtype == BOOL:
        x = x.astype(np.int8)
    if dtype in (F32, F64):
        # C conversions: single rounding from any integer or float source.
        return x.astype(dtype)
    # f16 / bf16: round to odd into f64 then f32 (each step keeps >= 2 extra bits),
    # then to nearest even into the target.
    if x.dtype in (F16, BF16, F32):
        return x.astype(F32).astype(dtype)
    if x.dtype == np.dtype(np.int64):
        wide = _i64_to_f64_odd(x)
    else:
        wide = x.astype(F64)  # i8, i32, f64: exact
    return _f64_to_f32_odd(wide).astype(dtype)


def to_int(x: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """Convert to the integer `dtype`. Floats truncate toward zero, saturating at the
    type's range, NaN -> 0; integers wrap (two's complement); bools give 0/1."""
    x = np.asarray(x)
    dtype = np.dtype(dtype)
    if not is_float(x.dtype):
        return x.astype(dtype)
    t = np.trunc(x.astype(F64))
    info = np.iinfo(dtype)
    too_big = t >= 2.0 ** (info.bits - 1)
    too_small = t < -(2.0 ** (info.bits - 1))
    bad = too_big | too_small | np.isnan(t)
    mid = np.where(bad, 0.0, t).astype(dtype)
    return np.where(too_big, info.max, np.where(too_small, info.min, mid)).astype(dtype)


def convert(x: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """`tensor_graph.cast` semantics: to `dtype` from any element dtype."""
    dtype = np.dtype(dtype)
    x = np.asarray(x)
    if dtype == BOOL:
        return x != 0
    if is_float(dtype):
        return to_float(x, dtype)
    return to_int(x, dtype)


def store(value: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """A computed value in its storage dtype: floats round once to nearest even,
    integers wrap. Converting between kinds (float <-> int, -> bool) is not storing,
    it is a `cast`: evaluators do that themselves."""
    value = np.asarray(value)
    dtype = np.dtype(dtype)
    if value.dtype == dtype:
        return value
    if is_float(dtype) and is_float(value.dtype):
        return to_float(value, dtype)
    if is_int(dtype) and (is_int(value.dtype) or value.dtype == BOOL):
        return value.astype(dtype)
    raise TypeError(f"internal error: cannot store a {value.dtype} value as {dtype}")


def scalar(value: float, storage: np.dtype):
    """A scalar attribute (an f64 property) as a value of the storage type, then in
    the compute dtype: a 0-d array, so numpy keeps the compute precision."""
    storage = np.dtype(storage)
    return convert(np.asarray(float(value)), storage).astype(compute_dtype(storage))
