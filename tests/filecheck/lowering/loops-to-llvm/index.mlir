// RUN: stepwell-opt %s -p convert-loops-to-llvm | filecheck %s

// floordiv / mod of values sympy knows are >= 0 (d, r symbols) by a positive constant:
// udiv / urem. max / min: compare and select.
// CHECK-LABEL: llvm.func @views_k0
// CHECK:         llvm.udiv %{{.*}}, %{{.*}} : i64
// CHECK:         llvm.urem %{{.*}}, %{{.*}} : i64
// CHECK:         llvm.icmp "sgt"
// CHECK:         llvm.select
func.func @views(%x: tensor<12xf32>) -> tensor<4x6xf32> {
  %y = loops.pointwise : tensor<4x6xf32> {
    %a = loops.load %x[(d0 * 6 + d1) floordiv 2] : tensor<12xf32>
    %b = loops.load %x[d1 mod 4] : tensor<12xf32>
    %c = loops.load %x[max(d1 - 2, 0)] : tensor<12xf32>
    %s = arith.addf %a, %b : f32
    %t = arith.addf %s, %c : f32
    loops.yield %t : f32
  }
  func.return %y : tensor<4x6xf32>
}

// A run-time index (a gather: s0 is loaded) may be negative: floor semantics, sdiv /
// srem corrected by the signs of remainder and divisor.
// CHECK-LABEL: llvm.func @gather_k0
// CHECK:         llvm.sext %{{.*}} : i32 to i64
// CHECK:         llvm.srem
// CHECK:         llvm.select
func.func @gather(%x: tensor<5xf32>, %i: tensor<3xi32>) -> tensor<3xf32> {
  %y = loops.pointwise : tensor<3xf32> {
    %k = loops.load %i[d0] : tensor<3xi32>
    %w = arith.extsi %k : i32 to i64
    %a = loops.load %x[s0 mod 5] syms(%w) : tensor<5xf32>
    loops.yield %a : f32
  }
  func.return %y : tensor<3xf32>
}

// loops.index is the i64 value of its expression.
// CHECK-LABEL: llvm.func @iota_k0
// CHECK:         llvm.sitofp %{{.*}} : i64 to f32
func.func @iota(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %y = loops.pointwise : tensor<2x3xf32> {
    %i = loops.index [d0 * 3 + d1]
    %f = arith.sitofp %i : i64 to f32
    loops.yield %f : f32
  }
  func.return %y : tensor<2x3xf32>
}
