"""Run a compiled PTX program: its launchers (the Triton target's, triton/emit.py) with
each kernel name bound to a CUDA driver launch of the cubin's function.

`PtxFunction` is what `stepwell.compile(..., target="ptx")` returns, a
`LaunchedFunction` as the Triton target's: numpy arrays in and out (copied to the
GPU and back), CUDA torch tensors in and out without copies, on the current stream
(torch's: `torch.cuda.current_stream()`), intermediates in one arena per call from
torch's caching allocator (torch.cuda.max_memory_allocated sees them), donated
arguments written in place where the memory plan says so. Nothing synchronizes, so a
call can be captured in a CUDA graph.

Running needs a CUDA GPU, the driver (libcuda.so.1) and torch with CUDA; without them
a call raises PtxUnavailable, saying why (compiling works anywhere: `program.ptx`,
`program.cubin`). The cubin is loaded once per device, in its primary context (the one
torch and CuPy use), on the first launch there; where the device is not the cubin's
architecture, or there was no ptxas at compile time, the driver compiles the PTX.
"""

from __future__ import annotations

import ctypes
import importlib.util
import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from stepwell.targets import Unavailable
from stepwell.targets.ptx import driver
from stepwell.targets.ptx.target import STATIC_SHARED
from stepwell.targets.triton.runtime import FunctionInfo, LaunchedFunction, ProgramInfo, bind

CTYPES = {
    "ptr": ctypes.c_void_p, "i1": ctypes.c_int8, "i8": ctypes.c_int8, "i16": ctypes.c_int16,
    "i32": ctypes.c_int32, "i64": ctypes.c_int64, "f16": ctypes.c_uint16, "bf16": ctypes.c_uint16,
    "f32": ctypes.c_float, "f64": ctypes.c_double,
}  # fmt: skip
"""The C type a kernel parameter of each kind is passed as (runtime of target.py's kinds)."""


class PtxUnavailable(Unavailable):
    """The program compiled, but this machine cannot run it (no CUDA GPU, no driver,
    no torch with CUDA)."""


@dataclass
class PtxProgram:
    module: ModuleType | None  # the launchers (None where torch cannot be imported)
    info: ProgramInfo
    kernels: dict[str, dict]  # name -> {"threads": n, "params": [kind, ...], "shared": bytes}
    arch: str
    ptx: str
    cubin: bytes  # b"": assembled by the driver from the PTX when loaded
    device: str = "cuda"
    checked: bool = False  # whether a call found that it can run here
    lock: threading.Lock = field(default_factory=threading.Lock)
    loaded: dict[int, int] = field(default_factory=dict)  # device -> CUmodule
    functions: dict[tuple[int, str], int] = field(default_factory=dict)  # (device, kernel) -> CUfunction

    def function(self, device: int, name: str) -> int:
        """Kernel `name`'s CUfunction on `device` (its module loaded there first; allowed
        its dynamic shared memory where that is more than a launch gets by default)."""
        key = (device, name)
        fn = self.functions.get(key)
        if fn is not None:
            driver.make_current(device)
            return fn
        with self.lock:
            if device not in self.loaded:
                self.loaded[device] = driver.load_module(device, self._image(device))
            driver.make_current(device)
            fn = driver.get_function(self.loaded[device], name)
            if (shared := self.kernels[name].get("shared", 0)) > STATIC_SHARED:
                driver.allow_dynamic_shared(fn, shared)
            self.functions[key] = fn
        return fn

    def _image(self, device: int) -> bytes:
        """The cubin where it is for this device's architecture, else the PTX."""
        major, minor = driver.compute_capability(device)
        if self.cubin and self.arch.removesuffix("a") == f"sm_{major}{minor}":
            return self.cubin
        return self.ptx.encode()


def load_program(cubin: bytes, metadata: dict, constants: Mapping[str, Any] = {}) -> PtxProgram:
    """The program of an artifact: its launchers imported (where torch is) with its
    `constants` bound in them, nothing asked of the GPU (a compile works without one;
    the first call checks)."""
    info = ProgramInfo.from_json(json.dumps({"functions": metadata["program"]["functions"], "kernels": {}}))
    module = None
    if importlib.util.find_spec("torch") is not None:
        module = ModuleType("stepwell_ptx_launchers")
        exec(compile(metadata["host"], "<stepwell ptx launchers>", "exec"), module.__dict__)  # noqa: S102
        if constants:
            bind(module, constants)
    program = PtxProgram(module, info, metadata["kernels"], metadata["arch"], metadata["ptx"], cubin)
    if module is not None:
        for name, kernel in metadata["kernels"].items():
            setattr(module, name, DriverKernel(program, name, kernel["threads"], kernel["params"], kernel.get("shared", 0)))
    return program


def why_unavailable() -> str | None:
    """Why PTX programs cannot run in this process (None: they can, as far as torch
    knows; the driver's own errors come at the first launch)."""
    try:
        import torch
    except ImportError:
        return "torch is not installed (the PTX target allocates and launches through torch with CUDA)"
    if not torch.cuda.is_available():
        return "no CUDA GPU here (torch.cuda.is_available() is False)"
    return None


class DriverKernel:
    """Stands for a kernel in the launchers: `kernel[grid](*args, *outputs, **options)`
    launches the cubin's function on the current device and stream, `threads` threads
    and `shared` bytes of dynamic shared memory per CTA (the options, Triton's
    num_warps, are the PTX's own and ignored)."""

    def __init__(self, program: PtxProgram, name: str, threads: int, params: list[str], shared: int = 0):
        self.program, self.name, self.threads, self.shared = program, name, threads, shared
        self.types = [CTYPES[p] for p in params]
        self.pointers = frozenset(i for i, p in enumerate(params) if p == "ptr")

    def __getitem__(self, grid: tuple):
        return lambda *args, **_: self.launch(grid, args)

    def launch(self, grid: tuple, args: tuple) -> None:
        import torch

        dims = (*grid, 1, 1)[:3]
        if 0 in dims:
            return  # (an empty tensor: nothing to do, and the driver refuses an empty grid)
        if len(args) != len(self.types):
            raise TypeError(f"kernel {self.name} takes {len(self.types)} argument(s), got {len(args)}")
        values = [
            t(a.data_ptr() if i in self.pointers else a) for i, (t, a) in enumerate(zip(self.types, args))
        ]
        params = (ctypes.c_void_p * len(values))(*[ctypes.addressof(v) for v in values])
        device = torch.cuda.current_device()
        fn = self.program.function(device, self.name)
        stream = torch.cuda.current_stream(device).cuda_stream
        driver.launch(fn, dims, self.threads, self.shared, stream, params)


class PtxFunction(LaunchedFunction):
    """What `stepwell.compile(..., target="ptx")` returns (see the module's docstring)."""

    def __init__(self, program: PtxProgram, info: FunctionInfo, donated: tuple[int, ...] = ()):
        self.program, self.info, self.plan = program, info, info.plan
        if program.module is not None:
            super().__init__(program, info, donated)

    def __repr__(self) -> str:
        return f"<stepwell ptx function {self.plan.signature()}>"

    def __call__(self, *arrays: Any) -> Any:
        if not self.program.checked:
            why = why_unavailable()
            if why is not None:
                raise PtxUnavailable(
                    f"target ptx cannot run @{self.plan.name} here: {why} "
                    "(it compiled: the function's .program.ptx and .program.cubin hold its kernels)"
                )
            self.program.checked = True
        return super().__call__(*arrays)
