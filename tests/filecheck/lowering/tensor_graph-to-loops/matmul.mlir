// RUN: stepwell-opt %s -p convert-tensor_graph-to-loops | filecheck %s

// matmul: a contraction, the sum over [K] of a[.., d_m, r0] * b[.., r0, d_n], its
// roles (batch dims, M, N, K) stated.
// CHECK-LABEL: func.func @matmul
// CHECK-NEXT:    %y = loops.contract over [4] m = d0, n = d1, k = r0 : tensor<3x5xf32> {
// CHECK-NEXT:      %[[A:.*]] = loops.load %a[d0, r0] : tensor<3x4xf32>
// CHECK-NEXT:      %[[B:.*]] = loops.load %b[r0, d1] : tensor<4x5xf32>
// CHECK-NEXT:      %[[M:.*]] = arith.mulf %[[A]], %[[B]] : f32
// CHECK-NEXT:      loops.yield %[[M]] : f32
// CHECK-NEXT:    }
func.func @matmul(%a: tensor<3x4xf32>, %b: tensor<4x5xf32>) -> tensor<3x5xf32> {
  %y = tensor_graph.matmul %a, %b : tensor<3x4xf32>, tensor<4x5xf32> -> tensor<3x5xf32>
  func.return %y : tensor<3x5xf32>
}

// Batch dimensions broadcast: a missing one is dropped, a size-1 one reads 0.
// CHECK-LABEL: func.func @batched
// CHECK-NEXT:    %y = loops.contract over [4] batch = [d0, d1], m = d2, n = d3, k = r0 : tensor<2x6x3x5xi32> {
// CHECK-NEXT:      %[[A:.*]] = loops.load %a[d0, 0, d2, r0] : tensor<2x1x3x4xi32>
// CHECK-NEXT:      %[[B:.*]] = loops.load %b[d1, r0, d3] : tensor<6x4x5xi32>
// CHECK-NEXT:      %[[M:.*]] = arith.muli %[[A]], %[[B]] : i32
// CHECK-NEXT:      loops.yield %[[M]] : i32
// CHECK-NEXT:    }
func.func @batched(%a: tensor<2x1x3x4xi32>, %b: tensor<6x4x5xi32>) -> tensor<2x6x3x5xi32> {
  %y = tensor_graph.matmul %a, %b : tensor<2x1x3x4xi32>, tensor<6x4x5xi32> -> tensor<2x6x3x5xi32>
  func.return %y : tensor<2x6x3x5xi32>
}

// f16 accumulates in f32, then rounds once; a transposed operand is read in place.
// CHECK-LABEL: func.func @f16_transposed
// CHECK-NEXT:    %[[S:.*]] = loops.contract over [8] m = d0, n = d1, k = r0 : tensor<3x5xf32> {
// CHECK-NEXT:      %[[A:.*]] = loops.load %a[d0, r0] : tensor<3x8xf16>
// CHECK-NEXT:      %[[AE:.*]] = arith.extf %[[A]] : f16 to f32
// CHECK-NEXT:      %[[B:.*]] = loops.load %w[d1, r0] : tensor<5x8xf16>
// CHECK-NEXT:      %[[BE:.*]] = arith.extf %[[B]] : f16 to f32
// CHECK-NEXT:      %[[M:.*]] = arith.mulf %[[AE]], %[[BE]] : f32
// CHECK-NEXT:      loops.yield %[[M]] : f32
// CHECK-NEXT:    }
// CHECK-NEXT:    %y = loops.pointwise : tensor<3x5xf16> {
// CHECK-NEXT:      %[[L:.*]] = loops.load %[[S]][d0, d1] : tensor<3x5xf32>
// CHECK-NEXT:      %[[T:.*]] = arith.truncf %[[L]] : f32 to f16
// CHECK-NEXT:      loops.yield %[[T]] : f16
// CHECK-NEXT:    }
func.func @f16_transposed(%a: tensor<3x8xf16>, %w: tensor<5x8xf16>) -> tensor<3x5xf16> {
  %wt = tensor_graph.transpose %w {perm = [1, 0]} : tensor<5x8xf16> -> tensor<8x5xf16>
  %y = tensor_graph.matmul %a, %wt : tensor<3x8xf16>, tensor<8x5xf16> -> tensor<3x5xf16>
  func.return %y : tensor<3x5xf16>
}
