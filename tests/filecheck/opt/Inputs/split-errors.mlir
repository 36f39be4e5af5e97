func.func @ok(%x: tensor<4xf32>) -> tensor<4xf32> {
  func.return %x : tensor<4xf32>
}

// -----

func.func @bad_type(%x: tensor<4xf32>) -> tensor<4xf32> {
  %y = tensor_graph.add %x, %x : tensor<4xf32>, tensor<4xf32> -> tensor<5xf32>
  func.return %x : tensor<4xf32>
}

// -----

func.func @bad_syntax(%x: tensor<4xf32>) -> tensor<4xf32> {
  %y = tensor_graph.add %x, : tensor<4xf32>
  func.return %x : tensor<4xf32>
}
