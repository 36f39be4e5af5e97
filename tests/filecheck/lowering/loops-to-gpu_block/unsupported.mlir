// RUN: not stepwell-opt %s -p lower-to-triton 2>&1 | filecheck %s

// A fused kernel holding an argmax (no fused kernel computes arg reductions yet) is refused.
// CHECK: unsupported.mlir:[[# @LINE + 1]]:1: error: 'loops.kernel' op not supported by the Triton path yet
func.func @fused(%x: tensor<8x4xf32>) -> tensor<8x4xf32> {
  %p = tensor_graph.argmax %x {axis = 1, keepdim = true} : tensor<8x4xf32> -> tensor<8x1xi64>
  %c = tensor_graph.cast %p : tensor<8x1xi64> -> tensor<8x1xf32>
  %y = tensor_graph.sub %x, %c : tensor<8x4xf32>, tensor<8x1xf32> -> tensor<8x4xf32>
  func.return %y : tensor<8x4xf32>
}
// CHECK: error: pass 'convert-loops-to-gpu_block' failed: 1 op(s) the Triton path does not support yet
