// The memory slot attribute prints as it parses, and its errors say what was expected.
// RUN: stepwell-opt %s --split-input-file --verify-diagnostics | filecheck %s

// CHECK-LABEL: func.func @roundtrip
// CHECK:         a = #loops.slot<0, 4194304>, b = #loops.slot<result 2>, c = #loops.slot<arg 1>, d = #loops.slot<128, 0>,
// CHECK-SAME:    e = #loops.slot<result 0, 0, 1048576>, f = #loops.slot<result 1, 128, 64>, g = #loops.slot<result 3>
func.func @roundtrip(%x: tensor<4xf32>) -> tensor<4xf32> {
  %y = loops.pointwise : tensor<4xf32> attributes {a = #loops.slot<0, 4194304>, b = #loops.slot<result 2>, c = #loops.slot<arg 1>, d = #loops.slot<128,0>, e = #loops.slot<result 0, 0, 1048576>, f = #loops.slot<result 1,128,64>, g = #loops.slot<result 3, 0, 0>} {
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

// -----

// Scratch in a result's memory: offset and size multiples of 64.
func.func @unaligned_in_result(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{a slot in a result's memory has an offset and a size multiple of 64, got 32 and 64}}
  %y = loops.pointwise : tensor<4xf32> attributes {memory = #loops.slot<result 0, 32, 64>} {
    %a = loops.load %x[d0] : tensor<4xf32>
    loops.yield %a : f32
  }
  func.return %y : tensor<4xf32>
}

// -----

func.func @no_size_in_result(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{a slot in a result's memory has a size of more than 0}}
  %y = loops.pointwise : tensor<4xf32> attributes {memory = #loops.slot<result 0, 64, 0>} {
    %a = loops.load %x[d0] : tensor<4xf32>
    loops.yield %a : f32
  }
  func.return %y : tensor<4xf32>
}

// -----

func.func @arg_with_an_offset(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{'>' expected}}
  %y = loops.pointwise : tensor<4xf32> attributes {memory = #loops.slot<arg 0, 0, 64>} {
    %a = loops.load %x[d0] : tensor<4xf32>
    loops.yield %a : f32
  }
  func.return %y : tensor<4xf32>
}
