// RUN: not stepwell-opt %s -p lower-to-triton 2>&1 | filecheck %s

// A fused kernel whose reduced dim is not contiguous (softmax over columns) is refused.
// CHECK: unsupported.mlir:[[# @LINE + 1]]:1: error: 'loops.kernel' op not supported by the Triton path yet (lone loops.pointwise ops, row reductions and fused row kernels over one contiguous reduced dim are)
func.func @fused(%x: tensor<8x4xf32>) -> tensor<8x4xf32> {
  %s = tensor_graph.softmax %x {axis = 0} : tensor<8x4xf32>
  func.return %s : tensor<8x4xf32>
}
// CHECK: error: pass 'convert-loops-to-gpu_block' failed: 1 op(s) the Triton path does not support yet
