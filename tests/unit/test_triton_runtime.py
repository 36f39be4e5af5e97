"""The Triton target's runtime: `stepwell.compile(..., target="triton")` called with
numpy arrays and torch tensors, its argument checks, alignment, donation, the memory
plan's arena, autotuning and its file. Runs in Triton's interpreter without a GPU; the
tests marked gpu need one (bench/gpu_check.sh runs them)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import ml_dtypes
import numpy as np
import pytest

triton = pytest.importorskip("triton")
torch = pytest.importorskip("torch")

from _programs import softmax_chain  # noqa: E402
from stepwell import reference  # noqa: E402
from stepwell.compiler import STATS, compile  # noqa: E402
from stepwell.targets.triton import runtime  # noqa: E402

GPU = torch.cuda.is_available()
DEVICE = "cuda" if GPU else "cpu"

EXP_ADD = """
func.func @f(%x: tensor<7x13xf32>, %y: tensor<13xf32>) -> tensor<7x13xf32> {
  %e = tensor_graph.exp %x : tensor<7x13xf32>
  %s = tensor_graph.add %e, %y : tensor<7x13xf32>, tensor<13xf32> -> tensor<7x13xf32>
  func.return %s : tensor<7x13xf32>
}"""


chain = softmax_chain


@pytest.fixture(autouse=True)
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("STEPWELL_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def inputs(rng=None):
    rng = rng or np.random.default_rng(0)
    return rng.standard_normal((7, 13)).astype(np.float32), rng.standard_normal(13).astype(np.float32)


def test_numpy_in_numpy_out():
    f = compile(EXP_ADD, target="triton")
    x, y = inputs()
    out = f(x, y)
    assert isinstance(out, np.ndarray) and out.dtype == np.float32
    np.testing.assert_allclose(out, reference.run(EXP_ADD, "f", x, y), rtol=1e-6)
    assert "TRITON_INTERPRET" not in os.environ or GPU  # set around the import only
    assert repr(f) == "<stepwell triton function @f(float32[7, 13], float32[13]) -> (float32[7, 13])>"


def test_torch_in_torch_out_non_contiguous_and_misaligned():
    f = compile(EXP_ADD, target="triton")
    x, y = inputs()
    expected = reference.run(EXP_ADD, "f", x, y)
    xt = torch.from_numpy(np.ascontiguousarray(x.T)).to(DEVICE).T  # a transposed view: not contiguous
    base = torch.zeros(14, dtype=torch.float32, device=DEVICE)
    yt = base[1:]  # storage offset 1: 4 bytes past a 16-byte boundary
    yt.copy_(torch.from_numpy(y))
    assert not xt.is_contiguous() and yt.data_ptr() % 16
    out = f(xt, yt)
    assert isinstance(out, torch.Tensor) and out.device.type == DEVICE
    np.testing.assert_allclose(out.cpu().numpy(), expected, rtol=1e-6)
    assert 1 in f.info.aligned and f._tensor(1, yt).data_ptr() % 16 == 0  # copied to an aligned one


def test_argument_checks():
    f = compile(EXP_ADD, target="triton")
    x, y = inputs()
    with pytest.raises(TypeError, match=r"takes 2 argument\(s\), got 1"):
        f(x)
    with pytest.raises(TypeError, match=r"argument 1 of @f: expected float32 of shape \(13,\), got float64 of shape \(13,\)"):
        f(x, y.astype(np.float64))
    with pytest.raises(ValueError, match=r"argument 0 of @f: expected float32 of shape \(7, 13\), got float32 of shape \(13, 7\)"):
        f(x.T.copy(), y)
    with pytest.raises(TypeError, match=r"argument 1 of @f: expected float32 .* got int32"):
        f(torch.from_numpy(x).to(DEVICE), torch.zeros(13, dtype=torch.int32, device=DEVICE))
    if not GPU:
        with pytest.raises(ValueError, match=r"argument 0 of @f: a torch tensor on meta, but the program runs on the CPU"):
            f(torch.empty((7, 13), device="meta"), torch.from_numpy(y))


def test_bf16_and_bool_numpy_arrays():
    text = """
