// RUN: stepwell-opt %s -p 'loops-fuse{kernels=false}' | filecheck %s
// RUN: stepwell-opt %s -p 'loops-fuse{kernels=false},loops-simplify-index' | filecheck %s --check-prefix=SIMPLE

// Vertical fusion only (no kernels): pointwise producers are inlined into their
// consumers when that saves bytes, recomputing only what is cheap, and saying so.

// An elementwise chain collapses into its last op; nothing is recomputed.
// CHECK-LABEL: func.func @chain
// CHECK-NEXT:    %c = loops.pointwise : tensor<4x8xf32> {
// CHECK-NEXT:      %[[X:.*]] = loops.load %x[d0, d1] : tensor<4x8xf32>
// CHECK-NEXT:      %[[B:.*]] = loops.load %bias[d1] : tensor<8xf32>
// CHECK-NEXT:      %[[S:.*]] = arith.addf %[[X]], %[[B]] : f32
// CHECK-NEXT:      %[[E:.*]] = math.exp %[[S]] : f32
// CHECK-NEXT:      %[[M:.*]] = arith.mulf %[[E]], %[[X]] : f32
// CHECK-NEXT:      loops.yield %[[M]] : f32
// CHECK-NEXT:    }
// CHECK-NEXT:    func.return %c
func.func @chain(%x: tensor<4x8xf32>, %bias: tensor<8xf32>) -> tensor<4x8xf32> {
  %a = loops.pointwise : tensor<4x8xf32> {
    %0 = loops.load %x[d0, d1] : tensor<4x8xf32>
    %1 = loops.load %bias[d1] : tensor<8xf32>
    %2 = arith.addf %0, %1 : f32
    loops.yield %2 : f32
  }
  %b = loops.pointwise : tensor<4x8xf32> {
    %0 = loops.load %a[d0, d1] : tensor<4x8xf32>
    %1 = math.exp %0 : f32
    loops.yield %1 : f32
  }
  %c = loops.pointwise : tensor<4x8xf32> {
    %0 = loops.load %b[d0, d1] : tensor<4x8xf32>
    %1 = loops.load %x[d0, d1] : tensor<4x8xf32>
    %2 = arith.mulf %0, %1 : f32
    loops.yield %2 : f32
  }
  func.return %c : tensor<4x8xf32>
}

// The producer's d-symbols become the consumer's index expressions: a transposed
// copy, read through a reshape.
// CHECK-LABEL: func.func @views
// CHECK-NEXT:    %y = loops.pointwise : tensor<2x6xf32> {
// CHECK-NEXT:      %[[V:.*]] = loops.load %x[d1 mod 3, 2 * d0 + d1 floordiv 3] : tensor<3x4xf32>
// CHECK-NEXT:      %[[N:.*]] = arith.negf %[[V]] : f32
// CHECK-NEXT:      loops.yield %[[N]] : f32
func.func @views(%x: tensor<3x4xf32>) -> tensor<2x6xf32> {
  %t = loops.pointwise : tensor<4x3xf32> {
    %0 = loops.load %x[d1, d0] : tensor<3x4xf32>
    loops.yield %0 : f32
  }
  %y = loops.pointwise : tensor<2x6xf32> {
    %0 = loops.load %t[(d0 * 6 + d1) floordiv 3, (d0 * 6 + d1) mod 3] : tensor<4x3xf32>
    %1 = arith.negf %0 : f32
    loops.yield %1 : f32
  }
  func.return %y : tensor<2x6xf32>
}

// A cheap producer (one add) with two consumers is recomputed in both; each says so.
// CHECK-LABEL: func.func @cheap_two_consumers
// CHECK-NOT:     loops.pointwise : tensor<4x8xf32> {
// CHECK:         %u = loops.pointwise : tensor<4x8xf32> attributes {recompute = ["t x2: arith.addf"]} {
// CHECK:         %v = loops.pointwise : tensor<4x8xf32> attributes {recompute = ["t x2: arith.addf"]} {
// CHECK:         func.return %u, %v
func.func @cheap_two_consumers(%x: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  %t = loops.pointwise : tensor<4x8xf32> {
    %0 = loops.load %x[d0, d1] : tensor<4x8xf32>
    %1 = arith.addf %0, %0 : f32
    loops.yield %1 : f32
  }
  %u = loops.pointwise : tensor<4x8xf32> {
    %0 = loops.load %t[d0, d1] : tensor<4x8xf32>
    %1 = math.sqrt %0 : f32
    loops.yield %1 : f32
  }
  %v = loops.pointwise : tensor<4x8xf32> {
    %0 = loops.load %t[d0, d1] : tensor<4x8xf32>
    %1 = math.exp %0 : f32
    loops.yield %1 : f32
  }
  func.return %u, %v : tensor<4x8xf32>, tensor<4x8xf32>
}

