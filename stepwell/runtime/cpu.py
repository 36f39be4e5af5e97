"""Run compiled CPU code: load the object code, call kernels through ctypes.

`CpuFunction(library, plan)` is what `stepwell.compile(..., target="cpu")` returns:
called with numpy arrays (one per argument, shapes and dtypes as declared), it
allocates the result buffers (or takes the caller's `out=` arrays), places the
intermediates its plan puts in the arena at their offsets in one arena (reused across
calls: class Arenas), places those it puts in a result's memory (scratch there until
the result is written: an `out=` array holds it too, and after an error its contents
are unspecified), allocates the other intermediates, calls the kernels in order and
returns the result array (or a tuple of them). A result is always an array of its
own: never a view of the arena, of another result or of an argument (unless the
argument was donated and the plan writes the result there).

A kernel `k(begin, end, buffers...)` covers outer points [begin, end). The plan cuts
a call's range [0, extent) into `chunks` equal contiguous pieces; a call with enough
work (PARALLEL_WORK scalar iterations per thread) runs its chunks on up to
`num_threads()` threads of a persistent pool, which take consecutive chunks in groups
(one foreign call per group) from a shared counter. The pool is native (pool.py: one
foreign call per kernel call, the GIL released for the whole parallel region); where
it cannot be built, a pool of Python threads does the same through ctypes. STEPWELL_NUM_THREADS (or `threads(n)`)
caps the number of threads; 1 runs everything on the calling thread.

A call that checks indices (a `loops.check_index`: gather) leaves a status the runtime
reads right after it: an index out of range raises IndexOutOfRange (an IndexError)
naming the op, as the reference interpreter does, and no later kernel runs.
"""

from __future__ import annotations

import contextlib
import contextvars
import ctypes
import functools
import itertools
import math
import os
import queue
import threading
import warnings
from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np

from stepwell.reference.evaluators import index_out_of_range
from stepwell.runtime import pool
from stepwell.runtime.plan import BufferSpec, CallSpec, FunctionPlan, check_argument, check_count
from stepwell.targets import bound_array
from stepwell.targets import llvm as llvm_target

PARALLEL_WORK = 1 << 15  # scalar iterations per thread below which a call keeps fewer threads

_CORES = os.cpu_count() or 1  # read once: os.cpu_count() costs ~7 us (it reads /sys)
_limit: contextvars.ContextVar[int | None] = contextvars.ContextVar("stepwell_threads", default=None)


def num_threads() -> int:
    """Threads a call may use: `threads(n)` where it is in effect, else
    STEPWELL_NUM_THREADS (read on every call), else every core."""
    limit = _limit.get()
    if limit is None:
        limit = _thread_limit(os.environ.get("STEPWELL_NUM_THREADS", "").strip())
    return max(1, min(_CORES, limit)) if limit is not None else _CORES


@contextlib.contextmanager
def threads(n: int) -> Iterator[None]:
    """Run the compiled functions called inside (in this Python thread) on at most n
    threads, whatever STEPWELL_NUM_THREADS says: `with threads(1): f(x)`."""
    token = _limit.set(max(1, int(n)))
    try:
        yield
    finally:
        _limit.reset(token)


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
            f"using all {_CORES} cores",
            RuntimeWarning,
        )
        return None


class Library:
    """The machine code of one compiled module, loaded with MCJIT; `constants`: the
    bytes of the constants it declares (bound here, read-only and 64-byte aligned)."""

    def __init__(self, obj: bytes, constants: Mapping[str, bytes | memoryview] = {}):
        self.constants = {name: bound_array(data) for name, data in constants.items()}
        self.engine = llvm_target.load_object(obj, {name: a.ctypes.data for name, a in self.constants.items()})
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
        if spec.symbol in self.constants:
            raw = self.constants[spec.symbol]
        else:
            raw = ctypes.string_at(self.engine.get_global_value_address(spec.symbol), n * dtype.itemsize)
        return np.frombuffer(raw, dtype=dtype).reshape(spec.shape).copy()