func.func @f(%x: tensor<9xbf16>, %c: tensor<9xi1>) -> (tensor<9xbf16>, tensor<9xi1>) {
  %n = tensor_graph.neg %x : tensor<9xbf16>
  %z = tensor_graph.select %c, %n, %x : tensor<9xi1>, tensor<9xbf16>, tensor<9xbf16> -> tensor<9xbf16>
  %d = tensor_graph.not %c : tensor<9xi1>
  func.return %z, %d : tensor<9xbf16>, tensor<9xi1>
}"""
    x = np.linspace(-4, 4, 9).astype(ml_dtypes.bfloat16)
    c = np.arange(9) % 3 == 0
    try:
        f = compile(text, target="triton")
    except Exception as e:  # noqa: BLE001
        pytest.xfail(f"not on the Triton path yet: {e}")
    z, d = f(x, c)
    want_z, want_d = reference.run(text, "f", x, c)
    assert z.dtype == want_z.dtype and d.dtype == np.bool_
    np.testing.assert_array_equal(z.astype(np.float32), want_z.astype(np.float32))
    np.testing.assert_array_equal(d, want_d)


def test_from_numpy_and_back_keep_bf16_bits():
    x = np.array([1.5, -0.0, np.inf, np.nan, 3.0e38], dtype=ml_dtypes.bfloat16)
    t = runtime.from_numpy(x)
    assert t.dtype == torch.bfloat16
    np.testing.assert_array_equal(runtime.to_numpy(t).view(np.uint16), x.view(np.uint16))
    b = np.array([True, False])
    assert runtime.from_numpy(b).dtype == torch.bool and runtime.to_numpy(runtime.from_numpy(b)).dtype == np.bool_


def test_a_result_in_a_donated_argument_is_that_tensor():
    f = compile(EXP_ADD, target="triton", donate_argnums=0)
    x, y = inputs()
    expected = reference.run(EXP_ADD, "f", x, y)
    xt = torch.from_numpy(x.copy()).to(DEVICE)
    out = f(xt, torch.from_numpy(y).to(DEVICE))
    assert "    s = x\n" in f.program.path.read_text()  # the plan's #loops.slot<arg 0>
    assert out.data_ptr() == xt.data_ptr()  # written in place, as the plan says
    np.testing.assert_allclose(out.cpu().numpy(), expected, rtol=1e-6)
    np.testing.assert_allclose(f(x, y), expected, rtol=1e-6)  # numpy: a result of its own


def test_a_returned_argument_is_a_copy():
    text = "func.func @f(%x: tensor<3xf32>) -> tensor<3xf32> {\n  func.return %x : tensor<3xf32>\n}"
    f = compile(text, target="triton")
    xt = torch.arange(3, dtype=torch.float32, device=DEVICE)
    out = f(xt)
    assert out.data_ptr() != xt.data_ptr() and torch.equal(out, xt)


def mlp(depth: int, n: int = 16) -> str:
    """`depth` layers of matmul + gelu: one kernel a layer, the intermediates taking
    turns between one arena slot and the result's memory (loops-plan-memory)."""
    t = f"tensor<{n}x{n}xf32>"
    lines = "".join(
        f"  %m{i} = tensor_graph.matmul %h{i}, %w : {t}, {t} -> {t}\n"
        f'  %h{i + 1} = tensor_graph.gelu %m{i} {{approximate = "tanh"}} : {t}\n'
        for i in range(depth)
    )
    return f"func.func @f(%h0: {t}, %w: {t}) -> {t} {{\n{lines}  func.return %h{depth} : {t}\n}}"


