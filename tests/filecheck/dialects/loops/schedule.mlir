// The CPU schedule attribute prints as it parses (optional fields only when set, in a
// fixed order), and its errors name the field.
// RUN: stepwell-opt %s --split-input-file --verify-diagnostics | filecheck %s

// CHECK-LABEL: func.func @roundtrip
// CHECK:         a = #loops.cpu<outer = [p0, p1 / 4096], chunks = 64, vector = 16>
// CHECK-SAME:    b = #loops.cpu<gemm, outer = [p0, p1 / 64, p2 / 128], kc = 256, mr = 8, nr = 32, chunks = 128, vector = 16>
// CHECK-SAME:    c = #loops.cpu<outer = [], inner_output = [0, 2], scratch = [1], chunks = 1, vector = 8>
func.func @roundtrip(%x: tensor<4xf32>) -> tensor<4xf32> {
  %y = loops.pointwise : tensor<4xf32> attributes {
      a = #loops.cpu<outer = [p0, p1 / 4096], chunks = 64, vector = 16>,
      b = #loops.cpu<gemm, outer = [p0, p1 / 64, p2 / 128], kc = 256, mr = 8, nr = 32, chunks = 128, vector = 16>,
      c = #loops.cpu<vector = 8, chunks = 1, scratch = [1], inner_output = [2, 0], outer = []>} {
    %a = loops.load %x[d0] : tensor<4xf32>
    loops.yield %a : f32
  }
  func.return %y : tensor<4xf32>
}

// -----

func.func @unknown_field(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{expected one of inner_output, scratch, vector, got 'vectr'}}
  %y = loops.pointwise : tensor<4xf32> attributes {a = #loops.cpu<outer = [p0], chunks = 1, vectr = 16>} {
    %a = loops.load %x[d0] : tensor<4xf32>
    loops.yield %a : f32
  }
  func.return %y : tensor<4xf32>
}

// -----

func.func @gemm_fields(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{a CPU schedule needs kc, mr, nr}}
  %y = loops.pointwise : tensor<4xf32> attributes {a = #loops.cpu<gemm, outer = [p0], chunks = 1, vector = 16>} {
    %a = loops.load %x[d0] : tensor<4xf32>
    loops.yield %a : f32
  }
  func.return %y : tensor<4xf32>
}

// -----

func.func @not_parallel(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{the outer loop runs over parallel dims p0, p1, ..., got 'k0'}}
  %y = loops.pointwise : tensor<4xf32> attributes {a = #loops.cpu<outer = [k0], chunks = 1, vector = 16>} {
    %a = loops.load %x[d0] : tensor<4xf32>
    loops.yield %a : f32
  }
  func.return %y : tensor<4xf32>
}

// -----

func.func @zero_block(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{block sizes are >= 1}}
  %y = loops.pointwise : tensor<4xf32> attributes {a = #loops.cpu<outer = [p0 / 0], chunks = 1, vector = 16>} {
    %a = loops.load %x[d0] : tensor<4xf32>
    loops.yield %a : f32
  }
  func.return %y : tensor<4xf32>
}
