// RUN: stepwell-opt %s -p 'loops-fuse{min-parallelism=1}' | filecheck %s
// RUN: stepwell-opt %s -p 'loops-fuse{min-parallelism=1}' | stepwell-opt | filecheck %s

// Fusion over any axis: a kernel's parallel dims are whichever dims of each op the
// reads link (space.py), not only its leading dims.

// Softmax over axis 0: one kernel over the columns. The reductions map their d1 to
// p0 and their size-1 d0 to 0; the division walks the reduced axis as its d0 (k0).
// CHECK-LABEL: func.func @softmax_columns
// CHECK-NEXT:    %y = loops.kernel parallel [p0 = 10] reduction [k0 = 6] -> tensor<6x10xf32> {
// CHECK-NEXT:      %m = loops.reduce max over [6] : tensor<1x10xf32> at (0, p0 | k0) {
// CHECK-NEXT:        loops.load %x[r0, d1] : tensor<6x10xf32>
// CHECK:           %z = loops.reduce sum over [6] : tensor<1x10xf32> at (0, p0 | k0) attributes {recompute = ["e x2: math.exp", "s x2: arith.subf"]} {
// CHECK:             loops.load %m[0, d1] : tensor<1x10xf32>
// CHECK:           %[[Y:.*]] = loops.pointwise : tensor<6x10xf32> at (k0, p0) attributes {recompute = ["e x2: math.exp", "s x2: arith.subf"]} {
// CHECK:             loops.load %z[0, d1] : tensor<1x10xf32>
// CHECK:             arith.divf
// CHECK:           loops.yield %[[Y]] : tensor<6x10xf32>
// CHECK-NEXT:    }
// CHECK-NEXT:    func.return %y
func.func @softmax_columns(%x: tensor<6x10xf32>) -> tensor<6x10xf32> {
  %m = loops.reduce max over [6] : tensor<1x10xf32> {
    %0 = loops.load %x[r0, d1] : tensor<6x10xf32>
    loops.yield %0 : f32
  }
  %s = loops.pointwise : tensor<6x10xf32> {
    %0 = loops.load %x[d0, d1] : tensor<6x10xf32>
    %1 = loops.load %m[0, d1] : tensor<1x10xf32>
    %2 = arith.subf %0, %1 : f32
    loops.yield %2 : f32
  }
  %e = loops.pointwise : tensor<6x10xf32> {
    %0 = loops.load %s[d0, d1] : tensor<6x10xf32>
    %1 = math.exp %0 : f32
    loops.yield %1 : f32
  }
  %z = loops.reduce sum over [6] : tensor<1x10xf32> {
    %0 = loops.load %e[r0, d1] : tensor<6x10xf32>
    loops.yield %0 : f32
  }
  %y = loops.pointwise : tensor<6x10xf32> {
    %0 = loops.load %e[d0, d1] : tensor<6x10xf32>
    %1 = loops.load %z[0, d1] : tensor<1x10xf32>
    %2 = arith.divf %0, %1 : f32
    loops.yield %2 : f32
  }
  func.return %y : tensor<6x10xf32>
}

// Must not fuse: the column max is read at the next column (m[0, d1 + 1]), not at
// the current parallel point.
// CHECK-LABEL: func.func @shifted
// CHECK-NOT:     loops.kernel
// CHECK:         %m = loops.reduce max over [6] : tensor<1x11xf32> {
// CHECK:         %y = loops.pointwise : tensor<6x10xf32> {
// CHECK:           loops.load %m[0, d1 + 1] : tensor<1x11xf32>
func.func @shifted(%x: tensor<6x11xf32>) -> tensor<6x10xf32> {
  %m = loops.reduce max over [6] : tensor<1x11xf32> {
    %0 = loops.load %x[r0, d1] : tensor<6x11xf32>
    loops.yield %0 : f32
  }
  %y = loops.pointwise : tensor<6x10xf32> {
    %0 = loops.load %x[d0, d1] : tensor<6x11xf32>
    %1 = loops.load %m[0, d1 + 1] : tensor<1x11xf32>
    %2 = arith.subf %0, %1 : f32
    loops.yield %2 : f32
  }
  func.return %y : tensor<6x10xf32>
}

// Must not fuse: a kernel-local value read both straight and transposed (s + s^T):
// s's two dims would be one axis of the kernel, so neither is parallel.
// CHECK-LABEL: func.func @transposed_local
// CHECK-NOT:     loops.kernel
// CHECK:         %s = loops.reduce sum over [3] : tensor<4x4xf32> {
// CHECK:         %y = loops.pointwise : tensor<4x4xf32> {
// CHECK-DAG:       loops.load %s[d0, d1]
// CHECK-DAG:       loops.load %s[d1, d0]
func.func @transposed_local(%x: tensor<4x4x3xf32>) -> tensor<4x4xf32> {
  %s = loops.reduce sum over [3] : tensor<4x4xf32> {
    %0 = loops.load %x[d0, d1, r0] : tensor<4x4x3xf32>
    loops.yield %0 : f32
  }
  %y = loops.pointwise : tensor<4x4xf32> {
    %0 = loops.load %s[d0, d1] : tensor<4x4xf32>
    %1 = loops.load %s[d1, d0] : tensor<4x4xf32>
    %2 = arith.addf %0, %1 : f32
    loops.yield %2 : f32
  }
  func.return %y : tensor<4x4xf32>
}

// Must not fuse: a row sum read by column while x is read by row in one op and by
// column in the other: the kernel would walk x in two orders.
// CHECK-LABEL: func.func @two_orders
// CHECK-NOT:     loops.kernel
// CHECK:         func.return
func.func @two_orders(%x: tensor<4x4xf32>) -> tensor<4x4xf32> {
  %s = loops.reduce sum over [4] : tensor<4xf32> {
    %0 = loops.load %x[d0, r0] : tensor<4x4xf32>
    loops.yield %0 : f32
  }
  %y = loops.pointwise : tensor<4x4xf32> {
    %0 = loops.load %x[d0, d1] : tensor<4x4xf32>
    %1 = loops.load %s[d1] : tensor<4xf32>
    %2 = arith.mulf %0, %1 : f32
    loops.yield %2 : f32
  }
  func.return %y : tensor<4x4xf32>
}