class CpuFunction:
    """A compiled function: call it with numpy arrays.

    `f(*arrays)` returns new result arrays; `f(*arrays, out=array_or_tuple)` writes
    them into the caller's arrays and returns those. Arguments in `donated` (from
    `compile(..., donate_argnums=...)`) may be overwritten by the call, and a result
    the plan places in a donated argument is that argument's array."""

    def __init__(self, library: Library, plan: FunctionPlan, donated: tuple[int, ...] = ()):
        self.library, self.plan = library, plan
        self.donated = frozenset(donated)
        kernels = [library.kernel(c.kernel, len(c.buffers)) for c in plan.calls]
        self._calls = [(fn, c, ctypes.cast(fn, ctypes.c_void_p).value) for fn, c in zip(kernels, plan.calls)]
        self._consts = {i: library.global_array(b) for i, b in enumerate(plan.buffers) if b.kind == "const" and i in plan.results}
        self._arenas = Arenas(plan.arena)

    @property
    def name(self) -> str:
        return self.plan.name

    def __repr__(self) -> str:
        return f"<stepwell cpu function {self.plan.signature()}>"

    def __call__(self, *arrays: Any, out: Any = None) -> np.ndarray | tuple[np.ndarray, ...]:
        inputs = self._check(arrays)
        outs = self._check_out(out, inputs) if out is not None else None
        arena = self._arenas.take() if self.plan.arena else _NO_ARENA
        try:
            buffers = self._buffers(inputs, arena, outs)
            for fn, call, address in self._calls:
                _run(fn, call, [buffers[i].ctypes.data for i in call.buffers], address)
                if call.check is not None:
                    _raise_if_failed(call.check, buffers[call.buffers[0]])
            if outs is not None:
                results = self._write_out(buffers, outs)
            else:
                handed: set[int] = set()
                results = [self._result(buffers, i, handed) for i in self.plan.results]
        finally:
            if arena is not _NO_ARENA:
                self._arenas.give(arena)
        return results[0] if len(results) == 1 else tuple(results)

    def _buffers(self, inputs: list[np.ndarray], arena: np.ndarray, outs: list[np.ndarray] | None) -> list[np.ndarray]:
        """Every buffer of one call: arguments, constants, views of the arena or of a
        result's array at their offsets, and new arrays (a result computed straight
        into its out= array)."""
        direct = {}
        if outs is not None:  # a temp result is computed in place, into its first out array
            for k, i in reversed(list(enumerate(self.plan.results))):
                if self.plan.buffers[i].kind == "temp":
                    direct[i] = outs[k]
        buffers: list[np.ndarray] = []
        for i, spec in enumerate(self.plan.buffers):
            if spec.kind == "arg":
                buffers.append(inputs[spec.index])
            elif spec.kind == "const":
                buffers.append(self._consts.get(i))  # type: ignore[arg-type]  # not passed to kernels when absent
            elif spec.kind == "arena":
                raw = arena[spec.offset : spec.offset + spec.nbytes]
                buffers.append(raw.view(spec.np_dtype).reshape(spec.shape))
            elif i in direct:
                buffers.append(direct[i])
            elif spec.kind == "result":
                buffers.append(None)  # type: ignore[arg-type]  # below: its result is not made yet
            else:
                buffers.append(np.empty(spec.shape, spec.np_dtype))
        for i, spec in enumerate(self.plan.buffers):
            if spec.kind == "result":
                raw = buffers[self.plan.results[spec.index]].reshape(-1).view(np.uint8)
                buffers[i] = raw[spec.offset : spec.offset + spec.nbytes].view(spec.np_dtype).reshape(spec.shape)
        return buffers

    def _result(self, buffers: list, i: int, handed: set[int]) -> np.ndarray:
        """A result array of its own: a computed buffer is handed over the first time
        it is returned (`func.return %y, %y` copies the second); an argument (unless
        donated), a constant or a view of the arena is always copied."""
        spec = self.plan.buffers[i]
        mine = spec.kind == "temp" or (spec.kind == "arg" and spec.index in self.donated)
        if not mine or i in handed:
            return buffers[i].copy()
        handed.add(i)
        return buffers[i]

    def _write_out(self, buffers: list, outs: list[np.ndarray]) -> list[np.ndarray]:
        for out, i in zip(outs, self.plan.results):
            if buffers[i] is not out:
                np.copyto(out, buffers[i])
        return outs

    def _check(self, arrays: tuple[Any, ...]) -> list[np.ndarray]:
        check_count(self.plan, arrays)
        out = []
        for i, value in enumerate(arrays):
            array = np.asarray(value)
            check_argument(self.plan, i, array.dtype.name, array.shape)
            out.append(array if array.flags.c_contiguous else array.copy(order="C"))
        for i in self.donated:  # the call writes a donated argument: it must be writable and its own memory
            others = (a for j, a in enumerate(out) if j != i)
            if not out[i].flags.writeable or any(np.shares_memory(out[i], a) for a in others):
                out[i] = out[i].copy()
        return out

    def _check_out(self, out: Any, inputs: list[np.ndarray]) -> list[np.ndarray]:
        """The out= arrays, one per result: each a C-contiguous, writable numpy array
        of the result's exact dtype and shape, sharing no memory with an argument or
        another out array (the kernels would read what they already overwrote)."""
        n = len(self.plan.results)
        outs = list(out) if isinstance(out, (tuple, list)) else [out]
        if len(outs) != n:
            raise ValueError(f"out= of @{self.plan.name}: expected {n} array(s), one per result, got {len(outs)}")
        for k, (array, i) in enumerate(zip(outs, self.plan.results)):
            spec = self.plan.buffers[i]
            what = f"out= result {k} of @{self.plan.name}"
            if not isinstance(array, np.ndarray):
                raise TypeError(f"{what}: expected a numpy array, got {type(array).__name__}")
            if array.dtype != spec.np_dtype:
                raise TypeError(f"{what}: expected dtype {spec.dtype}, got {array.dtype}")
            if array.shape != spec.shape:
                raise ValueError(f"{what}: expected shape {spec.shape}, got {array.shape}")
            if not array.flags.c_contiguous:
                raise ValueError(f"{what}: the array must be C-contiguous")
            if not array.flags.writeable:
                raise ValueError(f"{what}: the array is read-only")
            for j, a in enumerate(inputs):
                if np.shares_memory(array, a):
                    raise ValueError(f"{what}: the array shares memory with argument {j} (results are written while arguments are read)")
            for j in range(k):
                if np.shares_memory(array, outs[j]):
                    raise ValueError(f"{what}: the array shares memory with out= result {j}")
        return outs


