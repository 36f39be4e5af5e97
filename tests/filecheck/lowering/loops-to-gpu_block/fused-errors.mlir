// RUN: not stepwell-opt %s -p lower-to-triton 2>&1 | filecheck %s

// Persistent fused kernels keep at most 8192 reduced elements of a parallel point in
// registers: a longer column softmax, or a longer reduction over several dims, is
// refused at the kernel with the limit.
// CHECK: fused-errors.mlir:[[# @LINE + 1]]:1: error: 'loops.kernel' op reduces 8200 elements per parallel point over a dim its loads do not read contiguously: the Triton path keeps at most 8192 of them in registers (a persistent fused kernel); longer ones are not supported yet
func.func @columns(%x: tensor<8200x300x4xf32>) -> tensor<8200x300x4xf32> {
  %s = tensor_graph.softmax %x {axis = 0} : tensor<8200x300x4xf32>
  func.return %s : tensor<8200x300x4xf32>
}
// CHECK: fused-errors.mlir:[[# @LINE + 1]]:1: error: 'loops.kernel' op reduces 10000 elements per parallel point over several dims: the Triton path keeps at most 8192 of them in registers
func.func @var(%x: tensor<300x100x100xf32>) -> tensor<300xf32> {
  %y = tensor_graph.var %x {dims = [1, 2], correction = 1, keepdim = false} : tensor<300x100x100xf32> -> tensor<300xf32>
  func.return %y : tensor<300xf32>
}
// A user's tile whose block does not hold the reduced extent (33 > 16) is refused.
// CHECK: fused-errors.mlir:[[# @LINE + 2]]:3: error: 'loops.kernel' op the tile's block [16, 2] does not hold the 33 reduced elements of a parallel point
func.func @small_tile(%x: tensor<33x5xf32>) -> tensor<1x5xf32> {
  %0 = loops.kernel parallel [p0 = 1, p1 = 5] reduction [k0 = 33] -> tensor<1x5xf32> attributes {tile = #loops.gpu<persistent, block = [16, 2], warps = 2>} {
    %1 = loops.reduce max over [33] : tensor<1x5xf32> at (p0, p1 | k0) {
      %2 = loops.load %x[r0, d1] : tensor<33x5xf32>
      loops.yield %2 : f32
    }
    %3 = loops.reduce sum over [33] : tensor<1x5xf32> at (p0, p1 | k0) {
      %4 = loops.load %x[r0, d1] : tensor<33x5xf32>
      %5 = loops.load %1[0, d1] : tensor<1x5xf32>
      %6 = arith.subf %4, %5 : f32
      loops.yield %6 : f32
    }
    loops.yield %3 : tensor<1x5xf32>
  }
  func.return %0 : tensor<1x5xf32>
}
// CHECK: error: pass 'convert-loops-to-gpu_block' failed: 3 op(s) the Triton path does not support yet
