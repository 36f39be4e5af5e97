// dense_resource constants whose blob is missing or malformed: each is an error at the
// text that is wrong (the blob's string, or the op that uses a missing blob), saying
// what was expected.
// RUN: stepwell-opt %s --split-input-file --verify-diagnostics

func.func @missing() -> tensor<2xf32> {
  // expected-error@+1 {{'tensor_graph.constant' op dense_resource<nowhere> has no blob: the file's {-# dialect_resources: { builtin: { nowhere: "0x..." } } #-} section must define it}}
  %c = tensor_graph.constant {value = dense_resource<nowhere> : tensor<2xf32>} : tensor<2xf32>
  func.return %c : tensor<2xf32>
}

// -----

func.func @wrong_size() -> tensor<2xf32> {
  // expected-error@+1 {{'tensor_graph.constant' op dense_resource<short> holds 4 bytes, tensor<2xf32> needs 8 (2 elements of 4 bytes)}}
  %c = tensor_graph.constant {value = dense_resource<short> : tensor<2xf32>} : tensor<2xf32>
  func.return %c : tensor<2xf32>
}
{-#
  dialect_resources: {
    builtin: {
      short: "0x040000000000803F"
    }
  }
#-}

// -----

func.func @no_0x() -> tensor<1xf32> {
  %c = tensor_graph.constant {value = dense_resource<no_0x> : tensor<1xf32>} : tensor<1xf32>
  func.return %c : tensor<1xf32>
}
{-#
  dialect_resources: {
    builtin: {
      // expected-error@+1 {{blob 'no_0x': a blob is "0x" then hex digits: 4 bytes of alignment (little-endian), then the data}}
      no_0x: "040000000000803F"
    }
  }
#-}

// -----

func.func @not_hex() -> tensor<1xf32> {
  %c = tensor_graph.constant {value = dense_resource<not_hex> : tensor<1xf32>} : tensor<1xf32>
  func.return %c : tensor<1xf32>
}
{-#
  dialect_resources: {
    builtin: {
      // expected-error@+1 {{blob 'not_hex': 'g' is not a hex digit: a blob is "0x" then hex digits}}
      not_hex: "0x04000000g000803F"
    }
  }
#-}

// -----

func.func @no_alignment() -> tensor<0xf32> {
  %c = tensor_graph.constant {value = dense_resource<no_alignment> : tensor<0xf32>} : tensor<0xf32>
  func.return %c : tensor<0xf32>
}
{-#
  dialect_resources: {
    builtin: {
      // expected-error@+1 {{blob 'no_alignment': a blob starts with 4 bytes (8 hex digits) of alignment, this one has 4 hex digits}}
      no_alignment: "0x0400"
    }
  }
#-}

// -----

func.func @odd() -> tensor<1xf32> {
  %c = tensor_graph.constant {value = dense_resource<odd> : tensor<1xf32>} : tensor<1xf32>
  func.return %c : tensor<1xf32>
}
{-#
  dialect_resources: {
    builtin: {
      // expected-error@+1 {{blob 'odd': a blob has an even number of hex digits (two per byte), this one has an odd number}}
      odd: "0x040000000000803F0"
    }
  }
#-}

// -----

func.func @alignment() -> tensor<1xf32> {
  %c = tensor_graph.constant {value = dense_resource<alignment> : tensor<1xf32>} : tensor<1xf32>
  func.return %c : tensor<1xf32>
}
{-#
  dialect_resources: {
    builtin: {
      // expected-error@+1 {{blob 'alignment': the alignment (the first 4 bytes, little-endian) is 3, not a power of two}}
      alignment: "0x030000000000803F"
    }
  }
#-}

// -----

func.func @twice() -> tensor<1xf32> {
  %c = tensor_graph.constant {value = dense_resource<twice> : tensor<1xf32>} : tensor<1xf32>
  func.return %c : tensor<1xf32>
}
{-#
  dialect_resources: {
    builtin: {
      twice: "0x040000000000803F",
      // expected-error@+1 {{blob 'twice' is defined twice}}
      twice: "0x040000000000803F"
    }
  }
#-}

// -----

func.func @not_a_string() -> tensor<1xf32> {
  %c = tensor_graph.constant {value = dense_resource<num> : tensor<1xf32>} : tensor<1xf32>
  func.return %c : tensor<1xf32>
}
{-#
  dialect_resources: {
    builtin: {
      // expected-error@+1 {{blob 'num': expected a string, "0x" then hex digits}}
      num: 0x040000000000803F
    }
  }
#-}

// -----

func.func @other_dialect() -> tensor<1xf32> {
  %c = tensor_graph.constant {value = dense<1.0> : tensor<1xf32>} : tensor<1xf32>
  func.return %c : tensor<1xf32>
}
{-#
  dialect_resources: {
    // expected-error@+1 {{stepwell keeps no resources of dialect 'func' (only builtin blobs)}}
    func: {
      w: "0x040000000000803F"
    }
  }
#-}

// -----

func.func @external() -> tensor<1xf32> {
  %c = tensor_graph.constant {value = dense<1.0> : tensor<1xf32>} : tensor<1xf32>
  func.return %c : tensor<1xf32>
}
{-#
  // expected-error@+1 {{stepwell reads no external_resources (only dialect_resources)}}
  external_resources: {
    mlir_reproducer: {
      pipeline: "builtin.module(canonicalize)"
    }
  }
#-}

// -----

func.func @not_a_tensor() -> tensor<1xf32> {
  // expected-error@+1 {{'tensor_graph.constant' op value has type vector<1xf32>, result has tensor<1xf32>}}
  %c = "tensor_graph.constant"() <{value = dense_resource<v> : vector<1xf32>}> : () -> tensor<1xf32>
  func.return %c : tensor<1xf32>
}
