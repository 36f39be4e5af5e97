"""A native persistent thread pool for the CPU runtime: one foreign call per kernel call.

    pool.parallel_for(kernel_address, n_buffers, extent, chunks, pointers, threads)

runs the compiled kernel `void k(i64 begin, i64 end, ptr b0, ..., ptr b{n-1})` over
chunk i = [extent*i//chunks, extent*(i+1)//chunks) for every i in range(chunks),
each chunk exactly once, on up to `threads` threads including the calling one, and
returns when every chunk is done. The whole parallel region is one ctypes call, so
the GIL is released once, not once per worker (with Python threads handing slices to
a ThreadPoolExecutor, an `add` of two 512x1024 f32 arrays took 0.20 ms on 1 thread and
0.50 ms on 16, on a 16-core Xeon).

How it works (the LLVM IR below is the code; it is commented):
- The pool is LLVM IR compiled once per process with MCJIT for the host (no C
  compiler at run time). It calls only libc: pthread_create, pthread_sigmask,
  sigfillset, clock_gettime, sched_yield and `syscall` (the futex system call),
  resolved by the JIT in this process. Linux on x86-64 and aarch64 only (the futex call number and
  the spin-wait instruction are per architecture); elsewhere, or when a symbol is
  missing, `available()` is False, `unavailable_reason()` says why, and
  `parallel_for` raises PoolUnavailable: the runtime keeps its pure-Python path.
- Workers (pthreads, all signals blocked) are started lazily, as calls ask for more
  threads, up to os.cpu_count() - 1, and kept for the life of the process, shared by
  every compiled function. They never exit: at process exit they are blocked in the
  kernel and simply go away (the code they run is never freed).
- A job is published in one 64-bit word `job` = generation << 32 | next chunk. A
  thread takes chunks with a compare-and-swap that succeeds only while the
  generation is the one it read the job's fields for (so a late worker can never
  take a chunk of the next job with the previous job's kernel). A claim takes 1/threads
  of the chunks left (at least one: "guided" handout) and runs them as one call over
  their joint range; the chunk boundaries are kept.
- The calling thread works too, then waits for the last chunk. Every wait spins for
  SPIN_NS (every 64 spins it checks the clock and yields the core to any thread
  waiting for it), then sleeps on a futex: a worker on its
  own futex word (the caller wakes only the workers it needs, and only if asleep), the
  caller on the count of finished chunks. An idle process burns no CPU.
- One job at a time: a second Python thread calling while the pool is busy runs its
  whole range on its own thread (a try-lock; nothing shared is touched).
- Any number of buffers: the pool calls `t_N(fn, begin, end, argv)`, a trampoline per
  arity N, compiled lazily and cached, that calls fn with argv[0..N-1] as arguments.
- After os.fork() the child has none of the parent's threads: the next call resets the
  pool's state and starts new workers.

Overhead per call, measured with `python bench/pool_overhead.py` (an empty kernel,
extent = chunks = 64, 20000 calls back to back; median / mean per call, in us) on the
2-core development VM while other jobs kept both cores busy (load average ~5, so the
means include many preemptions; the medians are the cost itself):

    threads   native pool        runtime/cpu.py _run (ThreadPoolExecutor)
    1         1.42 / 3.2-4.1     8.1 / 17-25
    2         1.50 / 3.0-6.9     31.5 / 48-102

(1 thread: one foreign call, the job is not published; 2 threads: published, the
caller takes the chunks, waits for any a worker took. `--work N` gives the kernel
work per point; on 16-64 cores run the script as it is, it goes up to every core.)
"""

from __future__ import annotations

import ctypes
import os
import platform
import sys
import threading
from typing import Sequence

SPIN_NS = 100_000  # how long a waiting thread spins before it sleeps
MAX_WORKERS = 1023  # slots in the pool's state (workers beside the calling thread)

