// A schedule written by hand that does not fit its kernel is refused by
// convert-loops-to-llvm, which names the op and what is wrong.
// RUN: not stepwell-opt %s --split-input-file -p convert-loops-to-llvm 2>&1 | filecheck %s

// CHECK: convert-loops-to-llvm: loops.pointwise in @unknown_dim: the schedule's outer loop names p2, not a parallel dim of the kernel
func.func @unknown_dim(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %y = loops.pointwise : tensor<4x8xf32> attributes {schedule = #loops.cpu<outer = [p2], chunks = 1, vector = 16>} {
    %a = loops.load %x[d0, d1] : tensor<4x8xf32>
    loops.yield %a : f32
  }
  func.return %y : tensor<4x8xf32>
}

// -----

// CHECK: convert-loops-to-llvm: loops.pointwise in @not_a_gemm: a gemm schedule on a kernel that is not a contraction of loads with a pointwise epilogue
func.func @not_a_gemm(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %y = loops.pointwise : tensor<4x8xf32> attributes {schedule = #loops.cpu<gemm, outer = [p0 / 8, p1 / 32], kc = 8, mr = 8, nr = 32, chunks = 1, vector = 16>} {
    %a = loops.load %x[d0, d1] : tensor<4x8xf32>
    loops.yield %a : f32
  }
  func.return %y : tensor<4x8xf32>
}

// -----

// CHECK: convert-loops-to-llvm: loops.contract in @gemm_order: the outer loop of this gemm is [p0 / MC, p1 / NC]
func.func @gemm_order(%a: tensor<64x64xf32>, %w: tensor<64x64xf32>) -> tensor<64x64xf32> {
  %p = loops.contract over [64] m = d0, n = d1, k = r0 : tensor<64x64xf32> attributes {schedule = #loops.cpu<gemm, outer = [p1 / 32, p0 / 8], kc = 64, mr = 8, nr = 32, chunks = 1, vector = 16>} {
    %0 = loops.load %a[d0, r0] : tensor<64x64xf32>
    %1 = loops.load %w[r0, d1] : tensor<64x64xf32>
    %2 = arith.mulf %0, %1 : f32
    loops.yield %2 : f32
  }
  func.return %p : tensor<64x64xf32>
}

// -----

// CHECK: convert-loops-to-llvm: loops.contract in @gemm_tiles: gemm blocks: MC (12) is a multiple of mr (8), NC (32) of nr (32), nr of 16 lanes
func.func @gemm_tiles(%a: tensor<64x64xf32>, %w: tensor<64x64xf32>) -> tensor<64x64xf32> {
  %p = loops.contract over [64] m = d0, n = d1, k = r0 : tensor<64x64xf32> attributes {schedule = #loops.cpu<gemm, outer = [p0 / 12, p1 / 32], kc = 64, mr = 8, nr = 32, chunks = 1, vector = 16>} {
    %0 = loops.load %a[d0, r0] : tensor<64x64xf32>
    %1 = loops.load %w[r0, d1] : tensor<64x64xf32>
    %2 = arith.mulf %0, %1 : f32
    loops.yield %2 : f32
  }
  func.return %p : tensor<64x64xf32>
}

// -----

// CHECK: convert-loops-to-llvm: loops.kernel in @inner_output: inner_output names op 1, which is not a value reduction of the kernel
func.func @inner_output(%x: tensor<4x8xf32>) -> tensor<4xf32> {
  %y = loops.kernel parallel [p0 = 4] reduction [k0 = 8] -> tensor<4xf32> attributes {schedule = #loops.cpu<outer = [p0], inner_output = [1], chunks = 1, vector = 16>} {
    %s = loops.reduce sum over [8] : tensor<4xf32> at (p0 | k0) {
      %a = loops.load %x[d0, r0] : tensor<4x8xf32>
      loops.yield %a : f32
    }
    %m = loops.pointwise : tensor<4xf32> at (p0) {
      %a = loops.load %s[d0] : tensor<4xf32>
      loops.yield %a : f32
    }
    loops.yield %m : tensor<4xf32>
  }
  func.return %y : tensor<4xf32>
}

// -----

// CHECK: convert-loops-to-llvm: loops.pointwise in @scratch: scratch names op 0, which is not a kernel-local value
func.func @scratch(%x: tensor<4xf32>) -> tensor<4xf32> {
  %y = loops.pointwise : tensor<4xf32> attributes {schedule = #loops.cpu<outer = [p0], scratch = [0], chunks = 1, vector = 16>} {
    %a = loops.load %x[d0] : tensor<4xf32>
    loops.yield %a : f32
  }
  func.return %y : tensor<4xf32>
}