class Allocations:
    """Stands in for `torch` in a launcher's module: records what torch.empty allocates."""

    def __init__(self):
        self.made: list = []

    def __getattr__(self, name: str):
        return getattr(torch, name)

    def empty(self, *args, **kwargs):
        self.made.append(torch.empty(*args, **kwargs))
        return self.made[-1]


def allocated(f, monkeypatch, *args):
    """f(*args) and the tensors its launcher allocated (not tuning: one launch a kernel)."""
    monkeypatch.setenv("STEPWELL_TRITON_AUTOTUNE", "0")
    record = Allocations()
    monkeypatch.setattr(f.program.module, "torch", record)
    return f(*args), record.made


def within(view, memory) -> bool:
    start = memory.data_ptr()
    return start <= view.data_ptr() and view.data_ptr() + view.nbytes <= start + memory.nbytes


PROGRAMS = {"softmax": chain, "mlp": mlp, "softmax_bf16": lambda depth: chain(depth).replace("xf32>", "xbf16>")}


@pytest.mark.parametrize("program", sorted(PROGRAMS))
def test_one_arena_and_the_results_per_call_whatever_the_depth(program, monkeypatch):
    """The memory plan on the GPU path: a call allocates the plan's arena and its
    result, nothing else (every intermediate is a view of one of them: of the result
    while it is not written yet, #loops.slot<result 0, off, size>, f32 statistics in a
    bf16 result too), so the bytes a call allocates are the same for a chain of 4 and
    of 12."""
    made = {}
    for depth in (4, 12):
        text = PROGRAMS[program](depth)
        f = compile(text, target="triton")
        rng = np.random.default_rng(1)
        args = [torch.from_numpy(rng.standard_normal(s.shape).astype(np.float32) / 4).to(DEVICE, runtime.torch_dtype(s.dtype))
                for s in f.plan.args]
        out, buffers = allocated(f, monkeypatch, *args)
        expected = reference.run(text, "f", *(runtime.to_numpy(a) for a in args))
        rtol = 1e-2 if "bf16" in program else 1e-5
        np.testing.assert_allclose(out.float().cpu().numpy(), expected.astype(np.float32), rtol=rtol, atol=rtol)
        arena, result = buffers
        assert arena.dtype == torch.uint8 and arena.numel() == f.plan.arena > 0
        assert result is out
        made[depth] = sum(b.nbytes for b in buffers)
    assert made[4] == made[12] == f.plan.arena + out.nbytes
    source = f.program.path.read_text()
    launcher = source[source.index("def f(") :]
    assert launcher.count("torch.empty(") == 2, launcher
    assert launcher.count(".as_strided(") >= 12 - 1, launcher


def test_intermediates_in_the_result_are_views_of_it(monkeypatch):
    """mlp(6): layers 1, 3 write into the result's memory before the last layer does,
    layers 0, 2, 4 into the arena."""
    f = compile(mlp(6), target="triton")
    source = f.program.path.read_text()
    seen = []

    def spy(name, kernel):
        def launch(grid):
            def run(*args, **options):
                seen.append((name, args[-1]))
                return kernel[grid](*args, **options)
            return run
        return type("Spy", (), {"__getitem__": lambda self, grid: launch(grid)})()

    for name in f.info.kernels:
        monkeypatch.setattr(f.program.module, name, spy(name, getattr(f.program.module, name)))
    h0, w = (torch.randn(16, 16, device=DEVICE) / 4 for _ in range(2))
    out, (arena, result) = allocated(f, monkeypatch, h0, w)
    assert [name for name, _ in seen] == [f"f_k{i}" for i in range(6)], source
    places = ["arena" if within(o, arena) else "result" if within(o, result) else "?" for _, o in seen]
    assert places == ["arena", "result", "arena", "result", "arena", "result"], source
    assert seen[-1][1] is out