_FUTEX = {"x86_64": 202, "aarch64": 98}  # the futex system call's number
_RELAX = {"x86_64": "pause", "aarch64": "yield"}  # the spin-wait hint
_LIBC = ("pthread_create", "pthread_sigmask", "sigfillset", "clock_gettime", "sched_yield", "syscall")


class PoolUnavailable(RuntimeError):
    """The native pool cannot run on this platform; the message says why."""


# --- the pool, in LLVM IR -----------------------------------------------------------------

_POOL_IR = r"""
; A worker's slot: `seq`, the futex word it sleeps on (the caller adds 1 to wake it),
; `sleeping`, 1 while it is (about to be) asleep, and `seen`, the generation of the
; job when it was started (it takes part in the jobs after). One cache line each.
%slot = type {{ i32, i32, i64, [48 x i8] }}

; The current job: generation << 32 | the next chunk to hand out. The generation is
; even while a job is open, odd while the caller writes the next job's fields.
@job = internal global i64 0, align 64
@done = internal global i32 0, align 64      ; chunks of the current job finished (the caller sleeps on it)
@waiting = internal global i32 0, align 64   ; 1 while the caller sleeps on @done
@busy = internal global i32 0, align 64      ; the try-lock: 1 while a caller runs a job
@workers = internal global i64 0, align 64   ; workers started
@slots = internal global [{max_workers} x %slot] zeroinitializer, align 64

; The job's fields, written by the caller between the odd and the even generation.
@f_tramp = internal global ptr null, align 64
@f_fn = internal global ptr null, align 8
@f_argv = internal global ptr null, align 8
@f_extent = internal global i64 0, align 8
@f_chunks = internal global i64 0, align 8
@f_threads = internal global i64 0, align 8  ; threads taking part, the caller's included

declare i32 @pthread_create(ptr, ptr, ptr, ptr)
declare i32 @pthread_sigmask(i32, ptr, ptr)
declare i32 @sigfillset(ptr)
declare i32 @clock_gettime(i32, ptr)
declare i64 @syscall(i64, ...)
declare i32 @sched_yield()

; --- small helpers ---

define private void @relax() alwaysinline {{
  call void asm sideeffect "{relax}", "~{{memory}}"()
  ret void
}}

; Nanoseconds on the monotonic clock (CLOCK_MONOTONIC = 1; struct timespec = two i64).
define private i64 @now() {{
  %ts = alloca {{ i64, i64 }}, align 8
  call i32 @clock_gettime(i32 1, ptr %ts)
  %sp = getelementptr {{ i64, i64 }}, ptr %ts, i32 0, i32 0
  %s = load i64, ptr %sp
  %nsp = getelementptr {{ i64, i64 }}, ptr %ts, i32 0, i32 1
  %ns = load i64, ptr %nsp
  %t = mul i64 %s, 1000000000
  %r = add i64 %t, %ns
  ret i64 %r
}}

; True every 64 spins once SPIN_NS have passed since `start`. Every 64 spins, also
; give the core to another thread that is ready to run there (one holding a chunk we
; wait for, on a machine with more threads than cores).
define private i1 @spun_out(i64 %k, i64 %start) {{
entry:
  %m = and i64 %k, 63
  %check = icmp eq i64 %m, 63
  br i1 %check, label %clock, label %no
clock:
  call i32 @sched_yield()
  %t = call i64 @now()
  %spent = sub i64 %t, %start
  %out = icmp sgt i64 %spent, {spin_ns}
  ret i1 %out
no:
  ret i1 false
}}

; futex(word, FUTEX_WAIT_PRIVATE, expected): sleep while *word == expected (or return
; at once if it differs: no wake-up is lost).
define private void @futex_wait(ptr %word, i32 %expected) {{
  %e = zext i32 %expected to i64
  call i64 (i64, ...) @syscall(i64 {futex}, ptr %word, i64 128, i64 %e, ptr null)
  ret void
}}

; futex(word, FUTEX_WAKE_PRIVATE, n): wake up to n threads asleep on word.
define private void @futex_wake(ptr %word, i64 %n) {{
  call i64 (i64, ...) @syscall(i64 {futex}, ptr %word, i64 129, i64 %n)
  ret void
}}

; --- handing out chunks ---

; The next chunks [first, end) of job `gen`, or first = -1 when it has none left or is
; no longer the current job. A claim takes 1/threads of the chunks left, at least one.
; (The caller read the job's fields before: the fence makes the compare-and-swap fail
; if any of them was already the next job's, as in a seqlock.)
define private {{ i64, i64 }} @claim(i64 %gen, i64 %chunks, i64 %threads) {{
entry:
  fence acquire
  %w0 = load atomic i64, ptr @job monotonic, align 8
  br label %loop
loop:
  %w = phi i64 [ %w0, %entry ], [ %seen, %retry ]
  %g = lshr i64 %w, 32
  %current = icmp eq i64 %g, %gen
  br i1 %current, label %check, label %none
check:
  %first = and i64 %w, 4294967295
  %left = sub i64 %chunks, %first
  %some = icmp sgt i64 %left, 0
  br i1 %some, label %take, label %none
take:
  %share = udiv i64 %left, %threads
  %empty = icmp eq i64 %share, 0
  %n = select i1 %empty, i64 1, i64 %share
  %next = add i64 %w, %n
  %r = cmpxchg ptr @job, i64 %w, i64 %next acq_rel monotonic
  %ok = extractvalue {{ i64, i1 }} %r, 1
  br i1 %ok, label %got, label %retry
retry:
  %seen = extractvalue {{ i64, i1 }} %r, 0
  br label %loop
got:
  %end = add i64 %first, %n
  %a = insertvalue {{ i64, i64 }} undef, i64 %first, 0
  %b = insertvalue {{ i64, i64 }} %a, i64 %end, 1
  ret {{ i64, i64 }} %b
none:
  ret {{ i64, i64 }} {{ i64 -1, i64 -1 }}
}}

; Run chunks of job `gen` until none is left; the thread that finishes the last chunk
; wakes the caller if it sleeps.
define private void @work(i64 %gen) {{
entry:
  %tramp = load atomic ptr, ptr @f_tramp monotonic, align 8
  %fn = load atomic ptr, ptr @f_fn monotonic, align 8
  %argv = load atomic ptr, ptr @f_argv monotonic, align 8
  %extent = load atomic i64, ptr @f_extent monotonic, align 8
  %chunks = load atomic i64, ptr @f_chunks monotonic, align 8
  %threads = load atomic i64, ptr @f_threads monotonic, align 8
  %chunks32 = trunc i64 %chunks to i32
  br label %next
next:
  %c = call {{ i64, i64 }} @claim(i64 %gen, i64 %chunks, i64 %threads)
  %first = extractvalue {{ i64, i64 }} %c, 0
  %none = icmp slt i64 %first, 0
  br i1 %none, label %out, label %run
run:
  %end = extractvalue {{ i64, i64 }} %c, 1
  %b0 = mul i64 %extent, %first
  %begin_point = udiv i64 %b0, %chunks
  %e0 = mul i64 %extent, %end
  %end_point = udiv i64 %e0, %chunks
  call void %tramp(ptr %fn, i64 %begin_point, i64 %end_point, ptr %argv)
  %n64 = sub i64 %end, %first
  %n = trunc i64 %n64 to i32
  %before = atomicrmw add ptr @done, i32 %n seq_cst
  %after = add i32 %before, %n
  %last = icmp eq i32 %after, %chunks32
  br i1 %last, label %finish, label %next
finish:
  %asleep = load atomic i32, ptr @waiting seq_cst, align 4
  %wake = icmp ne i32 %asleep, 0
  br i1 %wake, label %wake_caller, label %out
wake_caller:
  call void @futex_wake(ptr @done, i64 1)
  br label %out
out:
  ret void
}}

; --- workers ---

; The generation of the next open job after `mine`: spin, then sleep on the slot.
define private i64 @next_job(i64 %mine, ptr %seq, ptr %sleeping) {{
entry:
  %start = call i64 @now()
  br label %spin
spin:
  %k = phi i64 [ 0, %entry ], [ %k1, %relax ], [ 0, %woken ]
  %w = load atomic i64, ptr @job acquire, align 8
  %g = lshr i64 %w, 32
  %new = icmp ne i64 %g, %mine
  %parity = and i64 %g, 1
  %open = icmp eq i64 %parity, 0
  %ready = and i1 %new, %open
  br i1 %ready, label %found, label %relax
relax:
  call void @relax()
  %k1 = add i64 %k, 1
  %tired = call i1 @spun_out(i64 %k, i64 %start)
  br i1 %tired, label %sleep, label %spin
sleep:
  ; announce the sleep, then look once more (the caller publishes, then reads
  ; `sleeping`: one of the two sees the other), then sleep unless `seq` moved
  %s = load atomic i32, ptr %seq monotonic, align 4
  store atomic i32 1, ptr %sleeping seq_cst, align 4
  %w2 = load atomic i64, ptr @job seq_cst, align 8
  %g2 = lshr i64 %w2, 32
  %new2 = icmp ne i64 %g2, %mine
  %parity2 = and i64 %g2, 1
  %open2 = icmp eq i64 %parity2, 0
  %ready2 = and i1 %new2, %open2
  br i1 %ready2, label %awake, label %wait
wait:
  call void @futex_wait(ptr %seq, i32 %s)
  br label %woken
woken:
  store atomic i32 0, ptr %sleeping monotonic, align 4
  br label %spin
awake:
  store atomic i32 0, ptr %sleeping monotonic, align 4
  br label %found
found:
  %gen = phi i64 [ %g, %spin ], [ %g2, %awake ]
  ret i64 %gen
}}

; A worker thread (its slot index as the argument): take part in every job that
; wants it (index + 1 < threads), forever. Signals go to the process's other threads.
define private ptr @worker(ptr %arg) {{
entry:
  %index = ptrtoint ptr %arg to i64
  %set = alloca [256 x i8], align 16
  call i32 @sigfillset(ptr %set)
  call i32 @pthread_sigmask(i32 0, ptr %set, ptr null)  ; SIG_BLOCK
  %seq = getelementptr [{max_workers} x %slot], ptr @slots, i64 0, i64 %index, i32 0
  %sleeping = getelementptr [{max_workers} x %slot], ptr @slots, i64 0, i64 %index, i32 1
  %seen = getelementptr [{max_workers} x %slot], ptr @slots, i64 0, i64 %index, i32 2
  %g0 = load i64, ptr %seen, align 8
  %rank = add i64 %index, 1
  br label %loop
loop:
  %mine = phi i64 [ %g0, %entry ], [ %gen, %loop ], [ %gen, %take_part ]
  %gen = call i64 @next_job(i64 %mine, ptr %seq, ptr %sleeping)
  %threads = load atomic i64, ptr @f_threads monotonic, align 8
  %wanted = icmp ult i64 %rank, %threads
  br i1 %wanted, label %take_part, label %loop
take_part:
  call void @work(i64 %gen)
  br label %loop
}}

; Start worker `index` (0-based, below the slots): 0 or pthread_create's error.
define i32 @sw_pool_start(i64 %index) {{
entry:
  %seq = getelementptr [{max_workers} x %slot], ptr @slots, i64 0, i64 %index, i32 0
  %sleeping = getelementptr [{max_workers} x %slot], ptr @slots, i64 0, i64 %index, i32 1
  store atomic i32 0, ptr %seq monotonic, align 4
  store atomic i32 0, ptr %sleeping monotonic, align 4
  ; the job of now, if any, is not for it (read here: the thread may start after the next)
  %seen = getelementptr [{max_workers} x %slot], ptr @slots, i64 0, i64 %index, i32 2
  %w = load atomic i64, ptr @job acquire, align 8
  %g = lshr i64 %w, 32
  store i64 %g, ptr %seen, align 8
  %thread = alloca [64 x i8], align 16  ; pthread_t (8 bytes on glibc), unused
  %arg = inttoptr i64 %index to ptr
  %r = call i32 @pthread_create(ptr %thread, ptr null, ptr @worker, ptr %arg)
  %ok = icmp eq i32 %r, 0
  br i1 %ok, label %count, label %out
count:
  atomicrmw add ptr @workers, i64 1 seq_cst
  br label %out
out:
  ret i32 %r
}}

; In a forked child (one thread, no workers): forget the parent's workers and job.
define void @sw_pool_reset() {{
  store atomic i64 0, ptr @workers seq_cst, align 8
  store atomic i64 0, ptr @job seq_cst, align 8
  store atomic i32 0, ptr @done seq_cst, align 4
  store atomic i32 0, ptr @waiting seq_cst, align 4
  store atomic i32 0, ptr @busy seq_cst, align 4
  ret void
}}

; --- the caller ---

; Wait until all `chunks` of the current job are done: spin, then sleep on @done.
define private void @await_done(i32 %chunks) {{
entry:
  %start = call i64 @now()
  br label %spin
spin:
  %k = phi i64 [ 0, %entry ], [ %k1, %relax ]
  %d = load atomic i32, ptr @done acquire, align 4
  %all = icmp eq i32 %d, %chunks
  br i1 %all, label %out, label %relax
relax:
  call void @relax()
  %k1 = add i64 %k, 1
  %tired = call i1 @spun_out(i64 %k, i64 %start)
  br i1 %tired, label %sleep, label %spin
sleep:
  store atomic i32 1, ptr @waiting seq_cst, align 4
  br label %check
check:
  %d2 = load atomic i32, ptr @done seq_cst, align 4
  %all2 = icmp eq i32 %d2, %chunks
  br i1 %all2, label %awake, label %wait
wait:
  call void @futex_wait(ptr @done, i32 %d2)
  br label %check
awake:
  store atomic i32 0, ptr @waiting monotonic, align 4
  br label %out
out:
  ret void
}}

; Run `fn` over `chunks` chunks of [0, extent) through trampoline `tramp` on up to
; `threads` threads (this one included); return when all are done.
define void @sw_parallel_for(ptr %tramp, ptr %fn, ptr %argv, i64 %extent, i64 %chunks, i64 %threads) {{
entry:
  %workers = load atomic i64, ptr @workers monotonic, align 8
  %most = add i64 %workers, 1
  %fewer = icmp ult i64 %threads, %most
  %t0 = select i1 %fewer, i64 %threads, i64 %most
  %few_chunks = icmp ult i64 %chunks, %t0
  %t = select i1 %few_chunks, i64 %chunks, i64 %t0
  %alone = icmp ule i64 %t, 1
  br i1 %alone, label %inline, label %lock
lock:
  %l = cmpxchg ptr @busy, i32 0, i32 1 acquire monotonic
  %mine = extractvalue {{ i32, i1 }} %l, 1
  br i1 %mine, label %publish, label %inline
inline:
  ; one thread, or the pool runs another caller's job: the whole range here, in one call
  call void %tramp(ptr %fn, i64 0, i64 %extent, ptr %argv)
  ret void
publish:
  ; close the current generation (odd), write the fields, open the next (even)
  %w = load atomic i64, ptr @job monotonic, align 8
  %g = lshr i64 %w, 32
  %closed = add i64 %g, 1
  %closed_word = shl i64 %closed, 32
  store atomic i64 %closed_word, ptr @job monotonic, align 8
  fence release
  store atomic ptr %tramp, ptr @f_tramp monotonic, align 8
  store atomic ptr %fn, ptr @f_fn monotonic, align 8
  store atomic ptr %argv, ptr @f_argv monotonic, align 8
  store atomic i64 %extent, ptr @f_extent monotonic, align 8
  store atomic i64 %chunks, ptr @f_chunks monotonic, align 8
  store atomic i64 %t, ptr @f_threads monotonic, align 8
  store atomic i32 0, ptr @done monotonic, align 4
  %g2 = add i64 %g, 2
  %gen = and i64 %g2, 4294967295
  %open_word = shl i64 %gen, 32
  store atomic i64 %open_word, ptr @job seq_cst, align 8
  ; wake the helpers this job wants (workers 0 .. t-2) that sleep
  %helpers = sub i64 %t, 1
  br label %wake_loop
wake_loop:
  %i = phi i64 [ 0, %publish ], [ %i1, %wake_next ]
  %more = icmp ult i64 %i, %helpers
  br i1 %more, label %wake_check, label %work
wake_check:
  %seq = getelementptr [{max_workers} x %slot], ptr @slots, i64 0, i64 %i, i32 0
  %sleeping = getelementptr [{max_workers} x %slot], ptr @slots, i64 0, i64 %i, i32 1
  %asleep = load atomic i32, ptr %sleeping seq_cst, align 4
  %is_asleep = icmp ne i32 %asleep, 0
  br i1 %is_asleep, label %wake, label %wake_next
wake:
  atomicrmw add ptr %seq, i32 1 seq_cst
  call void @futex_wake(ptr %seq, i64 1)
  br label %wake_next
wake_next:
  %i1 = add i64 %i, 1
  br label %wake_loop
work:
  call void @work(i64 %gen)
  %chunks32 = trunc i64 %chunks to i32
  call void @await_done(i32 %chunks32)
  store atomic i32 0, ptr @busy release, align 4
  ret void
}}
"""