// An expensive producer read by five consumers is written once, not recomputed.
// CHECK-LABEL: func.func @expensive_many_consumers
// CHECK-NEXT:    %e = loops.pointwise : tensor<8xf32> {
// CHECK-NOT:     recompute
// CHECK:         func.return
func.func @expensive_many_consumers(%x: tensor<8xf32>) -> (tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) {
  %e = loops.pointwise : tensor<8xf32> {
    %0 = loops.load %x[d0] : tensor<8xf32>
    %1 = math.exp %0 : f32
    %2 = math.tanh %1 : f32
    loops.yield %2 : f32
  }
  %a = loops.pointwise : tensor<8xf32> {
    %0 = loops.load %e[d0] : tensor<8xf32>
    %1 = arith.negf %0 : f32
    loops.yield %1 : f32
  }
  %b = loops.pointwise : tensor<8xf32> {
    %0 = loops.load %e[d0] : tensor<8xf32>
    %1 = math.absf %0 : f32
    loops.yield %1 : f32
  }
  %c = loops.pointwise : tensor<8xf32> {
    %0 = loops.load %e[d0] : tensor<8xf32>
    %1 = arith.addf %0, %0 : f32
    loops.yield %1 : f32
  }
  %d = loops.pointwise : tensor<8xf32> {
    %0 = loops.load %e[d0] : tensor<8xf32>
    %1 = arith.mulf %0, %0 : f32
    loops.yield %1 : f32
  }
  %f = loops.pointwise : tensor<8xf32> {
    %0 = loops.load %e[d0] : tensor<8xf32>
    %1 = math.sqrt %0 : f32
    loops.yield %1 : f32
  }
  func.return %a, %b, %c, %d, %f : tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>
}

// A per-row value with a transcendental, read at every column, would be recomputed
// 8 times: it stays (a kernel keeps it per row; see kernels.mlir). A trivial one
// (one add) is recomputed, at any ratio, into pointwise consumers.
// CHECK-LABEL: func.func @broadcast_reads
// CHECK-NEXT:    %r = loops.pointwise : tensor<4xf32> {
// CHECK:         %y = loops.pointwise : tensor<4x8xf32> attributes {recompute = ["t x8: arith.addf"]} {
// CHECK:           loops.load %r[d0] : tensor<4xf32>
func.func @broadcast_reads(%x: tensor<4x8xf32>, %c: tensor<4xf32>) -> tensor<4x8xf32> {
  %r = loops.pointwise : tensor<4xf32> {
    %0 = loops.load %c[d0] : tensor<4xf32>
    %1 = math.rsqrt %0 : f32
    loops.yield %1 : f32
  }
  %t = loops.pointwise : tensor<4xf32> {
    %0 = loops.load %c[d0] : tensor<4xf32>
    %1 = arith.addf %0, %0 : f32
    loops.yield %1 : f32
  }
  %y = loops.pointwise : tensor<4x8xf32> {
    %0 = loops.load %x[d0, d1] : tensor<4x8xf32>
    %1 = loops.load %r[d0] : tensor<4xf32>
    %2 = loops.load %t[d0] : tensor<4xf32>
    %3 = arith.mulf %0, %1 : f32
    %4 = arith.addf %3, %2 : f32
    loops.yield %4 : f32
  }
  func.return %y : tensor<4x8xf32>
}