ARENAS_KEPT = 4
"""Arenas a function keeps for later calls: a call takes a free one (or makes one)
and gives it back; more than this many at once (concurrent calls) are freed."""


class Arenas:
    """The arenas of one function, reused across its calls: each call takes one of
    its own (concurrent calls from several Python threads get distinct ones) and gives
    it back when done. An arena is `size` bytes, its base 64-byte aligned."""

    def __init__(self, size: int):
        self.size = size
        self.free: list[np.ndarray] = []
        self._lock = threading.Lock()

    def take(self) -> np.ndarray:
        with self._lock:
            if self.free:
                return self.free.pop()
        return aligned_bytes(self.size)

    def give(self, arena: np.ndarray) -> None:
        with self._lock:
            if len(self.free) < ARENAS_KEPT:
                self.free.append(arena)


_NO_ARENA = np.empty(0, np.uint8)


def aligned_bytes(size: int, alignment: int = 64) -> np.ndarray:
    """`size` uninitialized bytes whose first lies at a multiple of `alignment`."""
    raw = np.empty(size + alignment, np.uint8)
    start = -raw.ctypes.data % alignment
    return raw[start : start + size]


def _raise_if_failed(check: tuple[str, int, int], status: np.ndarray) -> None:
    """After a check's call: status = [first bad position or -1, the index there]."""
    if status[0] >= 0:
        op, axis, size = check
        raise index_out_of_range(op, int(status[1]), axis, size)


def _run(fn, call: CallSpec, pointers: list[int], address: int | None = None) -> None:
    """Run one call; `address`: the kernel's machine code, for the native pool."""
    extent = call.extent
    if extent == 0:
        return
    count = call_threads(call, num_threads())
    if count == 1:
        fn(0, extent, *pointers)
    elif address is not None and pool.available():  # no GIL hand-over per chunk group
        pool.parallel_for(address, len(pointers), extent, call.chunks, pointers, count)
    else:
        _POOL.run(fn, pointers, call, count)


