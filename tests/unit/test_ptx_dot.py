"""gpu_block.dot on the PTX path (issue 10): the mma accumulator layout and the
fragment reads checked against the PTX ISA's documented m16n8k16 fragments by a
per-lane numpy simulation; the dot workloads assembled by ptxas for sm_90."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from stepwell.lowering.gpu_block_to_nvvm import dot
from stepwell.lowering.gpu_block_to_nvvm.dot import MmaLayout
from stepwell.targets.ptx import emit_ptx
from tests.unit._triton import lower
from tests.unit.test_ptx import PTXAS

BLOCKS = [((16, 16), 32), ((16, 16), 128), ((64, 64), 128), ((128, 64), 128), ((128, 256), 256), ((32, 128), 256),
          ((256, 128), 256), ((16, 256), 128), ((64, 16), 256)]  # fmt: skip


# --- the PTX ISA's fragments of mma.m16n8k16 (f16/bf16 factors, f32 accumulator) -------------
# lane l: group g = l // 4, t = l % 4


def doc_a(lane: int, i: int) -> tuple[int, int]:
    """(row, col) of a_i (i < 8) in the 16x16 A tile."""
    g, t = divmod(lane, 4)
    return g + 8 * (i in (2, 3, 6, 7)), 2 * t + (i & 1) + 8 * (i >= 4)


def doc_b(lane: int, i: int) -> tuple[int, int]:
    """(row, col) of b_i (i < 4) in the 16x8 B tile."""
    g, t = divmod(lane, 4)
    return 2 * t + (i & 1) + 8 * (i >= 2), g


def doc_c(lane: int, i: int) -> tuple[int, int]:
    """(row, col) of c_i (i < 4) in the 16x8 accumulator tile."""
    g, t = divmod(lane, 4)
    return g + 8 * (i >= 2), 2 * t + (i & 1)


def mma(a_frags, b_frags, c_frags):
    """The warp's mma: per-lane fragments in, per-lane results out."""
    a, b, c = np.zeros((16, 16)), np.zeros((16, 8)), np.zeros((16, 8))
    for lane in range(32):
        for i in range(8):
            a[doc_a(lane, i)] = a_frags[lane][i]
        for i in range(4):
            b[doc_b(lane, i)] = b_frags[lane][i]
            c[doc_c(lane, i)] = c_frags[lane][i]
    d = a @ b + c
    return [[d[doc_c(lane, i)] for i in range(4)] for lane in range(32)]


@pytest.mark.parametrize(("shape", "threads"), BLOCKS)
def test_the_mma_layout_owns_every_element_once(shape, threads):
    layout = MmaLayout.for_block(shape, threads)
    seen = {}
    for tid in range(layout.active):
        for k in range(layout.per):
            f = layout.flat(tid, k)
            assert f not in seen
            seen[f] = (tid, k)
            assert layout.owner(f) == (tid, k)
    assert sorted(seen) == list(range(layout.numel))
    assert threads % layout.active == 0
    for k in range(0, layout.per, layout.vec):  # strips of two along the row
        assert layout.flat(0, k + 1) == layout.flat(0, k) + 1


