"""LLVM IR text -> optimized module -> machine code (llvmlite only), and the time limit
on it.

    ref = optimize(text)              # O3 with the new pass manager, host CPU
    obj = emit_object(ref)            # ELF bytes: what the compile cache stores
    engine = load_object(obj, {symbol: address})   # MCJIT, undefined symbols bound
    obj = bounded("object", text)     # optimize + emit_object, within the time limit

LLVM's optimizer cannot be interrupted inside a process, and one bad input can keep it
busy for good. So `bounded` runs it in a worker process: a fresh interpreter running
this file (it imports llvmlite and nothing else, so it starts in a tenth of a second),
started with `subprocess` (never a fork of this process, whose threads, such as the CPU
runtime's pool, a fork would leave in an undefined state), kept for the next compile,
and killed when a request takes longer than `STEPWELL_COMPILE_TIMEOUT` seconds
(default 300; 0 = no limit): the call then raises `CompileTimeout` and the next one
starts a new worker. A crash inside LLVM ends the worker, not the caller.
"""

from __future__ import annotations

import functools
import os
import select
import subprocess
import sys
import threading
import time
import warnings

import llvmlite
import llvmlite.binding as llvm_binding

LOCK = threading.RLock()  # LLVM's global state is not for concurrent use

DEFAULT_TIMEOUT_S = 300.0
WHAT = {"object": "LLVM O3 and code generation", "llvm": "LLVM O3", "asm": "LLVM O3 and code generation"}


class CompileTimeout(RuntimeError):
    """LLVM did not finish within STEPWELL_COMPILE_TIMEOUT; the message says which step
    and the limit."""


# --- in this process --------------------------------------------------------------------


@functools.cache
def _initialized() -> bool:
    llvm_binding.initialize_native_target()
    llvm_binding.initialize_native_asmprinter()
    llvm_binding.initialize_native_asmparser()
    return True


@functools.cache
def host() -> tuple[str, str, str]:
    """(triple, cpu name, cpu features) of this machine."""
    _initialized()
    return (
        llvm_binding.get_process_triple(),
        llvm_binding.get_host_cpu_name(),
        llvm_binding.get_host_cpu_features().flatten(),
    )


@functools.cache
def target_machine() -> llvm_binding.TargetMachine:
    """The host's target machine for optimizing and emitting code (never given to an
    execution engine: an engine takes ownership of its target machine)."""
    return _new_target_machine()


def _new_target_machine() -> llvm_binding.TargetMachine:
    triple, cpu, features = host()
    target = llvm_binding.Target.from_triple(triple)
    return target.create_target_machine(cpu=cpu, features=features, opt=3, reloc="pic", codemodel="jitdefault")


def versions() -> str:
    """What the machine code depends on besides the IR (for cache keys)."""
    triple, cpu, features = host()
    return f"llvmlite {llvmlite.__version__}; LLVM {'.'.join(map(str, llvm_binding.llvm_version_info))}; {triple}; {cpu}; {features}"


def optimize(text: str) -> llvm_binding.ModuleRef:
    """Parse, verify and run LLVM's O3 pipeline (loop vectorizer and SLP on) for the host."""
    with LOCK:
        _initialized()
        ref = llvm_binding.parse_assembly(text)
        ref.verify()
        tm = target_machine()
        pto = llvm_binding.create_pipeline_tuning_options(speed_level=3)
        pto.loop_vectorization = True
        pto.slp_vectorization = True
        pto.loop_unrolling = True
        builder = llvm_binding.create_pass_builder(tm, pto)
        builder.getModulePassManager().run(ref, builder)
        return ref


def emit_object(ref: llvm_binding.ModuleRef) -> bytes:
    with LOCK:
        return target_machine().emit_object(ref)


def emit_assembly(ref: llvm_binding.ModuleRef) -> str:
    with LOCK:
        return target_machine().emit_assembly(ref)


def load_object(obj: bytes, symbols: dict[str, int] | None = None) -> llvm_binding.ExecutionEngine:
    """An MCJIT engine holding the machine code of `obj` (keep it alive while calling),
    its undefined `symbols` bound to those addresses. (llvmlite's symbols are one table
    for the process; each is resolved while the lock is held, so a name that another
    program bound earlier to other memory is not seen.)"""
    with LOCK:
        _initialized()
        for name, address in (symbols or {}).items():
            llvm_binding.add_symbol(name, address)
        empty = llvm_binding.parse_assembly("")
        engine = llvm_binding.create_mcjit_compiler(empty, _new_target_machine())
        engine.add_object_file(llvm_binding.ObjectFileRef.from_data(obj))
        engine.finalize_object()
        return engine


