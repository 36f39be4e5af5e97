"""Compile time of an ONNX MatMul whose weight is one big f32 initializer, on the CPU.

    python bench/big_constant.py ROWS [--inline]

The weight is ROWS x 5000 f32 (2500: 50 MB, 5000: 100 MB), imported as a
`dense_resource` blob; `--inline` compiles it with `convert-loops-to-llvm{bind-constants-above=-1}`
(the weight in LLVM IR and the object code, as before constants were bound). Each run
uses a fresh compile cache.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

import numpy as np


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("rows", type=int, nargs="?", default=2500)
    parser.add_argument("--inline", action="store_true")
    args = parser.parse_args()
    os.environ["STEPWELL_CACHE_DIR"] = tempfile.mkdtemp()
    from onnx import TensorProto, helper, numpy_helper

    import stepwell
    from stepwell.frontends.onnx import load
    from stepwell.registry import pipelines

    rows, cols = args.rows, 5000
    w = np.random.default_rng(0).standard_normal((rows, cols)).astype(np.float32)
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "w"], ["y"])], "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [4, rows])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [4, cols])],
        [numpy_helper.from_array(w, "w")],
    )  # fmt: skip
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    pipeline = pipelines()["lower-to-cpu"]
    if args.inline:
        pipeline = pipeline.replace("convert-loops-to-llvm", "convert-loops-to-llvm{bind-constants-above=-1}")
    t0 = time.perf_counter()
    module = load(model)
    t1 = time.perf_counter()
    f = stepwell.compile(module, target="cpu", pipeline=pipeline)
    t2 = time.perf_counter()
    x = np.random.default_rng(1).standard_normal((4, rows)).astype(np.float32)
    y = f(x)
    t3 = time.perf_counter()
    error = np.abs(y - x @ w).max()
    print(f"{w.nbytes / 1e6:.0f} MB weight{' (inline)' if args.inline else ''}: import {t1 - t0:.2f} s, "
          f"compile {t2 - t1:.2f} s, first call {t3 - t2:.2f} s, max error {error:.1e}")  # fmt: skip


if __name__ == "__main__":
    main()
