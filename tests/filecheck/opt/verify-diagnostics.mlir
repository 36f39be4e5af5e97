// --verify-diagnostics: every diagnostic must be announced by an annotation at its
// line, and every annotation must be produced. Parse errors and verifier errors
// alike; with --split-input-file each chunk is checked on its own.
// RUN: stepwell-opt %s --split-input-file --verify-diagnostics

func.func @same_line(%x: tensor<4xf32>, %y: tensor<3xf32>) -> tensor<4xf32> {
  %z = tensor_graph.add %x, %y : tensor<4xf32>, tensor<3xf32> -> tensor<4xf32> // expected-error {{do not broadcast}}
  func.return %z : tensor<4xf32>
}

// -----

func.func @next_line(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{'tensor_graph.neg' op result type tensor<5xf32> does not match the inferred tensor<4xf32>}}
  %z = "tensor_graph.neg"(%x) : (tensor<4xf32>) -> tensor<5xf32>
  func.return %x : tensor<4xf32>
}

// -----

func.func @previous_line(%x: tensor<4xi1>) -> tensor<4xi1> {
  %z = tensor_graph.exp %x : tensor<4xi1>
  // expected-error@-1 {{expected float}}
  func.return %z : tensor<4xi1>
}

// -----

func.func @above_and_below(%x: tensor<4xi1>) -> tensor<4xi1> {
  // expected-error@below {{'tensor_graph.exp' op}}
  %z = tensor_graph.exp %x : tensor<4xi1>
  %w = tensor_graph.log %z : tensor<4xi1>
  // expected-error@above {{'tensor_graph.log' op}}
  func.return %w : tensor<4xi1>
}

// -----

// Two errors on two ops of one function: both are reported.
func.func @two(%x: tensor<4xf32>) -> tensor<4xf32> {
  %a = "tensor_graph.neg"(%x) : (tensor<4xf32>) -> tensor<2xf32> // expected-error {{does not match}}
  %b = "tensor_graph.abs"(%x) : (tensor<4xf32>) -> tensor<3xf32> // expected-error {{does not match}}
  func.return %x : tensor<4xf32>
}

// -----

func.func @parse_error(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{operand expected}}
  %y = tensor_graph.add %x, : tensor<4xf32>
  func.return %x : tensor<4xf32>
}

// -----

func.func @regex(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error-re@+1 {{result type tensor<{{[0-9]+}}xf32> does not match}}
  %z = "tensor_graph.neg"(%x) : (tensor<4xf32>) -> tensor<9xf32>
  func.return %x : tensor<4xf32>
}

// -----

// A chunk without errors and without annotations passes.
func.func @fine(%x: tensor<4xf32>) -> tensor<4xf32> {
  func.return %x : tensor<4xf32>
}
