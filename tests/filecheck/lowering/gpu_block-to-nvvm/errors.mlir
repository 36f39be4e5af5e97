// RUN: not stepwell-opt %s -p convert-gpu_block-to-nvvm 2>&1 | filecheck %s

// A matrix product of integers (the Triton path never makes one: it sums a broadcast
// product instead) is refused at the op, by kernel; the kernel beside it lowers.
// CHECK: errors.mlir:[[# @LINE + 10]]:3: error: 'gpu_block.dot' op kernel @idot: 'gpu_block.dot' of i8 factors into a i32 accumulator is not supported by the PTX path yet
// CHECK-NOT: @fine
// CHECK: pass 'convert-gpu_block-to-nvvm' failed: 1 kernel(s) the PTX path does not support yet
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
gpu_block.kernel @fine(%c_ptr: !gpu_block.ptr<i32>) grid [1] num_warps = 4 num_stages = 1 {
  %offs = gpu_block.arange 0 to 128 : tensor<128xi32>
  %c = gpu_block.splat %c_ptr : !gpu_block.ptr<i32> -> tensor<128x!gpu_block.ptr<i32>>
  %cp = gpu_block.addptr %c, %offs : tensor<128x!gpu_block.ptr<i32>>, tensor<128xi32>
  gpu_block.store %cp, %offs : tensor<128x!gpu_block.ptr<i32>>
  gpu_block.return
}
