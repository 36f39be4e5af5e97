// RUN: stepwell-opt %s -p convert-gpu_block-to-nvvm | filecheck %s

// An index op with no rule (xori) inside a map is not uniform along a strip: (i ^ 1) + i
// is 1, 1, 5, 5 on the strip 0..3, so each lane's address is its own offset from the
// argument, never lane 0's address plus j (which a wrongly uniform i ^ 1 made it).
// CHECK: llvm.func @k(
// CHECK: %[[L0:[0-9]+]] = llvm.getelementptr inbounds %0[%{{[0-9]+}}]
// CHECK-NEXT: llvm.getelementptr inbounds %0[%{{[0-9]+}}]
// CHECK-NEXT: llvm.getelementptr inbounds %0[%{{[0-9]+}}]
// CHECK-NEXT: llvm.getelementptr inbounds %0[%{{[0-9]+}}]
// CHECK-NOT: llvm.getelementptr inbounds %[[L0]][
builtin.module {
  gpu_block.kernel @k(%x: !gpu_block.ptr<f32> {divisibility = 16}, %y: !gpu_block.ptr<f32> {divisibility = 16}) grid [1] num_warps = 1 {
    %a = gpu_block.arange 0 to 128 : tensor<128xi32>
    %o = gpu_block.map(%i = %a) : tensor<128xi32> -> tensor<128xi32> {
      %c = arith.constant 1 : i32
      %s = arith.xori %i, %c : i32
      %t = arith.addi %s, %i : i32
      gpu_block.yield %t : i32
    }
    %p = gpu_block.splat %x : !gpu_block.ptr<f32> -> tensor<128x!gpu_block.ptr<f32>>
    %q = gpu_block.addptr %p, %o : tensor<128x!gpu_block.ptr<f32>>, tensor<128xi32>
    %v = gpu_block.load %q : tensor<128x!gpu_block.ptr<f32>>
    %r = gpu_block.splat %y : !gpu_block.ptr<f32> -> tensor<128x!gpu_block.ptr<f32>>
    %w = gpu_block.addptr %r, %a : tensor<128x!gpu_block.ptr<f32>>, tensor<128xi32>
    gpu_block.store %w, %v : tensor<128x!gpu_block.ptr<f32>>
    gpu_block.return
  }
}
