// In place for row-local kernels: softmax's pass after its reductions reads the scores
// of its own row (all of the row in the reductions, which run first at each parallel
// point; then element j just before it writes element j), so the probabilities may
// overwrite the scores they are the last to read. Attention's batch dim of size 1 is
// `0` in some loads and `d0` (or p0) elsewhere: a dim of size 1 is 0 however spelled.
// RUN: stepwell-opt %s -p loops-plan-memory | filecheck %s

// Attention's shape (1 x heads x rows x rows): the softmax kernel writes %p over %s.
// CHECK-LABEL: func.func @attention_probs
// CHECK-SAME:    arena = 512 : i64
// CHECK:         %s = loops.pointwise {{.*}}memory = #loops.slot<0, 512>
// CHECK:         %p = loops.kernel {{.*}}memory = #loops.slot<0, 512>
func.func @attention_probs(%x: tensor<1x2x8x8xf32>) -> tensor<1x2x8x8xf32> {
  %s = loops.pointwise : tensor<1x2x8x8xf32> {
    %0 = loops.load %x[0, d1, d2, d3] : tensor<1x2x8x8xf32>
    %1 = math.exp %0 : f32
    loops.yield %1 : f32
  }
  %p = loops.kernel parallel [p0 = 1, p1 = 2, p2 = 8] reduction [k0 = 8] -> tensor<1x2x8x8xf32> {
    %m = loops.reduce max over [8] : tensor<1x2x8x1xf32> at (p0, p1, p2, 0 | k0) {
      %0 = loops.load %s[0, d1, d2, r0] : tensor<1x2x8x8xf32>
      loops.yield %0 : f32
    }
    %p_1 = loops.pointwise : tensor<1x2x8x8xf32> at (p0, p1, p2, k0) {
      %0 = loops.load %s[0, d1, d2, d3] : tensor<1x2x8x8xf32>
      %1 = loops.load %m[0, d1, d2, 0] : tensor<1x2x8x1xf32>
      %2 = arith.subf %0, %1 : f32
      loops.yield %2 : f32
    }
    loops.yield %p_1 : tensor<1x2x8x8xf32>
  }
  %r = loops.pointwise : tensor<1x2x8x8xf32> {
    %0 = loops.load %p[0, d1, d2, 7 - d3] : tensor<1x2x8x8xf32>
    loops.yield %0 : f32
  }
  func.return %r : tensor<1x2x8x8xf32>
}

// The division as a lone op after a kernel of reductions (as loops-fuse leaves small
// attentions): it reads %s at its own element, `0` for its d0 of size 1.
// (%m, dead before the result is written, borrows its memory.)
// CHECK-LABEL: func.func @lone_division
// CHECK-SAME:    arena = 512 : i64
// CHECK:         %s = loops.pointwise {{.*}}memory = #loops.slot<0, 512>
// CHECK:         %m = loops.reduce {{.*}}memory = #loops.slot<result 0, 0, 64>
// CHECK:         %p = loops.pointwise {{.*}}memory = #loops.slot<0, 512>
func.func @lone_division(%x: tensor<1x2x8x8xf32>) -> tensor<1x2x8x8xf32> {
  %s = loops.pointwise : tensor<1x2x8x8xf32> {
    %0 = loops.load %x[0, d1, d2, d3] : tensor<1x2x8x8xf32>
    %1 = math.exp %0 : f32
    loops.yield %1 : f32
  }
  %m = loops.reduce sum over [8] : tensor<1x2x8x1xf32> {
    %0 = loops.load %s[0, d1, d2, r0] : tensor<1x2x8x8xf32>
    loops.yield %0 : f32
  }
  %p = loops.pointwise : tensor<1x2x8x8xf32> {
    %0 = loops.load %s[0, d1, d2, d3] : tensor<1x2x8x8xf32>
    %1 = loops.load %m[0, d1, d2, 0] : tensor<1x2x8x1xf32>
    %2 = arith.divf %0, %1 : f32
    loops.yield %2 : f32
  }
  %r = loops.pointwise : tensor<1x2x8x8xf32> {
    %0 = loops.load %p[0, d1, d2, 7 - d3] : tensor<1x2x8x8xf32>
    loops.yield %0 : f32
  }
  func.return %r : tensor<1x2x8x8xf32>
}

