"""The wgmma K loop (gpu_block_to_nvvm/wgmma.py, sm_90a): a simulation of what the
hardware reads through our descriptors, the kernels assembled for sm_90a, and (on a
GPU) matmuls through stepwell.compile with STEPWELL_PTX_ARCH=sm_90a."""

from __future__ import annotations

import subprocess

import numpy as np
import pytest

from stepwell.lowering.gpu_block_to_nvvm import pipeline
from stepwell.lowering.gpu_block_to_nvvm import wgmma as wg
from stepwell.lowering.gpu_block_to_nvvm.dot import MmaLayout
from stepwell.targets.ptx import emit_ptx
from tests.unit._triton import lower
from tests.unit.test_ptx import PTXAS

# --- the hardware's reading of a descriptor (PTX ISA, "Matrix Descriptor Format" and the
# canonical layouts of "Shared Memory Matrix Layout"), written from the ISA, not from wgmma.py


def _fields(desc: int) -> tuple[int, int, int, int]:
    start, lbo, sbo = (desc & 0x3FFF) << 4, (desc >> 16 & 0x3FFF) << 4, (desc >> 32 & 0x3FFF) << 4
    assert desc >> 49 & 7 == 0  # base offset 0: the swizzle atoms start at multiples of their size
    return start, lbo, sbo, {1: 128, 2: 64, 3: 32}[desc >> 62]


def _swizzle(addr: int, row_bytes: int) -> int:
    """The 128/64/32-byte swizzle: address bits 4.. (16-byte chunk in the row) XOR bits
    7.. (the row within the 8-row atom), 3/2/1 bits."""
    bits = {128: 3, 64: 2, 32: 1}[row_bytes]
    return addr ^ ((addr >> 7 & (1 << bits) - 1) << 4)


