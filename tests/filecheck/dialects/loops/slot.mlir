// The memory slot attribute prints as it parses, and its errors say what was expected.
// RUN: stepwell-opt %s --split-input-file --verify-diagnostics | filecheck %s

// CHECK-LABEL: func.func @roundtrip
// CHECK:         a = #loops.slot<0, 4194304>, b = #loops.slot<result 2>, c = #loops.slot<arg 1>, d = #loops.slot<128, 0>
func.func @roundtrip(%x: tensor<4xf32>) -> tensor<4xf32> {
  %y = loops.pointwise : tensor<4xf32> attributes {a = #loops.slot<0, 4194304>, b = #loops.slot<result 2>, c = #loops.slot<arg 1>, d = #loops.slot<128,0>} {
    %a = loops.load %x[d0] : tensor<4xf32>
    loops.yield %a : f32
  }
  func.return %y : tensor<4xf32>
}

// -----

func.func @unaligned(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{an arena slot's offset and size are multiples of 64, got 32 and 64}}
  %y = loops.pointwise : tensor<4xf32> attributes {memory = #loops.slot<32, 64>} {
    %a = loops.load %x[d0] : tensor<4xf32>
    loops.yield %a : f32
  }
  func.return %y : tensor<4xf32>
}

// -----

func.func @unknown_kind(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{expected an offset, `result` or `arg`, got 'temp'}}
  %y = loops.pointwise : tensor<4xf32> attributes {memory = #loops.slot<temp 0>} {
    %a = loops.load %x[d0] : tensor<4xf32>
    loops.yield %a : f32
  }
  func.return %y : tensor<4xf32>
}