@pytest.mark.parametrize(("shape", "threads"), BLOCKS)
@pytest.mark.parametrize("bk", [16, 64])
def test_simulated_mma_dot_gives_a_times_b_in_the_mma_layout(shape, threads, bk):
    """Every warp reads its fragments from A and B staged as `_stage` stages them (A
    row-major, B transposed, rows padded), runs its mmas (the documented fragment
    semantics), and each thread's accumulator register k then holds (A @ B + C) at
    the element the layout says it holds."""
    bm, bn = shape
    layout = MmaLayout.for_block(shape, threads)
    rng = np.random.default_rng(0)
    a, b, c = rng.integers(-4, 5, (bm, bk)), rng.integers(-4, 5, (bk, bn)), rng.integers(-4, 5, (bm, bn))
    pad = 8  # 16 bytes of 16-bit elements
    sa, sb = bk + pad, bk + pad
    smem_a = np.full(bm * sa, np.nan)
    smem_b = np.full(bn * sb, np.nan)
    for r in range(bm):
        smem_a[r * sa : r * sa + bk] = a[r]
    for n in range(bn):
        smem_b[n * sb : n * sb + bk] = b[:, n]
    acc = {}
    for tid in range(threads):
        for k in range(layout.per):
            acc[tid, k] = c[divmod(layout.flat(tid, k), bn)]
    for warp in range(threads // 32):
        w = warp % (layout.active // 32)
        wm, wn = w % layout.warps_m, w // layout.warps_m
        tids = [warp * 32 + lane for lane in range(32)]
        a0 = [dot.first_element(wm, lane, bm // layout.warps_m, sa) for lane in range(32)]
        b0 = [dot.first_element(wn, lane, bn // layout.warps_n, sb) for lane in range(32)]
        for s in range(bk // 16):
            for mi in range(layout.mr):
                for ni in range(layout.nr):
                    at = (mi * layout.nr + ni) * 4
                    af = [[smem_a[a0[ln] + d + j] for d in dot.a_parts(sa, mi, s) for j in (0, 1)] for ln in range(32)]
                    bf = [[smem_b[b0[ln] + d + j] for d in dot.b_parts(sb, ni, s) for j in (0, 1)] for ln in range(32)]
                    cf = [[acc[t, at + i] for i in range(4)] for t in tids]
                    for t, d in zip(tids, mma(af, bf, cf)):
                        for i in range(4):
                            acc[t, at + i] = d[i]
    want = a @ b + c
    for (tid, k), v in acc.items():
        assert v == want[divmod(layout.flat(tid, k), bn)], (tid, k)


# --- kernels ----------------------------------------------------------------------------------

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from bench.workloads import gpu_workloads

WORKLOADS = {w.name: w.source for w in gpu_workloads()}


def _matmul(m: int, k: int, n: int, t: str) -> str:
    return (f"func.func @main(%a: tensor<{m}x{k}x{t}>, %b: tensor<{k}x{n}x{t}>) -> tensor<{m}x{n}x{t}> {{\n"
            f'  %r = "tensor_graph.matmul"(%a, %b) : (tensor<{m}x{k}x{t}>, tensor<{k}x{n}x{t}>) -> tensor<{m}x{n}x{t}>\n'
            f"  func.return %r : tensor<{m}x{n}x{t}>\n}}\n")  # fmt: skip


PROGRAMS = {
    "mm_bias_relu": WORKLOADS["mm_bias_relu"],
    "attention": WORKLOADS["attention"],  # two bf16 mmas, row softmax on the mma layout
    "matmul_bf16": _matmul(256, 512, 128, "bf16"),
    "matmul_f16_odd": _matmul(100, 70, 36, "f16"),  # masks on M, N and K tails
    "matmul_f32": _matmul(256, 512, 128, "f32"),
    "matmul_f32_odd": _matmul(33, 47, 65, "f32"),
}


def _assemble(ptx: str, tmp_path: Path) -> None:
    if PTXAS is None:
        pytest.skip("no ptxas")
    path = tmp_path / "k.ptx"
    path.write_text(ptx)
    done = subprocess.run([PTXAS, "-arch=sm_90", str(path), "-o", str(tmp_path / "k.cubin")], check=False, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_dot_kernels_assemble_for_sm90(name, tmp_path):
    ptx = emit_ptx(lower(PROGRAMS[name], "lower-to-ptx"))
    assert "call" not in ptx.replace("call.uni", "")  # no libm symbol
    if "f16" in name or name in ("mm_bias_relu", "attention"):
        assert "mma.sync.aligned.m16n8k16.row.col.f32" in ptx
    elif "f32" in name:
        assert "fma.rn.f32" in ptx and "mma" not in ptx
    _assemble(ptx, tmp_path)


# --- the pipelined K loop (pipeline.py): swizzled tiles, ldmatrix fragments ----------------------

from stepwell.lowering.gpu_block_to_nvvm import pipeline


def _ldmatrix(smem: dict, addrs: list[int], n: int, trans: bool) -> list[list[float]]:
    """Each lane's n registers (pairs of 16-bit values) of `ldmatrix.x{n}[.trans]`: lane
    8i + j addresses row j of matrix i (8 elements from that byte); thread t gets row t / 4,
    columns 2 (t % 4) and + 1 of each matrix, of its transpose with .trans (PTX ISA)."""
    mats = [[[smem[addrs[8 * i + j] + 2 * c] for c in range(8)] for j in range(8)] for i in range(n)]
    out = []
    for t in range(32):
        r, c = t // 4, 2 * (t % 4)
        out.append([x for m in mats for x in ((m[c][r], m[c + 1][r]) if trans else (m[r][c], m[r][c + 1]))])
    return out


@pytest.mark.parametrize(("shape", "threads"), [((128, 256), 256), ((64, 64), 128), ((16, 16), 32), ((32, 8), 64), ((64, 128), 128)])
@pytest.mark.parametrize("bk", [16, 32, 64])
def test_pipelined_fragments_from_swizzled_tiles_give_a_times_b(shape, threads, bk):
    """A [BM, BK] and B [BK, BN] copied to shared memory in 16-byte chunks at their
    swizzled places, every warp's fragments read by ldmatrix (.trans for B) at the lane
    addresses `compute` uses, its mmas run: each accumulator register then holds
    (A @ B + C) where the mma layout says, and the 8 rows of each 8x8 matrix an
    ldmatrix reads fall on 8 distinct 16-byte bank groups (no conflict)."""
    bm, bn = shape
    layout = MmaLayout.for_block(shape, threads)
    rng = np.random.default_rng(1)
    a, b, c = rng.integers(-4, 5, (bm, bk)), rng.integers(-4, 5, (bk, bn)), rng.integers(-4, 5, (bm, bn))
    smem: dict[int, float] = {}
    b_base = bm * bk * 2
    for tile, base, (rows, cols) in ((a, 0, (bm, bk)), (b, b_base, (bk, bn))):
        for r in range(rows):
            for c0 in range(0, cols, 8):  # a 16-byte copy: 8 elements from the chunk's place
                at = base + pipeline.swizzle_offset(r, c0, cols)
                assert at % 16 == 0
                for j in range(8):
                    assert at + 2 * j not in smem
                    smem[at + 2 * j] = tile[r, c0 + j]
    acc = {(t, k): c[divmod(layout.flat(t, k), bn)] for t in range(threads) for k in range(layout.per)}

    def conflict_free(addrs: list[int], n: int) -> None:
        for i in range(n):
            assert len({(x // 16) % 8 for x in addrs[8 * i : 8 * i + 8]}) == 8, addrs

    for warp in range(threads // 32):
        w = warp % (layout.active // 32)
        wm, wn = w % layout.warps_m, w // layout.warps_m
        tids = [warp * 32 + lane for lane in range(32)]
        for s in range(bk // 16):
            a_frags = []
            for mi in range(layout.mr):
                addrs = [pipeline.swizzle_offset(*pipeline.a_lane(ln, wm, mi, s, bm // layout.warps_m), bk) for ln in range(32)]
                conflict_free(addrs, 4)
                a_frags.append(_ldmatrix(smem, addrs, 4, False))
            b_frags = []
            for ni in range(0, layout.nr, 2):
                n = 4 if ni + 1 < layout.nr else 2
                addrs = [b_base + pipeline.swizzle_offset(*pipeline.b_lane(ln, wn, ni, s, bn // layout.warps_n), bn)
                         for ln in range(32)]  # fmt: skip
                conflict_free(addrs, n)
                regs = _ldmatrix(smem, addrs, n, True)
                b_frags += [[r[:4] for r in regs], [r[4:] for r in regs]][: n // 2]
            for mi in range(layout.mr):
                for ni in range(layout.nr):
                    at = (mi * layout.nr + ni) * 4
                    cf = [[acc[t, at + i] for i in range(4)] for t in tids]
                    for t, d in zip(tids, mma(a_frags[mi], b_frags[ni], cf)):
                        for i in range(4):
                            acc[t, at + i] = d[i]
    want = a @ b + c
    for (tid, k), v in acc.items():
        assert v == want[divmod(layout.flat(tid, k), bn)], (tid, k)


def test_mm_bias_relu_pipelined_loop_fits_in_registers(tmp_path):
    """The benchmark's kernel (128x256x64 tiles, 8 warps, 3 stages: 128 accumulator
    registers a thread, two K steps' fragments in flight) assembles for sm_90 with no
    spills and no stack frame: a spilling K loop would run several times slower."""
    if PTXAS is None:
        pytest.skip("no ptxas")
    path = tmp_path / "k.ptx"
    path.write_text(emit_ptx(lower(WORKLOADS["mm_bias_relu"], "lower-to-ptx")))
    done = subprocess.run([PTXAS, "-arch=sm_90", "-v", str(path), "-o", str(tmp_path / "k.cubin")], check=False, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads" in done.stderr, done.stderr


# --- matmuls through stepwell.compile(target="ptx"): assembled here, run on a GPU ----------------

RUN_MATMULS = {  # name: (m, k, n, dtype, pipelined: the K loop copies with cp.async)
    "bf16_prime": (97, 131, 61, "bf16", False),  # rows of 262 bytes: no 16-byte copies, masked lanes
    "bf16_k_tail": (256, 264, 128, "bf16", True),  # K = 4 x 64 + 8: the last step's copies partly masked
    "bf16_square": (512, 512, 512, "bf16", True),
    "f16_odd": (100, 70, 36, "f16", False),
    "f16_k_tail": (192, 328, 256, "f16", True),
    "f32_odd": (129, 257, 67, "f32", False),
    "f64_odd": (61, 200, 33, "f64", False),
}


def _run_case(name: str):
    from test_triton_differential import ULP, rand, rng_for

    m, k, n, t, _ = RUN_MATMULS[name]
    a, b = rand(rng_for(name), (m, k), t, specials=False), rand(rng_for(name + "b"), (k, n), t, specials=False)
    eps = ULP.get(t, 0.0)
    atol = 128 * eps * (1 + float(np.abs(a.astype(np.float64)).max()) ** 2 * k)
    return _matmul(m, k, n, t), [a, b], 4 * eps, atol


@pytest.mark.parametrize("name", sorted(RUN_MATMULS))
def test_matmuls_compile_for_ptx_pipelined_where_aligned(name, tmp_path, monkeypatch):
    from stepwell.compiler import compile

    monkeypatch.setenv("STEPWELL_CACHE_DIR", str(tmp_path))
    source, *_ = _run_case(name)
    f = compile(source, "main", target="ptx")
    assert ("cp.async.cg.shared.global" in f.program.ptx) == RUN_MATMULS[name][4]
    if RUN_MATMULS[name][3] in ("f16", "bf16"):
        assert "mma.sync.aligned.m16n8k16" in f.program.ptx
    if PTXAS is not None:
        assert f.program.cubin[:4] == b"\x7fELF"


torch = pytest.importorskip("torch")


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
@pytest.mark.parametrize("name", sorted(RUN_MATMULS))
def test_matmuls_match_the_reference_on_gpu(name):
    from _programs import assert_close

    from stepwell import reference
    from stepwell.compiler import compile

    source, inputs, rtol, atol = _run_case(name)
    f = compile(source, "main", target="ptx")
    assert_close(f(*inputs), reference.run(source, "main", *inputs), rtol, atol, name)


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_mm_bias_relu_matches_the_reference_on_gpu():
    """The benchmark's kernel (128x256x64 tiles, 3 stages, 8 warps) at 512^3."""
    from _programs import assert_close
    from test_triton_differential import rand, rng_for

    from stepwell import reference
    from stepwell.compiler import compile

    source = WORKLOADS["mm_bias_relu"].replace("4096", "512")
    inputs = [rand(rng_for(f"mm{i}"), s, "bf16", specials=False) for i, s in enumerate([(512, 512), (512, 512), (512,)])]
    f = compile(source, "main", target="ptx")
    assert "cp.async.cg.shared.global" in f.program.ptx
    expected = reference.run(source, "main", *inputs)
    assert_close(f(*inputs), expected, 2 ** -7, 0.05 * (1 + float(np.abs(expected.astype(np.float64)).max())))
