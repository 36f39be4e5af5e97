// RUN: stepwell-opt %s -p loops-simplify-index | filecheck %s

// Reshape chains flatten: a [4, 3] -> [12] -> [4, 3] round trip reads the input at
// (d0 * 3 + d1) floordiv 3 and (d0 * 3 + d1) mod 3, which are d0 and d1 because
// 0 <= d1 < 3.

// CHECK-LABEL: func.func @round_trip
// CHECK:         loops.load %x[d0, d1] : tensor<4x3xf32>
func.func @round_trip(%x: tensor<4x3xf32>) -> tensor<4x3xf32> {
  %y = loops.pointwise : tensor<4x3xf32> {
    %a = loops.load %x[(d0 * 3 + d1) floordiv 3, (d0 * 3 + d1) mod 3] : tensor<4x3xf32>
    loops.yield %a : f32
  }
  func.return %y : tensor<4x3xf32>
}

// Three levels: [2, 3, 4] -> [24] -> [6, 4] -> [2, 12] read back as [2, 3, 4].
// CHECK-LABEL: func.func @three_levels
// CHECK:         loops.load %x[d0, d1, d2] : tensor<2x3x4xf32>
func.func @three_levels(%x: tensor<2x3x4xf32>) -> tensor<2x3x4xf32> {
  %y = loops.pointwise : tensor<2x3x4xf32> {
    %a = loops.load %x[((d0 * 12 + d1 * 4 + d2) floordiv 4) floordiv 3, ((d0 * 12 + d1 * 4 + d2) floordiv 4) mod 3, (d0 * 12 + d1 * 4 + d2) mod 4] : tensor<2x3x4xf32>
    loops.yield %a : f32
  }
  func.return %y : tensor<2x3x4xf32>
}

// Reduced symbols have their ranges too (r0 < 5 in `over [5]`).
// CHECK-LABEL: func.func @in_a_reduction
// CHECK:         loops.load %x[d0, r0] : tensor<2x5xf32>
func.func @in_a_reduction(%x: tensor<2x5xf32>) -> tensor<2xf32> {
  %s = loops.reduce sum over [5] : tensor<2xf32> {
    %a = loops.load %x[(d0 * 5 + r0) floordiv 5, (d0 * 5 + r0) mod 5] : tensor<2x5xf32>
    loops.yield %a : f32
  }
  func.return %s : tensor<2xf32>
}

// A merge of dimensions that does not split back evenly stays: d1 may reach 5 here.
// CHECK-LABEL: func.func @uneven
// CHECK:         loops.load %x[(3 * d0 + d1) floordiv 4, (3 * d0 + d1) mod 4] : tensor<5x4xf32>
func.func @uneven(%x: tensor<5x4xf32>) -> tensor<4x5xf32> {
  %y = loops.pointwise : tensor<4x5xf32> {
    %a = loops.load %x[(d0 * 3 + d1) floordiv 4, (d0 * 3 + d1) mod 4] : tensor<5x4xf32>
    loops.yield %a : f32
  }
  func.return %y : tensor<4x5xf32>
}
