// A type that is not closed.
func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  %y = tensor_graph.neg %x : tensor<4xf32
  func.return %y : tensor<4xf32>
}