@pytest.mark.gpu
@pytest.mark.skipif(not GPU, reason="needs a CUDA GPU")
def test_peak_memory_on_the_gpu_does_not_grow_with_depth():
    m, n = 512, 1024
    peaks = {}
    for depth in (4, 16):
        f = compile(chain(depth, m, n), target="triton")
        x = torch.randn(m, n, device="cuda")
        f(x)  # compiled (and tuned)
        torch.cuda.synchronize()
        base = torch.cuda.memory_allocated()
        torch.cuda.reset_peak_memory_stats()
        y = f(x)
        torch.cuda.synchronize()
        peaks[depth] = torch.cuda.max_memory_allocated() - base
        del y
    assert peaks[16] == peaks[4], peaks
    assert peaks[4] <= f.plan.arena + 4 * m * n + (1 << 20)


def test_candidate_configs():
    info = runtime.KernelInfo({"num_warps": 4}, False, 1, False)
    assert runtime.candidate_configs(info) == [{"num_warps": 4}, {"num_warps": 2}, {"num_warps": 8}]
    looped = runtime.KernelInfo({"num_warps": 32, "num_stages": 3}, True, 1, False)
    configs = runtime.candidate_configs(looped)
    assert configs[0] == {"num_warps": 32, "num_stages": 3}
    assert {c["num_warps"] for c in configs} == {16, 32} and {c["num_stages"] for c in configs} == {2, 3, 4}
    one = runtime.KernelInfo({"num_warps": 1}, False, 1, False)
    assert runtime.candidate_configs(one) == [{"num_warps": 1}, {"num_warps": 2}]


class Clock:
    """A GPU's time, for the tuner's events: each launch of a FakeKernel advances it."""

    now = 0.0
    events = 0


class FakeEvent:
    def __init__(self, enable_timing: bool = False):
        Clock.events += 1
        self.at = None

    def record(self, stream=None):
        self.at = Clock.now

    def synchronize(self):
        pass

    def elapsed_time(self, end) -> float:
        return end.at - self.at


class FakeKernel:
    """Stands in for a JIT kernel: `kernel[grid](*args, **options)` records the launch
    and takes `cost(options)` ms; options in `failing` raise (out of resources)."""

    def __init__(self, cost=lambda options: 1.0, failing=()):
        self.cost, self.failing, self.launches = cost, failing, []

    def __getitem__(self, grid):
        def launch(*args, **options):
            if options in self.failing:
                raise RuntimeError("out of resources")
            self.launches.append((args, options))
            Clock.now += self.cost(options)
        return launch


@pytest.fixture
def fake_gpu(monkeypatch):
    """The GPU-only paths of the runtime on CPU tensors: a "cuda" program (JIT kernels,
    imported without the interpreter), a device name, events on the Clock."""
    monkeypatch.setattr(runtime, "device_kind", lambda: "cuda")
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda *a: "Fake GPU")
    monkeypatch.setattr(torch.cuda, "Event", FakeEvent)
    monkeypatch.setattr(torch.cuda, "is_current_stream_capturing", lambda: False)
    monkeypatch.setattr(runtime.TritonFunction, "_from_torch", lambda self, i, a: a)  # CPU tensors stand in
    monkeypatch.setenv("STEPWELL_TRITON_AUTOTUNE", "1")
    Clock.events = 0


def test_the_tuner_times_each_configuration_on_scratch_outputs(fake_gpu):
    info = runtime.KernelInfo({"num_warps": 4}, False, 1, False)
    kernel = FakeKernel(cost=lambda o: {4: 3.0, 2: 1.0, 8: 2.0}[o["num_warps"]])
    x, out = torch.zeros(4), torch.zeros(4)
    winners = {}
    runtime._Tuner(kernel, "k", info, winners)[(1,)](x, out, num_warps=4)
    assert winners == {"k": {"num_warps": 2}}
    *tuning, last = kernel.launches
    assert len(tuning) == 3 * (1 + runtime.TUNE_REPS)
    assert all(args[0] is x and args[1] is not out for args, _ in tuning)  # the real output untouched
    assert last[0] == (x, out) and last[1] == {"num_warps": 2}
    # a configuration that cannot launch is left out; the IR's own must launch
    kernel = FakeKernel(cost=lambda o: {4: 3.0, 2: 5.0, 8: 2.0}[o["num_warps"]], failing=[{"num_warps": 8}])
    runtime._Tuner(kernel, "k", info, winners)[(1,)](x, out, num_warps=4)
    assert winners["k"] == {"num_warps": 4}
    with pytest.raises(RuntimeError, match="out of resources"):
        runtime._Tuner(FakeKernel(failing=[{"num_warps": 4}]), "k", info, {})[(1,)](x, out, num_warps=4)


