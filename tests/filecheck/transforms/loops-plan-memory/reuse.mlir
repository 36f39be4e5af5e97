// Slots are reused once the last reader of their buffer is done (greedy best fit, in
// program order); offsets and sizes are multiples of 64 bytes.
// RUN: stepwell-opt %s -p loops-plan-memory | filecheck %s

// Reversed reads (never in place): %b dies at %c, so %d takes its slot; %a and %c,
// dead before the result is written, take turns in its memory.
// CHECK-LABEL: func.func @reverse_chain
// CHECK-SAME:    arena = 4096 : i64
// CHECK:         %a = loops.pointwise {{.*}}memory = #loops.slot<result 0, 0, 4096>
// CHECK:         %b = loops.pointwise {{.*}}memory = #loops.slot<0, 4096>
// CHECK:         %c = loops.pointwise {{.*}}memory = #loops.slot<result 0, 0, 4096>
// CHECK:         %d = loops.pointwise {{.*}}memory = #loops.slot<0, 4096>
// CHECK:         %e = loops.pointwise {{.*}}memory = #loops.slot<result 0>
func.func @reverse_chain(%x: tensor<1024xf32>) -> tensor<1024xf32> {
  %a = loops.pointwise : tensor<1024xf32> {
    %0 = loops.load %x[1023 - d0] : tensor<1024xf32>
    loops.yield %0 : f32
  }
  %b = loops.pointwise : tensor<1024xf32> {
    %0 = loops.load %a[1023 - d0] : tensor<1024xf32>
    loops.yield %0 : f32
  }
  %c = loops.pointwise : tensor<1024xf32> {
    %0 = loops.load %b[1023 - d0] : tensor<1024xf32>
    loops.yield %0 : f32
  }
  %d = loops.pointwise : tensor<1024xf32> {
    %0 = loops.load %c[1023 - d0] : tensor<1024xf32>
    loops.yield %0 : f32
  }
  %e = loops.pointwise : tensor<1024xf32> {
    %0 = loops.load %d[1023 - d0] : tensor<1024xf32>
    loops.yield %0 : f32
  }
  func.return %e : tensor<1024xf32>
}

// Small buffers (3 f32 rounded up to 64 bytes; a sum of 10 f32, 40 bytes, to 64) dead
// before the results are written borrow result memory, planned backward from the
// end: %sep and %s2 (read by %r1) in %r2's memory (4096 bytes), %keep (read by %r0)
// too, since %r1's 12 bytes cannot hold its 40; %small in %r0's (40 bytes). %big finds
// no room left in %r2's memory and shares the arena with %b2 (dead at %r2's write).
// CHECK-LABEL: func.func @best_fit
// CHECK-SAME:    arena = 4096 : i64
// CHECK:         %big = loops.pointwise {{.*}}memory = #loops.slot<0, 4096>
// CHECK:         %sep = loops.pointwise {{.*}}memory = #loops.slot<result 2, 0, 64>
// CHECK:         %small = loops.pointwise {{.*}}memory = #loops.slot<result 0, 0, 64>
// CHECK:         %keep = loops.reduce {{.*}}memory = #loops.slot<result 2, 128, 64>
// CHECK:         %s2 = loops.pointwise {{.*}}memory = #loops.slot<result 2, 64, 64>
// CHECK:         %b2 = loops.pointwise {{.*}}memory = #loops.slot<0, 4096>
// CHECK:         %r0 = loops.pointwise {{.*}}memory = #loops.slot<result 0>
// CHECK:         %r1 = loops.pointwise {{.*}}memory = #loops.slot<result 1>
// CHECK:         %r2 = loops.pointwise {{.*}}memory = #loops.slot<result 2>
func.func @best_fit(%x: tensor<1024xf32>, %y: tensor<3xf32>) -> (tensor<10xf32>, tensor<3xf32>, tensor<1024xf32>) {
  %big = loops.pointwise : tensor<1024xf32> {
    %0 = loops.load %x[1023 - d0] : tensor<1024xf32>
    loops.yield %0 : f32
  }
  %sep = loops.pointwise : tensor<3xf32> {
    %0 = loops.load %y[2 - d0] : tensor<3xf32>
    loops.yield %0 : f32
  }
  %small = loops.pointwise : tensor<3xf32> {
    %0 = loops.load %y[2 - d0] : tensor<3xf32>
    loops.yield %0 : f32
  }
  %keep = loops.reduce sum over [2] : tensor<10xf32> {
    %0 = loops.load %big[d0 * 100 + r0] : tensor<1024xf32>
    %1 = loops.load %small[r0] : tensor<3xf32>
    %2 = arith.addf %0, %1 : f32
    loops.yield %2 : f32
  }
  %s2 = loops.pointwise : tensor<3xf32> {
    %0 = loops.load %keep[d0] : tensor<10xf32>
    loops.yield %0 : f32
  }
  %b2 = loops.pointwise : tensor<1024xf32> {
    %0 = loops.load %keep[d0 mod 10] : tensor<10xf32>
    loops.yield %0 : f32
  }
  %r0 = loops.pointwise : tensor<10xf32> {
    %0 = loops.load %keep[9 - d0] : tensor<10xf32>
    loops.yield %0 : f32
  }
  %r1 = loops.pointwise : tensor<3xf32> {
    %0 = loops.load %s2[2 - d0] : tensor<3xf32>
    %1 = loops.load %sep[d0] : tensor<3xf32>
    %2 = arith.addf %0, %1 : f32
    loops.yield %2 : f32
  }
  %r2 = loops.pointwise : tensor<1024xf32> {
    %0 = loops.load %b2[1023 - d0] : tensor<1024xf32>
    loops.yield %0 : f32
  }
  func.return %r0, %r1, %r2 : tensor<10xf32>, tensor<3xf32>, tensor<1024xf32>
}
