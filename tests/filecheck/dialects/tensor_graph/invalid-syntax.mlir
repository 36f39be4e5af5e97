// Malformed tensor_graph ops: missing or misspelled properties, wrong property kinds,
// bad custom forms, unknown ops. Each is one clear error at the op's line.
// RUN: stepwell-opt %s --split-input-file --verify-diagnostics

func.func @missing_property(%a: tensor<3xf32>) {
  // expected-error@+1 {{property 'axis' expected}}
  %r = "tensor_graph.softmax"(%a) : (tensor<3xf32>) -> tensor<3xf32>
  func.return
}

// -----

func.func @misspelled_property(%a: tensor<3xf32>) {
  // expected-error@+1 {{'tensor_graph.softmax' has no property 'axes' (it has: axis)}}
  %r = tensor_graph.softmax %a {axes = 1} : tensor<3xf32>
  func.return
}

// -----

func.func @property_kind(%a: tensor<3xf32>) {
  // expected-error@+1 {{property 'axis' of 'tensor_graph.softmax': bad value "x"}}
  %r = tensor_graph.softmax %a {axis = "x"} : tensor<3xf32>
  func.return
}

// -----

func.func @generic_property_kind(%a: tensor<3xf32>) {
  // expected-error@+1 {{'tensor_graph.softmax' op 1.000000e+00 : f64 should be of base attribute integer}}
  %r = "tensor_graph.softmax"(%a) <{axis = 1.0 : f64}> : (tensor<3xf32>) -> tensor<3xf32>
  func.return
}

// -----

func.func @missing_result_type(%a: tensor<3xf32>) {
  %r = tensor_graph.add %a, %a : tensor<3xf32>, tensor<3xf32>
  // expected-error@+1 {{expected '-> result-type' after several operand types}}
  func.return
}

// -----

func.func @operand_count(%a: tensor<3xf32>) {
  // expected-error@+1 {{'tensor_graph.add' op Expected 2 operands, but got 1}}
  %r = "tensor_graph.add"(%a) : (tensor<3xf32>) -> tensor<3xf32>
  func.return
}

// -----

func.func @not_a_tensor(%a: memref<3xf32>) {
  // expected-error@+1 {{should be of base attribute tensor}}
  %r = "tensor_graph.neg"(%a) : (memref<3xf32>) -> memref<3xf32>
  func.return
}

// -----

func.func @unknown_op(%a: tensor<3xf32>) {
  // expected-error@+1 {{Operation tensor_graph.foo is not registered}}
  %r = "tensor_graph.foo"(%a) : (tensor<3xf32>) -> tensor<3xf32>
  func.return
}
