"""The PTX target's runtime: `stepwell.compile(..., target="ptx")` compiles anywhere (PTX,
and a cubin where ptxas is), keeps the cubin in the compile cache, refuses to run
without a GPU with a clear error, and launches through the CUDA driver in the shared
launchers (the Triton target's). The tests marked gpu need one (bench/gpu_check.sh).
"""

from __future__ import annotations

import ctypes

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from _programs import softmax_chain

from stepwell import reference
from stepwell.compiler import STATS, CompileError, compile
from stepwell.runtime.cache import CACHE
from stepwell.targets.ptx import assemble, driver
from stepwell.targets.ptx.runtime import DriverKernel, PtxUnavailable

GPU = torch.cuda.is_available()

EXP_ADD = """
func.func @f(%x: tensor<1000x37xf32>, %y: tensor<37xf32>) -> tensor<1000x37xf32> {
  %e = tensor_graph.exp %x : tensor<1000x37xf32>
  %s = tensor_graph.add %e, %y : tensor<1000x37xf32>, tensor<37xf32> -> tensor<1000x37xf32>
  func.return %s : tensor<1000x37xf32>
}"""
# exp(x) + y: exp within a few ulps of the reference's, and the sum cancels where y is
# near -exp(x), so the error is absolute there (ulp of exp(x) ~ 5e-7 for x < 2)
CLOSE = {"rtol": 2e-6, "atol": 1e-6}


chain = softmax_chain


