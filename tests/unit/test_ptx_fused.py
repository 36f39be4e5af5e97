"""A fused 2-D persistent reduction (loops_to_gpu_block/fused.py: a softmax over axis 0,
the reduced dim not the contiguous one) through the PTX path, assembled by ptxas."""

from __future__ import annotations

import subprocess

import pytest

from stepwell.dialects import gpu_block as gb
from stepwell.targets.ptx import emit_ptx
from tests.unit._triton import lower
from tests.unit.test_ptx import PTXAS

SOURCE = """
func.func @sm0(%x: tensor<64x512xf32>, %b: tensor<512xf32>) -> tensor<64x512xf32> {
  %y = tensor_graph.add %x, %b : tensor<64x512xf32>, tensor<512xf32> -> tensor<64x512xf32>
  %r = tensor_graph.softmax %y {axis = 0 : i64} : tensor<64x512xf32>
  func.return %r : tensor<64x512xf32>
}
"""


def test_the_source_is_one_fused_persistent_2d_reduction():
    kernels = [op for op in lower(SOURCE).ops if isinstance(op, gb.KernelOp)]
    assert len(kernels) == 1
    reduces = [op for op in kernels[0].walk() if isinstance(op, gb.ReduceOp)]
    assert len(reduces) == 2 and all(len(op.source.type.get_shape()) == 2 for op in reduces)
    assert not any(isinstance(op, gb.ForOp) for op in kernels[0].walk())  # persistent


def test_a_fused_2d_persistent_reduction_assembles_for_sm90(tmp_path):
    ptx = emit_ptx(lower(SOURCE, "lower-to-ptx"))
    # the columns (contiguous along the parallel dim) are read in 16-byte strips;
    # the reductions along the other dim use butterflies and shared memory
    assert "ld.global.nc.v4.b32" in ptx and "shfl.sync.bfly" in ptx and "bar.sync" in ptx
    assert "call" not in ptx.replace("call.uni", "")
    if PTXAS is None:
        pytest.skip("no ptxas")
    path = tmp_path / "sm0.ptx"
    path.write_text(ptx)
    done = subprocess.run([PTXAS, "-arch=sm_90", str(path), "-o", str(tmp_path / "k.cubin")], check=False, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
