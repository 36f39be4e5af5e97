// Sizes that cannot be addressed (issue 6, point 13): a tensor's bytes must fit in a
// signed 64-bit offset; and shapes are static. Each is one error at the op that names
// the type.
// RUN: stepwell-opt %s --split-input-file --verify-diagnostics

// expected-error@+1 {{'func.func' op tensor<9223372036854775808xi8> has 9223372036854775808 elements (9223372036854775808 bytes): more than a 64-bit offset can address (9223372036854775807 bytes)}}
func.func @dimension_2_63(%x: tensor<9223372036854775808xi8>) -> tensor<9223372036854775808xi8> {
  func.return %x : tensor<9223372036854775808xi8>
}

// -----

// Each dimension fits, the product does not (10^20 used to fail inside loops-fuse).
// expected-error@+1 {{tensor<10000000000x10000000000xi8> has 100000000000000000000 elements}}
func.func @product(%x: tensor<10000000000x10000000000xi8>) {
  func.return
}

// -----

// 2^62 elements fit as a count, but not as f32 bytes.
func.func @bytes(%x: tensor<2xf32>) {
  // expected-error@+1 {{'tensor_graph.reshape' op tensor<4611686018427387904xf32> has 4611686018427387904 elements (18446744073709551616 bytes)}}
  %r = "tensor_graph.reshape"(%x) : (tensor<2xf32>) -> tensor<4611686018427387904xf32>
  func.return
}

// -----

// A declaration has no arguments to check: its type is checked.
// expected-error@+1 {{'func.func' op tensor<100000000000000000000xf32> has}}
func.func private @declaration(tensor<100000000000000000000xf32>)

// -----

// The largest i8 tensor a 64-bit offset can address is accepted.
func.func @largest(%x: tensor<9223372036854775807xi8>) -> tensor<9223372036854775807xi8> {
  func.return %x : tensor<9223372036854775807xi8>
}

// -----

// Dynamic sizes come later (the spec); they used to compile into a loop of -2^63 steps.
// expected-error@+1 {{'func.func' op tensor<?xf32> has a dynamic size: stepwell supports static shapes only}}
func.func @dynamic(%x: tensor<?xf32>) -> tensor<?xf32> {
  // expected-error@+1 {{'tensor_graph.neg' op tensor<?xf32> has a dynamic size}}
  %y = tensor_graph.neg %x : tensor<?xf32>
  func.return %y : tensor<?xf32>
}

// -----

// An element type without a struct format (i128) is sized by its bit width (found by
// the fuzzer's mutants: this was an internal NotImplementedError).
func.func @i128_result(%x: tensor<7xf32>) -> tensor<7xi128> {
  // expected-error@+1 {{'func.return' op}}
  func.return %x : tensor<7xf32>
}