// Not in place: %p's division reads its row reversed (element 7 - j, which the point
// 7 - j may already have overwritten); %q's is row-local but %p is read again after
// it (by %r). (%s borrows the result's memory.)
// CHECK-LABEL: func.func @not_row_local
// CHECK-SAME:    arena = 1024 : i64
// CHECK:         %s = loops.pointwise {{.*}}memory = #loops.slot<result 0, 0, 512>
// CHECK:         %p = loops.kernel {{.*}}memory = #loops.slot<0, 512>
// CHECK:         %q = loops.kernel {{.*}}memory = #loops.slot<512, 512>
func.func @not_row_local(%x: tensor<1x2x8x8xf32>) -> tensor<1x2x8x8xf32> {
  %s = loops.pointwise : tensor<1x2x8x8xf32> {
    %0 = loops.load %x[0, d1, d2, d3] : tensor<1x2x8x8xf32>
    %1 = math.exp %0 : f32
    loops.yield %1 : f32
  }
  %p = loops.kernel parallel [p0 = 1, p1 = 2, p2 = 8] reduction [k0 = 8] -> tensor<1x2x8x8xf32> {
    %m = loops.reduce max over [8] : tensor<1x2x8x1xf32> at (p0, p1, p2, 0 | k0) {
      %0 = loops.load %s[0, d1, d2, r0] : tensor<1x2x8x8xf32>
      loops.yield %0 : f32
    }
    %p_1 = loops.pointwise : tensor<1x2x8x8xf32> at (p0, p1, p2, k0) {
      %0 = loops.load %s[0, d1, d2, 7 - d3] : tensor<1x2x8x8xf32>
      %1 = loops.load %m[0, d1, d2, 0] : tensor<1x2x8x1xf32>
      %2 = arith.subf %0, %1 : f32
      loops.yield %2 : f32
    }
    loops.yield %p_1 : tensor<1x2x8x8xf32>
  }
  %q = loops.kernel parallel [p0 = 1, p1 = 2, p2 = 8] reduction [k0 = 8] -> tensor<1x2x8x8xf32> {
    %m = loops.reduce max over [8] : tensor<1x2x8x1xf32> at (p0, p1, p2, 0 | k0) {
      %0 = loops.load %p[0, d1, d2, r0] : tensor<1x2x8x8xf32>
      loops.yield %0 : f32
    }
    %q_1 = loops.pointwise : tensor<1x2x8x8xf32> at (p0, p1, p2, k0) {
      %0 = loops.load %p[0, d1, d2, d3] : tensor<1x2x8x8xf32>
      %1 = loops.load %m[0, d1, d2, 0] : tensor<1x2x8x1xf32>
      %2 = arith.subf %0, %1 : f32
      loops.yield %2 : f32
    }
    loops.yield %q_1 : tensor<1x2x8x8xf32>
  }
  %r = loops.pointwise : tensor<1x2x8x8xf32> {
    %0 = loops.load %q[0, d1, d2, 7 - d3] : tensor<1x2x8x8xf32>
    %1 = loops.load %p[0, d1, d2, d3] : tensor<1x2x8x8xf32>
    %2 = arith.addf %0, %1 : f32
    loops.yield %2 : f32
  }
  func.return %r : tensor<1x2x8x8xf32>
}

// `0` stands for a dim of size 1 only: %b reads row 0 of %a (of 2 rows) for every row
// (a broadcast: the point (1, j) reads what the point (0, j) writes), so it does not
// write over %a.
// CHECK-LABEL: func.func @row_zero_is_not_every_row
// CHECK:         %a = loops.pointwise {{.*}}memory = #loops.slot<result 0, 0, 64>
// CHECK:         %b = loops.pointwise {{.*}}memory = #loops.slot<0, 64>
func.func @row_zero_is_not_every_row(%x: tensor<2x8xf32>) -> tensor<2x8xf32> {
  %a = loops.pointwise : tensor<2x8xf32> {
    %0 = loops.load %x[d0, d1] : tensor<2x8xf32>
    %1 = math.exp %0 : f32
    loops.yield %1 : f32
  }
  %b = loops.pointwise : tensor<2x8xf32> {
    %0 = loops.load %a[0, d1] : tensor<2x8xf32>
    %1 = math.exp %0 : f32
    loops.yield %1 : f32
  }
  %r = loops.pointwise : tensor<2x8xf32> {
    %0 = loops.load %b[1 - d0, d1] : tensor<2x8xf32>
    loops.yield %0 : f32
  }
  func.return %r : tensor<2x8xf32>
}
