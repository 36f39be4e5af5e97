// The GPU tiling attribute prints as it parses (stages only when set), and its errors
// name the field.
// RUN: stepwell-opt %s --split-input-file --verify-diagnostics | filecheck %s

// CHECK-LABEL: func.func @roundtrip
// CHECK:         a = #loops.gpu<pointwise, block = [1024], warps = 4>
// CHECK-SAME:    b = #loops.gpu<dot, block = [128, 128, 64], warps = 8, stages = 3>
// CHECK-SAME:    c = #loops.gpu<looped, block = [1, 2048], warps = 16>
// CHECK-SAME:    d = #loops.gpu<attention, block = [128, 64], warps = 4, stages = 3>
func.func @roundtrip(%x: tensor<4xf32>) -> tensor<4xf32> {
  %y = loops.pointwise : tensor<4xf32> attributes {
      a = #loops.gpu<pointwise, block = [1024], warps = 4>,
      b = #loops.gpu<dot, warps = 8, stages = 3, block = [128, 128, 64]>,
      c = #loops.gpu<looped, block = [1, 2048], warps = 16>,
      d = #loops.gpu<attention, block = [128, 64], warps = 4, stages = 3>} {
    %a = loops.load %x[d0] : tensor<4xf32>
    loops.yield %a : f32
  }
  func.return %y : tensor<4xf32>
}

// -----

func.func @bad_kind(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{expected one of pointwise, tile, persistent, looped, split, dot, attention, got 'blocked'}}
  %y = loops.pointwise : tensor<4xf32> attributes {a = #loops.gpu<blocked, block = [4], warps = 4>} {
    %a = loops.load %x[d0] : tensor<4xf32>
    loops.yield %a : f32
  }
  func.return %y : tensor<4xf32>
}

// -----

func.func @missing(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{a GPU tiling needs warps}}
  %y = loops.pointwise : tensor<4xf32> attributes {a = #loops.gpu<pointwise, block = [4]>} {
    %a = loops.load %x[d0] : tensor<4xf32>
    loops.yield %a : f32
  }
  func.return %y : tensor<4xf32>
}

// -----

func.func @not_pow2(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{a block size is a power of two, got 48}}
  %y = loops.pointwise : tensor<4xf32> attributes {a = #loops.gpu<pointwise, block = [48], warps = 4>} {
    %a = loops.load %x[d0] : tensor<4xf32>
    loops.yield %a : f32
  }
  func.return %y : tensor<4xf32>
}

// -----

func.func @attention_blocks(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{an attention tiling has two block sizes (query rows, keys), got 3}}
  %y = loops.pointwise : tensor<4xf32> attributes {a = #loops.gpu<attention, block = [128, 64, 64], warps = 4>} {
    %a = loops.load %x[d0] : tensor<4xf32>
    loops.yield %a : f32
  }
  func.return %y : tensor<4xf32>
}