def read_k_major(desc: int, m: int, k: int) -> int:
    """The byte of element (m, k), m < 64, k < 16, of a K-major operand (A): 8-row
    groups `SBO` apart, rows of the atom `row_bytes` apart, K along the row."""
    start, _, sbo, row = _fields(desc)
    return _swizzle(start + m // 8 * sbo + m % 8 * row + 2 * k, row)


def read_mn_major(desc: int, k: int, n: int) -> int:
    """The byte of element (k, n), k < 16, of an MN-major operand (B, `tnspB`): N along
    the row in atoms of `row_bytes / 2` columns `LBO` apart, 8-row K groups `SBO` apart."""
    start, lbo, sbo, row = _fields(desc)
    cols = row // 2
    return _swizzle(start + n // cols * lbo + k // 8 * sbo + k % 8 * row + 2 * (n % cols), row)


def d_element(warp: int, lane: int, i: int) -> tuple[int, int]:
    """(row, col) in the warpgroup's 64 x N result of accumulator register i of `lane`
    of the group's warp `warp` (the ISA's fragment of D for m64nNk16)."""
    return 16 * warp + lane // 4 + 8 * (i // 2 % 2), 8 * (i // 4) + 2 * (lane % 4) + i % 2


TILES = [  # (bm, bn, bk, threads)
    (128, 256, 64, 256),  # the benchmark's: m64n256k16, 2 warpgroups along M, 128-byte swizzle
    (64, 64, 64, 128),
    (64, 256, 64, 256),  # 2 warpgroups along N (n = 128)
    (128, 128, 32, 256),  # A in 64-byte rows
    (64, 32, 16, 128),  # A in 32-byte rows, B in 64-byte rows
    (64, 16, 16, 128),  # B in 32-byte rows
    (64, 128, 128, 128),  # A in two 64-column panels along K
]


@pytest.mark.parametrize(("bm", "bn", "bk", "threads"), TILES)
def test_wgmma_descriptors_read_the_tiles_our_copies_place(bm, bn, bk, threads):
    """A [BM, BK] and B [BK, BN] copied into a stage's buffer in 16-byte chunks at
    `panel_offset`; each warpgroup's wgmma of each K step reads, through the
    descriptors the kernel builds (`Tiles`), exactly its A rows and B columns of that
    step; its accumulator registers are where `MmaLayout.for_warpgroups` says, so the
    sum over the steps is A @ B in the layout the epilogue reads."""
    layout = MmaLayout.for_warpgroups((bm, bn), threads)
    assert layout is not None and layout.mr == 1
    tiles = wg.Tiles(bm, bn, bk, layout.warps_n)
    stage = 2 * (bm * bk + bk * bn) * 2  # (a later stage's buffer: its start a multiple of 1024)
    assert stage % wg.ALIGN == 0
    rng = np.random.default_rng(7)
    a, b = rng.integers(-4, 5, (bm, bk)), rng.integers(-4, 5, (bk, bn))
    smem: dict[int, int] = {}
    for tile, base, (rows, cols) in ((a, stage, (bm, bk)), (b, stage + bm * bk * 2, (bk, bn))):
        for r in range(rows):
            for c0 in range(0, cols, 8):
                at = base + pipeline.panel_offset(r, c0, rows, cols)
                assert at % 16 == 0
                for j in range(8):
                    assert at + 2 * j not in smem
                    smem[at + 2 * j] = (r, c0 + j)  # which element lies there
    warps_m = layout.warps_m
    acc = np.zeros((threads, layout.per), dtype=np.int64)
    for gm in range(warps_m // 4):
        for gn in range(layout.warps_n):
            d = np.zeros((wg.WG_M, tiles.n), dtype=np.int64)
            for s in range(bk // wg.K):
                da = wg.descriptor(stage + tiles.a_start(gm, s), tiles.a)
                db = wg.descriptor(stage + tiles.b_start(gn, s), tiles.b)
                got_a = [[smem[read_k_major(da, m, kk)] for kk in range(16)] for m in range(64)]
                assert got_a == [[(64 * gm + m, 16 * s + kk) for kk in range(16)] for m in range(64)]
                got_b = [[smem[read_mn_major(db, kk, n)] for n in range(tiles.n)] for kk in range(16)]
                assert got_b == [[(16 * s + kk, gn * tiles.n + n) for n in range(tiles.n)] for kk in range(16)]
                d += a[64 * gm : 64 * gm + 64, 16 * s : 16 * s + 16] @ b[16 * s : 16 * s + 16, gn * tiles.n : (gn + 1) * tiles.n]
            for warp in range(threads // 32):
                if wg.group(warp, warps_m, layout.warps_n) != (gm, gn):
                    continue
                for lane in range(32):
                    for i in range(layout.per):
                        acc[32 * warp + lane, i] = d[d_element(warp % 4, lane, i)]
    want = a @ b
    for tid in range(threads):
        for i in range(layout.per):
            assert acc[tid, i] == want[divmod(layout.flat(tid, i), bn)], (tid, i)


def test_the_copies_panel_layout_is_a_permutation_of_the_tile():
    """Every element of a tile has its own 2 bytes, the panels packed end to end."""
    for rows, cols in ((64, 256), (128, 64), (16, 32), (64, 128)):
        offs = {pipeline.panel_offset(r, c, rows, cols) for r in range(rows) for c in range(cols)}
        assert offs == set(range(0, rows * cols * 2, 2))


@pytest.mark.parametrize(("shape", "threads", "expected"), [
    ((128, 256), 256, (8, 1)), ((64, 64), 128, (4, 1)), ((64, 256), 256, (4, 2)),
    ((128, 64), 128, None),  # 8 warps' rows, 4 warps
    ((32, 64), 128, None),  # less than a warpgroup's 64 rows
    ((64, 64), 256, None),  # 2 warpgroups along N of 32 columns: half a panel each
])  # fmt: skip
def test_warpgroup_layouts(shape, threads, expected):
    layout = MmaLayout.for_warpgroups(shape, threads)
    assert (layout and (layout.warps_m, layout.warps_n)) == expected


# --- the kernels, assembled for sm_90a ------------------------------------------------------

from bench.workloads import gpu_workloads

WORKLOADS = {w.name: w.source for w in gpu_workloads() if w.name in ("mm_bias_relu",)}


def test_mm_bias_relu_on_wgmma_assembles_for_sm90a_without_spills(tmp_path):
    """The benchmark's kernel (128x256x64 tiles, 8 warps, 3 stages) with the switch
    on: m64n256k16 wgmmas, PTX for sm_90a, no spills and no wgmma serialized by ptxas
    (its "Potential Performance Loss" advice)."""
    if PTXAS is None:
        pytest.skip("no ptxas")
    module = lower(WORKLOADS["mm_bias_relu"], "lower-to-ptx-sm90a")
    ptx = emit_ptx(module)
    assert ".target sm_90a" in ptx and ".extern .shared .align 1024" in ptx
    assert ptx.count("wgmma.mma_async.sync.aligned.m64n256k16.f32.bf16.bf16") == 4
    assert "mma.sync" not in ptx and "ldmatrix" not in ptx
    path = tmp_path / "k.ptx"
    path.write_text(ptx)
    done = subprocess.run([PTXAS, "-arch=sm_90a", "-v", str(path), "-o", str(tmp_path / "k.cubin")], check=False, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads" in done.stderr, done.stderr
    assert "Performance Loss" not in done.stderr and "serialized" not in done.stderr, done.stderr


def test_a_wgmma_kernel_is_refused_for_another_architecture():
    """The emitter targets sm_90a for such a kernel when asked for sm_90, and refuses any
    other architecture before LLVM sees it (LLVM would end the process)."""
    from stepwell.tools.emitters import EmitError

    module = lower(WORKLOADS["mm_bias_relu"].replace("4096", "256"), "lower-to-ptx-sm90a")
    with pytest.raises(EmitError, match="needs sm_90a .it uses wgmma., not sm_80"):
        emit_ptx(module, arch="sm_80", ptx="ptx80")


# --- matmuls through stepwell.compile(target="ptx") with STEPWELL_PTX_ARCH=sm_90a ---------------

RUN = {  # name: (m, k, n, dtype, wgmma: the loop runs on wgmma)
    "bf16_1024": (1024, 1024, 1024, "bf16", True),
    "bf16_k_tail": (256, 264, 128, "bf16", True),  # K = 4 x 64 + 8: the last tile's copies partly masked
    "bf16_odd_k_tail": (320, 200, 192, "bf16", True),  # K tail of 8, N of 3 panels
    "f16_k_tail": (192, 328, 256, "f16", True),
    "f16_1024": (1024, 1024, 1024, "f16", True),
    "bf16_prime": (97, 131, 61, "bf16", False),  # rows of 262 bytes: not pipelined (mma.sync, staged)
    "bf16_small": (32, 64, 64, "bf16", False),  # a 32-row tile: pipelined on mma.sync
}


def _case(name: str):
    from test_ptx_dot import _matmul
    from test_triton_differential import ULP, rand, rng_for

    m, k, n, t, _ = RUN[name]
    a, b = rand(rng_for(name), (m, k), t, specials=False), rand(rng_for(name + "b"), (k, n), t, specials=False)
    eps = ULP.get(t, 0.0)
    atol = 128 * eps * (1 + float(np.abs(a.astype(np.float64)).max()) ** 2 * k)
    return _matmul(m, k, n, t), [a, b], 4 * eps, atol


@pytest.mark.parametrize("name", sorted(RUN))
def test_matmuls_compile_on_wgmma_for_sm90a(name, tmp_path, monkeypatch):
    from stepwell.compiler import compile

    monkeypatch.setenv("STEPWELL_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("STEPWELL_PTX_ARCH", "sm_90a")
    source, *_ = _case(name)
    f = compile(source, "main", target="ptx")
    assert ("wgmma.mma_async" in f.program.ptx) == RUN[name][4]
    assert ".target sm_90a" in f.program.ptx or not RUN[name][4]
    if PTXAS is not None:
        assert f.program.cubin[:4] == b"\x7fELF"


def test_an_unknown_ptx_arch_is_refused(tmp_path, monkeypatch):
    from stepwell.compiler import CompileError, compile

    monkeypatch.setenv("STEPWELL_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("STEPWELL_PTX_ARCH", "sm_100")
    with pytest.raises(CompileError, match="STEPWELL_PTX_ARCH='sm_100': the ptx target builds for sm_90 or sm_90a"):
        compile(_case("bf16_small")[0], "main", target="ptx")


@pytest.mark.parametrize("capability, arch", [((9, 0), "sm_90a"), ((8, 0), "sm_90"), ((10, 0), "sm_90"), (None, "sm_90")])
def test_the_default_arch_is_the_gpus(monkeypatch, capability, arch):
    """Without $STEPWELL_PTX_ARCH the target builds for the first GPU: sm_90a (wgmma) on
    a Hopper, sm_90 on another GPU or without one (None: the driver cannot be loaded)."""
    from stepwell.targets.ptx import driver
    from stepwell.targets.ptx import target as ptx_target

    def capability_of(device):
        if capability is None:
            raise driver.DriverError("no CUDA driver")
        return capability

    monkeypatch.delenv("STEPWELL_PTX_ARCH", raising=False)
    monkeypatch.setattr(driver, "compute_capability", capability_of)
    ptx_target.device_arch.cache_clear()
    try:
        assert ptx_target.PtxTarget().arch == arch
        monkeypatch.setenv("STEPWELL_PTX_ARCH", "sm_90")
        assert ptx_target.PtxTarget().arch == "sm_90"
    finally:
        ptx_target.device_arch.cache_clear()


torch = pytest.importorskip("torch")


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
@pytest.mark.parametrize("name", sorted(RUN))
def test_matmuls_on_wgmma_match_the_reference_on_gpu(name, monkeypatch):
    from _programs import assert_close

    from stepwell import reference
    from stepwell.compiler import compile

    monkeypatch.setenv("STEPWELL_PTX_ARCH", "sm_90a")
    source, inputs, rtol, atol = _case(name)
    f = compile(source, "main", target="ptx")
    assert ("wgmma.mma_async" in f.program.ptx) == RUN[name][4]
    assert_close(f(*inputs), reference.run(source, "main", *inputs), rtol, atol, name)


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
@pytest.mark.parametrize("size", [1024, 4096])
def test_mm_bias_relu_on_wgmma_matches_the_reference_on_gpu(size, monkeypatch):
    """The benchmark's program (bias and relu epilogue) at 1024^3 (64x64 tiles, 4 warps)
    and at its own 4096^3 (128x256x64 tiles, 8 warps, 3 stages)."""
    from _programs import assert_close
    from test_triton_differential import rand, rng_for

    from stepwell import reference
    from stepwell.compiler import compile

    monkeypatch.setenv("STEPWELL_PTX_ARCH", "sm_90a")
    source = WORKLOADS["mm_bias_relu"].replace("4096", str(size))
    shapes = [(size, size), (size, size), (size,)]
    inputs = [rand(rng_for(f"mm{i}"), s, "bf16", specials=False) for i, s in enumerate(shapes)]
    f = compile(source, "main", target="ptx")
    assert "wgmma.mma_async" in f.program.ptx
    expected = reference.run(source, "main", *inputs)
    assert_close(f(*inputs), expected, 2 ** -7, 0.05 * (1 + float(np.abs(expected.astype(np.float64)).max())))
