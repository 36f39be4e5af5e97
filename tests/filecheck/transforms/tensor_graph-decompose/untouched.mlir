// RUN: stepwell-opt %s -p tensor_graph-decompose | filecheck %s

// Primitive ops are left exactly as they were, unused ones included.

// CHECK-LABEL: func.func @primitives
// CHECK-NEXT:    %e = tensor_graph.exp %x : tensor<7x13xf32>
// CHECK-NEXT:    %m = tensor_graph.reduce %e {kind = "max", dims = [1], keepdim = true} : tensor<7x13xf32> -> tensor<7x1xf32>
// CHECK-NEXT:    %s = tensor_graph.sub %e, %m : tensor<7x13xf32>, tensor<7x1xf32> -> tensor<7x13xf32>
// CHECK-NEXT:    %dead = tensor_graph.tanh %x : tensor<7x13xf32>
// CHECK-NEXT:    %t = tensor_graph.transpose %s {perm = [1, 0]} : tensor<7x13xf32> -> tensor<13x7xf32>
// CHECK-NEXT:    %p = tensor_graph.matmul %s, %t : tensor<7x13xf32>, tensor<13x7xf32> -> tensor<7x7xf32>
// CHECK-NEXT:    %l = tensor_graph.log2 %p : tensor<7x7xf32>
// CHECK-NEXT:    %c = tensor_graph.exp2 %l : tensor<7x7xf32>
// CHECK-NEXT:    func.return %c : tensor<7x7xf32>
func.func @primitives(%x: tensor<7x13xf32>) -> tensor<7x7xf32> {
  %e = tensor_graph.exp %x : tensor<7x13xf32>
  %m = tensor_graph.reduce %e {kind = "max", dims = [1], keepdim = true} : tensor<7x13xf32> -> tensor<7x1xf32>
  %s = tensor_graph.sub %e, %m : tensor<7x13xf32>, tensor<7x1xf32> -> tensor<7x13xf32>
  %dead = tensor_graph.tanh %x : tensor<7x13xf32>
  %t = tensor_graph.transpose %s {perm = [1, 0]} : tensor<7x13xf32> -> tensor<13x7xf32>
  %p = tensor_graph.matmul %s, %t : tensor<7x13xf32>, tensor<13x7xf32> -> tensor<7x7xf32>
  %l = tensor_graph.log2 %p : tensor<7x7xf32>
  %c = tensor_graph.exp2 %l : tensor<7x7xf32>
  func.return %c : tensor<7x7xf32>
}

// An empty function and one with only a constant stay as they are.
// CHECK-LABEL: func.func @identity
// CHECK-NEXT:    func.return %x : tensor<3xi8>
func.func @identity(%x: tensor<3xi8>) -> tensor<3xi8> {
  func.return %x : tensor<3xi8>
}

// CHECK-LABEL: func.func @constant
// CHECK-NEXT:    %c = tensor_graph.constant {value = dense<[1, 2]> : tensor<2xi32>} : tensor<2xi32>
// CHECK-NEXT:    func.return %c
func.func @constant() -> tensor<2xi32> {
  %c = tensor_graph.constant {value = dense<[1, 2]> : tensor<2xi32>} : tensor<2xi32>
  func.return %c : tensor<2xi32>
}
