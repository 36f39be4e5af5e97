// RUN: stepwell-opt %s -p lower-to-ptx | filecheck %s

// Row sums of 100x300: blocks of 4x512 over 128 threads, strips of 4 along the row.
// The row's bits hold the strip (in-thread), the 5 lane bits (butterflies 1, 2, 4, 8,
// 16) and 2 warp bits (shared memory, then a barrier); each thread keeps one partial
// per row it holds (4). The [4] result reaches the store's layout through shared memory.
// CHECK: llvm.mlir.global external @rows_k0_smem() {addr_space = 3 : i32, alignment = 16 : i64} : !llvm.array<0 x i8>
// CHECK: llvm.func @rows_k0(
// CHECK-SAME: nvvm.maxntid = 128 : i32
// CHECK-SAME: nvvm.shared_bytes = 2048 : i32
// CHECK: llvm.fadd
// CHECK-COUNT-4: llvm.call_intrinsic "llvm.nvvm.shfl.sync.bfly.f32"(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}) : (i32, f32, i32, i32) -> f32
// CHECK: llvm.mlir.addressof @rows_k0_smem : !llvm.ptr<3>
// CHECK: llvm.store %{{.*}}, %{{.*}} : f32, !llvm.ptr<3>
// CHECK: llvm.call_intrinsic "llvm.nvvm.barrier0"() : () -> ()
// CHECK: llvm.load %{{.*}} : !llvm.ptr<3> -> f32
// CHECK: llvm.call_intrinsic "llvm.nvvm.barrier0"() : () -> ()
// CHECK: llvm.store %{{.*}}, %{{.*}} : f32, !llvm.ptr<3>
// CHECK: llvm.call_intrinsic "llvm.nvvm.barrier0"() : () -> ()
// CHECK: llvm.store %{{.*}}, %{{.*}} {alignment = 4 : i64} : f32, !llvm.ptr<1>
// CHECK: llvm.return
func.func @rows(%x: tensor<100x300xf32>) -> tensor<100xf32> {
  %s = tensor_graph.reduce %x {kind = "sum", dims = [1], keepdim = false} : tensor<100x300xf32> -> tensor<100xf32>
  func.return %s : tensor<100xf32>
}

// argmax carries (value, position) pairs: of two, the better value (a NaN first), else
// the lower position; the pair's halves are shuffled one by one (the i32 position too).
// CHECK: llvm.func @amax_k0(
// CHECK: llvm.fcmp "ogt"
// CHECK: llvm.fcmp "uno"
// CHECK: llvm.icmp "slt"
// CHECK: llvm.call_intrinsic "llvm.nvvm.shfl.sync.bfly.f32"
// CHECK-NEXT: llvm.call_intrinsic "llvm.nvvm.shfl.sync.bfly.i32"
// CHECK: llvm.call_intrinsic "llvm.nvvm.barrier0"
func.func @amax(%x: tensor<64x2048xf32>) -> tensor<64xi64> {
  %s = tensor_graph.argmax %x {axis = 1 : i64, keepdim = false} : tensor<64x2048xf32> -> tensor<64xi64>
  func.return %s : tensor<64xi64>
}

// Column max, split: a gpu_block.for over row chunks carries a 64x32 block, 16
// registers a thread, in stack slots (SROA makes them phis); the induction variable is
// the header's i32 argument.
// CHECK: llvm.func @cols_k0(
// CHECK-COUNT-16: llvm.alloca %{{.*}} x f32
// CHECK: llvm.br ^[[HEAD:bb[0-9]+]](%{{.*}} : i32)
// CHECK: ^[[HEAD]](%[[IV:.*]]: i32):
// CHECK: llvm.icmp "slt" %[[IV]], %{{.*}} : i32
// CHECK: llvm.call_intrinsic "llvm.maximum.f32"
// CHECK: llvm.br ^[[HEAD]](%{{.*}} : i32)
// CHECK: llvm.call_intrinsic "llvm.nvvm.shfl.sync.bfly.f32"
func.func @cols(%x: tensor<4096x512xf32>) -> tensor<512xf32> {
  %s = tensor_graph.reduce %x {kind = "max", dims = [0], keepdim = false} : tensor<4096x512xf32> -> tensor<512xf32>
  func.return %s : tensor<512xf32>
}
