// sin/cos: both range reductions are computed and one is selected (branch-free, so
// loops vectorize): Cody-Waite below 2^20, Payne-Hanek above, reading the chunks of
// 2/pi for the input's exponent from one constant table per module.
// RUN: stepwell-opt %s -p convert-loops-to-llvm | filecheck %s

// CHECK-LABEL: llvm.func @trig_k0
// CHECK:         llvm.mlir.addressof @stepwell.two_over_pi : !llvm.ptr
// CHECK:         llvm.fcmp "oge" {{.*}} : f64
// CHECK:         llvm.select
// CHECK-LABEL: llvm.func @trig64_k0
// CHECK:         llvm.mlir.addressof @stepwell.two_over_pi : !llvm.ptr
// CHECK:       llvm.mlir.global internal constant @stepwell.two_over_pi(dense<{{.*}}> : tensor<3015xf64>) {addr_space = 0 : i32} : !llvm.array<3015 x f64>
// CHECK-NOT:   llvm.mlir.global {{.*}} @stepwell.two_over_pi

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
