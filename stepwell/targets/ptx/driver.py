"""The CUDA driver API through ctypes on libcuda.so.1 (no dependency): what the PTX
target needs to load a cubin and launch its kernels.

Everything happens in the device's primary context (`cuDevicePrimaryCtxRetain`), the
one the CUDA runtime, and so torch and CuPy, use: their device pointers are valid in
it and the kernels run on their streams. Every function gets its `argtypes` (without
them ctypes cuts 64-bit pointers to 32 bits). A failing call raises DriverError with
the driver's name and text of the error.
"""

from __future__ import annotations

import ctypes
import functools
import threading

CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR = 75
CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR = 76
CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES = 8

_P = ctypes.c_void_p
_SIGNATURES = {
    "cuInit": [ctypes.c_uint],
    "cuDeviceGetCount": [ctypes.POINTER(ctypes.c_int)],
    "cuDeviceGet": [ctypes.POINTER(ctypes.c_int), ctypes.c_int],
    "cuDeviceGetAttribute": [ctypes.POINTER(ctypes.c_int), ctypes.c_int, ctypes.c_int],
    "cuDevicePrimaryCtxRetain": [ctypes.POINTER(_P), ctypes.c_int],
    "cuCtxSetCurrent": [_P],
    "cuCtxGetCurrent": [ctypes.POINTER(_P)],
    "cuModuleLoadData": [ctypes.POINTER(_P), _P],
    "cuModuleGetFunction": [ctypes.POINTER(_P), _P, ctypes.c_char_p],
    "cuFuncSetAttribute": [_P, ctypes.c_int, ctypes.c_int],
    "cuLaunchKernel": [_P, *[ctypes.c_uint] * 7, _P, ctypes.POINTER(_P), ctypes.POINTER(_P)],
    "cuGetErrorName": [ctypes.c_int, ctypes.POINTER(ctypes.c_char_p)],
    "cuGetErrorString": [ctypes.c_int, ctypes.POINTER(ctypes.c_char_p)],
}


class DriverError(RuntimeError):
    """A CUDA driver call failed (or there is no driver)."""


_LIB: list[ctypes.CDLL] = []  # libcuda, once loaded and typed


@functools.cache
def library() -> ctypes.CDLL:
    """libcuda with its functions typed, initialized; DriverError where it cannot be
    loaded or initialized (no GPU, no driver)."""
    try:
        lib = ctypes.CDLL("libcuda.so.1")
    except OSError as e:
        raise DriverError(f"no CUDA driver (libcuda.so.1 cannot be loaded: {e})") from None
    for name, argtypes in _SIGNATURES.items():
        fn = getattr(lib, name)
        fn.argtypes, fn.restype = argtypes, ctypes.c_int
    _LIB.append(lib)
    check(lib.cuInit(0), "cuInit")
    return lib


def check(result: int, call: str) -> None:
    """DriverError naming the call and the driver's error, unless `result` is 0."""
    if result == 0:
        return
    name, text = ctypes.c_char_p(), ctypes.c_char_p()
    if _LIB:
        _LIB[0].cuGetErrorName(result, ctypes.byref(name))
        _LIB[0].cuGetErrorString(result, ctypes.byref(text))
    what = (name.value or b"CUDA error").decode()
    detail = f": {text.value.decode()}" if text.value else ""
    raise DriverError(f"{call} failed with {what} ({result}){detail}")


_CONTEXTS: dict[int, int] = {}
_LOCK = threading.Lock()


def primary_context(device: int) -> int:
    """The primary context of `device` (retained once per process), made current on
    this thread."""
    lib = library()
    with _LOCK:
        if device not in _CONTEXTS:
            dev, ctx = ctypes.c_int(), _P()
            check(lib.cuDeviceGet(ctypes.byref(dev), device), "cuDeviceGet")
            check(lib.cuDevicePrimaryCtxRetain(ctypes.byref(ctx), dev), "cuDevicePrimaryCtxRetain")
            _CONTEXTS[device] = ctx.value or 0
    make_current(device)
    return _CONTEXTS[device]


def make_current(device: int) -> None:
    """Make `device`'s primary context current on this thread, before each launch:
    torch may have made another device's current meanwhile (it is the same context
    torch's runtime uses for `device`, so this changes nothing for torch)."""
    check(library().cuCtxSetCurrent(_CONTEXTS[device]), "cuCtxSetCurrent")


def compute_capability(device: int) -> tuple[int, int]:
    lib = library()
    dev, major, minor = ctypes.c_int(), ctypes.c_int(), ctypes.c_int()
    check(lib.cuDeviceGet(ctypes.byref(dev), device), "cuDeviceGet")
    check(lib.cuDeviceGetAttribute(ctypes.byref(major), CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, dev), "cuDeviceGetAttribute")
    check(lib.cuDeviceGetAttribute(ctypes.byref(minor), CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, dev), "cuDeviceGetAttribute")
    return major.value, minor.value


def load_module(device: int, image: bytes) -> int:
    """A module loaded from a cubin (or PTX text, NUL-terminated, JIT-compiled by the
    driver) in `device`'s primary context."""
    primary_context(device)
    module = _P()
    buffer = ctypes.create_string_buffer(image, len(image) + 1)  # (a trailing NUL for PTX)
    check(library().cuModuleLoadData(ctypes.byref(module), buffer), "cuModuleLoadData")
    return module.value or 0


def get_function(module: int, name: str) -> int:
    fn = _P()
    check(library().cuModuleGetFunction(ctypes.byref(fn), module, name.encode()), f"cuModuleGetFunction({name})")
    return fn.value or 0


def allow_dynamic_shared(function: int, nbytes: int) -> None:
    """Let launches of `function` take `nbytes` of dynamic shared memory (needed above
    48 KiB, up to the architecture's opt-in limit)."""
    check(
        library().cuFuncSetAttribute(function, CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, nbytes),
        "cuFuncSetAttribute(CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES)",
    )


def launch(function: int, grid: tuple[int, int, int], threads: int, shared: int, stream: int, params) -> None:
    """`function` on `grid` CTAs of `threads` threads, with `shared` bytes of dynamic
    shared memory, on `stream`; `params`: a ctypes array of pointers to each argument's
    value."""
    result = library().cuLaunchKernel(function, *grid, threads, 1, 1, shared, stream, params, None)
    if result:
        check(result, "cuLaunchKernel")
