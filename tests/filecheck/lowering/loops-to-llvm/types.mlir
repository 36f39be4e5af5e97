// RUN: stepwell-opt %s -p convert-loops-to-llvm | filecheck %s

// f16 is `half` (fpext / fptrunc); bf16 is i16 bits: widened by a shift, narrowed
// rounding to nearest even with integer ops (NaN kept quiet); i1 is a byte in memory.
// CHECK-LABEL: llvm.func @types_k0
// CHECK:         llvm.load %{{.*}} : !llvm.ptr -> f16
// CHECK:         llvm.fpext %{{.*}} : f16 to f32
// CHECK:         llvm.load %{{.*}} : !llvm.ptr -> i16
// CHECK:         llvm.zext %{{.*}} : i16 to i32
// CHECK:         llvm.shl
// CHECK:         llvm.bitcast %{{.*}} : i32 to f32
// CHECK:         llvm.load %{{.*}} : !llvm.ptr -> i8
// CHECK:         llvm.trunc %{{.*}} : i8 to i1
// CHECK:         llvm.select
// CHECK:         llvm.bitcast %{{.*}} : f32 to i32
// CHECK:         llvm.lshr
// CHECK:         llvm.fcmp "uno"
// CHECK:         llvm.trunc %{{.*}} : i32 to i16
// CHECK:         llvm.store %{{.*}} : i16, !llvm.ptr
func.func @types(%h: tensor<4xf16>, %b: tensor<4xbf16>, %c: tensor<4xi1>) -> tensor<4xbf16> {
  %y = loops.pointwise : tensor<4xbf16> {
    %a = loops.load %h[d0] : tensor<4xf16>
    %a32 = arith.extf %a : f16 to f32
    %v = loops.load %b[d0] : tensor<4xbf16>
    %v32 = arith.extf %v : bf16 to f32
    %k = loops.load %c[d0] : tensor<4xi1>
    %s = arith.select %k, %a32, %v32 : f32
    %r = arith.truncf %s : f32 to bf16
    loops.yield %r : bf16
  }
  func.return %y : tensor<4xbf16>
}

// fptosi saturates (NaN -> 0) through llvm.fptosi.sat; integer division guards
// against x / 0 and MIN / -1; f64 -> f16 rounds to odd in f32 first.
// CHECK-LABEL: llvm.func @ints_k0
// CHECK:         llvm.call_intrinsic "llvm.fptosi.sat.i32.f64"
// CHECK:         llvm.icmp "eq"
// CHECK:         llvm.sdiv
// CHECK:         llvm.fptrunc %{{.*}} : f64 to f32
// CHECK:         llvm.fpext %{{.*}} : f32 to f64
// CHECK:         llvm.or
// CHECK:         llvm.fptrunc %{{.*}} : f32 to f16
func.func @ints(%x: tensor<4xf64>, %d: tensor<4xi32>) -> (tensor<4xi32>, tensor<4xf16>) {
  %y = loops.pointwise : tensor<4xi32> {
    %a = loops.load %x[d0] : tensor<4xf64>
    %i = arith.fptosi %a : f64 to i32
    %e = loops.load %d[d0] : tensor<4xi32>
    %q = arith.divsi %i, %e : i32
    loops.yield %q : i32
  }
  %z = loops.pointwise : tensor<4xf16> {
    %a = loops.load %x[d0] : tensor<4xf64>
    %h = arith.truncf %a : f64 to f16
    loops.yield %h : f16
  }
  func.return %y, %z : tensor<4xi32>, tensor<4xf16>
}
