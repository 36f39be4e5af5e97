// RUN: stepwell-opt %s -p lower-to-ptx | filecheck %s

// transpose + add over 64x64 tiles: %a's offsets are contiguous along the tile's dim 0,
// so the access analysis reads it in a layout whose strips run along dim 0 (aligned
// vector loads, 16 bytes a thread); %b reads along dim 1. %a reaches %b's layout
// through shared memory: 64 rows of 64 + 1 (padding) f32 = 16640 bytes, written, a
// barrier, read in the consumer's layout, a barrier. The sum is stored in strips.
// CHECK: llvm.mlir.global external @tadd_k0_smem() {addr_space = 3 : i32, alignment = 16 : i64} : !llvm.array<0 x i8>
// CHECK: llvm.func @tadd_k0(
// CHECK-SAME: nvvm.shared_bytes = 16640 : i32
// CHECK: llvm.load %{{.*}} {alignment = 16 : i64} : !llvm.ptr<1> -> f32
// CHECK-NEXT: llvm.load %{{.*}} {alignment = 4 : i64} : !llvm.ptr<1> -> f32
// CHECK-NEXT: llvm.load %{{.*}} {alignment = 8 : i64} : !llvm.ptr<1> -> f32
// CHECK-NEXT: llvm.load %{{.*}} {alignment = 4 : i64} : !llvm.ptr<1> -> f32
// CHECK: llvm.mlir.addressof @tadd_k0_smem : !llvm.ptr<3>
// CHECK: llvm.store %{{.*}}, %{{.*}} {alignment = 4 : i64} : f32, !llvm.ptr<3>
// CHECK: llvm.call_intrinsic "llvm.nvvm.barrier0"() : () -> ()
// CHECK: llvm.load %{{.*}} {alignment = 4 : i64} : !llvm.ptr<3> -> f32
// CHECK: llvm.call_intrinsic "llvm.nvvm.barrier0"() : () -> ()
// CHECK-NOT: llvm.nvvm.barrier0
// CHECK: llvm.fadd
// CHECK: llvm.store %{{.*}}, %{{.*}} {alignment = 16 : i64} : f32, !llvm.ptr<1>
func.func @tadd(%a: tensor<256x256xf32>, %b: tensor<256x256xf32>) -> tensor<256x256xf32> {
  %t = tensor_graph.transpose %a {perm = [1, 0]} : tensor<256x256xf32> -> tensor<256x256xf32>
  %r = tensor_graph.add %t, %b : tensor<256x256xf32>, tensor<256x256xf32> -> tensor<256x256xf32>
  func.return %r : tensor<256x256xf32>
}

// Column sums (the split's first kernel: 64 columns x 32 rows a step): the columns are
// contiguous along the block's dim 0, so the loop reads them in strips along it and
// carries its accumulator in that same layout: vector loads and no barrier inside the
// loop; the one layout change (for the reduction along the rows) comes after it.
// CHECK: llvm.func @cols_k0(
// CHECK: llvm.br ^{{bb[0-9]+}}(%{{[0-9]+}} : i32)
// CHECK: llvm.load %{{.*}} {alignment = 16 : i64} : !llvm.ptr<1> -> f32
// CHECK-NOT: llvm.nvvm.barrier0
// CHECK: llvm.br ^{{bb[0-9]+}}(%{{[0-9]+}} : i32)
// CHECK: llvm.call_intrinsic "llvm.nvvm.barrier0"() : () -> ()
func.func @cols(%x: tensor<8192x8192xf32>) -> tensor<8192xf32> {
  %r = tensor_graph.reduce %x {kind = "sum", dims = [0], keepdim = false} : tensor<8192x8192xf32> -> tensor<8192xf32>
  func.return %r : tensor<8192xf32>
}
