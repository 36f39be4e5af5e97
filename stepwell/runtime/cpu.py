"""Run compiled CPU code: load the object code, call kernels through ctypes.

`CpuFunction(library, plan)` is what `stepwell.compile(..., target="cpu")` returns:
called with numpy arrays (one per argument, shapes and dtypes as declared), it
allocates the intermediate and result buffers, calls the kernels in order and returns
the result array (or a tuple of them).

A kernel `k(begin, end, buffers...)` covers outer points [begin, end). When a call has
enough work (extent * grain >= PARALLEL_WORK) its range is split into one slice per
thread; ctypes releases the GIL during foreign calls, so the slices run in parallel
on a shared thread pool. STEPWELL_NUM_THREADS caps the number of threads.

A call that checks indices (a `loops.check_index`: gather) leaves a status the runtime
reads right after it: an index out of range raises IndexOutOfRange (an IndexError)
naming the op, as the reference interpreter does, and no later kernel runs.
"""

from __future__ import annotations

import ctypes
import functools
import math
import os
import threading
import warnings
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from stepwell.reference.evaluators import index_out_of_range
from stepwell.runtime.plan import BufferSpec, CallSpec, FunctionPlan
from stepwell.targets import llvm as llvm_target

PARALLEL_WORK = 1 << 15  # scalar bodies below which a call runs on one thread

_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def num_threads() -> int:
    count = os.cpu_count() or 1
    limit = _thread_limit(os.environ.get("STEPWELL_NUM_THREADS", "").strip())
    return max(1, min(count, limit)) if limit is not None else count


@functools.cache
def _thread_limit(value: str) -> int | None:
    """STEPWELL_NUM_THREADS as a number; anything else is ignored, with one warning
    per value (not one per call)."""
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        warnings.warn(
            f"STEPWELL_NUM_THREADS={value!r} is not a whole number of threads: ignored, "
            f"using all {os.cpu_count() or 1} cores",
            RuntimeWarning,
        )
        return None


def _executor() -> ThreadPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=os.cpu_count() or 1, thread_name_prefix="stepwell")
        return _pool


class Library:
    """The machine code of one compiled module, loaded with MCJIT."""

    def __init__(self, obj: bytes):
        self.engine = llvm_target.load_object(obj)
        self._kernels: dict[str, Any] = {}

    def kernel(self, name: str, n_buffers: int):
        if name not in self._kernels:
            address = self.engine.get_function_address(name)
            if not address:
                raise RuntimeError(f"kernel '{name}' is missing from the compiled code")
            proto = ctypes.CFUNCTYPE(None, ctypes.c_int64, ctypes.c_int64, *[ctypes.c_void_p] * n_buffers)
            self._kernels[name] = proto(address)
        return self._kernels[name]

    def global_array(self, spec: BufferSpec) -> np.ndarray:
        """A copy of a constant global's contents."""
        dtype = spec.np_dtype
        n = math.prod(spec.shape)
        if n == 0:
            return np.empty(spec.shape, dtype)
        address = self.engine.get_global_value_address(spec.symbol)
        raw = ctypes.string_at(address, n * dtype.itemsize)
        return np.frombuffer(raw, dtype=dtype).reshape(spec.shape).copy()


class CpuFunction:
    """A compiled function: call it with numpy arrays."""

    def __init__(self, library: Library, plan: FunctionPlan):
        self.library, self.plan = library, plan
        self._calls = [(library.kernel(c.kernel, len(c.buffers)), c) for c in plan.calls]
        self._consts = {i: library.global_array(b) for i, b in enumerate(plan.buffers) if b.kind == "const" and i in plan.results}

    @property
    def name(self) -> str:
        return self.plan.name

    def __repr__(self) -> str:
        return f"<stepwell cpu function {self.plan.signature()}>"

    def __call__(self, *arrays: Any) -> np.ndarray | tuple[np.ndarray, ...]:
        inputs = self._check(arrays)
        buffers: list[np.ndarray | None] = []
        for i, spec in enumerate(self.plan.buffers):
            if spec.kind == "arg":
                buffers.append(inputs[spec.index])
            elif spec.kind == "const":
                buffers.append(self._consts.get(i))
            else:
                buffers.append(np.empty(spec.shape, spec.np_dtype))
        for fn, call in self._calls:
            _run(fn, call, [buffers[i].ctypes.data for i in call.buffers])  # type: ignore[union-attr]
            if call.check is not None:
                _raise_if_failed(call.check, buffers[call.buffers[0]])  # type: ignore[arg-type]
        handed: set[int] = set()
        results = [self._result(buffers, i, handed) for i in self.plan.results]
        return results[0] if len(results) == 1 else tuple(results)

    def _result(self, buffers: list, i: int, handed: set[int]) -> np.ndarray:
        """A result array of its own: a computed buffer is handed over the first time
        it is returned (`func.return %y, %y` copies the second); an argument or a
        constant is always copied."""
        if self.plan.buffers[i].kind in ("arg", "const") or i in handed:
            return buffers[i].copy()
        handed.add(i)
        return buffers[i]

    def _check(self, arrays: tuple[Any, ...]) -> list[np.ndarray]:
        args = self.plan.args
        if len(arrays) != len(args):
            raise TypeError(f"{self.plan.signature()} takes {len(args)} argument(s), got {len(arrays)}")
        out = []
        for i, (value, spec) in enumerate(zip(arrays, args)):
            array = np.asarray(value)
            if array.dtype != spec.np_dtype or array.shape != spec.shape:
                # as the reference interpreter: a wrong dtype is a TypeError, a wrong shape a ValueError
                error = TypeError if array.dtype != spec.np_dtype else ValueError
                raise error(
                    f"argument {i} of @{self.plan.name}: expected {spec.dtype} of shape {spec.shape}, "
                    f"got {array.dtype} of shape {array.shape}"
                )
            out.append(array if array.flags.c_contiguous else array.copy(order="C"))
        return out


def _raise_if_failed(check: tuple[str, int, int], status: np.ndarray) -> None:
    """After a check's call: status = [first bad position or -1, the index there]."""
    if status[0] >= 0:
        op, axis, size = check
        raise index_out_of_range(op, int(status[1]), axis, size)


def _run(fn, call: CallSpec, pointers: list[int]) -> None:
    extent = call.extent
    if extent == 0:
        return
    threads = min(num_threads(), extent, max(1, extent * call.grain // PARALLEL_WORK))
    if threads == 1:
        fn(0, extent, *pointers)
        return
    bounds = [extent * t // threads for t in range(threads + 1)]
    pool = _executor()
    futures = [pool.submit(fn, bounds[t], bounds[t + 1], *pointers) for t in range(1, threads)]
    fn(bounds[0], bounds[1], *pointers)
    for future in futures:
        future.result()
