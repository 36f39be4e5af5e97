// RUN: stepwell-opt %s -p loops-fuse | filecheck %s
// RUN: stepwell-opt %s -p 'loops-fuse{vertical=false}' | filecheck %s --check-prefix=NOINLINE

// Horizontal fusion: siblings that read the same input over the same space share a
// kernel, so a backend reads the input once.

// The mean and the mean of squares of the rows (x * x is inlined first).
// CHECK-LABEL: func.func @mean_and_mean_of_squares
// CHECK-NEXT:    %s, %q = loops.kernel parallel [p0 = 4] reduction [k0 = 8] -> tensor<4xf32>, tensor<4xf32> {
// CHECK-NEXT:      %[[S:.*]] = loops.reduce sum over [8] : tensor<4xf32> at (p0 | k0) {
// CHECK-NEXT:        loops.load %x[d0, r0]
// CHECK:           %[[Q:.*]] = loops.reduce sum over [8] : tensor<4xf32> at (p0 | k0) {
// CHECK-NEXT:        %[[X:.*]] = loops.load %x[d0, r0]
// CHECK-NEXT:        arith.mulf %[[X]], %[[X]]
// CHECK:           loops.yield %[[S]], %[[Q]] : tensor<4xf32>, tensor<4xf32>
func.func @mean_and_mean_of_squares(%x: tensor<4x8xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %s = loops.reduce sum over [8] : tensor<4xf32> {
    %0 = loops.load %x[d0, r0] : tensor<4x8xf32>
    loops.yield %0 : f32
  }
  %sq = loops.pointwise : tensor<4x8xf32> {
    %0 = loops.load %x[d0, d1] : tensor<4x8xf32>
    %1 = arith.mulf %0, %0 : f32
    loops.yield %1 : f32
  }
  %q = loops.reduce sum over [8] : tensor<4xf32> {
    %0 = loops.load %sq[d0, r0] : tensor<4x8xf32>
    loops.yield %0 : f32
  }
  func.return %s, %q : tensor<4xf32>, tensor<4xf32>
}

// Sum and max over the same columns (a column reduction reads x[r0, d0]: the same
// access in both).
// CHECK-LABEL: func.func @sum_and_max_columns
// CHECK-NEXT:    %s, %m = loops.kernel parallel [p0 = 8] reduction [k0 = 4] -> tensor<8xf32>, tensor<8xf32> {
// CHECK-NEXT:      loops.reduce sum over [4]
// CHECK:           loops.reduce max over [4]
func.func @sum_and_max_columns(%x: tensor<4x8xf32>) -> (tensor<8xf32>, tensor<8xf32>) {
  %s = loops.reduce sum over [4] : tensor<8xf32> {
    %0 = loops.load %x[r0, d0] : tensor<4x8xf32>
    loops.yield %0 : f32
  }
  %m = loops.reduce max over [4] : tensor<8xf32> {
    %0 = loops.load %x[r0, d0] : tensor<4x8xf32>
    loops.yield %0 : f32
  }
  func.return %s, %m : tensor<8xf32>, tensor<8xf32>
}

// Two elementwise results of the same input: one kernel over every point.
// CHECK-LABEL: func.func @pointwise_siblings
// CHECK-NEXT:    %a, %b = loops.kernel parallel [p0 = 4, p1 = 8] -> tensor<4x8xf32>, tensor<4x8xf32> {
func.func @pointwise_siblings(%x: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  %a = loops.pointwise : tensor<4x8xf32> {
    %0 = loops.load %x[d0, d1] : tensor<4x8xf32>
    %1 = math.exp %0 : f32
    loops.yield %1 : f32
  }
  %b = loops.pointwise : tensor<4x8xf32> {
    %0 = loops.load %x[d0, d1] : tensor<4x8xf32>
    %1 = math.sin %0 : f32
    loops.yield %1 : f32
  }
  func.return %a, %b : tensor<4x8xf32>, tensor<4x8xf32>
}

// Must not merge: sums over rows and over columns read x in different orders;
// nothing is shared at an outer point.
// CHECK-LABEL: func.func @rows_and_columns
// CHECK-NOT:     loops.kernel
// CHECK:         func.return
func.func @rows_and_columns(%x: tensor<4x8xf32>) -> (tensor<4xf32>, tensor<8xf32>) {
  %r = loops.reduce sum over [8] : tensor<4xf32> {
    %0 = loops.load %x[d0, r0] : tensor<4x8xf32>
    loops.yield %0 : f32
  }
  %c = loops.reduce sum over [4] : tensor<8xf32> {
    %0 = loops.load %x[r0, d0] : tensor<4x8xf32>
    loops.yield %0 : f32
  }
  func.return %r, %c : tensor<4xf32>, tensor<8xf32>
}

// Must not merge: x and its transpose over one square space.
// CHECK-LABEL: func.func @transposed_siblings
// CHECK-NOT:     loops.kernel
// CHECK:         func.return
func.func @transposed_siblings(%x: tensor<4x4xf32>) -> (tensor<4x4xf32>, tensor<4x4xf32>) {
  %a = loops.pointwise : tensor<4x4xf32> {
    %0 = loops.load %x[d0, d1] : tensor<4x4xf32>
    %1 = math.exp %0 : f32
    loops.yield %1 : f32
  }
  %b = loops.pointwise : tensor<4x4xf32> {
    %0 = loops.load %x[d1, d0] : tensor<4x4xf32>
    %1 = math.sin %0 : f32
    loops.yield %1 : f32
  }
  func.return %a, %b : tensor<4x4xf32>, tensor<4x4xf32>
}

// Must not merge: %a and %c share x, but %c needs %b, which needs all of %a (read
// by column): merging them would put %b both before and after the kernel.
// NOINLINE-LABEL: func.func @through_an_outside_op
// NOINLINE-NOT:     loops.kernel
// NOINLINE:         func.return
func.func @through_an_outside_op(%x: tensor<4x4xf32>) -> tensor<4x1xf32> {
  %a = loops.reduce sum over [4] : tensor<4x1xf32> {
    %0 = loops.load %x[d0, r0] : tensor<4x4xf32>
    loops.yield %0 : f32
  }
  %b = loops.pointwise : tensor<4x4xf32> {
    %0 = loops.load %x[d0, d1] : tensor<4x4xf32>
    %1 = loops.load %a[d1, 0] : tensor<4x1xf32>
    %2 = arith.mulf %0, %1 : f32
    loops.yield %2 : f32
  }
  %c = loops.reduce max over [4] : tensor<4x1xf32> {
    %0 = loops.load %x[d0, r0] : tensor<4x4xf32>
    %1 = loops.load %b[d0, r0] : tensor<4x4xf32>
    %2 = arith.addf %0, %1 : f32
    loops.yield %2 : f32
  }
  func.return %c : tensor<4x1xf32>
}
