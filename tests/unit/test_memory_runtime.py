"""The CPU runtime's memory (issue 8, points 2-3): intermediates in one arena per call
at the plan's offsets, arenas reused across calls and distinct across concurrent
calls, results that never alias each other, an argument or the arena, `out=` arrays,
donated arguments; and the issue's done-when test: a chain's peak memory does not
grow with its depth.

Until `loops-plan-memory` plans them, most of these tests give a compiled function a
plan by hand (`arena_plan`: its intermediates moved into an arena, by liveness or at
distinct offsets), which is what the runtime follows whoever writes it."""

from __future__ import annotations

import dataclasses
import json
import threading
import tracemalloc

import numpy as np
import pytest
from xdsl.dialects.builtin import ArrayAttr, DictionaryAttr, IntegerAttr, ModuleOp, StringAttr, TensorType, f32, i64

from stepwell import registry
from stepwell.compiler import DONATE_ATTR, STATS, BadDonation, _donate, compile
from stepwell.ir.parse import parse_module
from stepwell.lowering.loops_to_llvm import PLAN_ATTR
from stepwell.lowering.loops_to_llvm.builder import dense_i64
from stepwell.runtime import cpu
from stepwell.runtime.cache import CACHE
from stepwell.runtime.plan import FunctionPlan, from_json, plans_from_module, to_json

T = "tensor<64x64xf32>"
TWO = f"""
func.func @f(%x: {T}, %y: {T}) -> ({T}, {T}) {{
  %a = tensor_graph.exp %x : {T}
  %b = tensor_graph.matmul %a, %y : {T}, {T} -> {T}
  %c = tensor_graph.tanh %b : {T}
  %d = tensor_graph.matmul %c, %a : {T}, {T} -> {T}
  %e = tensor_graph.add %d, %x : {T}, {T} -> {T}
  func.return %e, %b : {T}, {T}
}}
"""


def two_expected(x, y):
    a = np.exp(x)
    b = a @ y
    return np.tanh(b) @ a + x, b


def chain(n: int, size: int = 256) -> str:
    """n layers of matmul + tanh on size x size f32, one weight for all."""
    t = f"tensor<{size}x{size}xf32>"
    lines, x = [], "%x"
    for i in range(n):
        lines += [f"%m{i} = tensor_graph.matmul {x}, %w : {t}, {t} -> {t}", f"%h{i} = tensor_graph.tanh %m{i} : {t}"]
        x = f"%h{i}"
    body = "\n  ".join(lines)
    return f"func.func @chain(%x: {t}, %w: {t}) -> {t} {{\n  {body}\n  func.return {x} : {t}\n}}\n"


