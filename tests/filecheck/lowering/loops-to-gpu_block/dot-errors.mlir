// RUN: not stepwell-opt %s -p convert-loops-to-gpu_block 2>&1 | filecheck %s

// tl.dot takes blocks of at least 16: a smaller tile is refused at the op.
// CHECK: dot-errors.mlir:[[# @LINE + 2]]:3: error: 'loops.contract' op tl.dot needs blocks of at least 16, got 8x16x16
func.func @small(%a: tensor<32x64xf32>, %b: tensor<64x48xf32>) -> tensor<32x48xf32> {
  %c = loops.contract over [64] m = d0, n = d1, k = r0 : tensor<32x48xf32> attributes {tile = #loops.gpu<dot, block = [8, 16, 16], warps = 4>} {
    %0 = loops.load %a[d0, r0] : tensor<32x64xf32>
    %1 = loops.load %b[r0, d1] : tensor<64x48xf32>
    %2 = arith.mulf %0, %1 : f32
    loops.yield %2 : f32
  }
  func.return %c : tensor<32x48xf32>
}
// CHECK: error: pass 'convert-loops-to-gpu_block' failed: 1 op(s) the Triton path does not support yet
