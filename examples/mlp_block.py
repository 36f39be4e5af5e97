"""The quickstart, end to end: compile examples/mlp_block.mlir (layer_norm, linear,
gelu, linear, residual) for this CPU, run it on random inputs, and check it against
the reference interpreter.

    python examples/mlp_block.py
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

import stepwell
import stepwell.reference

SOURCE = (Path(__file__).parent / "mlp_block.mlir").read_text()
SHAPES = [(8, 64), (64,), (64,), (256, 64), (256,), (64, 256), (64,)]  # x, ln scale/bias, w1, b1, w2, b2


def main() -> int:
    rng = np.random.default_rng(0)
    args = [rng.standard_normal(s).astype(np.float32) for s in SHAPES]

    start = time.perf_counter()
    f = stepwell.compile(SOURCE, "mlp_block", target="cpu")
    compiled = time.perf_counter() - start

    y = f(*args)
    expected = stepwell.reference.run(SOURCE, "mlp_block", *args)
    error = float(np.max(np.abs(y - expected)))
    scale = float(np.max(np.abs(expected)))

    start = time.perf_counter()
    for _ in range(100):
        f(*args)
    per_call = (time.perf_counter() - start) / 100

    print(f"{f}")
    print(f"compiled in {compiled:.2f} s (the compile cache makes a second run near-instant)")
    print(f"output {y.shape} {y.dtype}; max |cpu - reference| = {error:.2e} (max |y| = {scale:.2f})")
    print(f"{per_call * 1e6:.1f} us per call")
    if not error <= 1e-4 * max(scale, 1.0):
        print("MISMATCH against the reference interpreter")
        return 1
    print("ok: the compiled code agrees with the reference interpreter")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
