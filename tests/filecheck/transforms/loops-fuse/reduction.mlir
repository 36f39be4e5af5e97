// RUN: stepwell-opt %s -p loops-fuse | filecheck %s
// RUN: stepwell-opt %s -p loops-fuse | stepwell-opt | filecheck %s
// RUN: stepwell-opt %s -p loops-fuse,loops-fuse | filecheck %s

// Reduction fusion: pointwise prologues go into reductions; a reduction and the ops
// that read its result per row (epilogues, later reductions) become one kernel in
// which the result is never written.

// A prologue: the product with a broadcast weight is computed inside the sum.
// CHECK-LABEL: func.func @prologue
// CHECK-NEXT:    %s = loops.reduce sum over [8] : tensor<4xf32> {
// CHECK-NEXT:      %[[X:.*]] = loops.load %x[d0, r0] : tensor<4x8xf32>
// CHECK-NEXT:      %[[W:.*]] = loops.load %w[r0] : tensor<8xf32>
// CHECK-NEXT:      %[[P:.*]] = arith.mulf %[[X]], %[[W]] : f32
// CHECK-NEXT:      loops.yield %[[P]] : f32
// CHECK-NEXT:    }
// CHECK-NEXT:    func.return %s
func.func @prologue(%x: tensor<4x8xf32>, %w: tensor<8xf32>) -> tensor<4xf32> {
  %p = loops.pointwise : tensor<4x8xf32> {
    %0 = loops.load %x[d0, d1] : tensor<4x8xf32>
    %1 = loops.load %w[d1] : tensor<8xf32>
    %2 = arith.mulf %0, %1 : f32
    loops.yield %2 : f32
  }
  %s = loops.reduce sum over [8] : tensor<4xf32> {
    %0 = loops.load %p[d0, r0] : tensor<4x8xf32>
    loops.yield %0 : f32
  }
  func.return %s : tensor<4xf32>
}

// Softmax as convert-tensor_graph-to-loops writes it: one kernel over the rows. exp(x - max)
// is recomputed in the sum and in the division (stated), max and sum stay in the kernel.
// CHECK-LABEL: func.func @softmax
// CHECK-NEXT:    %y = loops.kernel parallel [p0 = 4] reduction [k0 = 8] -> tensor<4x8xf32> {
// CHECK-NEXT:      %m = loops.reduce max over [8] : tensor<4x1xf32> at (p0, 0 | k0) {
// CHECK-NEXT:        loops.load %x[d0, r0]
// CHECK-NEXT:        loops.yield
// CHECK-NEXT:      }
// CHECK-NEXT:      %z = loops.reduce sum over [8] : tensor<4x1xf32> at (p0, 0 | k0) attributes {recompute = ["e x2: math.exp", "s x2: arith.subf"]} {
// CHECK-NEXT:        %[[X:.*]] = loops.load %x[d0, r0] : tensor<4x8xf32>
// CHECK-NEXT:        %[[M:.*]] = loops.load %m[d0, 0] : tensor<4x1xf32>
// CHECK-NEXT:        %[[S:.*]] = arith.subf %[[X]], %[[M]] : f32
// CHECK-NEXT:        %[[E:.*]] = math.exp %[[S]] : f32
// CHECK-NEXT:        loops.yield %[[E]] : f32
// CHECK-NEXT:      }
// CHECK-NEXT:      %[[Y:.*]] = loops.pointwise : tensor<4x8xf32> at (p0, k0) attributes {recompute = ["e x2: math.exp", "s x2: arith.subf"]} {
// CHECK:             loops.load %m[d0, 0]
// CHECK:             math.exp
// CHECK:             loops.load %z[d0, 0]
// CHECK:             arith.divf
// CHECK:           loops.yield %[[Y]] : tensor<4x8xf32>
// CHECK-NEXT:    }
// CHECK-NEXT:    func.return %y
func.func @softmax(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %m = loops.reduce max over [8] : tensor<4x1xf32> {
    %0 = loops.load %x[d0, r0] : tensor<4x8xf32>
    loops.yield %0 : f32
  }
  %s = loops.pointwise : tensor<4x8xf32> {
    %0 = loops.load %x[d0, d1] : tensor<4x8xf32>
    %1 = loops.load %m[d0, 0] : tensor<4x1xf32>
    %2 = arith.subf %0, %1 : f32
    loops.yield %2 : f32
  }
  %e = loops.pointwise : tensor<4x8xf32> {
    %0 = loops.load %s[d0, d1] : tensor<4x8xf32>
    %1 = math.exp %0 : f32
    loops.yield %1 : f32
  }
  %z = loops.reduce sum over [8] : tensor<4x1xf32> {
    %0 = loops.load %e[d0, r0] : tensor<4x8xf32>
    loops.yield %0 : f32
  }
  %y = loops.pointwise : tensor<4x8xf32> {
    %0 = loops.load %e[d0, d1] : tensor<4x8xf32>
    %1 = loops.load %z[d0, 0] : tensor<4x1xf32>
    %2 = arith.divf %0, %1 : f32
    loops.yield %2 : f32
  }
  func.return %y : tensor<4x8xf32>
}

