// RUN: stepwell-opt %s -p tensor_graph-fold-constants | filecheck %s

// Exact ops of constants fold (integer add); transcendental ones stay (exp), and the
// pass applies no algebraic identity (x + -0.0 stays: that is canonicalize's).
// CHECK-LABEL: func.func @f
// CHECK:         tensor_graph.constant {value = dense<[4, 6]> : tensor<2xi32>}
// CHECK:         tensor_graph.exp
// CHECK:         tensor_graph.add %x
func.func @f(%x: tensor<2xf32>) -> (tensor<2xi32>, tensor<2xf32>, tensor<2xf32>) {
  %a = tensor_graph.constant {value = dense<[1, 2]> : tensor<2xi32>} : tensor<2xi32>
  %b = tensor_graph.constant {value = dense<[3, 4]> : tensor<2xi32>} : tensor<2xi32>
  %s = tensor_graph.add %a, %b : tensor<2xi32>
  %c = tensor_graph.constant {value = dense<1.0> : tensor<2xf32>} : tensor<2xf32>
  %e = tensor_graph.exp %c : tensor<2xf32>
  %z = tensor_graph.constant {value = dense<-0.0> : tensor<2xf32>} : tensor<2xf32>
  %y = tensor_graph.add %x, %z : tensor<2xf32>
  func.return %s, %e, %y : tensor<2xi32>, tensor<2xf32>, tensor<2xf32>
}
