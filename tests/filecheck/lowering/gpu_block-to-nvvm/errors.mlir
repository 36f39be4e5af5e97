// RUN: not stepwell-opt %s -p lower-to-ptx 2>&1 | filecheck %s

// A reduction is refused at its function, by kernel.
// CHECK: errors.mlir:[[# @LINE + 2]]:1: error: 'gpu_block.launch' op kernel @r_k0: {{.*}} is not supported by the PTX path yet
// CHECK: pass 'convert-gpu_block-to-nvvm' failed: 1 kernel(s) the PTX path does not support yet
func.func @r(%x: tensor<100x300xf32>) -> tensor<100xf32> {
  %s = tensor_graph.reduce %x {kind = "sum", dims = [1], keepdim = false} : tensor<100x300xf32> -> tensor<100xf32>
  func.return %s : tensor<100xf32>
}
