"""convert-gpu_block-to-nvvm beyond pointwise (issue 10): the blocked layout's thread ->
element mapping, a simulation of the reduction's in-thread / shuffle / cross-warp
steps on that mapping, and every supported GPU workload assembled by ptxas for sm_90."""

from __future__ import annotations

import itertools
import subprocess
import sys
from pathlib import Path

import pytest

from stepwell.lowering.gpu_block_to_nvvm.layout import Layout
from stepwell.targets.ptx import emit_ptx
from tests.unit._triton import lower
from tests.unit.test_ptx import PTXAS

SHAPES = [(1,), (16,), (128,), (1024,), (8192,), (1, 8192), (4, 512), (64, 32), (64, 4), (64, 1), (1, 1),
          (64, 64), (2, 8, 16), (32, 1, 256), (256, 2)]  # fmt: skip
THREADS = [32, 128, 512]
WIDEST = [1, 2, 4, 8]
CASES = list(itertools.product(SHAPES, THREADS, WIDEST))


def _prod(xs):
    out = 1
    for x in xs:
        out *= x
    return out


@pytest.mark.parametrize(("shape", "threads", "widest"), CASES)
def test_every_element_has_exactly_one_owner(shape, threads, widest):
    layout = Layout.of(shape, threads, widest)
    seen = {}
    for tid in range(layout.active):
        for k in range(layout.per):
            f = layout.flat(tid, k)
            assert f not in seen, (f, seen.get(f), (tid, k))
            seen[f] = (tid, k)
            assert layout.owner(f) == (tid, k)
    assert sorted(seen) == list(range(layout.numel))
    # replicas hold what thread tid % active holds
    for tid in range(layout.active, threads):
        assert [layout.flat(tid, k) for k in range(layout.per)] == [layout.flat(tid % layout.active, k) for k in range(layout.per)]


@pytest.mark.parametrize(("shape", "threads", "widest"), CASES)
def test_strips_are_contiguous_within_a_row_and_at_most_16_bytes(shape, threads, widest):
    layout = Layout.of(shape, threads, widest)
    assert layout.vec * widest <= 16 and shape[-1] % layout.vec == 0
    for tid in range(layout.active):
        for s in range(0, layout.per, layout.vec):
            fs = [layout.flat(tid, k) for k in range(s, s + layout.vec)]
            assert fs == list(range(fs[0], fs[0] + layout.vec))
            assert len({layout.coords(f)[:-1] for f in fs}) == 1  # one row


