// RUN: stepwell-opt %s -p loops-fuse | filecheck %s --check-prefix=DEFAULT
// RUN: stepwell-opt %s -p 'loops-fuse{min-parallelism=1}' | filecheck %s --check-prefix=ONE

// min-parallelism (default 64, contract.MIN_PARALLELISM): softmax over 4 rows of
// 100000. The reductions share a kernel of 4 parallel points (both alone exposed
// only 4: nothing is lost). The division alone exposes 400000 points; pulled into
// the kernel it would run over 4, so at the default it stays out and reads the max
// and the sum from memory. With min-parallelism=1 it joins.

// DEFAULT-LABEL: func.func @softmax_wide
// DEFAULT-NEXT:    %m, %z = loops.kernel parallel [p0 = 4, p1 = 1] reduction [k0 = 100000]
// DEFAULT:         %y = loops.pointwise : tensor<4x100000xf32> attributes
// DEFAULT:           loops.load %m[d0, 0]
// DEFAULT:           loops.load %z[d0, 0]
// DEFAULT:         func.return %y

// ONE-LABEL: func.func @softmax_wide
// ONE-NEXT:    %y = loops.kernel parallel [p0 = 4] reduction [k0 = 100000] -> tensor<4x100000xf32> {
// ONE:           loops.pointwise : tensor<4x100000xf32> at (p0, k0)
// ONE:         func.return %y
func.func @softmax_wide(%x: tensor<4x100000xf32>) -> tensor<4x100000xf32> {
  %m = loops.reduce max over [100000] : tensor<4x1xf32> {
    %0 = loops.load %x[d0, r0] : tensor<4x100000xf32>
    loops.yield %0 : f32
  }
  %e = loops.pointwise : tensor<4x100000xf32> {
    %0 = loops.load %x[d0, d1] : tensor<4x100000xf32>
    %1 = loops.load %m[d0, 0] : tensor<4x1xf32>
    %2 = arith.subf %0, %1 : f32
    %3 = math.exp %2 : f32
    loops.yield %3 : f32
  }
  %z = loops.reduce sum over [100000] : tensor<4x1xf32> {
    %0 = loops.load %e[d0, r0] : tensor<4x100000xf32>
    loops.yield %0 : f32
  }
  %y = loops.pointwise : tensor<4x100000xf32> {
    %0 = loops.load %e[d0, d1] : tensor<4x100000xf32>
    %1 = loops.load %z[d0, 0] : tensor<4x1xf32>
    %2 = arith.divf %0, %1 : f32
    loops.yield %2 : f32
  }
  func.return %y : tensor<4x100000xf32>
}
