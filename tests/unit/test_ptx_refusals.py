"""What `stepwell.compile(..., target="ptx")` says about a kernel the PTX path refuses:
a CompileError placed in the source (FILE:LINE:COL of the refused op where it was
written, else of the launch or function a pass made its kernel for), with the source
line and a caret, what was expected, and no traceback; its diagnostics hold the same."""

from __future__ import annotations

import pytest

from stepwell.compiler import CompileError, compile

# an integer matrix product, written in gpu_block (the dot is line 9)
IDOT = """
gpu_block.kernel @idot(%a_ptr: !gpu_block.ptr<i8>, %c_ptr: !gpu_block.ptr<i32>) grid [1] num_warps = 4 {
  %offs = gpu_block.arange 0 to 16 : tensor<16xi32>
  %r = gpu_block.expand_dims %offs axis 1 : tensor<16xi32> -> tensor<16x1xi32>
  %rr = gpu_block.broadcast %r : tensor<16x1xi32> -> tensor<16x16xi32>
  %a = gpu_block.splat %a_ptr : !gpu_block.ptr<i8> -> tensor<16x16x!gpu_block.ptr<i8>>
  %ap = gpu_block.addptr %a, %rr : tensor<16x16x!gpu_block.ptr<i8>>, tensor<16x16xi32>
  %x = gpu_block.load %ap : tensor<16x16x!gpu_block.ptr<i8>>
  %acc = gpu_block.dot %x, %x, %rr precision ieee : tensor<16x16xi8>, tensor<16x16xi8> -> tensor<16x16xi32>
  %c = gpu_block.splat %c_ptr : !gpu_block.ptr<i32> -> tensor<16x16x!gpu_block.ptr<i32>>
  %cp = gpu_block.addptr %c, %rr : tensor<16x16x!gpu_block.ptr<i32>>, tensor<16x16xi32>
  gpu_block.store %cp, %acc : tensor<16x16x!gpu_block.ptr<i32>>
  gpu_block.return
}
func.func @main(%a: tensor<16x16xi8>) -> tensor<16x16xi32> {
  %c = gpu_block.launch @idot(%a) : (tensor<16x16xi8>) -> (tensor<16x16xi32>)
  func.return %c : tensor<16x16xi32>
}
"""

ROW_SUM = """
func.func @f(%x: tensor<64x1000xf32>) -> tensor<64xf32> {
  %s = tensor_graph.reduce %x {kind = "sum", dims = [1], keepdim = false} : tensor<64x1000xf32> -> tensor<64xf32>
  func.return %s : tensor<64xf32>
}
"""


@pytest.fixture(autouse=True)
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("STEPWELL_CACHE_DIR", str(tmp_path / "cache"))


def test_a_refused_op_written_in_the_source_is_placed_at_its_line():
    with pytest.raises(CompileError) as info:
        compile(IDOT, target="ptx", pipeline="")
    message = str(info.value)
    assert message.startswith(
        "<compile>:9:3: error: 'gpu_block.dot' op kernel @idot: 'gpu_block.dot' of i8 factors into a i32 accumulator"
        " is not supported by the PTX path yet\n"
        "  %acc = gpu_block.dot %x, %x, %rr precision ieee : tensor<16x16xi8>, tensor<16x16xi8> -> tensor<16x16xi32>\n"
        "  ^\n"
    ), message
    assert message.endswith("target ptx: 1 kernel(s) the PTX path does not support yet")
    assert "Traceback" not in message
    (diag,) = info.value.diagnostics
    assert (diag.line, diag.col, diag.severity) == (9, 3, "error")


def test_a_kernel_a_pass_made_is_placed_at_the_function_it_came_from(monkeypatch):
    """(Its reductions refused for the test: the kernel has no line of its own, its
    launch none either, the function it was lowered from has.)"""
    from stepwell.lowering.gpu_block_to_nvvm import kernel, reduce

    def refuse(k, op):
        raise kernel.Unsupported(op, f"'{op.name}' (refused by this test)")

    monkeypatch.setattr(reduce, "reduce", refuse)
    with pytest.raises(CompileError) as info:
        compile(ROW_SUM, target="ptx")
    message = str(info.value)
    assert message.startswith(
        "<compile>:2:1: error: 'gpu_block.reduce' op kernel @f_k0: 'gpu_block.reduce' (refused by this test)"
        " is not supported by the PTX path yet\n"
        "func.func @f(%x: tensor<64x1000xf32>) -> tensor<64xf32> {\n"
        "^\n"
    ), message
    assert [(d.line, d.col) for d in info.value.diagnostics] == [(2, 1)]
