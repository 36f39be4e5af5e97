"""Python functions into stepwell: `stepwell.trace` and `stepwell.jit`.

    @stepwell.jit                         # or @stepwell.jit(target="triton")
    def softmax(x):
        e = (x - x.max(-1, keepdim=True)).exp()
        return e / e.sum(-1, keepdim=True)

    y = softmax(np.random.rand(4, 8).astype(np.float32))   # numpy in, numpy out
    print(stepwell.trace(softmax, ((4, 8), "f32")))        # the tensor_graph module

The function is called once per (shapes, dtypes) with builder `Value`s in place of the
arrays: numpy-like methods and operators (`+ - * / ** @`, `x.exp()`, `x.sum(dims)`,
`x.reshape(shape)` ...; dialects/tensor_graph/builder.py) and every op of the spec as
`stepwell.tg.NAME` build `tensor_graph` ops, so the trace is the program. It returns a
Value or a tuple of them. Python control flow runs at trace time: it may depend on
shapes and dtypes, never on tensor values (that is an error, as are numpy functions
and anything else the builder cannot express); the message names the line of the
function. Arguments that are not arrays (numbers, strings, tuples) are constants of
the trace and part of the cache key.
"""

from __future__ import annotations

import functools
import os
import traceback
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from xdsl.dialects.builtin import ModuleOp, TensorType
from xdsl.utils.exceptions import VerifyException

from stepwell.dialects.tensor_graph.builder import Value, build_function
from stepwell.dialects.tensor_graph.types import tensor
from stepwell.frontends.tg import element_type


class TraceError(Exception):
    """The function cannot be traced into tensor_graph; the message says where and why."""


_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _spec_type(spec: Any, position: int) -> TensorType:
    """A tensor type from an array (anything with .shape and .dtype) or (shape, dtype)."""
    try:
        shape, dtype = (spec.shape, spec.dtype) if hasattr(spec, "shape") else spec
        shape = [int(d) for d in shape]
    except (TypeError, ValueError):
        raise TraceError(f"argument {position}: expected an array or (shape, dtype), got {spec!r}") from None
    try:
        return tensor(shape, element_type(dtype))
    except TypeError as e:
        raise TraceError(f"argument {position}: {e}") from None


def _is_tensor(arg: Any) -> bool:
    return (hasattr(arg, "shape") and hasattr(arg, "dtype")) or (
        isinstance(arg, tuple) and len(arg) == 2 and isinstance(arg[0], (tuple, list))
    )


def trace(fn: Callable[..., Any], *specs: Any, name: str | None = None) -> ModuleOp:
    """The tensor_graph module of `fn` for arguments like `specs`: arrays, or
    `(shape, dtype)` pairs (dtype: "f32", "float32", a numpy or torch dtype); other
    values are passed to `fn` as they are. The function is `@name` (default: fn's)."""
    fn = getattr(fn, "__wrapped__", fn)
    tensors = [i for i, s in enumerate(specs) if _is_tensor(s)]
    types = [_spec_type(specs[i], i) for i in tensors]
    label = getattr(fn, "__name__", "the function")
    func_name = name or label
    if not func_name.isidentifier():
        func_name = "main"

    def body(b: Any, *values: Value) -> Any:
        args = list(specs)
        for i, v in zip(tensors, values):
            args[i] = v
        result = fn(*args)
        results = result if isinstance(result, tuple) else (result,)
        if not results or not all(isinstance(r, Value) for r in results):
            got = ", ".join(type(r).__name__ for r in results) or "an empty tuple"
            raise TraceError(f"{label} returned {got}; a traced function returns tensors or a tuple of them")
        return result

    try:
        module = build_function(types, body, func_name)
    except TraceError:
        raise
    except (TypeError, ValueError, AttributeError, VerifyException, AssertionError) as e:
        raise TraceError(f"{_where(e)}: {_message(e)}") from None
    for op in module.walk():
        try:
            op.verify_()
        except VerifyException as e:
            raise TraceError(f"{label}: '{op.name}' op {e}") from None
    return module


def _where(e: BaseException) -> str:
    """FILE:LINE of the innermost frame of the traced code (outside stepwell)."""
    frames = [f for f in traceback.extract_tb(e.__traceback__) if not os.path.abspath(f.filename).startswith(_PACKAGE)]
    if not frames:
        return "<trace>"
    frame = frames[-1]
    return f"{frame.filename}:{frame.lineno}"


def _message(e: BaseException) -> str:
    text = str(e)
    if "does not support ufuncs" in text:
        return "numpy functions do not take traced tensors: use the tensor's methods (x.exp()) or stepwell.tg"
    if isinstance(e, AttributeError) and "'Value' object has no attribute" in text:
        return f"{text.replace(chr(39) + 'Value' + chr(39) + ' object', 'a traced tensor')} (see stepwell.tg for every op)"
    return text


class Jitted:
    """A traced-and-compiled function: one compile per (shapes, dtypes, other args)."""

    def __init__(self, fn: Callable[..., Any], target: str):
        functools.update_wrapper(self, fn)
        self.fn, self.target = fn, target
        self.compiled: dict[tuple[Any, ...], Callable[..., Any]] = {}

    def _key(self, args: Sequence[Any]) -> tuple[Any, ...]:
        key = tuple((tuple(a.shape), str(a.dtype)) if _is_tensor(a) else ("static", a) for a in args)
        try:
            hash(key)
        except TypeError:
            raise TraceError(f"{self.__name__}: arguments that are not arrays must be hashable (they are constants of the trace)") from None
        return key

    def trace(self, *specs: Any) -> ModuleOp:
        return trace(self.fn, *specs)

    def __call__(self, *args: Any) -> Any:
        key = self._key(args)
        compiled = self.compiled.get(key)
        if compiled is None:
            import stepwell

            compiled = stepwell.compile(trace(self.fn, *args), target=self.target)
            self.compiled[key] = compiled
        return compiled(*(np.asarray(a) if self.target == "cpu" else a for a in args if _is_tensor(a)))


def jit(fn: Callable[..., Any] | None = None, *, target: str = "cpu") -> Any:
    """Decorator: trace `fn` on its first call for those shapes and dtypes, compile it
    for `target` and cache it (`@stepwell.jit` or `@stepwell.jit(target="triton")`)."""
    if fn is None:
        return lambda f: Jitted(f, target)
    return Jitted(fn, target)
