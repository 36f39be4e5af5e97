// A function without its `func.return` says so (issue 6, point 15), rather than that
// its last op "terminates block in single-block region but is not a terminator".
// RUN: not stepwell-opt %s --split-input-file 2>&1 | filecheck %s

func.func @main(%x: tensor<4x4xf32>) -> tensor<4x4xf32> {
  %a = tensor_graph.matmul %x, %x : tensor<4x4xf32>, tensor<4x4xf32> -> tensor<4x4xf32>
}
// CHECK: missing-return.mlir:6:3: error: function @main has no `func.return`: its body ends with this 'tensor_graph.matmul'
// CHECK-NEXT: %a = tensor_graph.matmul
// CHECK-NEXT: ^

// -----

func.func @empty(%x: tensor<4xf32>) -> tensor<4xf32> {
}
// CHECK: missing-return.mlir:14:1: error: function @empty has no `func.return`: its body is empty
