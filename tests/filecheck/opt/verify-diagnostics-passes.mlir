// Errors from passes under --verify-diagnostics: an error a pass reports on an op, the
// verifier's errors after a pass that broke the IR (at the nearest op that came from
// the source: here the function), and errors with no location (@unknown).
// RUN: stepwell-opt %s --verify-diagnostics --load-pass-plugin %S/Inputs/test_passes.py -p 'test-report{error=true}'
// RUN: stepwell-opt %S/Inputs/one-neg.mlir --verify-diagnostics --load-pass-plugin %S/Inputs/test_passes.py -p test-invalid-ir
// RUN: stepwell-opt %S/Inputs/raises.mlir --verify-diagnostics --load-pass-plugin %S/Inputs/test_passes.py -p cse,test-raise

func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-remark@+3 {{seen}}
  // expected-warning@+2 {{a neg}}
  // expected-error@+1 {{'tensor_graph.neg' op negs are not allowed}}
  %y = tensor_graph.neg %x : tensor<4xf32>
  func.return %y : tensor<4xf32>
}
