// RUN: not stepwell-opt %s -p lower-to-triton 2>&1 | filecheck %s

// A fused row kernel with a product (rows.py's persistent kernels reduce sum, max and min) is refused.
// CHECK: unsupported.mlir:[[# @LINE + 1]]:1: error: 'loops.kernel' op not supported by the Triton path yet
func.func @fused(%x: tensor<8x4xf32>) -> tensor<8x4xf32> {
  %p = tensor_graph.reduce %x {kind = "prod", dims = [1], keepdim = true} : tensor<8x4xf32> -> tensor<8x1xf32>
  %y = tensor_graph.sub %x, %p : tensor<8x4xf32>, tensor<8x1xf32> -> tensor<8x4xf32>
  func.return %y : tensor<8x4xf32>
}
// CHECK: error: pass 'convert-loops-to-gpu_block' failed: 1 op(s) the Triton path does not support yet
