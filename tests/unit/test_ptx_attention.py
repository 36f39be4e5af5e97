"""The fused attention kernel on the PTX path (issue 10): its K loop streams the k and v
tiles with cp.async and reads them with ldmatrix (gpu_block_to_nvvm/attention.py), p
stays in registers as the second mma's A operand, q's fragments are read once, the
row max and sum stay in registers; checked by a per-lane simulation against the PTX
ISA's m16n8k16 fragments, assembled for sm_90, and run against the reference on a GPU."""

from __future__ import annotations

import re

import numpy as np
import pytest

from stepwell.lowering.gpu_block_to_nvvm import attention as at
from stepwell.lowering.gpu_block_to_nvvm import dot, pipeline
from stepwell.lowering.gpu_block_to_nvvm import wgmma as wg
from stepwell.lowering.gpu_block_to_nvvm.dot import MmaLayout
from tests.unit.test_ptx import PTXAS
from tests.unit.test_ptx_dot import _ldmatrix, mma

torch = pytest.importorskip("torch")


def _tt(shape, dt):
    return f"tensor<{'x'.join(map(str, shape))}x{dt}>"


def attention(batch: tuple, s: int, t: int, d: int, dt: str, causal: bool, scale: float = 0.125) -> str:
    q, kv, out = (*batch, s, d), (*batch, t, d), (*batch, s, d)
    flag = "true" if causal else "false"
    return (f"func.func @f(%q: {_tt(q, dt)}, %k: {_tt(kv, dt)}, %v: {_tt(kv, dt)}) -> {_tt(out, dt)} {{\n"
            f"  %y = tensor_graph.attention %q, %k, %v {{scale = {scale}, causal = {flag}}} : "
            f"{_tt(q, dt)}, {_tt(kv, dt)}, {_tt(kv, dt)} -> {_tt(out, dt)}\n"
            f"  func.return %y : {_tt(out, dt)}\n}}\n")  # fmt: skip


# --- the fragments, simulated ------------------------------------------------------------------


def _copy_tile(smem: dict, tile: np.ndarray, base: int) -> None:
    """A row-major tile copied in 16-byte chunks to their swizzled places."""
    rows, cols = tile.shape
    for r in range(rows):
        for c0 in range(0, cols, 8):
            at_ = base + pipeline.swizzle_offset(r, c0, cols)
            for j in range(8):
                assert at_ + 2 * j not in smem
                smem[at_ + 2 * j] = tile[r, c0 + j]