// A producer that is returned stays (it is written); its consumer recomputes it
// rather than reading it back, since both then read x over the same space.
// CHECK-LABEL: func.func @returned_producer
// CHECK-NEXT:    %t = loops.pointwise : tensor<4x8xf32> {
// CHECK:         %u = loops.pointwise : tensor<4x8xf32> attributes {recompute = ["t x2: arith.mulf"]} {
// CHECK-NEXT:      loops.load %x[d0, d1]
// CHECK:         func.return %t, %u
func.func @returned_producer(%x: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  %t = loops.pointwise : tensor<4x8xf32> {
    %0 = loops.load %x[d0, d1] : tensor<4x8xf32>
    %1 = arith.mulf %0, %0 : f32
    loops.yield %1 : f32
  }
  %u = loops.pointwise : tensor<4x8xf32> {
    %0 = loops.load %t[d0, d1] : tensor<4x8xf32>
    %1 = math.exp %0 : f32
    loops.yield %1 : f32
  }
  func.return %t, %u : tensor<4x8xf32>, tensor<4x8xf32>
}

// Gathers: the consumer reads the producer at a run-time row s0; the producer's own
// gather index becomes s1, after the consumer's. Its loads of %idx now use s0.
// CHECK-LABEL: func.func @gather_of_gather
// CHECK:         %y = loops.pointwise : tensor<2x3xf32> {
// CHECK-NEXT:      %[[J:.*]] = loops.load %jdx[d0] : tensor<2xi64>
// CHECK-NEXT:      %[[I:.*]] = loops.load %idx[s0] syms(%[[J]]) : tensor<5xi64>
// CHECK-NEXT:      %[[V:.*]] = loops.load %x[s1, d1] syms(%[[J]], %[[I]]) : tensor<6x3xf32>
// CHECK-NEXT:      loops.yield %[[V]] : f32
// SIMPLE-LABEL: func.func @gather_of_gather
// SIMPLE:         loops.load %x[s0, d1] syms(%{{.*}}) : tensor<6x3xf32>
func.func @gather_of_gather(%x: tensor<6x3xf32>, %idx: tensor<5xi64>, %jdx: tensor<2xi64>) -> tensor<2x3xf32> {
  %g = loops.pointwise : tensor<5x3xf32> {
    %i = loops.load %idx[d0] : tensor<5xi64>
    %0 = loops.load %x[s0, d1] syms(%i) : tensor<6x3xf32>
    loops.yield %0 : f32
  }
  %y = loops.pointwise : tensor<2x3xf32> {
    %j = loops.load %jdx[d0] : tensor<2xi64>
    %0 = loops.load %g[s0, d1] syms(%j) : tensor<5x3xf32>
    loops.yield %0 : f32
  }
  func.return %y : tensor<2x3xf32>
}

// loops.index cannot take a run-time symbol: a producer that uses one is not
// copied to a gathered read.
// CHECK-LABEL: func.func @index_at_gather
// CHECK-NEXT:    %p = loops.pointwise : tensor<5xi64> {
// CHECK:         loops.load %p[s0] syms
func.func @index_at_gather(%idx: tensor<2xi64>) -> tensor<2xi64> {
  %p = loops.pointwise : tensor<5xi64> {
    %0 = loops.index [d0 * 2]
    loops.yield %0 : i64
  }
  %y = loops.pointwise : tensor<2xi64> {
    %i = loops.load %idx[d0] : tensor<2xi64>
    %0 = loops.load %p[s0] syms(%i) : tensor<5xi64>
    loops.yield %0 : i64
  }
  func.return %y : tensor<2xi64>
}

// f16: the producer's rounding (truncf before its yield) is kept in the consumer.
// CHECK-LABEL: func.func @half
// CHECK:         %[[A:.*]] = arith.addf
// CHECK-NEXT:    %[[T:.*]] = arith.truncf %[[A]] : f32 to f16
// CHECK-NEXT:    %[[E:.*]] = arith.extf %[[T]] : f16 to f32
// CHECK-NEXT:    math.exp %[[E]] : f32
func.func @half(%x: tensor<4xf16>) -> tensor<4xf16> {
  %a = loops.pointwise : tensor<4xf16> {
    %0 = loops.load %x[d0] : tensor<4xf16>
    %1 = arith.extf %0 : f16 to f32
    %2 = arith.addf %1, %1 : f32
    %3 = arith.truncf %2 : f32 to f16
    loops.yield %3 : f16
  }
  %b = loops.pointwise : tensor<4xf16> {
    %0 = loops.load %a[d0] : tensor<4xf16>
    %1 = arith.extf %0 : f16 to f32
    %2 = math.exp %1 : f32
    %3 = arith.truncf %2 : f32 to f16
    loops.yield %3 : f16
  }
  func.return %b : tensor<4xf16>
}
