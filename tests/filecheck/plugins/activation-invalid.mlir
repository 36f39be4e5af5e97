// The plugin's ops are verified like tensor_graph's: float elements, result type =
// operand type.
// RUN: stepwell-opt %s --split-input-file --verify-diagnostics --load-dialect-plugin %examples/plugins/activation/activation.py

func.func @integer(%x: tensor<4xi32>) -> tensor<4xi32> {
  // expected-error@+1 {{'activation.hardswish' op operand 'x' has element type i32, expected float}}
  %y = activation.hardswish %x : tensor<4xi32>
  func.return %y : tensor<4xi32>
}

// -----

func.func @result_type(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{'activation.mish' op result type tensor<5xf32> does not match the inferred tensor<4xf32>}}
  %y = "activation.mish"(%x) : (tensor<4xf32>) -> tensor<5xf32>
  func.return %x : tensor<4xf32>
}