// A matmul and its epilogue: one kernel over every output point.
// CHECK-LABEL: func.func @matmul_epilogue
// CHECK-NEXT:    %y = loops.kernel parallel [p0 = 4, p1 = 5] reduction [k0 = 3] -> tensor<4x5xf32> {
// CHECK-NEXT:      %mm = loops.contract over [3] m = d0, n = d1, k = r0 : tensor<4x5xf32> at (p0, p1 | k0) {
// CHECK:           %[[Y:.*]] = loops.pointwise : tensor<4x5xf32> at (p0, p1) {
// CHECK-NEXT:        loops.load %mm[d0, d1] : tensor<4x5xf32>
// CHECK-NEXT:        loops.load %b[d1] : tensor<5xf32>
// CHECK:             arith.maximumf
// CHECK:           loops.yield %[[Y]] : tensor<4x5xf32>
func.func @matmul_epilogue(%a: tensor<4x3xf32>, %w: tensor<3x5xf32>, %b: tensor<5xf32>) -> tensor<4x5xf32> {
  %mm = loops.contract over [3] m = d0, n = d1, k = r0 : tensor<4x5xf32> {
    %0 = loops.load %a[d0, r0] : tensor<4x3xf32>
    %1 = loops.load %w[r0, d1] : tensor<3x5xf32>
    %2 = arith.mulf %0, %1 : f32
    loops.yield %2 : f32
  }
  %t = loops.pointwise : tensor<4x5xf32> {
    %0 = loops.load %mm[d0, d1] : tensor<4x5xf32>
    %1 = loops.load %b[d1] : tensor<5xf32>
    %2 = arith.addf %0, %1 : f32
    loops.yield %2 : f32
  }
  %y = loops.pointwise : tensor<4x5xf32> {
    %0 = loops.load %t[d0, d1] : tensor<4x5xf32>
    %1 = arith.constant 0.0 : f32
    %2 = arith.maximumf %0, %1 : f32
    loops.yield %2 : f32
  }
  func.return %y : tensor<4x5xf32>
}

// A cast producer goes into a contraction as a prologue of its side (still a
// contraction: the side varies along M and K only).
// CHECK-LABEL: func.func @contract_prologue
// CHECK-NEXT:    %y = loops.contract over [3] m = d0, n = d1, k = r0 : tensor<4x5xf32> attributes {recompute = ["c x5: loads"]} {
// CHECK-NEXT:      %{{.*}} = loops.load %a[d0, r0] : tensor<4x3xf64>
// CHECK-NEXT:      %[[T:.*]] = arith.truncf %{{.*}} : f64 to f32
// CHECK-NEXT:      %[[W:.*]] = loops.load %w[r0, d1] : tensor<3x5xf32>
// CHECK-NEXT:      %{{.*}} = arith.mulf %[[T]], %[[W]] : f32
func.func @contract_prologue(%a: tensor<4x3xf64>, %w: tensor<3x5xf32>) -> tensor<4x5xf32> {
  %c = loops.pointwise : tensor<4x3xf32> {
    %0 = loops.load %a[d0, d1] : tensor<4x3xf64>
    %1 = arith.truncf %0 : f64 to f32
    loops.yield %1 : f32
  }
  %y = loops.contract over [3] m = d0, n = d1, k = r0 : tensor<4x5xf32> {
    %0 = loops.load %c[d0, r0] : tensor<4x3xf32>
    %1 = loops.load %w[r0, d1] : tensor<3x5xf32>
    %2 = arith.mulf %0, %1 : f32
    loops.yield %2 : f32
  }
  func.return %y : tensor<4x5xf32>
}

