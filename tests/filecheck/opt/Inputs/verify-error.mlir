// Operands of different element types.
func.func @f(%x: tensor<4xf32>, %i: tensor<4xi32>) -> tensor<4xf32> {
  %y = "tensor_graph.add"(%x, %i) : (tensor<4xf32>, tensor<4xi32>) -> tensor<4xf32>
  func.return %y : tensor<4xf32>
}
