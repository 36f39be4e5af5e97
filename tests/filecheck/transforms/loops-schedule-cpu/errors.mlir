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
