"""loops-plan-memory (issue 8): buffers by liveness in one arena, in place where an op
may overwrite its input, donated arguments; and the CPU runtime following the plan.

The plan is checked directly on random programs (the fuzzer's, lowered by
`lower-to-cpu` up to the pass): two buffers whose live ranges overlap never share a
byte of the arena, except an op writing over the input it is the last to read. The
reuse never corrupts a result: the fuzzer's programs run with the plan (its fused `@f`
keeps its intermediates in the arena) match the reference (test_fuzz.py) and, with
every argument donated, give the same results as without.
"""

from __future__ import annotations

import cProfile
import pstats
import warnings

import numpy as np
import pytest
from xdsl.dialects import func
from xdsl.dialects.builtin import ArrayAttr, DictionaryAttr, UnitAttr

import stepwell
from stepwell import registry
from stepwell.dialects.loops import CheckIndexOp, ComputeOp, KernelOp, SlotAttr
from stepwell.dialects.loops.memory import ARENA, MEMORY, aligned, byte_size
from stepwell.fuzz import compare, generate
from stepwell.ir.parse import parse_module
from stepwell.ir.pipeline import build_pipeline
from stepwell.ir.printer import to_text
from stepwell.reference import run
from stepwell.runtime.plan import from_json, plans_from_module, to_json

SEEDS = range(200)
MAX_OPS = 12


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    monkeypatch.setenv("STEPWELL_CACHE_DIR", str(tmp_path))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def planned(module, last: str = "loops-plan-memory", skip: str = ""):
    """`module` through lower-to-cpu up to and including the pass `last` (without the
    pass `skip`)."""
    ctx = registry.make_context()
    for step, pass_ in build_pipeline("lower-to-cpu", registry.passes(), registry.pipelines()):
        if step.name != skip:
            pass_.apply(ctx, module)
        if step.name == last:
            return module
    raise AssertionError(f"{last} is not in lower-to-cpu")


def parse(text: str):
    return parse_module(registry.make_context(), text, "t.mlir")[0]


def buffers_of(fn: func.FuncOp) -> list[tuple[SlotAttr, int, int, object, object]]:
    """(slot, first op, last reader, op, value) of every buffer `fn` makes, live ranges
    computed here on their own (a quadratic scan: simple, independent of the pass)."""
    ops = list(fn.body.block.ops)
    reads: list[set] = []
    for op in ops:
        read = set(op.operands)
        for inner in op.walk():
            read.update(inner.operands)
        reads.append(read)
    out = []
    for i, op in enumerate(ops):
        if not isinstance(op, (KernelOp, ComputeOp)):
            continue
        memory = op.attributes[MEMORY]
        slots = memory.data if isinstance(memory, ArrayAttr) else [memory]
        for value, slot in zip(op.results, slots):
            last = max([j for j in range(i, len(ops)) if value in reads[j]], default=i)
            out.append((slot, i, last, op, value))
    return out


def check_plan(fn: func.FuncOp) -> int:
    """Assert that the plan of `fn` is sound; the number of buffers written in place."""
    arena = fn.attributes[ARENA].value.data
    assert arena % 64 == 0
    found = buffers_of(fn)
    own = {s.index: start for s, start, *_ in found if s.where == "result" and not s.scratch}
    assert len(own) == len([s for s, *_ in found if s.where == "result" and not s.scratch]), "two buffers in one result"
    returned = fn.body.block.last_op.operands
    in_place = 0
    for slot, _, end, _, value in found:
        if slot.where == "arena":
            assert slot.offset % 64 == 0 and slot.bytes % 64 == 0 and slot.offset + slot.bytes <= arena
        if slot.scratch:  # in a result with memory of its own, dead before that result is written, within its bytes
            assert slot.index in own and end < own[slot.index], (slot, end)
            assert slot.offset % 64 == 0 and slot.bytes % 64 == 0
            assert slot.offset + byte_size(value.type) <= byte_size(returned[slot.index].type)

    def memory(slot: SlotAttr):  # the block of memory a slot is in
        return "arena" if slot.where == "arena" else ("result", slot.index) if slot.scratch else None

    for a, (sa, start_a, end_a, op_a, _) in enumerate(found):
        for sb, start_b, end_b, op_b, _ in found[a + 1 :]:
            if memory(sa) is None or memory(sa) != memory(sb) or not sa.bytes or not sb.bytes:
                continue
            live_together = start_a <= end_b and start_b <= end_a
            share_bytes = sa.offset < sb.offset + sb.bytes and sb.offset < sa.offset + sa.bytes
            if live_together and share_bytes:
                # only an op writing over the input it is the last to read
                assert end_a == start_b and sa.offset == sb.offset and op_a is not op_b, (sa, sb)
                in_place += 1
    return in_place