@pytest.fixture(autouse=True)
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("STEPWELL_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def inputs(rng=None):
    rng = rng or np.random.default_rng(0)
    return rng.standard_normal((1000, 37)).astype(np.float32), rng.standard_normal(37).astype(np.float32)


# --- without a GPU ------------------------------------------------------------------------


def test_compiles_to_ptx_and_a_cubin_anywhere():
    f = compile(EXP_ADD, target="ptx")
    assert repr(f) == "<stepwell ptx function @f(float32[1000, 37], float32[37]) -> (float32[1000, 37])>"
    assert ".entry f_k0(" in f.program.ptx and ".target sm_90" in f.program.ptx
    threads = f.program.kernels["f_k0"]["threads"]
    assert f.program.kernels == {"f_k0": {"threads": threads, "params": ["ptr", "ptr", "ptr"], "shared": 0}}
    if assemble.find_ptxas() is None:
        assert f.program.cubin == b""
    else:
        assert f.program.cubin[:4] == b"\x7fELF"


@pytest.mark.skipif(GPU, reason="a CUDA GPU is here")
def test_calling_without_a_gpu_is_a_clear_error():
    f = compile(EXP_ADD, target="ptx")
    with pytest.raises(PtxUnavailable, match=r"^target ptx cannot run @f here: no CUDA GPU here \(torch.cuda.is_available\(\) "
                       r"is False\) \(it compiled: the function's .program.ptx and .program.cubin hold its kernels\)$"):
        f(*inputs())


def test_the_cubin_is_assembled_once_and_cached_on_disk(monkeypatch):
    CACHE.clear_memory()  # (an earlier test's compile is in memory, not in this test's directory)
    compile(EXP_ADD, target="ptx")
    runs = STATS["pipeline_runs"]
    CACHE.clear_memory()  # a later process: only the disk cache

    def no_ptxas(*args, **kwargs):
        raise AssertionError("assembled again")

    monkeypatch.setattr(assemble, "assemble", no_ptxas)
    again = compile(EXP_ADD, target="ptx")
    assert STATS["pipeline_runs"] == runs
    assert again.program.ptx and ".entry f_k0(" in again.program.ptx


def test_without_ptxas_the_ptx_is_kept_for_the_driver(monkeypatch):
    monkeypatch.setattr(assemble, "find_ptxas", lambda: None)
    monkeypatch.setattr(assemble, "ptxas_version", lambda: "no ptxas")  # (a cache key of its own)
    f = compile(EXP_ADD, target="ptx")
    assert f.program.cubin == b""
    monkeypatch.setattr(driver, "compute_capability", lambda device: (9, 0))
    assert f.program._image(0) == f.program.ptx.encode()


def test_the_cubin_is_loaded_only_on_its_architecture(monkeypatch):
    f = compile(EXP_ADD, target="ptx")
    if not f.program.cubin:
        pytest.skip("no ptxas")
    monkeypatch.setattr(driver, "compute_capability", lambda device: (9, 0))
    assert f.program._image(0) == f.program.cubin
    monkeypatch.setattr(driver, "compute_capability", lambda device: (10, 0))
    assert f.program._image(0) == f.program.ptx.encode()  # the driver compiles it for that GPU


def test_find_ptxas_honours_stepwell_ptxas(monkeypatch, tmp_path):
    fake = tmp_path / "ptxas"
    fake.write_text("#!/bin/sh\necho 'Cuda compilation tools, release 99.9'\n")
    fake.chmod(0o755)
    monkeypatch.setenv("STEPWELL_PTXAS", str(fake))
    assemble.find_ptxas.cache_clear()
    assemble.ptxas_version.cache_clear()
    try:
        assert assemble.find_ptxas() == str(fake)
        assert assemble.ptxas_version() == "ptxas Cuda compilation tools, release 99.9"
    finally:
        monkeypatch.delenv("STEPWELL_PTXAS")
        assemble.find_ptxas.cache_clear()
        assemble.ptxas_version.cache_clear()


def test_a_kernel_the_ptx_path_cannot_lower_yet_is_a_compile_error(monkeypatch):
    """(An f64 matmul's broadcast product needs 64 KiB of shared memory: more than a
    target limited to 48 KiB lets a CTA have.)"""
    from test_triton_differential import CASES

    from stepwell.targets.ptx.target import PtxTarget

    monkeypatch.setattr(PtxTarget, "max_shared", 48 * 1024)
    with pytest.raises(CompileError, match=r"^<compile>:\d+:\d+: error: .*kernel @f_k\d: a kernel needing 65536 bytes "
                       r"of shared memory \(more than 49152\) is not supported by the PTX path yet"):
        compile(CASES["matmul_2_f64"].text, target="ptx")


def test_a_kernel_above_48_kib_of_shared_memory_compiles_with_its_bytes():
    """Dynamic shared memory up to the target's limit (227 KiB on sm_90): the kernel's
    bytes reach the runtime's kernel table, the PTX declares `.extern .shared`."""
    from test_triton_differential import CASES

    f = compile(CASES["matmul_2_f64"].text, target="ptx")
    (info,) = f.program.kernels.values()
    assert info["shared"] == 65536
    assert ".extern .shared .align 16 .b8 f_k0_smem[];" in f.program.ptx


def test_the_launchers_are_the_triton_targets():
    """One launcher generator: the PTX program's host functions are emit_launchers'
    text, the same launchers the Triton target prints beside its kernels."""
    from stepwell.targets.triton.emit import emit_launchers, emit_triton
    from tests.unit._triton import lower

    module = lower(EXP_ADD, "lower-to-ptx-gpu_block")
    host = emit_launchers(module)
    assert "import triton" not in host and "@triton.jit" not in host
    launcher = host[host.index("def f(") :]
    assert launcher in emit_triton(module)
    assert "f_k0[(" in launcher


class _FakeStream:
    cuda_stream = 1234


def test_a_launch_passes_pointers_and_sizes_by_their_kinds(monkeypatch):
    """DriverKernel packs the launcher's arguments for cuLaunchKernel: a tensor as its
    device address, a size as its C type; grid padded to 3 dims; an empty grid skips."""
    launches = []

    def fake_launch(fn, grid, threads, shared, stream, params):
        values = [ctypes.c_void_p.from_address(params[0]).value, ctypes.c_int32.from_address(params[1]).value,
                  ctypes.c_int64.from_address(params[2]).value]
        launches.append((fn, grid, threads, shared, stream, values))

    class Program:
        def function(self, device, name):
            return 77

    monkeypatch.setattr(driver, "launch", fake_launch)
    monkeypatch.setattr(torch.cuda, "current_device", lambda: 0)
    monkeypatch.setattr(torch.cuda, "current_stream", lambda device=None: _FakeStream())
    kernel = DriverKernel(Program(), "k", 128, ["ptr", "i32", "i64"])
    x = torch.zeros(8)
    kernel[(5,)](x, 7, 1 << 40, num_warps=4)
    kernel[(0,)](x, 7, 1 << 40)
    assert launches == [(77, (5, 1, 1), 128, 0, 1234, [x.data_ptr(), 7, 1 << 40])]
    with pytest.raises(TypeError, match="kernel k takes 3 argument"):
        kernel[(1, 2)](x, 7)


class _FakeLibrary:
    """cuFuncSetAttribute and cuLaunchKernel of a driver that records its calls."""

    def __init__(self):
        self.calls = []

    def cuFuncSetAttribute(self, fn, attribute, value):
        self.calls.append(("cuFuncSetAttribute", fn, attribute, value))
        return 0

    def cuLaunchKernel(self, fn, gx, gy, gz, bx, by, bz, shared, stream, params, extra):
        self.calls.append(("cuLaunchKernel", fn, (gx, gy, gz), (bx, by, bz), shared, stream))
        return 0


@pytest.mark.parametrize(("shared", "opt_in"), [(0, False), (48 * 1024, False), (65536, True), (227 * 1024, True)])
def test_a_launch_passes_the_kernels_shared_bytes(monkeypatch, shared, opt_in):
    """The runtime launches a kernel with its dynamic shared memory (the kernel table's
    "shared") and, above the 48 KiB a launch gets by default, first allows the function
    that much (cuFuncSetAttribute(CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES), once)."""
    from stepwell.targets.ptx.runtime import PtxProgram
    from stepwell.targets.triton.runtime import ProgramInfo

    fake = _FakeLibrary()
    monkeypatch.setattr(driver, "library", lambda: fake)
    monkeypatch.setattr(driver, "load_module", lambda device, image: 5)
    monkeypatch.setattr(driver, "get_function", lambda module, name: 77)
    monkeypatch.setattr(driver, "make_current", lambda device: None)
    monkeypatch.setattr(driver, "compute_capability", lambda device: (9, 0))
    monkeypatch.setattr(torch.cuda, "current_device", lambda: 0)
    monkeypatch.setattr(torch.cuda, "current_stream", lambda device=None: _FakeStream())
    info = {"threads": 256, "params": ["ptr"], "shared": shared}
    program = PtxProgram(None, ProgramInfo([]), {"k": info}, "sm_90", "", b"")
    kernel = DriverKernel(program, "k", 256, ["ptr"], shared)
    x = torch.zeros(8)
    kernel[(3, 2)](x)
    kernel[(3, 2)](x)
    launch = ("cuLaunchKernel", 77, (3, 2, 1), (256, 1, 1), shared, 1234)
    allow = [("cuFuncSetAttribute", 77, driver.CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, shared)]
    assert fake.calls == [*(allow if opt_in else []), launch, launch]


# --- on a GPU -------------------------------------------------------------------------------


@pytest.mark.gpu
@pytest.mark.skipif(not GPU, reason="needs a CUDA GPU")
def test_numpy_in_numpy_out():
    f = compile(EXP_ADD, target="ptx")
    x, y = inputs()
    out = f(x, y)
    assert isinstance(out, np.ndarray) and out.dtype == np.float32
    np.testing.assert_allclose(out, reference.run(EXP_ADD, "f", x, y), **CLOSE)


@pytest.mark.gpu
@pytest.mark.skipif(not GPU, reason="needs a CUDA GPU")
def test_a_kernel_with_more_than_48_kib_of_shared_memory_runs():
    """64 KiB of dynamic shared memory (an f64 matmul's product reduced across warps)."""
    from test_triton_differential import CASES

    case = CASES["matmul_2_f64"]
    f = compile(case.text, target="ptx")
    assert max(k["shared"] for k in f.program.kernels.values()) > 48 * 1024
    np.testing.assert_allclose(f(*case.inputs), reference.run(case.text, "f", *case.inputs), rtol=1e-12, atol=1e-12)


@pytest.mark.gpu
@pytest.mark.skipif(not GPU, reason="needs a CUDA GPU")
def test_torch_cuda_tensors_in_and_out_on_the_current_stream():
    f = compile(EXP_ADD, target="ptx")
    x, y = (torch.from_numpy(a).cuda() for a in inputs())
    stream = torch.cuda.Stream()
    with torch.cuda.stream(stream):
        out = f(x, y)
        event = stream.record_event()
    event.synchronize()
    assert out.is_cuda and out.dtype == torch.float32
    np.testing.assert_allclose(out.cpu().numpy(), reference.run(EXP_ADD, "f", *inputs()), **CLOSE)


@pytest.mark.gpu
@pytest.mark.skipif(not GPU, reason="needs a CUDA GPU")
def test_the_primary_context_is_torchs():
    """Torch's pointers work in the driver's launches: the context is the device's primary one."""
    f = compile(EXP_ADD, target="ptx")
    x, y = (torch.from_numpy(a).cuda() for a in inputs())
    f(x, y)
    current = ctypes.c_void_p()
    driver.check(driver.library().cuCtxGetCurrent(ctypes.byref(current)), "cuCtxGetCurrent")
    assert current.value == driver.primary_context(torch.cuda.current_device())


@pytest.mark.gpu
@pytest.mark.skipif(not GPU, reason="needs a CUDA GPU")
def test_a_result_in_a_donated_argument_is_that_tensor():
    f = compile(EXP_ADD, target="ptx", donate_argnums=0)
    x, y = inputs()
    expected = reference.run(EXP_ADD, "f", x, y)
    xt = torch.from_numpy(x.copy()).cuda()
    out = f(xt, torch.from_numpy(y).cuda())
    assert out.data_ptr() == xt.data_ptr()  # written in place, as the plan says (no copy)
    np.testing.assert_allclose(out.cpu().numpy(), expected, **CLOSE)
    np.testing.assert_allclose(f(x, y), expected, **CLOSE)  # numpy: a result of its own


@pytest.mark.gpu
@pytest.mark.skipif(not GPU, reason="needs a CUDA GPU")
def test_a_returned_argument_is_a_copy():
    f = compile("func.func @f(%x: tensor<3xf32>) -> tensor<3xf32> {\n  func.return %x : tensor<3xf32>\n}", target="ptx")
    xt = torch.arange(3, dtype=torch.float32, device="cuda")
    out = f(xt)
    assert out.data_ptr() != xt.data_ptr() and torch.equal(out, xt)


@pytest.mark.gpu
@pytest.mark.skipif(not GPU, reason="needs a CUDA GPU")
def test_a_call_captured_in_a_cuda_graph():
    f = compile(EXP_ADD, target="ptx")
    x, y = (torch.from_numpy(a).cuda() for a in inputs())
    side = torch.cuda.Stream()
    side.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(side):
        f(x, y)  # (loads the module outside the capture)
    torch.cuda.current_stream().wait_stream(side)
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        out = f(x, y)
    new = np.random.default_rng(3).standard_normal((1000, 37)).astype(np.float32)
    x.copy_(torch.from_numpy(new))
    graph.replay()
    torch.cuda.synchronize()
    np.testing.assert_allclose(out.cpu().numpy(), reference.run(EXP_ADD, "f", new, inputs()[1]), **CLOSE)


@pytest.mark.gpu
@pytest.mark.skipif(not GPU, reason="needs a CUDA GPU")
def test_peak_memory_is_the_result_and_torch_sees_it():
    """The launchers allocate through torch's caching allocator: one call's peak is its
    result (plus the plan's arena, none here)."""
    f = compile(EXP_ADD, target="ptx")
    x, y = (torch.from_numpy(a).cuda() for a in inputs())
    f(x, y)
    torch.cuda.synchronize()
    base = torch.cuda.memory_allocated()
    torch.cuda.reset_peak_memory_stats()
    out = f(x, y)
    torch.cuda.synchronize()
    assert torch.cuda.max_memory_allocated() - base == f.plan.arena + (-(-out.numel() * 4 // 512) * 512)


@pytest.mark.gpu
@pytest.mark.skipif(not GPU, reason="needs a CUDA GPU")
def test_peak_memory_does_not_grow_with_depth():
    """Intermediates in the memory plan's arena (from torch's allocator): a deeper chain
    of kernels needs no more memory."""
    m, n = 512, 1024
    peaks = {}
    for depth in (4, 16):
        f = compile(chain(depth, m, n), target="ptx")
        x = torch.randn(m, n, device="cuda")
        f(x)
        torch.cuda.synchronize()
        base = torch.cuda.memory_allocated()
        torch.cuda.reset_peak_memory_stats()
        y = f(x)
        torch.cuda.synchronize()
        peaks[depth] = torch.cuda.max_memory_allocated() - base
        np.testing.assert_allclose(y.cpu().numpy(), reference.run(chain(depth, m, n), "f", x.cpu().numpy()), rtol=1e-5, atol=1e-7)
    assert peaks[16] == peaks[4], peaks
    assert peaks[4] <= f.plan.arena + 4 * m * n + (1 << 20)
