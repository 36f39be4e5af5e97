// RUN: stepwell-opt %s -p loops-expand-math | filecheck %s

// exp in a loops body becomes its approximation in arith/math primitives: the input
// clamped (NaN selected back at the end), k = roundeven(x / ln 2), the Cody-Waite
// reduction r = x - k ln2_hi - k ln2_lo (two fma), the polynomial by Horner's rule
// (fma), 1 + r + r^2 Q(r), then times 2^k in two halves built from the exponent bits.
// CHECK-LABEL: func.func @exp
// CHECK:         loops.pointwise : tensor<16xf32> {
// CHECK-NEXT:      %[[X:.*]] = loops.load %x[d0] : tensor<16xf32>
// CHECK:           %[[LO:.*]] = arith.maxnumf %[[X]], %{{.*}} : f32
// CHECK:           %[[XC:.*]] = arith.minnumf %[[LO]], %{{.*}} : f32
// CHECK:           %[[T:.*]] = arith.mulf %[[XC]], %{{.*}} : f32
// CHECK-NEXT:      %[[K:.*]] = math.roundeven %[[T]] : f32
// CHECK:           %[[R1:.*]] = math.fma %{{.*}}, %{{.*}}, %[[XC]] : f32
// CHECK:           %[[R:.*]] = math.fma %{{.*}}, %{{.*}}, %[[R1]] : f32
// CHECK-COUNT-4:   math.fma %{{.*}}, %[[R]], %{{.*}} : f32
// CHECK:           %[[R2:.*]] = arith.mulf %[[R]], %[[R]] : f32
// CHECK:           math.fma %[[R2]], %{{.*}}, %[[R]] : f32
// CHECK:           arith.bitcast %{{.*}} : f32 to i32
// CHECK:           arith.shrsi
// CHECK:           arith.shli
// CHECK:           arith.bitcast %{{.*}} : i32 to f32
// CHECK:           %[[NAN:.*]] = arith.cmpf uno, %[[X]], %[[X]] : f32
// CHECK-NEXT:      %[[E:.*]] = arith.select %[[NAN]], %[[X]], %{{.*}} : f32
// CHECK-NEXT:      loops.yield %[[E]] : f32
// CHECK-NOT:     math.exp
func.func @exp(%x: tensor<16xf32>) -> tensor<16xf32> {
  %y = loops.pointwise : tensor<16xf32> {
    %a = loops.load %x[d0] : tensor<16xf32>
    %e = math.exp %a : f32
    loops.yield %e : f32
  }
  func.return %y : tensor<16xf32>
}

// bf16 is computed in f32 and rounded once; inside a kernel too.
// CHECK-LABEL: func.func @exp_bf16_in_kernel
// CHECK:         loops.kernel
// CHECK:           %[[A:.*]] = loops.load %x[d0, d1] : tensor<4x8xbf16>
// CHECK-NEXT:      %[[W:.*]] = arith.extf %[[A]] : bf16 to f32
// CHECK-NEXT:      arith.constant
// CHECK-NEXT:      arith.maxnumf %[[W]]
// CHECK:           %[[N:.*]] = arith.truncf %{{.*}} : f32 to bf16
// CHECK-NEXT:      loops.yield %[[N]] : bf16
// CHECK-NOT:     math.exp
func.func @exp_bf16_in_kernel(%x: tensor<4x8xbf16>) -> tensor<4x8xbf16> {
  %k = loops.kernel parallel [p0 = 4, p1 = 8] -> tensor<4x8xbf16> {
    %y = loops.pointwise : tensor<4x8xbf16> at (p0, p1) {
      %a = loops.load %x[d0, d1] : tensor<4x8xbf16>
      %e = math.exp %a : bf16
      loops.yield %e : bf16
    }
    loops.yield %y : tensor<4x8xbf16>
  }
  func.return %k : tensor<4x8xbf16>
}