@pytest.mark.parametrize(("shape", "threads"), [((128, 64), 128), ((64, 64), 128), ((16, 16), 32), ((128, 128), 256), ((32, 8), 64)])
@pytest.mark.parametrize("bk", [16, 64, 128])
@pytest.mark.parametrize("trans", [False, True])
def test_streamed_b_fragments_give_a_times_b(shape, threads, bk, trans):
    """B [BK, BN] in shared memory as [BN, BK] (k^T: k's rows, plain ldmatrix) or as
    [BK, BN] (v: .trans), swizzled; every warp's B fragments read at `tile_lane`'s
    addresses, A's given by the PTX ISA's layout: the mmas give A @ B + C where the
    mma layout says, and the 8 rows each 8x8 matrix reads lie in 8 distinct bank groups."""
    bm, bn = shape
    layout = MmaLayout.for_block(shape, threads)
    rng = np.random.default_rng(2)
    a, b, c = rng.integers(-4, 5, (bm, bk)), rng.integers(-4, 5, (bk, bn)), rng.integers(-4, 5, (bm, bn))
    smem: dict[int, float] = {}
    _copy_tile(smem, b if trans else b.T, 0)
    cols = bn if trans else bk
    acc = {(t, k): c[divmod(layout.flat(t, k), bn)] for t in range(threads) for k in range(layout.per)}
    for warp in range(threads // 32):
        w = warp % (layout.active // 32)
        wm, wn = w % layout.warps_m, w // layout.warps_m
        tids = [warp * 32 + lane for lane in range(32)]
        for s in range(bk // 16):
            b_frags = []
            for ni in range(0, layout.nr, 2):
                n = 4 if ni + 1 < layout.nr else 2
                lanes = range(32) if n == 4 else [ln & 15 for ln in range(32)]
                addrs = [pipeline.swizzle_offset(*at.tile_lane(ln, wn, ni, s, bn // layout.warps_n, trans), cols) for ln in lanes]
                for i in range(n):
                    assert len({(x // 16) % 8 for x in addrs[8 * i : 8 * i + 8]}) == 8, addrs
                regs = _ldmatrix(smem, addrs, n, trans)
                b_frags += [[r[:4] for r in regs], [r[4:] for r in regs]][: n // 2]
            for mi in range(layout.mr):
                rows = [wm * (bm // layout.warps_m) + mi * 16 + r for r in range(16)]
                a_frags = [[a[rows[g + 8 * (i in (2, 3, 6, 7))], s * 16 + 2 * tq + (i & 1) + 8 * (i >= 4)] for i in range(8)]
                           for g, tq in (divmod(lane, 4) for lane in range(32))]  # fmt: skip
                for ni in range(layout.nr):
                    at_ = (mi * layout.nr + ni) * 4
                    cf = [[acc[t, at_ + i] for i in range(4)] for t in tids]
                    for t, d in zip(tids, mma(a_frags, b_frags[ni], cf)):
                        for i in range(4):
                            acc[t, at_ + i] = d[i]
    want = a @ b + c
    for (tid, k), v in acc.items():
        assert v == want[divmod(layout.flat(tid, k), bn)], (tid, k)


@pytest.mark.parametrize(("bm", "bk", "threads"), [(128, 64, 128), (64, 16, 128), (16, 32, 32), (128, 128, 256)])
def test_p_in_registers_is_the_next_mma_a_operand(bm, bk, threads):
    """P [BM, BK] held in the accumulator layout of its shape (every warp owning whole
    rows: MmaLayout.for_block's choice for these shapes) packed pairwise by
    `a_from_acc`: each lane's registers are the A fragments the PTX ISA lays out."""
    layout = MmaLayout(( bm, bk), threads, 2, threads // 32, 1) if bm // (threads // 32) >= 16 else None
    assert layout is not None
    p = np.arange(bm * bk).reshape(bm, bk)
    held = {(t, k): p[divmod(layout.flat(t, k), bk)] for t in range(threads) for k in range(layout.per)}
    for t in range(threads):
        wm = (t // 32) % layout.warps_m
        g, tq = divmod(t % 32, 4)
        for mi in range(layout.mr):
            for s in range(bk // 16):
                regs = dot.a_from_acc(mi, s, layout.nr)
                got = [v for r in regs for v in (held[t, r], held[t, r + 1])]
                row0 = wm * (bm // layout.warps_m) + mi * 16
                want = [p[row0 + g + 8 * (i in (2, 3, 6, 7)), s * 16 + 2 * tq + (i & 1) + 8 * (i >= 4)] for i in range(8)]
                assert got == want, (t, mi, s)


# --- the loop on wgmma (sm_90a): what the hardware reads through the descriptors ------------------


WGMMA_TILES = [  # (bm, n, kk, threads): B [kk, n]; k^T's tile [n, kk], v's [kk, n]
    (128, 64, 64, 128),  # the benchmark's s = q k^T and o += p v: 4 warps of 32 rows, two m64 wgmmas each step
    (64, 64, 64, 128), (256, 64, 32, 256), (64, 32, 64, 128), (64, 16, 64, 128), (128, 64, 16, 128),
]


@pytest.mark.parametrize(("bm", "n", "kk", "threads", "trans"), [
    *((*t, trans) for t in WGMMA_TILES for trans in (False, True)),
    (128, 128, 64, 256, False),  # k^T of 128 keys (m64n128k16; v's tile [128, 64] as above)
])  # fmt: skip
def test_wgmma_reads_the_streamed_tiles_and_the_register_operands(bm, n, kk, threads, trans):
    """A streamed tile of B [K, N] (k^T: stored [N, K], K-major; v: [K, N], N-major),
    copied to its swizzled places at a stage's 1024-byte aligned start: each K step's
    descriptor (`Tile.operand`, `Tile.step_start`) reads, by the PTX ISA's canonical
    layouts (test_ptx_wgmma's simulation), exactly B's rows 16s .. 16s + 15; each warp's A
    registers (its 16-row tile mi, as mma.m16n8k16's) give the rows of the warp's D in
    the warpgroup's m64 wgmma, whose registers are part mi of the accumulator in the
    attention's layout (every warp owning whole rows): the sum over the steps is A @ B
    where the layout says."""
    from tests.unit.test_ptx_wgmma import d_element, read_k_major, read_mn_major

    tile = at.Tile(None, trans, (kk, n) if trans else (n, kk), 0)  # type: ignore[arg-type]
    assert tile.shape[1] * 2 in wg.SWIZZLE and tile.nbytes % wg.ALIGN == 0
    layout = MmaLayout((bm, n), threads, 2, threads // 32, 1)
    base = 5 * wg.ALIGN
    code = np.arange(kk * n).reshape(kk, n)  # element (k, n) of B
    smem: dict[int, int] = {}
    _copy_tile(smem, code if trans else code.T, base)
    rng = np.random.default_rng(5)
    a, b = rng.integers(-4, 5, (bm, kk)), rng.integers(-4, 5, (kk, n))
    per, rows_per_warp = 4 * layout.nr, bm // layout.warps_m
    acc = np.zeros((threads, layout.per), dtype=np.int64)
    for s in range(kk // wg.K):
        desc = wg.descriptor(base + tile.step_start(s), tile.operand)
        if trans:
            got = [[smem[read_mn_major(desc, q, c)] for c in range(n)] for q in range(wg.K)]
        else:
            got = [[smem[read_k_major(desc, c, q)] for c in range(n)] for q in range(wg.K)]
        assert got == code[16 * s : 16 * s + 16].tolist(), s
        for g in range(threads // 128):
            for mi in range(layout.mr):
                warps = range(4 * g, 4 * g + 4)
                rows = [w * rows_per_warp + 16 * mi + r for w in warps for r in range(16)]  # A's rows, warp by warp
                d = a[rows, 16 * s : 16 * s + 16] @ b[16 * s : 16 * s + 16]
                for w in warps:
                    for lane in range(32):
                        for i in range(per):
                            acc[32 * w + lane, mi * per + i] += d[d_element(w % 4, lane, i)]
    want = a @ b
    for tid in range(threads):
        for i in range(layout.per):
            assert acc[tid, i] == want[divmod(layout.flat(tid, i), n)], (tid, i)


# --- the kernel: assembled here, run on a GPU -----------------------------------------------------

CASES = {  # name: (batch, S, T, D, dtype, causal)
    "bf16_d64": ((2, 3), 256, 256, 64, "bf16", False),
    "bf16_d64_causal": ((2, 3), 256, 256, 64, "bf16", True),
    "bf16_odd": ((1, 2), 203, 77, 64, "bf16", False),  # masked q rows, a masked last key tile
    "bf16_odd_causal": ((1, 2), 203, 203, 64, "bf16", True),
    "f16_d128": ((1, 2), 384, 320, 128, "f16", False),
    "f16_d128_causal": ((1, 2), 300, 300, 128, "f16", True),
    "bf16_d128_odd": ((2,), 129, 95, 128, "bf16", False),
    "f16_d64_odd": ((3,), 61, 190, 64, "f16", False),
    "bf16_d40": ((1, 1), 100, 130, 40, "bf16", True),  # a head dim padded to 64: masked columns
}


def _compile(name, tmp_path, monkeypatch, arch="sm_90"):
    from stepwell.compiler import compile

    monkeypatch.setenv("STEPWELL_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("STEPWELL_PTX_ARCH", arch)
    batch, s, t, d, dt, causal = CASES[name]
    return compile(attention(batch, s, t, d, dt, causal), "f", target="ptx")


def _loop(ptx: str) -> str:
    """The text of the kernel's first loop (its first backward branch's target on)."""
    lines = ptx.splitlines()
    labels = {ln.strip()[:-1]: i for i, ln in enumerate(lines) if re.match(r"^\$L__BB\d+_\d+:$", ln.strip())}
    for i, ln in enumerate(lines):
        m = re.search(r"bra(?:\.uni)?\s+(\$L__BB\d+_\d+);", ln)
        if m and labels.get(m.group(1), i) < i:
            return "\n".join(lines[labels[m.group(1)] : i + 1])
    raise AssertionError("no loop")


@pytest.mark.parametrize("name", sorted(CASES))
def test_attention_streams_k_and_v_and_keeps_p_in_registers(name, tmp_path, monkeypatch):
    """The K loop: k and v tiles by cp.async and ldmatrix, one barrier, no other shared
    memory traffic (p, the row max and sum never go through it), shuffles for the row
    max and sum; assembled by ptxas."""
    f = _compile(name, tmp_path, monkeypatch)
    ptx = f.program.ptx
    loop = _loop(ptx)
    assert "cp.async.cg.shared.global" in ptx and "ldmatrix.sync.aligned.m8n8.x4.trans" in loop  # (short: copied ahead)
    assert "ldmatrix.sync.aligned.m8n8.x4.shared" in loop or "ldmatrix.sync.aligned.m8n8.x4.b16" in loop
    assert loop.count("bar.sync") == 1
    assert "st.shared" not in loop.replace("st.shared.v4", "") or "bf16_d40" in name  # (d40: masked copies' lanes)
    assert "ld.shared" not in loop
    assert "shfl.sync.bfly" in loop and loop.count("mma.sync.aligned.m16n8k16") > 0
    if PTXAS is not None:
        assert f.program.cubin[:4] == b"\x7fELF"


def _on_wgmma(name: str) -> bool:
    """Whether the case's loop runs on wgmma on sm_90a: k's and v's tiles in rows of at
    most 128 bytes (a head dim of at most 64, d40 padded to 64); d128 keeps mma.sync."""
    return CASES[name][3] <= 64


@pytest.mark.parametrize("name", sorted(CASES))
def test_attention_on_sm90a_runs_its_loop_on_wgmma(name, tmp_path, monkeypatch):
    """With STEPWELL_PTX_ARCH=sm_90a the loop's dots are wgmmas through descriptors (no
    ldmatrix, no mma.sync in it), still one barrier a step, no shared memory loads (p
    and q from registers); a head dim of 128 falls back to the mma.sync loop, which the
    kernel's nvvm.dot_stream says. Assembled by ptxas for sm_90a."""
    f = _compile(name, tmp_path, monkeypatch, "sm_90a")
    ptx = f.program.ptx
    loop = _loop(ptx)
    assert loop.count("bar.sync") == 1 and "ld.shared" not in loop and "shfl.sync.bfly" in loop
    if _on_wgmma(name):
        assert ".target sm_90a" in ptx
        assert loop.count("wgmma.mma_async") > 0 and "ldmatrix" not in loop and "mma.sync" not in loop
        assert loop.count("wgmma.wait_group.sync.aligned 0;") == 2 and "fence.proxy.async.shared::cta" in loop
    else:
        assert "wgmma" not in ptx and "ldmatrix" in loop and "mma.sync" in loop
    if PTXAS is not None:
        assert f.program.cubin[:4] == b"\x7fELF"


def test_the_benchmark_attention_on_wgmma_assembles_without_spills(tmp_path):
    """The benchmark's kernel (128 query rows, 64-key steps, head dim 64, 4 warps, 3
    stages) on sm_90a: 16 m64n64k16 wgmmas a step, ptxas -v reports no spills and
    injects no warpgroup waits or arrives of its own (no register written between
    `wgmma.fence` and the wgmmas that read it)."""
    import subprocess

    from bench.workloads import gpu_workloads
    from stepwell.targets.ptx import emit_ptx
    from tests.unit._triton import lower

    if PTXAS is None:
        pytest.skip("no ptxas")
    source = next(w.source for w in gpu_workloads() if w.name == "attention")
    ptx = emit_ptx(lower(source, "lower-to-ptx-sm90a"))
    assert ptx.count("wgmma.mma_async.sync.aligned.m64n64k16.f32.bf16.bf16") == 16 and "ldmatrix" not in ptx
    path = tmp_path / "k.ptx"
    path.write_text(ptx)
    done = subprocess.run([PTXAS, "-arch=sm_90a", "-v", str(path), "-o", str(tmp_path / "k.cubin")], check=False, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads" in done.stderr, done.stderr
    assert "injected" not in done.stderr and "Performance Loss" not in done.stderr, done.stderr


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
@pytest.mark.parametrize("arch", ["sm_90", "sm_90a"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_attention_matches_the_reference_on_gpu(name, arch, tmp_path, monkeypatch):
    """On sm_90 the mma.sync loop; on sm_90a (a Hopper GPU) the wgmma loop where the
    case takes it."""
    from _programs import assert_close
    from test_triton_differential import rand, rng_for

    from stepwell import reference

    batch, s, t, d, dt, causal = CASES[name]
    f = _compile(name, tmp_path, monkeypatch, arch)
    assert ("wgmma.mma_async" in f.program.ptx) == (arch == "sm_90a" and _on_wgmma(name))
    inputs = [rand(rng_for(name + x), (*batch, n, d), dt, specials=False) for x, n in (("q", s), ("k", t), ("v", t))]
    want = reference.run(attention(batch, s, t, d, dt, causal), "f", *inputs)
    assert_close(f(*inputs), want, 2e-2, 3e-2 if dt == "bf16" else 1e-2, name)