@pytest.mark.parametrize("skip", ["", "loops-fuse"])
def test_the_plan_never_overlaps_live_buffers_on_random_programs(skip):
    """With and without fusion (unfused, far more ops write in place)."""
    planned_fns = in_place = reused = 0
    for seed in SEEDS:
        program = generate.generate(seed, MAX_OPS)
        module = planned(program.module.clone(), skip=skip)
        for fn in module.ops:
            if isinstance(fn, func.FuncOp) and ARENA in fn.attributes:
                planned_fns += 1
                in_place += check_plan(fn)
                slots = [s for s, *_ in buffers_of(fn) if s.where == "arena" and s.bytes]
                reused += len(slots) > len({s.offset for s in slots})
    assert planned_fns == 2 * len(SEEDS)  # @f_all and @f of every program
    print(f"{in_place} in place, {reused} functions reusing a slot")
    # the programs exercise both (fewer in place since the CPU fuses attention chains:
    # their probabilities were written over their scores)
    assert in_place >= 5 and reused >= 5


def donate_all(module, name: str) -> str:
    for fn in module.ops:
        if isinstance(fn, func.FuncOp) and fn.sym_name.data == name:
            fn.arg_attrs = ArrayAttr([DictionaryAttr({"stepwell.donate": UnitAttr()}) for _ in fn.args])
    return to_text(module)


def same(a: np.ndarray, b: np.ndarray) -> bool:
    """Bit for bit (NaNs of any dtype, bfloat16's too)."""
    bits = [np.ascontiguousarray(v).view(np.uint8) for v in (a, b)]
    return a.dtype == b.dtype and a.shape == b.shape and np.array_equal(*bits)


@pytest.mark.parametrize("chunk", range(4))
def test_random_programs_with_every_argument_donated_give_the_same_results(chunk):
    """The fuzzer's fused @f with the plan (test_fuzz.py checks it against the
    reference) and with every argument donated (buffers written over the arguments):
    the same results, bit for bit."""
    written_over_arguments = 0
    for seed in SEEDS[chunk::4]:
        program = generate.generate(seed, MAX_OPS)
        assert compare.check_program(program) == [], seed
        plain = stepwell.compile(program.text, "f")
        donating = stepwell.compile(donate_all(program.module.clone(), "f"), "f")
        written_over_arguments += len(donating.plan.buffers) < len(plain.plan.buffers)
        try:
            expected = plain(*program.inputs)
        except IndexError:
            with pytest.raises(IndexError):
                donating(*[x.copy() for x in program.inputs])
            continue
        got = donating(*[x.copy() for x in program.inputs])
        expected, got = (r if isinstance(r, tuple) else (r,) for r in (expected, got))
        assert all(same(e, g) for e, g in zip(expected, got, strict=True)), seed
    assert written_over_arguments >= 5


# --- the issue's example ---------------------------------------------------------------