// -----

// CHECK: convert-loops-to-llvm: loops.pointwise in @not_an_attention: an attention schedule on an op that does not end an attention chain
func.func @not_an_attention(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %y = loops.pointwise : tensor<4x8xf32> attributes {schedule = #loops.cpu<attention, outer = [p0 / 32], keys = 8, chunks = 1, vector = 16>} {
    %a = loops.load %x[d0, d1] : tensor<4x8xf32>
    loops.yield %a : f32
  }
  func.return %y : tensor<4x8xf32>
}

// -----

// An attention chain (loops-schedule-cpu wrote outer = [p0, p1 / 32]) with its outer loop reordered by hand.
// CHECK: convert-loops-to-llvm: loops.contract in @attention_order: the outer loop of this attention kernel is [p0, p1 / BM]
func.func @attention_order(%q: tensor<2x8x4xf32>, %k: tensor<2x8x4xf32>, %v: tensor<2x8x4xf32>) -> tensor<2x8x4xf32> {
  %0 = loops.contract over [4] batch = [d0], m = d1, n = d2, k = r0 : tensor<2x8x8xf32> attributes {schedule = #loops.cpu<attention, outer = [p1 / 32, p0], keys = 8, chunks = 1, vector = 16>} {
    %1 = loops.load %q[d0, d1, r0] : tensor<2x8x4xf32>
    %2 = loops.load %k[d0, d2, r0] : tensor<2x8x4xf32>
    %3 = arith.mulf %1, %2 : f32
    loops.yield %3 : f32
  }
  %4, %5 = loops.kernel parallel [p0 = 2, p1 = 8, p2 = 1] reduction [k0 = 8] -> tensor<2x8x1xf32>, tensor<2x8x1xf32> attributes {schedule = #loops.cpu<attention, outer = [p1 / 32, p0], keys = 8, chunks = 1, vector = 16>} {
    %6 = loops.reduce max over [8] : tensor<2x8x1xf32> at (p0, p1, p2 | k0) attributes {recompute = ["pointwise x3: arith.mulf"]} {
      %7 = loops.load %0[d0, d1, r0] : tensor<2x8x8xf32>
      %8 = arith.constant 5.000000e-01 : f32
      %9 = arith.mulf %7, %8 : f32
      loops.yield %9 : f32
    }
    %10 = loops.reduce sum over [8] : tensor<2x8x1xf32> at (p0, p1, p2 | k0) attributes {recompute = ["pointwise x2: math.exp", "pointwise x2: arith.subf", "pointwise x3: arith.mulf"]} {
      %11 = loops.load %0[d0, d1, r0] : tensor<2x8x8xf32>
      %12 = arith.constant 5.000000e-01 : f32
      %13 = arith.mulf %11, %12 : f32
      %14 = loops.load %6[d0, d1, 0] : tensor<2x8x1xf32>
      %15 = arith.subf %13, %14 : f32
      %16 = math.exp %15 : f32
      loops.yield %16 : f32
    }
    loops.yield %6, %10 : tensor<2x8x1xf32>, tensor<2x8x1xf32>
  }
  %17 = loops.pointwise : tensor<2x8x8xf32> attributes {schedule = #loops.cpu<attention, outer = [p1 / 32, p0], keys = 8, chunks = 1, vector = 16>} {
    %18 = loops.load %0[d0, d1, d2] : tensor<2x8x8xf32>
    %19 = arith.constant 5.000000e-01 : f32
    %20 = arith.mulf %18, %19 : f32
    %21 = loops.load %4[d0, d1, 0] : tensor<2x8x1xf32>
    %22 = arith.subf %20, %21 : f32
    %23 = math.exp %22 : f32
    %24 = loops.load %5[d0, d1, 0] : tensor<2x8x1xf32>
    %25 = arith.divf %23, %24 : f32
    loops.yield %25 : f32
  }
  %r = loops.contract over [8] batch = [d0], m = d1, n = d2, k = r0 : tensor<2x8x4xf32> attributes {schedule = #loops.cpu<attention, outer = [p1 / 32, p0], keys = 8, chunks = 1, vector = 16>} {
    %26 = loops.load %17[d0, d1, r0] : tensor<2x8x8xf32>
    %27 = loops.load %v[d0, r0, d2] : tensor<2x8x4xf32>
    %28 = arith.mulf %26, %27 : f32
    loops.yield %28 : f32
  }
  func.return %r : tensor<2x8x4xf32>
}
