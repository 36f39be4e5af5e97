// RUN: stepwell-opt %s -p 'loops-fuse{max-kernel-ops=5}' | filecheck %s
// RUN: stepwell-opt %s -p 'loops-fuse{max-kernel-ops=6}' | filecheck %s --check-prefix=AT-LIMIT
// RUN: stepwell-opt %s -p loops-fuse | filecheck %s --check-prefix=DEFAULT

// max-kernel-ops bounds the ops of one fused body, and of one kernel's bodies
// together (LLVM's time per op grows with the size of one loop body). Past it a
// producer stays, is written to memory and says why; two groups do not merge.

// Each op has 3 (load, math, yield); inlined, a chain of n has 2 + n. With 5, the
// first three fuse and the fourth reads their result from memory; they do not
// share a kernel either (5 + 3 ops).
// CHECK-LABEL: func.func @chain
// CHECK-NEXT:    %c = loops.pointwise : tensor<4x8xf32> attributes {materialized = "max-kernel-ops=5"} {
// CHECK-NEXT:      loops.load %x[d0, d1]
// CHECK-NEXT:      math.exp
// CHECK-NEXT:      arith.negf
// CHECK-NEXT:      math.exp
// CHECK-NEXT:      loops.yield
// CHECK-NEXT:    }
// CHECK-NEXT:    %d = loops.pointwise : tensor<4x8xf32> {
// CHECK-NEXT:      loops.load %c[d0, d1]
// CHECK-NEXT:      arith.negf
// CHECK-NEXT:      loops.yield
// CHECK-NEXT:    }
// CHECK-NEXT:    func.return %d
// A body of exactly the limit is allowed: one op; and the default is far above.
// AT-LIMIT-LABEL: func.func @chain
// AT-LIMIT-NEXT:    %d = loops.pointwise : tensor<4x8xf32> {
// AT-LIMIT-NEXT:      loops.load %x[d0, d1]
// AT-LIMIT-NEXT:      math.exp
// AT-LIMIT-NEXT:      arith.negf
// AT-LIMIT-NEXT:      math.exp
// AT-LIMIT-NEXT:      arith.negf
// AT-LIMIT-NEXT:      loops.yield
// AT-LIMIT-NEXT:    }
// AT-LIMIT-NEXT:    func.return %d
// DEFAULT-LABEL: func.func @chain
// DEFAULT-NEXT:    %d = loops.pointwise : tensor<4x8xf32> {
// DEFAULT-NOT:     materialized
// DEFAULT:         func.return %d
func.func @chain(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %a = loops.pointwise : tensor<4x8xf32> {
    %0 = loops.load %x[d0, d1] : tensor<4x8xf32>
    %1 = math.exp %0 : f32
    loops.yield %1 : f32
  }
  %b = loops.pointwise : tensor<4x8xf32> {
    %0 = loops.load %a[d0, d1] : tensor<4x8xf32>
    %1 = arith.negf %0 : f32
    loops.yield %1 : f32
  }
  %c = loops.pointwise : tensor<4x8xf32> {
    %0 = loops.load %b[d0, d1] : tensor<4x8xf32>
    %1 = math.exp %0 : f32
    loops.yield %1 : f32
  }
  %d = loops.pointwise : tensor<4x8xf32> {
    %0 = loops.load %c[d0, d1] : tensor<4x8xf32>
    %1 = arith.negf %0 : f32
    loops.yield %1 : f32
  }
  func.return %d : tensor<4x8xf32>
}

// Sum and max of the same rows (3 ops each) share a kernel up to 6 ops, not at 5.
// CHECK-LABEL: func.func @siblings
// CHECK-NEXT:    %s = loops.reduce sum
// CHECK:         %m = loops.reduce max
// CHECK-NOT:     loops.kernel
// CHECK:         func.return %s, %m
// AT-LIMIT-LABEL: func.func @siblings
// AT-LIMIT-NEXT:    %s, %m = loops.kernel
// DEFAULT-LABEL: func.func @siblings
// DEFAULT-NEXT:    %s, %m = loops.kernel
func.func @siblings(%x: tensor<4x8xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %s = loops.reduce sum over [8] : tensor<4xf32> {
    %0 = loops.load %x[d0, r0] : tensor<4x8xf32>
    %1 = math.exp %0 : f32
    loops.yield %1 : f32
  }
  %m = loops.reduce max over [8] : tensor<4xf32> {
    %0 = loops.load %x[d0, r0] : tensor<4x8xf32>
    %1 = math.exp %0 : f32
    loops.yield %1 : f32
  }
  func.return %s, %m : tensor<4xf32>, tensor<4xf32>
}
