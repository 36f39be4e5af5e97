// expected-error@+1 {{'tensor_graph.add' op result type tensor<7xf32> does not match the inferred tensor<4xf32>}}
func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  %y = tensor_graph.neg %x : tensor<4xf32>
  func.return %y : tensor<4xf32>
}
// expected-error@unknown {{pass 'test-invalid-ir' produced invalid IR}}
