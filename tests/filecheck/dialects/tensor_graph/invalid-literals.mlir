// Literals and types xDSL cannot build (issue 6, points 9 and 12): each is a parse
// error at the text that is wrong, never an internal exception without a location.
// RUN: stepwell-opt %s --split-input-file --verify-diagnostics

func.func @hex_wider_than_f32() -> tensor<2xf32> {
  // expected-error@+1 {{a hexadecimal f32 element is its 32-bit pattern: at most 8 hex digits, no sign}}
  %c = tensor_graph.constant {value = dense<[0xFFFFFFFFFFFFFFFF, 1.0]> : tensor<2xf32>} : tensor<2xf32>
  func.return %c : tensor<2xf32>
}

// -----

func.func @huge_splat() -> tensor<1099511627776xf32> {
  // expected-error@+1 {{a dense<> literal of 1099511627776 elements: stepwell holds a constant's elements in memory, at most 16777216 of them}}
  %c = tensor_graph.constant {value = dense<1.0> : tensor<1099511627776xf32>} : tensor<1099511627776xf32>
  func.return %c : tensor<1099511627776xf32>
}

// -----

func.func @i128_elements() -> tensor<2xi128> {
  // expected-error@+1 {{dense<> elements of type i128 are not supported (floats, and integers of at most 64 bits)}}
  %c = tensor_graph.constant {value = dense<[1, 2]> : tensor<2xi128>} : tensor<2xi128>
  func.return %c : tensor<2xi128>
}

// -----

func.func @element_out_of_range() -> tensor<2xi1> {
  // expected-error@+1 {{Integer value 255 is out of range for type i1}}
  %c = tensor_graph.constant {value = dense<[1, 255]> : tensor<2xi1>} : tensor<2xi1>
  func.return %c : tensor<2xi1>
}

// -----

func.func @negative_out_of_range() -> tensor<2xi8> {
  // expected-error@+1 {{Integer value -129 is out of range for type i8}}
  %c = tensor_graph.constant {value = dense<[-129, 1]> : tensor<2xi8>} : tensor<2xi8>
  func.return %c : tensor<2xi8>
}

// -----

// An integer attribute out of its type's range (xDSL raised a VerifyException with no
// location).
func.func @integer_attribute(%x: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error@+1 {{Integer value 300 is out of range for type i8}}
  %r = "tensor_graph.softmax"(%x) <{axis = 300 : i8}> : (tensor<3xf32>) -> tensor<3xf32>
  func.return %r : tensor<3xf32>
}

// -----

// An unterminated string made xDSL's lexer backtrack exponentially.
// expected-error@+1 {{string literal has no closing quote on its line}}
func.func @unterminated(%x: tensor<"2x3x4xf32abcdefghijklmnopqrstuvwxyzabcdefghijklmnop>) {
  func.return
}

// -----

func.func @bad_escape() attributes {
  // expected-error@+1 {{invalid escape in a string literal}}
  name = "a\qb"
} {
  func.return
}

// -----

// xDSL asserted the closing token of a complex element (an AssertionError).
func.func @complex_element_not_closed() -> tensor<2xf32> {
  // expected-error@+1 {{')' expected}}
  %c = tensor_graph.constant {value = dense<(0.0, -0.0]> : tensor<2xf32>} : tensor<2xf32>
  func.return %c : tensor<2xf32>
}

// -----

// A dense<> of complex elements (found by the fuzzer: xDSL asserted inside).
func.func @complex_elements() -> tensor<7xi1> {
  // expected-error@+1 {{dense<> elements of type complex<f32> are not supported (floats, and integers of at most 64 bits)}}
  %c = tensor_graph.constant {value = dense<true> : tensor<7xcomplex<f32>>} : tensor<7xi1>
  func.return %c : tensor<7xi1>
}
