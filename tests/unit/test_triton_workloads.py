"""The GPU workloads of bench/WORKLOADS.md at their benchmark sizes through
`lower-to-triton`: the number of kernels each becomes and how each is tiled (the
decisions bench/RESULTS.md's H200 numbers were measured with). Lowering only: no GPU,
no Triton compile."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from stepwell.dialects import gpu_block as gb

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from workloads import gpu_workloads  # noqa: E402

from _triton import lower  # noqa: E402

# workload: [(grid, num_warps) per kernel]
EXPECTED = {
    "softmax_rows": [("8192", 16)],  # a persistent row of 8192 per program, read once
    "layernorm": [("8192", 16)],
    "gelu_bias": [("65536", 4)],  # 1024-element blocks
    "ew_chain": [("65536", 4)],
    "sum_rows": [("8192", 16)],
    "sum_cols": [("512", 4), ("128", 4)],  # split in 4 (64 columns x 32-row steps), then the combine
    "transpose_add": [("16384", 4)],  # 64x64 tiles
    "mm_bias_relu": [("512", 8)],  # 128x256 tiles, bias + relu fused
    "attention": [("2048", 4)],  # one flash-style kernel: 8*16 heads x 2048/128 query tiles
    "softmax_rows_4096": [("16384", 8)],
    "layernorm_4096": [("16384", 8)],
}


@pytest.mark.parametrize("workload", gpu_workloads(), ids=lambda w: w.name)
def test_kernels_of_each_gpu_workload(workload):
    module = lower(workload.source)
    kernels = [op for op in module.ops if isinstance(op, gb.KernelOp)]
    assert [(k.grid.data[0].data, k.num_warps.value.data) for k in kernels] == EXPECTED[workload.name]