def arena_plan(plan: FunctionPlan, reuse: bool = True) -> FunctionPlan:
    """`plan` with every intermediate ("temp" not returned) moved into an arena:
    first-fit by live range (the calls from its first writer to its last reader) when
    `reuse`, else each at an offset of its own. A stand-in for loops-plan-memory, used
    only when the pipeline has not planned the function already."""
    if plan.arena:
        return plan
    first: dict[int, int] = {}
    last: dict[int, int] = {}
    for k, call in enumerate(plan.calls):
        for i in call.buffers:
            first.setdefault(i, k)
            last[i] = k
    buffers = list(plan.buffers)
    placed: list[tuple[int, int, int, int]] = []  # offset, size, first, last
    end = 0
    for i in sorted(first, key=first.__getitem__):
        spec = buffers[i]
        if spec.kind != "temp" or i in plan.results:
            continue
        size = max(64, -(-spec.nbytes // 64) * 64)
        offset = 0
        if reuse:
            live = sorted((o, s) for o, s, a, b in placed if a <= last[i] and first[i] <= b)
            for o, s in live:
                if offset + size <= o:
                    break
                offset = max(offset, o + s)
        else:
            offset = end
        placed.append((offset, size, first[i], last[i]))
        end = max(end, offset + size)
        buffers[i] = dataclasses.replace(spec, kind="arena", offset=offset)
    return dataclasses.replace(plan, buffers=tuple(buffers), arena=end)


def with_plan(f: cpu.CpuFunction, plan: FunctionPlan, donated=()) -> cpu.CpuFunction:
    return cpu.CpuFunction(f.library, plan, donated)


@pytest.fixture(scope="module")
def two():
    f = compile(TWO)
    return with_plan(f, arena_plan(f.plan, reuse=False))


def inputs(seed=0, shape=(64, 64)):
    rng = np.random.default_rng(seed)
    return [(rng.standard_normal(shape, dtype=np.float32) / 8) for _ in range(2)]


def check_two(results, x, y):
    for got, want in zip(results, two_expected(x, y)):
        np.testing.assert_allclose(got, want, rtol=2e-5, atol=2e-5)


def test_the_plan_reads_arena_and_offsets_when_present_and_defaults_without():
    t = TensorType(f32, [2])
    buffer = lambda kind, **more: DictionaryAttr({"kind": StringAttr(kind), "type": t, **more})  # noqa: E731
    entry = {
        "name": StringAttr("f"),
        "args": ArrayAttr([t]),
        "results": dense_i64([2]),
        "buffers": ArrayAttr([buffer("arg", index=IntegerAttr(0, i64)), buffer("arena", offset=IntegerAttr(128, i64)), buffer("temp")]),
        "calls": ArrayAttr([]),
    }
    planned = ModuleOp([])
    planned.attributes[PLAN_ATTR] = ArrayAttr([DictionaryAttr({**entry, "arena": IntegerAttr(192, i64)})])
    (plan,) = plans_from_module(planned)
    assert plan.arena == 192 and plan.buffers[1].kind == "arena" and plan.buffers[1].offset == 128
    assert plan.buffers[2].offset == 0 and plan.buffers[1].nbytes == 8
    assert from_json(to_json([plan])) == [plan]
    unplanned = ModuleOp([])
    unplanned.attributes[PLAN_ATTR] = ArrayAttr([DictionaryAttr(entry)])
    assert plans_from_module(unplanned)[0].arena == 0
    # a cache entry written before arenas existed has neither key
    old = json.loads(to_json([plan]))
    del old[0]["arena"]
    for b in old[0]["buffers"]:
        del b["offset"]
    (read,) = from_json(json.dumps(old))
    assert read.arena == 0 and read.buffers[1].offset == 0


def test_intermediates_live_in_the_arena_at_their_offsets(two, monkeypatch):
    plan = two.plan
    assert plan.arena > 0 and any(b.kind == "arena" for b in plan.buffers)
    seen = []
    real = cpu._run
    monkeypatch.setattr(cpu, "_run", lambda fn, call, pointers, address=None: (seen.append(pointers), real(fn, call, pointers, address)))
    x, y = inputs()
    check_two(two(x, y), x, y)
    (arena,) = two._arenas.free
    assert arena.ctypes.data % 64 == 0 and arena.nbytes == plan.arena
    for pointers, call in zip(seen, plan.calls):
        for p, i in zip(pointers, call.buffers):
            if plan.buffers[i].kind == "arena":
                assert p == arena.ctypes.data + plan.buffers[i].offset


def test_the_arena_is_reused_across_calls(two, monkeypatch):
    made = []
    real = cpu.aligned_bytes
    monkeypatch.setattr(cpu, "aligned_bytes", lambda size, alignment=64: made.append(real(size, alignment)) or made[-1])
    f = with_plan(two, two.plan)
    x, y = inputs()
    f(x, y)
    (arena,) = f._arenas.free
    for seed in range(4):
        x, y = inputs(seed)
        check_two(f(x, y), x, y)
        assert f._arenas.free == [arena] and f._arenas.free[0] is arena
    assert len(made) == 1


def test_concurrent_calls_get_distinct_arenas_and_right_results(two, monkeypatch):
    f = with_plan(two, two.plan)
    n = 8
    barrier = threading.Barrier(n, timeout=60)
    held: set[int] = set()
    most = [0]
    lock = threading.Lock()
    take, give = f._arenas.take, f._arenas.give

    def taking():
        arena = take()
        with lock:
            assert arena.ctypes.data not in held, "two calls share an arena"
            held.add(arena.ctypes.data)
            most[0] = max(most[0], len(held))
        barrier.wait()  # every thread holds an arena at once (the first round)
        return arena

    def giving(arena):
        with lock:
            held.discard(arena.ctypes.data)
        give(arena)

    monkeypatch.setattr(f._arenas, "take", taking)
    monkeypatch.setattr(f._arenas, "give", giving)
    errors: list[BaseException] = []

    def work(seed):
        try:
            for round_ in range(3):
                x, y = inputs(seed * 10 + round_)
                check_two(f(x, y), x, y)
        except BaseException as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=work, args=(s,)) for s in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert most[0] == n
    assert len(f._arenas.free) <= cpu.ARENAS_KEPT  # no unbounded growth


def test_results_never_alias_each_other_an_argument_or_the_arena(two):
    x, y = inputs()
    for _ in range(2):
        results = two(x, y)
        arena = two._arenas.free[0]
        for i, r in enumerate(results):
            assert not np.shares_memory(r, arena)
            assert not any(np.shares_memory(r, a) for a in (x, y))
            assert not any(np.shares_memory(r, s) for s in results[i + 1 :])
    # a plan that (wrongly or not) puts a result in the arena still hands out a copy
    plan = two.plan
    e = plan.results[0]
    moved = list(plan.buffers)
    moved[e] = dataclasses.replace(moved[e], kind="arena", offset=plan.arena)
    g = with_plan(two, dataclasses.replace(plan, buffers=tuple(moved), arena=plan.arena + moved[e].nbytes))
    results = g(x, y)
    check_two(results, x, y)
    assert not np.shares_memory(results[0], g._arenas.free[0])


def test_a_value_returned_twice_gives_two_arrays_also_into_out():
    text = f"""
func.func @f(%x: {T}) -> ({T}, {T}, {T}, {T}) {{
  %y = tensor_graph.exp %x : {T}
  %m = tensor_graph.matmul %y, %y : {T}, {T} -> {T}
  %z = tensor_graph.tanh %m : {T}
  func.return %z, %z, %x, %x : {T}, {T}, {T}, {T}
}}
"""
    f = compile(text)
    g = with_plan(f, arena_plan(f.plan))
    assert any(b.kind == "arena" for b in g.plan.buffers)
    x = inputs()[0]
    for h in (f, g):
        results = h(x)
        for i, a in enumerate(results):
            assert not any(np.shares_memory(a, b) for b in (*results[:i], *results[i + 1 :], x)), i
        np.testing.assert_allclose(results[1], np.tanh(np.exp(x) @ np.exp(x)), rtol=2e-5, atol=2e-5)
        outs = tuple(np.empty_like(x) for _ in range(4))
        got = h(x, out=outs)
        assert isinstance(got, tuple) and all(a is b for a, b in zip(got, outs))
        for a, b in zip(got, results):
            np.testing.assert_array_equal(a, b)


def test_out_writes_the_results_into_the_callers_arrays(two):
    x, y = inputs()
    outs = (np.full_like(x, np.nan), np.full_like(x, np.nan))
    got = two(x, y, out=outs)
    assert got[0] is outs[0] and got[1] is outs[1]
    check_two(got, x, y)
    assert two(x, y, out=list(outs))[1] is outs[1]
    f = compile(chain(2, 32))
    x = np.full((32, 32), 0.5, np.float32)
    out = np.empty_like(x)
    assert f(x, x, out=out) is out
    np.testing.assert_allclose(out, f(x, x))
    assert f(x, x, out=(out,)) is out


def test_out_errors_name_the_result_and_the_reason(two):
    x, y = inputs()
    good = np.empty_like(x)
    cases = [
        (good, ValueError, r"expected 2 array\(s\), one per result, got 1"),
        ((good, good, good), ValueError, r"expected 2 array\(s\)"),
        ((good, [[0.0]]), TypeError, "out= result 1 of @f: expected a numpy array, got list"),
        ((good, np.empty((64, 64))), TypeError, "out= result 1 of @f: expected dtype float32, got float64"),
        ((np.empty((64, 32), np.float32), good), ValueError, r"out= result 0 of @f: expected shape \(64, 64\), got \(64, 32\)"),
        ((np.empty((64, 128), np.float32)[:, ::2], good), ValueError, "out= result 0 of @f: the array must be C-contiguous"),
        ((np.empty((64, 64), np.float32).T, good), ValueError, "must be C-contiguous"),
        ((good, x), ValueError, "out= result 1 of @f: the array shares memory with argument 0"),
        ((y, good), ValueError, "out= result 0 of @f: the array shares memory with argument 1"),
        ((good, good), ValueError, "out= result 1 of @f: the array shares memory with out= result 0"),
    ]
    readonly = np.empty_like(x)
    readonly.flags.writeable = False
    cases.append(((good, readonly), ValueError, "out= result 1 of @f: the array is read-only"))
    before = x.copy(), y.copy()
    for out, error, message in cases:
        with pytest.raises(error, match=message):
            two(x, y, out=out)
    np.testing.assert_array_equal(x, before[0])
    np.testing.assert_array_equal(y, before[1])


def in_place(f: cpu.CpuFunction) -> FunctionPlan:
    """f's plan with its result (a temp) replaced by argument 0's buffer: the result is
    written into argument 0, as a plan for a donated argument 0 may say."""
    plan = f.plan
    (r,) = plan.results
    a = next(i for i, b in enumerate(plan.buffers) if b.kind == "arg" and b.index == 0)
    calls = tuple(dataclasses.replace(c, buffers=tuple(a if i == r else i for i in c.buffers)) for c in plan.calls)
    return dataclasses.replace(plan, results=(a,), calls=calls)


ADD = """
func.func @f(%x: tensor<8x16xf32>, %y: tensor<8x16xf32>) -> tensor<8x16xf32> {
  %z = tensor_graph.add %x, %y : tensor<8x16xf32>, tensor<8x16xf32> -> tensor<8x16xf32>
  func.return %z : tensor<8x16xf32>
}
"""


def test_a_result_in_a_donated_argument_is_that_argument():
    f = compile(ADD, donate_argnums=(0,))
    assert f.donated == {0}
    g = with_plan(f, in_place(f), donated=(0,))
    x, y = inputs(shape=(8, 16))
    want, y_before = x + y, y.copy()
    z = g(x, y)
    assert z is x  # the caller gave x away: it now holds the result
    np.testing.assert_array_equal(z, want)
    np.testing.assert_array_equal(y, y_before)  # not donated: never changes
    # into out=: the result is copied out of the argument
    x = inputs(shape=(8, 16))[0]
    out, want = np.empty_like(x), x + y
    assert g(x, y, out=out) is out
    np.testing.assert_array_equal(out, want)


def test_a_donated_argument_the_call_cannot_write_is_copied():
    f = compile(ADD, donate_argnums=0)
    g = with_plan(f, in_place(f), donated=(0,))
    x, y = inputs(shape=(8, 16))
    frozen = x.copy()
    frozen.flags.writeable = False
    z = g(frozen, y)
    assert z is not frozen and not np.shares_memory(z, frozen)
    np.testing.assert_array_equal(frozen, x)
    np.testing.assert_array_equal(z, x + y)
    # donated and also passed as the other argument: written in a copy, read intact
    x_before = x.copy()
    np.testing.assert_array_equal(g(x, x), x_before + x_before)
    np.testing.assert_array_equal(x, x_before)
    # not contiguous: the call works on a contiguous copy
    wide = np.repeat(x, 2, axis=1)
    np.testing.assert_array_equal(g(wide[:, ::2], y), x_before + y)


def test_donated_compile_results_are_right_and_other_arguments_never_change(two):
    f = compile(TWO, donate_argnums=(0,))
    x, y = inputs()
    want = two_expected(x.copy(), y.copy())
    y_before = y.copy()
    for h in (f, with_plan(f, arena_plan(f.plan), donated=(0,))):
        results = h(x.copy(), y)
        check_two(results, *inputs())
        np.testing.assert_allclose(results[0], want[0], rtol=2e-5, atol=2e-5)
        np.testing.assert_array_equal(y, y_before)


def test_donate_argnums_are_checked(tmp_path, monkeypatch):
    monkeypatch.setenv("STEPWELL_CACHE_DIR", str(tmp_path))
    for bad, error, message in [
        ((0, 0), ValueError, "names an argument twice"),
        ((-1,), ValueError, r"argument positions \(>= 0\)"),
        ("0", TypeError, "must be an int or a tuple of ints, got '0'"),
        ((True,), TypeError, "must be an int or a tuple of ints"),
        ((0.0,), TypeError, "must be an int or a tuple of ints"),
        ((2,), BadDonation, r"donate_argnums \[2\]: @f has 2 argument\(s\)"),
    ]:
        with pytest.raises(error, match=message):
            compile(ADD, donate_argnums=bad)
    assert issubclass(BadDonation, ValueError)


def test_donation_marks_the_ir_and_is_in_the_cache_key(tmp_path, monkeypatch):
    module, _ = parse_module(registry.make_context(), ADD, "<t>")
    _donate(module, None, (1,))
    text = str(module)
    assert f"(%x: tensor<8x16xf32>, %y: tensor<8x16xf32> {{{DONATE_ATTR}}})" in text
    monkeypatch.setenv("STEPWELL_CACHE_DIR", str(tmp_path))
    CACHE.clear_memory()
    runs = STATS["pipeline_runs"]
    plain, donating = compile(ADD), compile(ADD, donate_argnums=(1,))
    assert STATS["pipeline_runs"] == runs + 2  # two keys
    assert compile(ADD, donate_argnums=[1]).donated == {1} and STATS["pipeline_runs"] == runs + 2
    assert plain.donated == frozenset() and donating.donated == {1}
    CACHE.clear_memory()


def peak_of_first_call(f, *args) -> int:
    """Bytes at the peak of one call (numpy's allocations are traced), the arena's
    allocation included."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        f(*args)
        return tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()


TENSOR = 256 * 256 * 4
PLANNED = "loops-plan-memory" in registry.pipelines()["lower-to-cpu"]


def chain_peaks(planned) -> dict[int, int]:
    peaks = {}
    rng = np.random.default_rng(0)
    x = rng.standard_normal((256, 256), dtype=np.float32)
    w = rng.standard_normal((256, 256), dtype=np.float32) / 16
    for n in (4, 48):
        f = planned(compile(chain(n)))
        peaks[n] = peak_of_first_call(f, x, w)
    return peaks


def test_a_planned_chains_peak_does_not_grow_with_depth():
    """The runtime's half of the done-when test, on hand-made arena plans."""
    peaks = chain_peaks(lambda f: with_plan(f, arena_plan(f.plan)))
    assert peaks[48] <= peaks[4] + TENSOR // 2, peaks
    assert peaks[4] <= 4 * TENSOR, peaks  # the result, a couple of arena slots


@pytest.mark.xfail(not PLANNED, strict=True, reason="needs loops-plan-memory in lower-to-cpu (issue 8, i8-plan)")
def test_peak_memory_of_a_chain_does_not_grow_with_depth():
    """The issue's done-when test: N layers of matmul + tanh on 256x256 f32 compiled
    by stepwell.compile; without a memory plan every intermediate is alive at once
    (48 layers: 12 MiB), with one two or three buffers suffice."""
    peaks = chain_peaks(lambda f: f)
    assert peaks[48] <= peaks[4] + TENSOR // 2, peaks


# --- intermediates in a result's memory ----------------------------------------------------

BORROW = """
func.func @f(%x: tensor<64x64xf32>, %w: tensor<64x64xf32>) -> (tensor<64x64xf32>, tensor<64x1xf32>) {
  %a = tensor_graph.exp %x : tensor<64x64xf32>
  %m = tensor_graph.matmul %a, %w : tensor<64x64xf32>, tensor<64x64xf32> -> tensor<64x64xf32>
  %s = tensor_graph.softmax %m {axis = -1} : tensor<64x64xf32>
  %t = tensor_graph.tanh %s : tensor<64x64xf32>
  %r = tensor_graph.matmul %t, %w : tensor<64x64xf32>, tensor<64x64xf32> -> tensor<64x64xf32>
  %q = tensor_graph.matmul %r, %w : tensor<64x64xf32>, tensor<64x64xf32> -> tensor<64x64xf32>
  %n = tensor_graph.reduce %q {kind = "sum", dims = [1], keepdim = true} : tensor<64x64xf32> -> tensor<64x1xf32>
  func.return %q, %n : tensor<64x64xf32>, tensor<64x1xf32>
}
"""


def test_intermediates_in_a_results_memory_also_in_out_arrays():
    """The layers before the last borrow result 0's memory (also written in place
    there); called with out= the caller's array holds them until the result is
    written. The results match the reference, never alias an argument or each other."""
    from stepwell.reference import run

    f = compile(BORROW)
    borrowed = [b for b in f.plan.buffers if b.kind == "result"]
    assert borrowed and all(b.index == 0 for b in borrowed)
    rng = np.random.default_rng(5)
    x, w = (rng.standard_normal((64, 64), dtype=np.float32) * 0.1 for _ in range(2))
    want = run(BORROW, None, x, w)
    for _ in range(2):
        got = f(x, w)
        for g, e in zip(got, want):
            np.testing.assert_allclose(g, e, rtol=1e-4, atol=1e-5)
        assert not any(np.shares_memory(g, a) for g in got for a in (x, w)) and not np.shares_memory(*got)
    outs = (np.full((64, 64), np.nan, np.float32), np.full((64, 1), np.nan, np.float32))
    returned = f(x, w, out=outs)
    assert all(r is o for r, o in zip(returned, outs))
    for g, e in zip(outs, want):
        np.testing.assert_allclose(g, e, rtol=1e-4, atol=1e-5)
    # the borrowed buffers are views of result 0's array (the out= array when given)
    for given in (None, list(outs)):
        buffers = f._buffers([x, w], f._arenas.take(), given)
        host = buffers[f.plan.results[0]]
        assert given is None or host is outs[0]
        for i, b in enumerate(f.plan.buffers):
            if b.kind == "result":
                assert np.shares_memory(buffers[i], host)
                start = buffers[i].__array_interface__["data"][0] - host.__array_interface__["data"][0]
                assert start == b.offset


# --- a fused attention chain ---------------------------------------------------------------


def test_fused_attention_holds_no_scores():
    """bench/MEMORY.md's attention program (1x4x512x64 f32): its 4 MiB of scores were
    the arena; fused into one kernel (#loops.cpu<attention>), the call allocates its
    result and nothing else of that size (the scores live in per-chunk stack tiles)."""
    shape = (1, 4, 512, 64)
    t = "tensor<1x4x512x64xf32>"
    f = compile(f"""func.func @f(%q: {t}, %k: {t}, %v: {t}) -> {t} {{
  %r = "tensor_graph.attention"(%q, %k, %v) <{{scale = 0.125 : f64, causal = false}}> : ({t}, {t}, {t}) -> {t}
  func.return %r : {t}
}}
""")
    assert f.plan.arena == 0 and len(f.plan.calls) == 1
    args = [np.random.default_rng(i).standard_normal(shape, dtype=np.float32) for i in range(3)]
    result = 512 * 64 * 4 * 4  # 0.5 MiB
    assert peak_of_first_call(f, *args) <= result + 64 * 1024  # the scores alone are 4 MiB
