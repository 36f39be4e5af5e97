// RUN: stepwell-opt %s -p loops-split-reduction | filecheck %s

// argmax/argmin: the outermost reduced dim is cut, so chunks are in the order of
// positions. The partial arg reduction gives each chunk's first best position; the
// combine is an arg reduction over the chunks of the values at those positions (the
// body evaluated again there, through a load with a symbol: ties go to the lowest
// chunk, the first NaN still wins); a pointwise op makes the position in the whole space.

// CHECK-LABEL: func.func @arg
// CHECK-NEXT:    %i_part = loops.reduce argmax over [2048, 3] (f32) : tensor<32x2xi64> {
// CHECK-NEXT:      %a = loops.load %x[d1, 2048 * d0 + r0, r1] : tensor<2x65536x3xf32>
// CHECK-NEXT:      loops.yield %a : f32
// CHECK-NEXT:    }
// CHECK-NEXT:    %i_combined = loops.reduce argmax over [32] (f32) : tensor<2xi64> {
// CHECK-NEXT:      %[[P:.*]] = loops.load %i_part[r0, d0] : tensor<32x2xi64>
// CHECK-NEXT:      %[[V:.*]] = loops.load %x[d0, 2048 * r0 + s0 floordiv 3, s0 mod 3] syms(%[[P]]) : tensor<2x65536x3xf32>
// CHECK-NEXT:      loops.yield %[[V]] : f32
// CHECK-NEXT:    }
// CHECK-NEXT:    %i = loops.pointwise : tensor<2xi64> {
// CHECK-NEXT:      %[[C:.*]] = loops.load %i_combined[d0] : tensor<2xi64>
// CHECK-NEXT:      %[[W:.*]] = loops.load %i_part[s0, d0] syms(%[[C]]) : tensor<32x2xi64>
// CHECK-NEXT:      %[[N:.*]] = arith.constant 6144 : i64
// CHECK-NEXT:      %[[S:.*]] = arith.muli %[[C]], %[[N]] : i64
// CHECK-NEXT:      %[[G:.*]] = arith.addi %[[S]], %[[W]] : i64
// CHECK-NEXT:      loops.yield %[[G]] : i64
func.func @arg(%x: tensor<2x65536x3xf32>) -> tensor<2xi64> {
  %i = loops.reduce argmax over [65536, 3] (f32) : tensor<2xi64> {
    %a = loops.load %x[d0, r0, r1] : tensor<2x65536x3xf32>
    loops.yield %a : f32
  }
  func.return %i : tensor<2xi64>
}

// A body with a prologue (and a load that already has a symbol) is evaluated again
// whole in the combine; the position becomes the load's next symbol.
// CHECK-LABEL: func.func @argmin_gather
// CHECK:         %j_part = loops.reduce argmin over [1024] (i32) : tensor<64xi64>
// CHECK:         %j_combined = loops.reduce argmin over [64] (i32) : tensor<i64> {
// CHECK-NEXT:      %[[P:.*]] = loops.load %j_part[r0] : tensor<64xi64>
// CHECK-NEXT:      %[[K:.*]] = loops.load %k[1024 * r0 + s0] syms(%[[P]]) : tensor<65536xi64>
// CHECK-NEXT:      %[[V:.*]] = loops.load %x[s0] syms(%[[K]]) : tensor<10xi32>
// CHECK-NEXT:      %[[N:.*]] = arith.muli %[[V]], %[[V]] : i32
// CHECK-NEXT:      loops.yield %[[N]] : i32
func.func @argmin_gather(%x: tensor<10xi32>, %k: tensor<65536xi64>) -> tensor<i64> {
  %j = loops.reduce argmin over [65536] (i32) : tensor<i64> {
    %i = loops.load %k[r0] : tensor<65536xi64>
    %v = loops.load %x[s0] syms(%i) : tensor<10xi32>
    %sq = arith.muli %v, %v : i32
    loops.yield %sq : i32
  }
  func.return %j : tensor<i64>
}
