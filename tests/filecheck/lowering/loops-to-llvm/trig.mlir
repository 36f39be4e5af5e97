// sin/cos: both range reductions are computed and one is selected (branch-free, so
// loops vectorize): Cody-Waite below 2^20, Payne-Hanek above, reading the chunks of
// 2/pi for the input's exponent from a constant table, one per function (sin and cos
// of one function share it). convert-loops-to-llvm runs loops-expand-math's
// expansions itself on math ops that pass left.
// RUN: stepwell-opt %s -p convert-loops-to-llvm | filecheck %s

// CHECK:       llvm.mlir.global internal constant @trig_cst0(dense<{{.*}}> : tensor<3015xf64>) {addr_space = 0 : i32} : !llvm.array<3015 x f64>
// CHECK-NOT:   llvm.mlir.global {{.*}} @trig_cst1
// CHECK-LABEL: llvm.func @trig_k0
// CHECK:         llvm.mlir.addressof @trig_cst0 : !llvm.ptr
// CHECK:         llvm.fcmp "oge" {{.*}} : f64
// CHECK:         llvm.select
// CHECK:       llvm.mlir.global internal constant @trig64_cst0(dense<{{.*}}> : tensor<3015xf64>)
// CHECK-LABEL: llvm.func @trig64_k0
// CHECK:         llvm.mlir.addressof @trig64_cst0 : !llvm.ptr

func.func @trig(%x: tensor<16xf32>) -> tensor<16xf32> {
  %y = loops.pointwise : tensor<16xf32> {
    %a = loops.load %x[d0] : tensor<16xf32>
    %s = math.sin %a : f32
    %c = math.cos %s : f32
    loops.yield %c : f32
  }
  func.return %y : tensor<16xf32>
}

func.func @trig64(%x: tensor<16xf64>) -> tensor<16xf64> {
  %y = loops.pointwise : tensor<16xf64> {
    %a = loops.load %x[d0] : tensor<16xf64>
    %s = math.sin %a : f64
    loops.yield %s : f64
  }
  func.return %y : tensor<16xf64>
}