def _trampoline_ir(n: int) -> str:
    """`t_N(fn, begin, end, argv)`: fn(begin, end, argv[0], ..., argv[N-1])."""
    loads = "".join(
        f"  %p{i} = getelementptr ptr, ptr %argv, i64 {i}\n  %a{i} = load ptr, ptr %p{i}, align 8\n" for i in range(n)
    )
    args = "".join(f", ptr %a{i}" for i in range(n))
    return (
        f"define void @t_{n}(ptr %fn, i64 %begin, i64 %end, ptr %argv) {{\n{loads}"
        f"  call void %fn(i64 %begin, i64 %end{args})\n  ret void\n}}\n"
    )


# --- Python side ----------------------------------------------------------------------------

_RUN = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int64, ctypes.c_int64, ctypes.c_int64)
_START = ctypes.CFUNCTYPE(ctypes.c_int32, ctypes.c_int64)
_RESET = ctypes.CFUNCTYPE(None)


def _compile(text: str, *names: str) -> list[int]:
    """Addresses of functions `names` of LLVM IR `text`, compiled for this machine. The
    engine is never freed: workers may run its code until the process ends."""
    from stepwell.targets import llvm_machine as machine

    triple = machine.host()[0]
    layout = str(machine.target_machine().target_data)
    ref = machine.optimize(f'target triple = "{triple}"\ntarget datalayout = "{layout}"\n{text}')
    engine = machine.load_object(machine.emit_object(ref))
    ctypes.pythonapi.Py_IncRef(ctypes.py_object(engine))  # never freed, not even at exit
    addresses = [engine.get_function_address(name) for name in names]
    if not all(addresses):
        raise RuntimeError(f"the pool's code lacks {names}")
    return addresses


