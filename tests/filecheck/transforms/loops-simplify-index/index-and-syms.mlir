// RUN: stepwell-opt %s -p loops-simplify-index | filecheck %s

// loops.index is simplified as loads are; a size-1 dimension's symbol is 0.
// CHECK-LABEL: func.func @index_op
// CHECK:         loops.index [d0]
// CHECK:         loops.index [0]
func.func @index_op() -> tensor<6x1xi64> {
  %y = loops.pointwise : tensor<6x1xi64> {
    %i = loops.index [(d0 * 2) floordiv 2]
    %j = loops.index [d1]
    %s = arith.addi %i, %j : i64
    loops.yield %s : i64
  }
  func.return %y : tensor<6x1xi64>
}

// s-symbols are unbounded: s0 mod 4 stays. An s-symbol that simplification
// removes is dropped from `syms`, and the others are renumbered.
// CHECK-LABEL: func.func @gather
// CHECK:         %[[I:.*]] = arith.constant 3 : i64
// CHECK:         %[[J:.*]] = arith.constant 1 : i64
// CHECK:         loops.load %x[s0 mod 4, d0] syms(%[[I]]) : tensor<4x4xf32>
// CHECK:         loops.load %x[s0, d0] syms(%[[J]]) : tensor<4x4xf32>
func.func @gather(%x: tensor<4x4xf32>) -> tensor<4xf32> {
  %y = loops.pointwise : tensor<4xf32> {
    %i = arith.constant 3 : i64
    %j = arith.constant 1 : i64
    %a = loops.load %x[s0 mod 4, d0] syms(%i) : tensor<4x4xf32>
    %b = loops.load %x[(s0 * 4 + d0) floordiv 4 - s0 + s1, d0 mod 4] syms(%i, %j) : tensor<4x4xf32>
    %s = arith.addf %a, %b : f32
    loops.yield %s : f32
  }
  func.return %y : tensor<4xf32>
}

// Nothing to do: the op is printed back as it was.
// CHECK-LABEL: func.func @untouched
// CHECK:         loops.load %x[d1, d0 mod 2] : tensor<3x2xf32>
// CHECK:         loops.load %x[2 - d1, d0 mod 2] : tensor<3x2xf32>
func.func @untouched(%x: tensor<3x2xf32>) -> tensor<4x3xf32> {
  %y = loops.pointwise : tensor<4x3xf32> {
    %a = loops.load %x[d1, d0 mod 2] : tensor<3x2xf32>
    %b = loops.load %x[2 - d1, d0 mod 2] : tensor<3x2xf32>
    %s = arith.addf %a, %b : f32
    loops.yield %s : f32
  }
  func.return %y : tensor<4x3xf32>
}
