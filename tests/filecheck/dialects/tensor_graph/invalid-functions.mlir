// A function without its `func.return` says so (issue 6, point 15), rather than that
// its last op "terminates block in single-block region but is not a terminator"; a
// function defined twice is an error where it is defined the second time.
// RUN: not stepwell-opt %s --split-input-file 2>&1 | filecheck %s

func.func @main(%x: tensor<4x4xf32>) -> tensor<4x4xf32> {
  %a = tensor_graph.matmul %x, %x : tensor<4x4xf32>, tensor<4x4xf32> -> tensor<4x4xf32>
}
// CHECK: invalid-functions.mlir:[[# @LINE - 2]]:3: error: function @main has no `func.return`: its body ends with this 'tensor_graph.matmul'
// CHECK-NEXT: %a = tensor_graph.matmul
// CHECK-NEXT: ^

// -----

func.func @empty(%x: tensor<4xf32>) -> tensor<4xf32> {
}
// CHECK: invalid-functions.mlir:[[# @LINE - 2]]:1: error: function @empty has no `func.return`: its body is empty

// -----

func.func @twice() {
  func.return
}
func.func @other() {
  func.return
}
func.func @twice() {
  func.return
}
// CHECK: invalid-functions.mlir:[[# @LINE - 3]]:1: error: 'func.func' op redefines symbol @twice (first defined at line [[# @LINE - 9]])
// CHECK-NOT: error
