// RUN: stepwell-opt %s -p loops-simplify-index | filecheck %s

// min/max with known bounds: the argument that never wins goes.
// CHECK-LABEL: func.func @clamps
// d0 <= 6: min(d0, 6) = d0; max(d0, 0) = d0; d0 - 1 may be -1: that max stays.
// CHECK:         loops.load %x[d0] : tensor<7xf32>
// CHECK:         loops.load %x[max(0, d0 - 1)] : tensor<7xf32>
// CHECK:         loops.load %x[min(6, d0 + 1)] : tensor<7xf32>
func.func @clamps(%x: tensor<7xf32>) -> tensor<7xf32> {
  %y = loops.pointwise : tensor<7xf32> {
    %a = loops.load %x[max(min(d0, 6), 0)] : tensor<7xf32>
    %b = loops.load %x[max(d0 - 1, 0)] : tensor<7xf32>
    %c = loops.load %x[min(d0 + 1, 6)] : tensor<7xf32>
    %s = arith.addf %a, %b : f32
    %t = arith.addf %s, %c : f32
    loops.yield %t : f32
  }
  func.return %y : tensor<7xf32>
}

// Comparing two symbols: d1 + 4 always beats d0 when d0 < 4.
// CHECK-LABEL: func.func @two_symbols
// CHECK:         loops.load %x[d1 + 4] : tensor<9xf32>
// CHECK:         loops.load %x[max(d0, d1)] : tensor<9xf32>
func.func @two_symbols(%x: tensor<9xf32>) -> tensor<4x5xf32> {
  %y = loops.pointwise : tensor<4x5xf32> {
    %a = loops.load %x[max(d0, d1 + 4)] : tensor<9xf32>
    %b = loops.load %x[max(d0, d1)] : tensor<9xf32>
    %s = arith.addf %a, %b : f32
    loops.yield %s : f32
  }
  func.return %y : tensor<4x5xf32>
}
