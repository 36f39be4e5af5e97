// A transformer MLP block in tensor_graph: layer_norm, linear, gelu, linear, residual.
// Try: stepwell-opt examples/mlp_block.mlir -p tensor_graph-decompose,canonicalize,cse
func.func @mlp_block(%x: tensor<8x64xf32>, %g: tensor<64xf32>, %beta: tensor<64xf32>,
                     %w1: tensor<256x64xf32>, %b1: tensor<256xf32>,
                     %w2: tensor<64x256xf32>, %b2: tensor<64xf32>) -> tensor<8x64xf32> {
  %n = "tensor_graph.layer_norm"(%x, %g, %beta) <{axis = -1 : i64, epsilon = 1.0e-05 : f64}> : (tensor<8x64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<8x64xf32>
  %h = "tensor_graph.linear"(%n, %w1, %b1) : (tensor<8x64xf32>, tensor<256x64xf32>, tensor<256xf32>) -> tensor<8x256xf32>
  %a = "tensor_graph.gelu"(%h) <{approximate = "tanh"}> : (tensor<8x256xf32>) -> tensor<8x256xf32>
  %o = "tensor_graph.linear"(%a, %w2, %b2) : (tensor<8x256xf32>, tensor<64x256xf32>, tensor<64xf32>) -> tensor<8x64xf32>
  %y = "tensor_graph.add"(%x, %o) : (tensor<8x64xf32>, tensor<8x64xf32>) -> tensor<8x64xf32>
  func.return %y : tensor<8x64xf32>
}
