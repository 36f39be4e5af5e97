// RUN: not stepwell-opt %s -p lower-to-triton 2>&1 | filecheck %s

// A column sum (the reduced dim is not contiguous) is refused at the op.
// CHECK: unsupported.mlir:[[# @LINE + 2]]:3: error: 'loops.reduce' op not a row reduction of at most 8192 contiguous elements: not supported by the Triton path yet
func.func @colsum(%x: tensor<300x100xf32>) -> tensor<100xf32> {
  %s = loops.reduce sum over [300] : tensor<100xf32> {
    %0 = loops.load %x[r0, d0] : tensor<300x100xf32>
    loops.yield %0 : f32
  }
  func.return %s : tensor<100xf32>
}

// A fused kernel whose reduced dim is not contiguous (softmax over columns) is refused.
// CHECK: unsupported.mlir:[[# @LINE + 1]]:1: error: 'loops.kernel' op not supported by the Triton path yet (lone loops.pointwise ops, row reductions and persistent row kernels of at most 8192 contiguous elements are)
func.func @fused(%x: tensor<8x4xf32>) -> tensor<8x4xf32> {
  %s = tensor_graph.softmax %x {axis = 0} : tensor<8x4xf32>
  func.return %s : tensor<8x4xf32>
}
// CHECK: error: pass 'convert-loops-to-gpu_block' failed: 2 op(s) the Triton path does not support yet