def call_threads(call: CallSpec, limit: int) -> int:
    """Threads for a call: at most `limit`, one per chunk, and one per PARALLEL_WORK
    scalar iterations (so a small call runs inline on the calling thread)."""
    return max(1, min(limit, call.chunks, call.extent, call.extent * call.grain // PARALLEL_WORK))


def call_groups(call: CallSpec, threads: int) -> list[tuple[int, int]]:
    """The groups of chunks of a call run on `threads` threads: each worth at least
    PARALLEL_WORK scalar iterations where the call has that much (a group costs a
    foreign call and a hand-over of the GIL)."""
    smallest = -(-call.chunks * PARALLEL_WORK // max(1, call.extent * call.grain))
    return chunk_groups(call.chunks, threads, smallest)


def chunk_groups(chunks: int, threads: int, smallest: int = 1) -> list[tuple[int, int]]:
    """The chunks [0, chunks) as consecutive groups [i, j), handed out in order to
    whichever thread asks next; a group is one foreign call over its chunks' combined
    range. Guided (as OpenMP's): each group takes 1/threads of the chunks still left
    (but at least `smallest`), so the first groups are large (few calls) and the last
    ones small (threads finish together)."""
    groups, i = [], 0
    while i < chunks:
        j = min(chunks, i + max(1, smallest, (chunks - i) // threads))
        groups.append((i, j))
        i = j
    return groups


def chunk_range(extent: int, chunks: int, i: int, j: int) -> tuple[int, int]:
    """The outer points of chunks [i, j): chunk i is [extent*i//chunks, extent*(i+1)//chunks)."""
    return extent * i // chunks, extent * j // chunks


class _Job:
    """One call's groups of chunks: every thread that takes part (the caller and the
    pool's workers that dequeue it) takes the next group until none is left; the
    caller waits until every group has finished (the buffers are its)."""

    def __init__(self, fn, pointers: list[int], extent: int, chunks: int, groups: list[tuple[int, int]]):
        self.fn, self.pointers, self.extent, self.chunks, self.groups = fn, pointers, extent, chunks, groups
        # next() of an itertools.count is atomic under the GIL: the handout needs no lock
        self.take = itertools.count().__next__
        self.finish = itertools.count(1).__next__
        self.done = threading.Lock()
        self.done.acquire()
        self.error: BaseException | None = None

    def work(self) -> None:
        n = len(self.groups)
        while (g := self.take()) < n:
            try:
                self.fn(*chunk_range(self.extent, self.chunks, *self.groups[g]), *self.pointers)
            except BaseException as e:  # re-raised on the calling thread
                self.error = self.error or e
            finally:
                if self.finish() == n:
                    self.done.release()

    def wait(self) -> None:
        """Until every group has finished, even when interrupted (a KeyboardInterrupt is
        raised after): the helpers write into buffers the caller would free."""
        interrupted: BaseException | None = None
        while True:
            try:
                self.done.acquire()
                break
            except BaseException as e:
                interrupted = interrupted or e
        if interrupted is not None:
            raise interrupted
        if self.error is not None:
            raise self.error


class _Pool:
    """Worker threads, started as calls need them (at most one per core but the
    caller's) and kept for the life of the process, shared by every function and every
    Python thread. A call puts its job on the queue once per helper it wants, works on
    it itself, then waits for the groups the helpers took: a helper that arrives after
    the caller took every group finds nothing to do. A forked child starts with no
    workers (threads do not survive fork) and starts its own.

    Overhead, measured on the 2-core dev machine (znver4, Python 3.11) by timing 20000
    `_run` calls of a tiny kernel (exp over 64 f32) forced onto 2 threads, best of 5:
    ~12 us per call with 2 chunks, ~18 us with 64 chunks (7 groups), against ~2 us
    inline; the ThreadPoolExecutor path this replaced took ~34 us (inline ~9 us, most
    of it os.cpu_count())."""

    def __init__(self) -> None:
        self._reset()

    def _reset(self) -> None:
        self._lock = threading.Lock()
        self._queue: queue.SimpleQueue[_Job] = queue.SimpleQueue()
        self._workers = 0

    def run(self, fn, pointers: list[int], call: CallSpec, threads: int) -> None:
        job = _Job(fn, pointers, call.extent, call.chunks, call_groups(call, threads))
        helpers = min(threads, len(job.groups)) - 1
        if self._workers < helpers:
            self._start(helpers)
        for _ in range(helpers):
            self._queue.put(job)
        job.work()
        job.wait()

    def _start(self, workers: int) -> None:
        with self._lock:
            while self._workers < workers:
                threading.Thread(target=self._serve, args=(self._queue,), name=f"stepwell-{self._workers}", daemon=True).start()
                self._workers += 1

    @staticmethod
    def _serve(jobs: queue.SimpleQueue) -> None:
        while True:
            jobs.get().work()


_POOL = _Pool()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_POOL._reset)
