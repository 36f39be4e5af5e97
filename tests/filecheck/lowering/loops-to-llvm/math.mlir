// RUN: stepwell-opt %s -p convert-loops-to-llvm | filecheck %s

// Transcendentals are inline polynomials (fma chains, roundeven, selects): no call
// to libm that would stop the vectorizer.
// CHECK-LABEL: llvm.func @math_k0
// CHECK-NOT:     llvm.call {{.*}}@
// CHECK:         llvm.call_intrinsic "llvm.roundeven.f32"
// CHECK:         llvm.intr.fma
// CHECK-NOT:     llvm.call {{.*}}@
// CHECK:         llvm.return
func.func @math(%x: tensor<64xf32>) -> tensor<64xf32> {
  %y = loops.pointwise : tensor<64xf32> {
    %a = loops.load %x[d0] : tensor<64xf32>
    %e = math.exp %a : f32
    %l = math.log %e : f32
    %t = math.tanh %l : f32
    %s = math.sin %t : f32
    %c = math.cos %s : f32
    %r = math.erf %c : f32
    %p = math.powf %r, %a : f32
    %q = math.sqrt %p : f32
    %u = math.rsqrt %q : f32
    loops.yield %u : f32
  }
  func.return %y : tensor<64xf32>
}

// The same in f64, and the integer power (repeated squaring with selects).
// CHECK-LABEL: llvm.func @math64_k0
// CHECK-NOT:     llvm.call {{.*}}@
// CHECK:         llvm.intr.fma
// CHECK-NOT:     llvm.call {{.*}}@
// CHECK:         llvm.return
// CHECK-LABEL: llvm.func @math64_k1
// CHECK:         llvm.mul
// CHECK:         llvm.select
func.func @math64(%x: tensor<8xf64>, %n: tensor<8xi32>) -> (tensor<8xf64>, tensor<8xi32>) {
  %y = loops.pointwise : tensor<8xf64> {
    %a = loops.load %x[d0] : tensor<8xf64>
    %e = math.exp %a : f64
    %l = math.log %e : f64
    %t = math.tanh %l : f64
    %s = math.sin %t : f64
    %c = math.cos %s : f64
    %r = math.erf %c : f64
    %p = math.powf %r, %a : f64
    loops.yield %p : f64
  }
  %z = loops.pointwise : tensor<8xi32> {
    %a = loops.load %n[d0] : tensor<8xi32>
    %p = math.ipowi %a, %a : i32
    loops.yield %p : i32
  }
  func.return %y, %z : tensor<8xf64>, tensor<8xi32>
}