def test_a_filled_output_keeps_its_fill_while_tuning(fake_gpu):
    info = runtime.KernelInfo({"num_warps": 4}, False, 1, True)
    kernel = FakeKernel()
    out = torch.full((3,), 7.0)
    runtime._Tuner(kernel, "k", info, {})[(1,)](torch.zeros(3), out, num_warps=4)
    assert all(torch.equal(args[1], torch.full((3,), 7.0)) for args, _ in kernel.launches)


TWO_KERNELS_AND_AN_EMPTY_ONE = """
func.func @f(%x: tensor<7x13xf32>, %z: tensor<0x5xf32>) -> (tensor<7x13xf32>, tensor<0x5xf32>) {
  %s = tensor_graph.softmax %x {axis = -1} : tensor<7x13xf32>
  %e = tensor_graph.exp %z : tensor<0x5xf32>
  func.return %s, %e : tensor<7x13xf32>, tensor<0x5xf32>
}"""


def gpu_function(text: str):
    """`text` compiled, its program loaded as on a GPU (a fresh import: another process's
    view, but for Triton's caches) and its kernels replaced by FakeKernels that prefer
    the most warps."""
    interpreted = compile(text, target="triton")
    program = runtime.load_program(interpreted.program.path.read_text(), interpreted.program.info)
    assert program.device == "cuda"
    kernels = {k: FakeKernel(cost=lambda o: 1.0 / o["num_warps"]) for k in interpreted.info.kernels}
    for name, kernel in kernels.items():
        setattr(program.module, name, kernel)
    return runtime.TritonFunction(program, program.info.functions[0]), kernels


def test_the_first_call_tunes_and_the_next_process_reads_the_winners(fake_gpu):
    f, kernels = gpu_function(TWO_KERNELS_AND_AN_EMPTY_ONE)
    ir_options = dict(f.program.module.CONFIGS)
    x, z = torch.randn(7, 13), torch.zeros(0, 5)
    other = runtime.TritonFunction(f.program, f.info)  # another function object of the same program
    before = STATS["triton_tunings"]
    f(x, z)
    assert STATS["triton_tunings"] == before + 1
    other(x, z)
    assert STATS["triton_tunings"] == before + 1  # the program's kernels are tuned
    empty = f.info.kernels[-1]  # exp of 0x5: its launch is an empty grid
    assert not kernels[empty].launches
    best = {k: max(runtime.candidate_configs(f.program.info.kernels[k]), key=lambda o: o["num_warps"]) for k in ir_options}
    best[empty] = ir_options[empty]
    assert f.program.module.CONFIGS == best
    data = json.loads(f.program.path.with_suffix(".tune.json").read_text())
    assert data == {f"Fake GPU | triton {triton.__version__}": best}  # the empty grid's kernel too: its IR options
    f(x, z)
    assert STATS["triton_tunings"] == before + 1  # once per process

    again, kernels = gpu_function(TWO_KERNELS_AND_AN_EMPTY_ONE)  # the next process
    assert again.program.module.CONFIGS == best and again._tuned
    events = Clock.events
    again(x, z)
    assert STATS["triton_tunings"] == before + 1 and Clock.events == events
    launched = [options for k in again.info.kernels for _, options in kernels[k].launches]
    assert launched == [best[k] for k in again.info.kernels if kernels[k].launches]


