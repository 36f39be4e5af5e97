// RUN: not stepwell-opt %s -p lower-to-ptx 2>&1 | filecheck %s

// A matrix product (gpu_block.dot) is refused at its function, by kernel; the reduction
// beside it lowers.
// CHECK: errors.mlir:[[# @LINE + 3]]:1: error: 'gpu_block.launch' op kernel @mm_k0: 'gpu_block.dot' is not supported by the PTX path yet
// CHECK-NOT: @r_k0
// CHECK: pass 'convert-gpu_block-to-nvvm' failed: 1 kernel(s) the PTX path does not support yet
func.func @mm(%a: tensor<64x64xf32>, %b: tensor<64x64xf32>) -> tensor<64x64xf32> {
  %c = tensor_graph.matmul %a, %b : tensor<64x64xf32>, tensor<64x64xf32> -> tensor<64x64xf32>
  func.return %c : tensor<64x64xf32>
}

func.func @r(%x: tensor<100x300xf32>) -> tensor<100xf32> {
  %s = tensor_graph.reduce %x {kind = "sum", dims = [1], keepdim = false} : tensor<100x300xf32> -> tensor<100xf32>
  func.return %s : tensor<100xf32>
}
