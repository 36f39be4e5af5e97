// RUN: not stepwell-opt %s -p convert-loops-to-llvm 2>&1 | filecheck %s

// The pass lowers loops-level functions only.
// CHECK: error: pass 'convert-loops-to-llvm' failed: convert-loops-to-llvm: cannot lower 'tensor_graph.exp' in @f (run convert-tensor_graph-to-loops first)
func.func @f(%x: tensor<3xf32>) -> tensor<3xf32> {
  %y = tensor_graph.exp %x : tensor<3xf32>
  func.return %y : tensor<3xf32>
}