def mlp(n: int, size: int = 1024) -> str:
    t = f"tensor<{size}x{size}xf32>"
    lines, cur = [], "%x"
    for i in range(n):
        lines += [f"  %m{i} = tensor_graph.matmul {cur}, %w : {t}, {t} -> {t}", f"  %h{i} = tensor_graph.tanh %m{i} : {t}"]
        cur = f"%h{i}"
    return f"func.func @mlp(%x: {t}, %w: {t}) -> {t} {{\n" + "\n".join(lines) + f"\n  func.return {cur} : {t}\n}}\n"


@pytest.mark.parametrize("layers", [2, 3, 4, 12, 47, 48])
def test_a_chain_of_layers_needs_one_buffer_besides_its_result(layers):
    """The layers take turns between one arena slot and the result's memory (borrowed
    until the last layer writes it), whatever the parity of the depth; the layer the
    last one reads is in the arena."""
    module = planned(parse(mlp(layers, 64)))
    fn = next(iter(module.ops))
    assert fn.attributes[ARENA].value.data == 64 * 64 * 4
    slots = [s for s, *_ in buffers_of(fn)]
    assert slots[-2] == SlotAttr.arena(0, 64 * 64 * 4) and slots[-1] == SlotAttr.result(0)
    assert slots[-3 :: -2] == [SlotAttr.in_result(0, 0, 64 * 64 * 4)] * ((layers - 1) // 2)
    check_plan(fn)


def test_a_12_layer_mlp_runs_in_its_arena():
    rng = np.random.default_rng(0)
    x, w = (rng.standard_normal((256, 256), dtype=np.float32) * 0.06 for _ in range(2))
    f = stepwell.compile(mlp(12, 256))
    assert f.plan.arena == 256 * 256 * 4
    assert {b.kind for b in f.plan.buffers} == {"arg", "arena", "result", "temp"}
    h = x
    for _ in range(12):
        h = np.tanh(h @ w)
    np.testing.assert_allclose(f(x, w), h, rtol=1e-4, atol=1e-5)


# --- in place and donation at run time -----------------------------------------------------

CHAIN = """
func.func @f(%x: tensor<32x32xf32> DONATE, %w: tensor<32x32xf32>, %y: tensor<32x32xf32>) -> tensor<32x32xf32> {
  %s = tensor_graph.reduce %x {kind = "sum", dims = [1], keepdim = true} : tensor<32x32xf32> -> tensor<32x1xf32>
  %a = tensor_graph.sub %x, %s : tensor<32x32xf32>, tensor<32x1xf32> -> tensor<32x32xf32>
  %m = tensor_graph.matmul %a, %w : tensor<32x32xf32>, tensor<32x32xf32> -> tensor<32x32xf32>
  %b = tensor_graph.add %m, %y : tensor<32x32xf32>
  %n = tensor_graph.matmul %b, %w : tensor<32x32xf32>, tensor<32x32xf32> -> tensor<32x32xf32>
  %c = tensor_graph.add %n, %b : tensor<32x32xf32>
  %d = tensor_graph.matmul %c, %w : tensor<32x32xf32>, tensor<32x32xf32> -> tensor<32x32xf32>
  func.return %d : tensor<32x32xf32>
}
"""


def test_reuse_and_donation_compute_the_same():
    """%s and %b borrow the result's memory (dead before the last matmul writes it),
    %a and %c in the arena; donated, %a is written over %x (the sum read it first)."""
    rng = np.random.default_rng(1)
    x, w, y = (rng.standard_normal((32, 32), dtype=np.float32) for _ in range(3))
    a = x - x.sum(1, keepdims=True)
    b = a @ w + y
    expected = ((b @ w) + b) @ w
    kept, given = (stepwell.compile(CHAIN.replace("DONATE", d)) for d in ("", "{stepwell.donate}"))
    assert (kept.plan.arena, given.plan.arena) == (4096, 4096)
    kinds = [[b.kind for b in f.plan.buffers] for f in (kept, given)]
    assert [(k.count("arena"), k.count("result")) for k in kinds] == [(2, 2), (1, 2)]
    for f in (kept, given, kept):  # a second call: a fresh arena
        np.testing.assert_allclose(f(x.copy(), w, y), expected, rtol=1e-4, atol=1e-4)


def test_a_result_written_into_a_donated_argument():
    f = stepwell.compile(
        "func.func @f(%x: tensor<64xf32> {stepwell.donate}) -> tensor<64xf32> {\n"
        "  %a = tensor_graph.abs %x : tensor<64xf32>\n"
        "  func.return %a : tensor<64xf32>\n}\n"
    )
    assert [b.kind for b in f.plan.buffers] == ["arg"] and f.plan.results == (0,)
    x = -np.arange(64, dtype=np.float32)
    np.testing.assert_array_equal(f(x.copy()), np.arange(64, dtype=np.float32))


def test_the_plan_survives_the_cache_as_json():
    module = planned(parse(mlp(3, 64)), "convert-loops-to-llvm")
    plans = plans_from_module(module)
    assert plans[0].arena == 64 * 64 * 4
    assert [(b.kind, b.index, b.offset) for b in plans[0].buffers if b.kind in ("arena", "result")] == [
        ("result", 0, 0), ("arena", -1, 0)
    ]
    assert from_json(to_json(plans)) == plans


def test_without_the_pass_every_buffer_is_a_temp():
    module = parse(mlp(3, 64))
    ctx = registry.make_context()
    for step, pass_ in build_pipeline("lower-to-cpu", registry.passes(), registry.pipelines()):
        if step.name != "loops-plan-memory":
            pass_.apply(ctx, module)
    (plan,) = plans_from_module(module)
    assert plan.arena == 0 and {b.kind for b in plan.buffers} == {"arg", "temp"}


def test_the_checks_status_is_a_temp_and_the_indices_live_until_the_check():
    text = """
func.func @g(%x: tensor<5x3xf32>, %i: tensor<4xi64>) -> tensor<4x3xf32> {
  %j = tensor_graph.add %i, %i : tensor<4xi64>
  %y = tensor_graph.gather %x, %j {axis = 0 : i64} : tensor<5x3xf32>, tensor<4xi64> -> tensor<4x3xf32>
  func.return %y : tensor<4x3xf32>
}
"""
    fn = next(iter(planned(parse(text)).ops))
    assert any(isinstance(op, CheckIndexOp) for op in fn.body.block.ops)
    check_plan(fn)
    g = stepwell.compile(text)
    x = np.arange(15, dtype=np.float32).reshape(5, 3)
    np.testing.assert_array_equal(g(x, np.array([0, 1, -1, 2])), x[[0, 2, -2, 4]])
    with pytest.raises(IndexError):
        g(x, np.array([0, 3, 0, 0]))


# --- compile time ------------------------------------------------------------------------


def chain(n: int) -> str:
    """n pointwise ops, each reading the last two (some in place, some read transposed)."""
    t = "tensor<8x8xf32>"
    lines, prev, cur = [], "%x", "%x"
    for i in range(n):
        op = ("exp", "add", "transpose")[i % 3]
        if op == "add":
            lines.append(f"  %v{i} = tensor_graph.add {cur}, {prev} : {t}")
        elif op == "transpose":
            lines.append(f"  %v{i} = tensor_graph.transpose {cur} {{perm = [1, 0]}} : {t} -> {t}")
        else:
            lines.append(f"  %v{i} = tensor_graph.exp {cur} : {t}")
        prev, cur = cur, f"%v{i}"
    return f"func.func @f(%x: {t}) -> {t} {{\n" + "\n".join(lines) + f"\n  func.return {cur} : {t}\n}}\n"


def pass_calls(n: int) -> int:
    module = parse(chain(n))
    ctx = registry.make_context()
    registry.passes()["convert-tensor_graph-to-loops"]()().apply(ctx, module)
    profile = cProfile.Profile()
    profile.enable()
    registry.passes()["loops-plan-memory"]()().apply(ctx, module)
    profile.disable()
    fn = next(iter(module.ops))
    assert len(fn.body.block.ops) > 2 * n // 3 and ARENA in fn.attributes  # (a transpose is folded into its reader's loads)
    return pstats.Stats(profile).total_calls  # type: ignore[attr-defined]


def test_the_pass_is_about_linear_in_the_ops():
    """Work counted in Python calls (as test_compile_time.py): 4x the ops, at most 5x."""
    pass_calls(10)
    assert pass_calls(1000) / pass_calls(250) < 5.0


# --- in place for row-local kernels ------------------------------------------------------


def attention(shape: tuple[int, ...], causal: bool) -> str:
    t = "tensor<" + "x".join(map(str, shape)) + "xf32>"
    return (
        f"func.func @f(%q: {t}, %k: {t}, %v: {t}) -> {t} {{\n"
        f'  %r = "tensor_graph.attention"(%q, %k, %v) <{{scale = 0.25 : f64, causal = {str(causal).lower()}}}> '
        f": ({t}, {t}, {t}) -> {t}\n"
        f"  func.return %r : {t}\n}}\n"
    )


@pytest.mark.parametrize("shape", [(1, 2, 64, 16), (1, 3, 5, 7), (2, 1, 33, 8), (1, 1, 1, 4)])
@pytest.mark.parametrize("causal", [False, True])
def test_attentions_probabilities_overwrite_its_scores(shape, causal):
    """The softmax writes the probabilities over the scores (its reductions read the
    row first, then each element is read just before it is written): the arena holds
    one batch x heads x rows x rows buffer (and the row statistics), not two; the
    results match the reference."""
    b, h, n, _ = shape
    scores = aligned(b * h * n * n * 4)
    source = attention(shape, causal)
    f = stepwell.compile(source)
    assert f.plan.arena < 2 * scores
    rng = np.random.default_rng(3)
    args = [rng.standard_normal(shape, dtype=np.float32) for _ in range(3)]
    args[0][..., 0, 0] = np.inf if n > 1 else args[0][..., 0, 0]  # a row of NaNs: NaN in, NaN out
    np.testing.assert_allclose(f(*args), run(source, None, *args), rtol=2e-5, atol=2e-6, equal_nan=True)


def softmax_chain(rows: int, cols: int) -> str:
    """softmax, log_softmax, softmax, then a matmul to 8 columns."""
    t = f"tensor<1x{rows}x{cols}xf32>"
    w = f"tensor<1x{cols}x8xf32>"  # a result too small to hold an intermediate (no borrowing)
    o = f"tensor<1x{rows}x8xf32>"
    return (
        f"func.func @f(%x: {t}, %w: {w}) -> {o} {{\n"
        f"  %a = tensor_graph.mul %x, %x : {t}\n"
        f"  %s = tensor_graph.softmax %a {{axis = -1}} : {t}\n"
        f"  %l = tensor_graph.log_softmax %s {{axis = -1}} : {t}\n"
        f"  %p = tensor_graph.softmax %l {{axis = -1}} : {t}\n"
        f"  %r = tensor_graph.matmul %p, %w : {t}, {w} -> {o}\n"
        f"  func.return %r : {o}\n}}\n"
    )


@pytest.mark.parametrize("rows, cols", [(7, 33), (64, 256)])
def test_a_chain_of_softmaxes_writes_in_place(rows, cols):
    """softmax, log_softmax, softmax, then a matmul: the last softmax (read by the
    matmul, at other elements) writes over the intermediate it is the last to read."""
    source = softmax_chain(rows, cols)
    fn = next(iter(planned(parse(source)).ops))
    assert check_plan(fn) >= 1
    f = stepwell.compile(source)
    rng = np.random.default_rng(4)
    x, w = rng.standard_normal((1, rows, cols), dtype=np.float32), rng.standard_normal((1, cols, 8), dtype=np.float32)
    np.testing.assert_allclose(f(x, w), run(source, None, x, w), rtol=1e-4, atol=1e-5)