// Must not fuse: a row sum read by column (s[d1] of a [4, 4] space) would need all
// rows done first; the sum stays a buffer of its own, and is computed once.
// CHECK-LABEL: func.func @row_sum_read_by_column
// CHECK-NOT:     loops.kernel
// CHECK:         %s = loops.reduce sum over [4] : tensor<4xf32> {
// CHECK:         %y = loops.pointwise : tensor<4x4xf32> {
// CHECK:           loops.load %s[d1] : tensor<4xf32>
func.func @row_sum_read_by_column(%x: tensor<4x4xf32>) -> tensor<4x4xf32> {
  %s = loops.reduce sum over [4] : tensor<4xf32> {
    %0 = loops.load %x[d0, r0] : tensor<4x4xf32>
    loops.yield %0 : f32
  }
  %y = loops.pointwise : tensor<4x4xf32> {
    %0 = loops.load %x[d0, d1] : tensor<4x4xf32>
    %1 = loops.load %s[d1] : tensor<4xf32>
    %2 = arith.divf %0, %1 : f32
    loops.yield %2 : f32
  }
  func.return %y : tensor<4x4xf32>
}

// The consumer iterates the transposed space ([8, 4]) and reads the sum and x along
// its d1: one kernel whose parallel dim is the sum's d0 and the consumer's d1. Both
// read row p0 of x (x[p0, k0]), so x is read once.
// CHECK-LABEL: func.func @other_outer_space
// CHECK-NEXT:    %y = loops.kernel parallel [p0 = 4] reduction [k0 = 8] -> tensor<8x4xf32> {
// CHECK-NEXT:      %s = loops.reduce sum over [8] : tensor<4xf32> at (p0 | k0) {
// CHECK:           loops.pointwise : tensor<8x4xf32> at (k0, p0) {
// CHECK-NEXT:        loops.load %x[d1, d0] : tensor<4x8xf32>
// CHECK-NEXT:        loops.load %s[d1] : tensor<4xf32>
func.func @other_outer_space(%x: tensor<4x8xf32>) -> tensor<8x4xf32> {
  %s = loops.reduce sum over [8] : tensor<4xf32> {
    %0 = loops.load %x[d0, r0] : tensor<4x8xf32>
    loops.yield %0 : f32
  }
  %y = loops.pointwise : tensor<8x4xf32> {
    %0 = loops.load %x[d1, d0] : tensor<4x8xf32>
    %1 = loops.load %s[d1] : tensor<4xf32>
    %2 = arith.mulf %0, %1 : f32
    loops.yield %2 : f32
  }
  func.return %y : tensor<8x4xf32>
}

// One reduction, read per row by one op and per column by another: the row reader
// joins it in a kernel, which yields the sum for the column reader. The sum is not
// duplicated.
// CHECK-LABEL: func.func @read_both_ways
// CHECK:         %[[S:.*]], %rows = loops.kernel parallel [p0 = 4] reduction [k0 = 4] -> tensor<4x1xf32>, tensor<4x4xf32> {
// CHECK-NEXT:      %[[SK:.*]] = loops.reduce sum over [4]
// CHECK:           %[[RK:.*]] = loops.pointwise : tensor<4x4xf32> at (p0, k0) {
// CHECK:             loops.load %[[SK]][d0, 0]
// CHECK:           loops.yield %[[SK]], %[[RK]]
// CHECK:         %cols = loops.pointwise : tensor<4x4xf32> {
// CHECK:           loops.load %[[S]][d1, 0]
// CHECK-NOT:     loops.reduce
func.func @read_both_ways(%x: tensor<4x4xf32>) -> (tensor<4x4xf32>, tensor<4x4xf32>) {
  %s = loops.reduce sum over [4] : tensor<4x1xf32> {
    %0 = loops.load %x[d0, r0] : tensor<4x4xf32>
    loops.yield %0 : f32
  }
  %rows = loops.pointwise : tensor<4x4xf32> {
    %0 = loops.load %x[d0, d1] : tensor<4x4xf32>
    %1 = loops.load %s[d0, 0] : tensor<4x1xf32>
    %2 = arith.divf %0, %1 : f32
    loops.yield %2 : f32
  }
  %cols = loops.pointwise : tensor<4x4xf32> {
    %0 = loops.load %x[d0, d1] : tensor<4x4xf32>
    %1 = loops.load %s[d1, 0] : tensor<4x1xf32>
    %2 = arith.divf %0, %1 : f32
    loops.yield %2 : f32
  }
  func.return %rows, %cols : tensor<4x4xf32>, tensor<4x4xf32>
}