def _triton_owner(layout: Layout, coords: tuple[int, ...]) -> int:
    """The thread of Triton's BlockedLayout with `blocked()`'s parameters."""
    p = layout.blocked()
    lane = warp = 0
    lane_scale = warp_scale = 1
    for d in p["order"]:
        spt, tpw, wpc = p["sizePerThread"][d], p["threadsPerWarp"][d], p["warpsPerCTA"][d]
        lane += (coords[d] // spt) % tpw * lane_scale
        warp += (coords[d] // (spt * tpw)) % wpc * warp_scale
        lane_scale *= tpw
        warp_scale *= wpc
    return warp * 32 + lane


@pytest.mark.parametrize(("shape", "threads", "widest"), CASES)
def test_the_layout_is_tritons_blocked_layout(shape, threads, widest):
    layout = Layout.of(shape, threads, widest)
    if layout.active < threads:
        pytest.skip("fewer elements than threads: Triton's replication differs in which thread is which")
    p = layout.blocked()
    assert [a * b * c for a, b, c in zip(p["sizePerThread"], p["threadsPerWarp"], p["warpsPerCTA"])] != []
    assert _prod(p["threadsPerWarp"]) == 32 and _prod(p["warpsPerCTA"]) * 32 == threads
    for f in range(layout.numel):
        assert _triton_owner(layout, layout.coords(f)) == layout.owner(f)[0]


SMALL = [c for c in CASES if _prod(c[0]) <= 2048 and c[2] in (2, 4)]


@pytest.mark.parametrize(("shape", "threads", "widest"), SMALL)
def test_a_simulated_reduction_combines_each_output_element_exactly_once(shape, threads, widest):
    """The steps reduce.py emits, run on sets of elements: in-thread by kept register,
    butterflies over the axis' lane bits, then the axis' warp bits through shared
    memory. Every thread ends with, for each kept register, exactly the elements of
    the output element its registers belong to."""
    layout = Layout.of(shape, threads, widest)
    for axis in range(len(shape)):
        held = {}  # (tid, kept) -> frozenset of flat indices (a multiset would show double counting)
        for tid in range(threads):
            for k in range(layout.per):
                key = (tid, layout.kept(k, axis))
                f = layout.flat(tid, k)
                assert f not in held.get(key, ()), "an element counted twice in a thread"
                held[key] = held.get(key, frozenset()) | {f}
        bits = layout.axis_tid_bits(axis)
        for bit in [b for b in bits if b < 5]:
            new = {}
            for (tid, kept), elems in held.items():
                other = held[(tid ^ (1 << bit), kept)]
                assert not elems & other
                new[(tid, kept)] = elems | other
            held = new
        warp_bits = [b for b in bits if b >= 5]
        if warp_bits:
            new = {}
            for (tid, kept) in held:
                mine = tid & ~sum(1 << b for b in warp_bits)
                total = frozenset()
                for c in range(1 << len(warp_bits)):
                    part = held[(mine | sum(1 << b for n, b in enumerate(warp_bits) if c >> n & 1), kept)]
                    assert not total & part
                    total |= part
                new[(tid, kept)] = total
            held = new
        rows: dict[tuple, set] = {}
        for f in range(layout.numel):
            rows.setdefault(_drop(layout.coords(f), axis), set()).add(f)
        for (tid, kept), elems in held.items():
            assert elems == rows[_drop(layout.coords(layout.flat(tid, kept)), axis)], (axis, tid, kept)


def _drop(coords, axis):
    return coords[:axis] + coords[axis + 1 :]


# --- the workloads ---------------------------------------------------------------------

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from bench.workloads import gpu_workloads

DOT = ("mm_bias_relu", "attention")  # assembled by test_ptx_dot.py
WORKLOADS = {w.name: w for w in gpu_workloads()}


@pytest.mark.parametrize("name", sorted(set(WORKLOADS) - set(DOT)))
def test_gpu_workloads_assemble_for_sm90(name, tmp_path):
    ptx = emit_ptx(lower(WORKLOADS[name].source, "lower-to-ptx"))
    assert "call" not in ptx.replace("call.uni", "")  # no libm symbol
    if PTXAS is None:
        pytest.skip("no ptxas")
    path = tmp_path / f"{name}.ptx"
    path.write_text(ptx)
    done = subprocess.run([PTXAS, "-arch=sm_90", str(path), "-o", str(tmp_path / "k.cubin")], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


# --- masks that hold everywhere -----------------------------------------------------------

from xdsl.dialects import arith
from xdsl.dialects.builtin import IntegerAttr, i32

from stepwell.lowering.gpu_block_to_nvvm.values import Fact, infer_scalar


def _ops_text(name: str) -> str:
    return str(lower(WORKLOADS[name].source, "lower-to-ptx"))


def test_an_exact_grid_has_no_masked_strips_and_loads_every_strip_before_computing():
    """gelu_bias at 8192x8192 is 65536 programs of 1024 elements: `offs < 8192 * 8192`
    holds in every program, so no strip branches on its mask; the 4 loads of a thread (2
    strips of x, 2 of the bias row) come before the first compute instruction."""
    text = _ops_text("gelu_bias")
    assert "llvm.cond_br" not in text
    lines = text.splitlines()
    loads = [i for i, s in enumerate(lines) if "llvm.load" in s]
    assert len(loads) == 16 and [lines[i].count("alignment = 16") for i in loads].count(1) == 4
    assert max(loads) < min(i for i, s in enumerate(lines) if "llvm.intr.fma" in s or "llvm.fadd" in s)


def test_a_grid_with_a_tail_keeps_its_masks():
    source = """func.func @f(%x: tensor<1000x1000xf32>, %y: tensor<1000xf32>) -> tensor<1000x1000xf32> {
  %s = tensor_graph.add %x, %y : tensor<1000x1000xf32>, tensor<1000xf32> -> tensor<1000x1000xf32>
  func.return %s : tensor<1000x1000xf32>
}"""
    assert "llvm.cond_br" in str(lower(source, "lower-to-ptx"))


def _const(c: int):
    return arith.ConstantOp(IntegerAttr(c, i32))


@pytest.mark.parametrize(
    ("lhs", "rhs", "pred", "holds"),
    [((0, 1023), 1024, "slt", True), ((0, 1024), 1024, "slt", False), ((0, 1024), 1024, "sle", True),
     ((5, 9), 4, "sgt", True), ((4, 9), 4, "sge", True), ((0, 9), 10, "ult", True), ((-1, 9), 10, "ult", False),
     ((0, 9), 9, "eq", False), (None, 10, "slt", False)],
)  # fmt: skip
def test_a_comparison_holds_everywhere_only_when_the_spans_prove_it(lhs, rhs, pred, holds):
    x, c = _const(0), _const(rhs)
    facts = {x.result: Fact(1, 4, lhs), c.result: infer_scalar(c, None)}
    f = infer_scalar(arith.CmpiOp(x.result, c.result, pred), facts.__getitem__)
    assert (f is not None and f.span == (1, 1)) == holds


def test_a_span_that_wraps_around_i32_is_unknown():
    pid, block = _const(0), _const(1 << 20)
    facts = {pid.result: Fact(0, 1, (0, 2047)), block.result: infer_scalar(block, None)}
    assert infer_scalar(arith.MuliOp(pid.result, block.result), facts.__getitem__).span == (0, 2047 << 20)
    facts[pid.result] = Fact(0, 1, (0, 2048))  # 2048 << 20 is 2^31
    assert infer_scalar(arith.MuliOp(pid.result, block.result), facts.__getitem__).span is None
