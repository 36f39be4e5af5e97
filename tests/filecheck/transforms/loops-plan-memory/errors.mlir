// The pass plans loops-level functions only; it says which op is not one, where.
// RUN: not stepwell-opt %s -p loops-plan-memory 2>&1 | filecheck %s

// CHECK: errors.mlir:[[# @LINE + 2]]:3: error: 'tensor_graph.exp' op is not a loops-level op: run convert-tensor_graph-to-loops before loops-plan-memory
func.func @not_lowered(%x: tensor<4xf32>) -> tensor<4xf32> {
  %a = tensor_graph.exp %x : tensor<4xf32>
  func.return %a : tensor<4xf32>
}