// A reduction that is also a function result is yielded from the kernel.
// CHECK-LABEL: func.func @returned_reduction
// CHECK-NEXT:    %m, %y = loops.kernel parallel [p0 = 3] reduction [k0 = 5] -> tensor<3x1xf32>, tensor<3x5xf32> {
// CHECK-NEXT:      %[[M:.*]] = loops.reduce max over [5] : tensor<3x1xf32> at (p0, 0 | k0) {
// CHECK:           loops.yield %[[M]], %{{.*}} : tensor<3x1xf32>, tensor<3x5xf32>
// CHECK:         func.return %m, %y
func.func @returned_reduction(%x: tensor<3x5xf32>) -> (tensor<3x1xf32>, tensor<3x5xf32>) {
  %m = loops.reduce max over [5] : tensor<3x1xf32> {
    %0 = loops.load %x[d0, r0] : tensor<3x5xf32>
    loops.yield %0 : f32
  }
  %y = loops.pointwise : tensor<3x5xf32> {
    %0 = loops.load %x[d0, d1] : tensor<3x5xf32>
    %1 = loops.load %m[d0, 0] : tensor<3x1xf32>
    %2 = arith.subf %0, %1 : f32
    loops.yield %2 : f32
  }
  func.return %m, %y : tensor<3x1xf32>, tensor<3x5xf32>
}

// A per-row value too costly to recompute at every column (rsqrt of the mean of
// squares, as in rms_norm) stays an op of the kernel, computed once per row.
// CHECK-LABEL: func.func @per_row_value
// CHECK-NEXT:    %y = loops.kernel parallel [p0 = 4] reduction [k0 = 8] -> tensor<4x8xf32> {
// CHECK-NEXT:      %ss = loops.reduce sum over [8] : tensor<4x1xf32> at (p0, 0 | k0) {
// CHECK:           %r = loops.pointwise : tensor<4x1xf32> at (p0, 0) {
// CHECK:             math.rsqrt
// CHECK:           %[[Y:.*]] = loops.pointwise : tensor<4x8xf32> at (p0, k0) {
// CHECK:             loops.load %r[d0, 0]
// CHECK:           loops.yield %[[Y]]
func.func @per_row_value(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %ss = loops.reduce sum over [8] : tensor<4x1xf32> {
    %0 = loops.load %x[d0, r0] : tensor<4x8xf32>
    %1 = arith.mulf %0, %0 : f32
    loops.yield %1 : f32
  }
  %r = loops.pointwise : tensor<4x1xf32> {
    %0 = loops.load %ss[d0, d1] : tensor<4x1xf32>
    %1 = arith.constant 0.125 : f32
    %2 = arith.mulf %0, %1 : f32
    %3 = math.rsqrt %2 : f32
    loops.yield %3 : f32
  }
  %y = loops.pointwise : tensor<4x8xf32> {
    %0 = loops.load %x[d0, d1] : tensor<4x8xf32>
    %1 = loops.load %r[d0, 0] : tensor<4x1xf32>
    %2 = arith.mulf %0, %1 : f32
    loops.yield %2 : f32
  }
  func.return %y : tensor<4x8xf32>
}
