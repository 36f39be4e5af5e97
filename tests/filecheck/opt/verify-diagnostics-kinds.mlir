// --verify-diagnostics checks warnings, remarks and errors that passes report
// (`stepwell.ir.report`): each at the line of its op.
// RUN: stepwell-opt %s --split-input-file --verify-diagnostics --load-pass-plugin %S/Inputs/test_passes.py -p test-report

func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-remark@+2 {{'tensor_graph.neg' op seen}}
  // expected-warning@+1 {{a neg}}
  %y = tensor_graph.neg %x : tensor<4xf32>
  %z = tensor_graph.exp %y : tensor<4xf32> // expected-remark {{seen}}
  func.return %z : tensor<4xf32>
}

// -----

func.func @g(%x: tensor<4xf32>) -> tensor<4xf32> {
  func.return %x : tensor<4xf32>
}
