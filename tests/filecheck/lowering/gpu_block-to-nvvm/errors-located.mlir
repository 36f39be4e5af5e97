// RUN: not stepwell-opt %s -p convert-gpu_block-to-nvvm 2>&1 | filecheck %s

// A refusal is placed at the op that was refused, where it was written (FILE:LINE:COL,
// the line and a caret), even when its kernel is launched (a kernel a pass made has no
// line of its own: its ops are placed at its launch), and says what was expected; no
// traceback.
// CHECK-NOT: Traceback
// CHECK: errors-located.mlir:[[# @LINE + 11]]:3: error: 'gpu_block.atomic_rmw' op kernel @narrow: 'gpu_block.atomic_rmw' on i4 (expected a float, i1, i8, i16, i32 or i64) is not supported by the PTX path yet
// CHECK-NEXT: gpu_block.atomic_rmw add %ps, %v : tensor<32x!gpu_block.ptr<i4>>
// CHECK-NEXT: {{^  \^$}}
// CHECK: errors-located.mlir:[[# @LINE + 18]]:3: error: 'gpu_block.dot' op kernel @idot: 'gpu_block.dot' of i8 factors into a i32 accumulator is not supported by the PTX path yet
// CHECK: errors-located.mlir: error: pass 'convert-gpu_block-to-nvvm' failed: 2 kernel(s) the PTX path does not support yet
// CHECK-NOT: Traceback
gpu_block.kernel @narrow(%p: !gpu_block.ptr<i4>) grid [1] num_warps = 1 {
  %offs = gpu_block.arange 0 to 32 : tensor<32xi32>
  %b = gpu_block.splat %p : !gpu_block.ptr<i4> -> tensor<32x!gpu_block.ptr<i4>>
  %ps = gpu_block.addptr %b, %offs : tensor<32x!gpu_block.ptr<i4>>, tensor<32xi32>
  %v = gpu_block.load %ps : tensor<32x!gpu_block.ptr<i4>>
  gpu_block.atomic_rmw add %ps, %v : tensor<32x!gpu_block.ptr<i4>>
  gpu_block.return
}
gpu_block.kernel @idot(%a_ptr: !gpu_block.ptr<i8>, %c_ptr: !gpu_block.ptr<i32>) grid [1] num_warps = 4 num_stages = 1 {
  %offs = gpu_block.arange 0 to 16 : tensor<16xi32>
  %r = gpu_block.expand_dims %offs axis 1 : tensor<16xi32> -> tensor<16x1xi32>
  %rr = gpu_block.broadcast %r : tensor<16x1xi32> -> tensor<16x16xi32>
  %a = gpu_block.splat %a_ptr : !gpu_block.ptr<i8> -> tensor<16x16x!gpu_block.ptr<i8>>
  %ap = gpu_block.addptr %a, %rr : tensor<16x16x!gpu_block.ptr<i8>>, tensor<16x16xi32>
  %x = gpu_block.load %ap : tensor<16x16x!gpu_block.ptr<i8>>
  %acc = gpu_block.dot %x, %x, %rr precision ieee : tensor<16x16xi8>, tensor<16x16xi8> -> tensor<16x16xi32>
  %c = gpu_block.splat %c_ptr : !gpu_block.ptr<i32> -> tensor<16x16x!gpu_block.ptr<i32>>
  %cp = gpu_block.addptr %c, %rr : tensor<16x16x!gpu_block.ptr<i32>>, tensor<16x16xi32>
  gpu_block.store %cp, %acc : tensor<16x16x!gpu_block.ptr<i32>>
  gpu_block.return
}
func.func @main(%a: tensor<16x16xi8>) -> (tensor<32xi4>, tensor<16x16xi32>) {
  %y = gpu_block.launch @narrow() : () -> (tensor<32xi4>)
  %c = gpu_block.launch @idot(%a) : (tensor<16x16xi8>) -> (tensor<16x16xi32>)
  func.return %y, %c : tensor<32xi4>, tensor<16x16xi32>
}
