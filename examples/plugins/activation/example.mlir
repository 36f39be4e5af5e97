// A program using the example plugin's `activation` dialect.
// stepwell-opt examples/plugins/activation/example.mlir \
//   --load-dialect-plugin examples/plugins/activation/activation.py -p activation-decompose
func.func @act(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %h = activation.hardswish %x : tensor<4x8xf32>
  %m = activation.mish %h : tensor<4x8xf32>
  func.return %m : tensor<4x8xf32>
}