def test_a_call_under_cuda_graph_capture_never_tunes(fake_gpu, monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_current_stream_capturing", lambda: True)
    f, kernels = gpu_function(chain(2))
    ir_options = dict(f.program.module.CONFIGS)
    before = STATS["triton_tunings"]
    x = torch.randn(7, 13)
    f(x)
    assert STATS["triton_tunings"] == before and Clock.events == 0
    assert [o for k in f.info.kernels for _, o in kernels[k].launches] == [ir_options[k] for k in f.info.kernels]
    assert not f.program.path.with_suffix(".tune.json").exists()
    monkeypatch.setattr(torch.cuda, "is_current_stream_capturing", lambda: False)
    f(x)  # the first call outside a capture tunes
    assert STATS["triton_tunings"] == before + 1 and f.program.path.with_suffix(".tune.json").exists()


def test_no_tuning_when_it_is_off(fake_gpu, monkeypatch):
    monkeypatch.setenv("STEPWELL_TRITON_AUTOTUNE", "0")
    f, _ = gpu_function(chain(1))
    before = STATS["triton_tunings"]
    f(torch.randn(7, 13))
    assert STATS["triton_tunings"] == before and Clock.events == 0 and f._tuned
    assert not f.program.path.with_suffix(".tune.json").exists()


def test_autotune_switch(monkeypatch):
    monkeypatch.setenv("STEPWELL_TRITON_AUTOTUNE", "0")
    assert not runtime.autotune_enabled()
    monkeypatch.setenv("STEPWELL_TRITON_AUTOTUNE", "1")
    assert runtime.autotune_enabled()


def test_no_gpu_and_no_triton_is_a_clear_error(monkeypatch):
    runtime.device_kind.cache_clear()
    monkeypatch.setitem(sys.modules, "triton", None)
    try:
        with pytest.raises(runtime.TritonUnavailable, match="target triton needs a CUDA GPU or Triton's interpreter"):
            runtime.device_kind()
    finally:
        runtime.device_kind.cache_clear()


SECOND_PROCESS = """
import json, sys, numpy as np, torch
from stepwell.compiler import STATS, compile
f = compile(open(sys.argv[1]).read(), target="triton")
x = torch.randn(512, 1024, device="cuda")
y = f(x)
torch.cuda.synchronize()
print(json.dumps({"tunings": STATS["triton_tunings"], "configs": f.program.module.CONFIGS}))
"""


@pytest.mark.gpu
@pytest.mark.skipif(not GPU, reason="needs a CUDA GPU")
def test_autotuning_winners_are_cached_for_the_next_process(cache, tmp_path, monkeypatch):
    """The first process tunes (winners in <source>.tune.json under the device's
    name); a second one reads them: no tuning, and Triton's cache holds every compiled
    kernel (no new file in TRITON_CACHE_DIR)."""
    source = tmp_path / "chain.mlir"
    source.write_text(chain(2, 512, 1024))
    env = {**os.environ, "STEPWELL_CACHE_DIR": str(cache), "TRITON_CACHE_DIR": str(tmp_path / "triton"),
           "STEPWELL_TRITON_AUTOTUNE": "1"}
    script = tmp_path / "run.py"
    script.write_text(SECOND_PROCESS)

    def run():
        done = subprocess.run([sys.executable, str(script), str(source)], env=env, capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout.strip().splitlines()[-1])

    first = run()
    assert first["tunings"] == 1
    (tuning,) = (cache / "triton").glob("*.tune.json")
    winners = json.loads(tuning.read_text())
    (key,) = winners
    assert torch.cuda.get_device_name() in key and triton.__version__ in key
    assert set(winners[key]) == set(first["configs"])
    compiled = sorted(p.name for p in (tmp_path / "triton").rglob("*") if p.is_file())
    second = run()
    assert second["tunings"] == 0 and second["configs"] == first["configs"]
    assert sorted(p.name for p in (tmp_path / "triton").rglob("*") if p.is_file()) == compiled


@pytest.mark.gpu
@pytest.mark.skipif(not GPU, reason="needs a CUDA GPU")
def test_tuning_does_not_change_results(monkeypatch):
    monkeypatch.setenv("STEPWELL_TRITON_AUTOTUNE", "1")
    text = chain(3, 64, 1000)
    f = compile(text, target="triton")
    x = np.random.default_rng(2).standard_normal((64, 1000)).astype(np.float32)
    before = STATS["triton_tunings"]
    first = f(x)
    assert STATS["triton_tunings"] == before + 1
    np.testing.assert_allclose(first, reference.run(text, "f", x), rtol=1e-5, atol=1e-7)
    np.testing.assert_array_equal(f(x), first)
    assert STATS["triton_tunings"] == before + 1


@pytest.mark.gpu
@pytest.mark.skipif(not GPU, reason="needs a CUDA GPU")
def test_torch_cuda_tensors_run_on_the_current_stream():
    f = compile(EXP_ADD, target="triton")
    x, y = (torch.from_numpy(a).cuda() for a in inputs())
    stream = torch.cuda.Stream()
    with torch.cuda.stream(stream):
        out = f(x, y)
        event = stream.record_event()
    event.synchronize()
    assert out.is_cuda
    np.testing.assert_allclose(out.cpu().numpy(), reference.run(EXP_ADD, "f", *inputs()), rtol=2e-6)


@pytest.mark.gpu
@pytest.mark.skipif(not GPU, reason="needs a CUDA GPU")
@pytest.mark.parametrize("warm", [True, False], ids=["after_a_call", "first_call"])
def test_a_call_captured_in_a_cuda_graph(warm, monkeypatch):
    """As bench/gpu.py times kernels: a call captured after a first one outside (which
    tunes) replays on new inputs; so does a first call under capture, which does not
    tune (nothing on the call path synchronizes; Triton compiles during the capture)."""
    monkeypatch.setenv("STEPWELL_TRITON_AUTOTUNE", "1")
    text = chain(2 if warm else 1, 64, 1000)
    f = compile(text, target="triton")
    x = torch.randn(64, 1000, device="cuda")
    before = STATS["triton_tunings"]
    if warm:
        side = torch.cuda.Stream()
        side.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(side):
            f(x)
        torch.cuda.current_stream().wait_stream(side)
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        y = f(x)
    assert STATS["triton_tunings"] == before + warm
    new = np.random.default_rng(3).standard_normal((64, 1000)).astype(np.float32)
    x.copy_(torch.from_numpy(new))
    graph.replay()
    torch.cuda.synchronize()
    np.testing.assert_allclose(y.cpu().numpy(), reference.run(text, "f", new), rtol=1e-5, atol=1e-7)


def test_the_interpreter_runs_after_triton_was_imported_normally(tmp_path):
    """In a fresh process that imported triton (and compiled nothing) first: the
    interpreter still runs tl.sum & co (Triton's own jit functions)."""
    if GPU:
        pytest.skip("a CUDA GPU is here: no interpreter")
    (tmp_path / "chain.mlir").write_text(chain(2))
    script = tmp_path / "run.py"
    script.write_text(
        "import sys, numpy as np, triton, triton.language\n"
        "from stepwell.compiler import compile\n"
        "f = compile(open(sys.argv[1]).read(), target='triton')\n"
        "print(f(np.ones((7, 13), np.float32))[0, 0])\n"
    )
    env = {**os.environ, "STEPWELL_CACHE_DIR": str(tmp_path / "c")}
    done = subprocess.run([sys.executable, str(script), str(tmp_path / "chain.mlir")], env=env, capture_output=True,
                          text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert abs(float(done.stdout) - 1 / 13) < 1e-6