def _produce(what: str, text: str) -> bytes:
    ref = optimize(text)
    if what == "object":
        return emit_object(ref)
    return (str(ref) if what == "llvm" else emit_assembly(ref)).encode()


# --- in the worker, within the time limit -------------------------------------------------


def time_limit() -> float | None:
    """STEPWELL_COMPILE_TIMEOUT in seconds (None: no limit); a value that is not a
    number warns once and the default holds."""
    raw = os.environ.get("STEPWELL_COMPILE_TIMEOUT", "").strip()
    if not raw:
        return DEFAULT_TIMEOUT_S
    try:
        seconds = float(raw)
    except ValueError:
        seconds = -1.0
    if not seconds >= 0:  # (NaN too)
        _warn_once(raw)
        return DEFAULT_TIMEOUT_S
    return seconds or None


@functools.cache
def _warn_once(raw: str) -> None:
    warnings.warn(
        f"STEPWELL_COMPILE_TIMEOUT={raw!r} is not a number of seconds (0 = no limit); "
        f"using {DEFAULT_TIMEOUT_S:g}",
        stacklevel=4,
    )


class _Worker:
    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, os.path.abspath(__file__), "--serve"], stdin=subprocess.PIPE, stdout=subprocess.PIPE
        )
        self.received = b""
        self._read(1, None)  # ready: LLVM initialized (the limit does not count the start)

    def request(self, what: str, text: str, deadline: float | None) -> tuple[bool, bytes]:
        data = text.encode()
        assert self.process.stdin is not None
        self.process.stdin.write(what.encode()[:1] + len(data).to_bytes(8, "little") + data)
        self.process.stdin.flush()
        header = self._read(9, deadline)
        return header[:1] == b"+", self._read(int.from_bytes(header[1:], "little"), deadline)

    def _read(self, n: int, deadline: float | None) -> bytes:
        assert self.process.stdout is not None
        fd = self.process.stdout.fileno()
        while len(self.received) < n:
            wait = None if deadline is None else deadline - time.monotonic()
            if wait is not None and (wait <= 0 or not select.select([fd], [], [], wait)[0]):
                raise TimeoutError
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                raise EOFError
            self.received += chunk
        out, self.received = self.received[:n], self.received[n:]
        return out

    def stop(self) -> None:
        self.process.kill()
        self.process.wait()
        for pipe in (self.process.stdin, self.process.stdout):
            if pipe is not None:
                pipe.close()


_worker: _Worker | None = None
_worker_lock = threading.Lock()


def bounded(what: str, text: str) -> bytes:
    """`what` ("object": machine code, "llvm": optimized IR text, "asm": assembly) of
    LLVM IR `text`, made in the worker within the time limit. Raises CompileTimeout
    past it, and RuntimeError with LLVM's message when LLVM rejects the IR or dies."""
    global _worker
    limit = time_limit()
    with _worker_lock:
        try:
            if _worker is None or _worker.process.poll() is not None:
                _worker = _Worker()
        except (EOFError, OSError) as e:
            _worker = None
            raise RuntimeError(f"cannot start LLVM's worker process: {e or 'it exited'}") from None
        worker = _worker
        deadline = None if limit is None else time.monotonic() + limit
        try:
            ok, payload = worker.request(what, text, deadline)
        except TimeoutError:
            _worker = None
            worker.stop()
            raise CompileTimeout(
                f"{WHAT[what]} did not finish within {limit:g} s "
                "(the limit; set STEPWELL_COMPILE_TIMEOUT to a number of seconds to change it, 0 for none)"
            ) from None
        except (EOFError, OSError):
            _worker = None
            worker.stop()
            raise RuntimeError(f"LLVM's worker process died (exit status {worker.process.returncode})") from None
    if not ok:
        raise RuntimeError(payload.decode(errors="replace"))
    return payload


def serve() -> None:
    """The worker: requests on stdin (kind, length, IR text), replies on stdout ('+' or
    '-' with LLVM's message, length, bytes)."""
    replies = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # anything else written to stdout goes to stderr
    requests = sys.stdin.buffer
    _initialized()
    replies.write(b"R")
    replies.flush()
    kinds = {w.encode()[:1]: w for w in WHAT}
    while header := requests.read(9):
        text = requests.read(int.from_bytes(header[1:], "little")).decode()
        try:
            status, payload = b"+", _produce(kinds[header[:1]], text)
        except Exception as e:
            status, payload = b"-", str(e).encode()
        replies.write(status + len(payload).to_bytes(8, "little") + payload)
        replies.flush()


if __name__ == "__main__" and sys.argv[1:] == ["--serve"]:
    serve()
