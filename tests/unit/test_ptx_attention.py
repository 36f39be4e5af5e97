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


def _compile(name, tmp_path, monkeypatch):
    from stepwell.compiler import compile

    monkeypatch.setenv("STEPWELL_CACHE_DIR", str(tmp_path))
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


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
@pytest.mark.parametrize("name", sorted(CASES))
def test_attention_matches_the_reference_on_gpu(name, tmp_path, monkeypatch):
    from _programs import assert_close
    from test_triton_differential import rand, rng_for

    from stepwell import reference

    batch, s, t, d, dt, causal = CASES[name]
    f = _compile(name, tmp_path, monkeypatch)
    inputs = [rand(rng_for(name + x), (*batch, n, d), dt, specials=False) for x, n in (("q", s), ("k", t), ("v", t))]
    want = reference.run(attention(batch, s, t, d, dt, causal), "f", *inputs)
    assert_close(f(*inputs), want, 2e-2, 3e-2 if dt == "bf16" else 1e-2, name)