def _arch() -> str:
    arch = platform.machine().lower()
    return {"amd64": "x86_64", "arm64": "aarch64"}.get(arch, arch)


def _why_not() -> str | None:
    """Why the native pool cannot run here, or None."""
    if not sys.platform.startswith("linux") or _arch() not in _FUTEX:
        return f"the native pool supports Linux on x86-64 and aarch64, not {sys.platform} on {platform.machine()}"
    process = ctypes.CDLL(None)
    missing = [name for name in _LIBC if not hasattr(process, name)]
    if missing:
        return f"the native pool needs {', '.join(missing)} from the C library, which this process lacks"
    return None


class _Native:
    """The compiled pool of this process."""

    def __init__(self) -> None:
        arch = _arch()
        text = _POOL_IR.format(max_workers=MAX_WORKERS, relax=_RELAX[arch], futex=_FUTEX[arch], spin_ns=SPIN_NS)
        run, start, reset = _compile(text, "sw_parallel_for", "sw_pool_start", "sw_pool_reset")
        self.run, self.start, self.reset = _RUN(run), _START(start), _RESET(reset)
        self.trampolines: dict[int, int] = {}
        self.workers = 0
        self.most_workers = min(MAX_WORKERS, (os.cpu_count() or 1) - 1)
        self.lock = threading.Lock()
        self.pid = _pid

    def trampoline(self, n: int) -> int:
        address = self.trampolines.get(n)
        if address is None:
            with self.lock:
                if n not in self.trampolines:
                    self.trampolines[n] = _compile(_trampoline_ir(n), f"t_{n}")[0]
                address = self.trampolines[n]
        return address

    def grow(self, helpers: int) -> None:
        """Start workers until there are `helpers` of them (as many as the system lets)."""
        with self.lock:
            while self.workers < min(helpers, self.most_workers):
                if self.start(self.workers) != 0:
                    self.most_workers = self.workers  # the system refuses more threads
                    break
                self.workers += 1

    def after_fork(self) -> None:
        self.reset()
        self.workers = 0
        self.lock = threading.Lock()
        self.pid = _pid


