"""Host time of a call of the Triton target: what the runtime and the emitted launcher
cost per call, small inputs, where a Python launcher's time is the whole of it.

    python bench/triton_host_overhead.py

Without a GPU every kernel launch is replaced by a no-op (no interpreter) and CPU
tensors stand in for CUDA ones: the runtime's per-call path and the launcher's
allocations and views, Triton's own launch excluded. On a GPU the calls are real
(Triton's launch included; kernels of a few microseconds, so the loop is bound by the
host): microseconds per call either way, best of 5 runs.
"""

from __future__ import annotations

import operator
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent.parent / "tests" / "unit"))

import torch
from test_triton_runtime import EXP_ADD, chain, mlp

from stepwell.compiler import compile

GPU = torch.cuda.is_available()


class NoLaunch:
    def __getitem__(self, grid):
        return self

    def __call__(self, *args, **options):
        pass


def per_call_us(f, args, n: int = 20000) -> float:
    for _ in range(500):
        f(*args)
    best = float("inf")
    for _ in range(5):
        if GPU:
            torch.cuda.synchronize()
        t = time.perf_counter()
        for _ in range(n // 5):
            f(*args)
        if GPU:
            torch.cuda.synchronize()
        best = min(best, (time.perf_counter() - t) / (n // 5) * 1e6)
    return best


def main() -> None:
    device = "cuda" if GPU else "cpu"
    cases = {
        "exp_add 7x13 (1 kernel)": (EXP_ADD, [(7, 13), (13,)]),
        "softmax x4 7x13 (8 kernels)": (chain(4), [(7, 13)]),
        "mlp 6 layers 16x16 (6 kernels)": (mlp(6), [(16, 16), (16, 16)]),
    }
    print(f"{'real launches on ' + torch.cuda.get_device_name() if GPU else 'no-op launches, CPU only'}: us per call")
    for name, (text, shapes) in cases.items():
        f = compile(text, target="triton")
        args = [torch.randn(s, device=device) for s in shapes]
        if not GPU:  # the GPU path of the runtime on CPU tensors, every launch a no-op
            f._interpreted, f._tuned, f._on_device = False, True, operator.attrgetter("is_cpu")
            for k in f.info.kernels:
                setattr(f.program.module, k, NoLaunch())
        print(f"{name:32} call {per_call_us(f, args):7.1f}   launcher alone {per_call_us(f.launcher, args):7.1f}")


if __name__ == "__main__":
    main()