_native: _Native | None = None
_reason: str | None = None
_setup = threading.Lock()
_pid = os.getpid()  # this process (a forked child updates it: see _forked)


def _forked() -> None:
    global _pid
    _pid = os.getpid()


os.register_at_fork(after_in_child=_forked)


def _pool() -> _Native:
    """The pool, built on first use; in a forked child, reset first."""
    global _native, _reason
    if _native is None:
        with _setup:
            if _native is None and _reason is None:
                _reason = _why_not()
                if _reason is None:
                    try:
                        _native = _Native()
                    except Exception as e:  # LLVM could not build or resolve it
                        _reason = f"the native pool could not be built: {e}"
        if _native is None:
            raise PoolUnavailable(_reason)
    if _native.pid != _pid:
        _native.after_fork()
    return _native


def available() -> bool:
    """Whether the native pool runs here (it is built on the first call)."""
    try:
        _pool()
    except PoolUnavailable:
        return False
    return True


def unavailable_reason() -> str | None:
    """Why `available()` is False, or None."""
    return None if available() else _reason


def workers() -> int:
    """Workers started so far in this process."""
    return 0 if _native is None or _native.pid != _pid else _native.workers


def parallel_for(kernel_address: int, n_buffers: int, extent: int, chunks: int, pointers: Sequence[int], threads: int) -> None:
    """Run kernel `k(begin, end, b0, ..., b{n_buffers-1})` at `kernel_address` over the
    `chunks` chunks of [0, extent) on up to `threads` threads (this one included),
    with pointers as b0, b1, ...; return when every chunk is done. Raises
    PoolUnavailable where the native pool cannot run (see `available()`)."""
    if len(pointers) != n_buffers:
        raise ValueError(f"parallel_for: {n_buffers} buffers declared, {len(pointers)} pointers given")
    if extent <= 0:
        return
    if not 0 < chunks < 1 << 31 or extent * chunks >= 1 << 63:
        raise ValueError(f"parallel_for: cannot cut extent {extent} into {chunks} chunks")
    pool = _native if _native is not None and _native.pid == _pid else _pool()
    if threads > pool.workers + 1 and chunks > pool.workers + 1:
        pool.grow(min(threads, chunks) - 1)
    tramp = pool.trampolines.get(n_buffers) or pool.trampoline(n_buffers)
    pool.run(tramp, kernel_address, (ctypes.c_void_p * n_buffers)(*pointers) if n_buffers else None, extent, chunks, threads)
