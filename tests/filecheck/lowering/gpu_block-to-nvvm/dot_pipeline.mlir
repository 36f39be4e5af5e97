// RUN: stepwell-opt %s -p lower-to-ptx | filecheck %s

// A bf16 matmul's K loop (64x64x64 tiles, 4 warps as 2x2, the kernel's 4 stages),
// software-pipelined (pipeline.py): the decision recorded on the kernel. Before the
// loop, the copies of tiles 0-2 (each 8 16-byte cp.async per thread, if it is one of
// the program's tiles) into buffers 0-2, a wait for all but the 2 newest groups, one
// barrier and the first K step's fragments of tile 0. Each step of the loop (exactly
// the program's steps: no urem, no conditional mmas) copies the tile 3 steps ahead
// into the buffer the previous step freed, then reads each K step's fragments before
// the mmas of the one before, then waits for the next tile, passes the one barrier,
// reads the next tile's first fragments and runs the last K step's mmas. After the
// loop, every copy is waited for and a barrier frees the buffers.
// CHECK: llvm.mlir.global external @mm_k0_smem() {addr_space = 3 : i32, alignment = 16 : i64} : !llvm.array<0 x i8>
// CHECK: llvm.func @mm_k0(
// CHECK-SAME: nvvm.dot_pipeline = [{mma = "mma.sync", stages = 4 : i32, tile = [64 : i32, 64 : i32, 64 : i32], warps = [2 : i32, 2 : i32]}]
// CHECK-SAME: nvvm.shared_bytes = 65536 : i32
// CHECK: %[[TWO:[0-9]+]] = llvm.mlir.constant(2 : i32) : i32
// CHECK: %[[ZERO:[0-9]+]] = llvm.mlir.constant(0 : i32) : i32
// CHECK-COUNT-3: llvm.call_intrinsic "llvm.nvvm.cp.async.commit.group"() : () -> ()
// CHECK-NEXT: llvm.call_intrinsic "llvm.nvvm.cp.async.wait.group"(%[[TWO]]) : (i32) -> ()
// CHECK-NEXT: llvm.call_intrinsic "llvm.nvvm.barrier0"() : () -> ()
// CHECK-COUNT-2: llvm.nvvm.ldmatrix.sync.aligned.m8n8.x4.b16
// CHECK-COUNT-2: llvm.nvvm.ldmatrix.sync.aligned.m8n8.x4.trans.b16
// CHECK-NOT: llvm.nvvm.mma
// CHECK: llvm.br ^[[HEAD:bb[0-9]+]](%[[ZERO]] : i32)
// CHECK-NEXT: ^[[HEAD]](%{{[0-9]+}}: i32):
// CHECK-NOT: llvm.urem
// CHECK: llvm.cond_br
// CHECK-COUNT-8: llvm.call_intrinsic "llvm.nvvm.cp.async.cg.shared.global.16"(%{{[0-9]+}}, %{{[0-9]+}}) : (!llvm.ptr<3>, !llvm.ptr<1>) -> ()
// CHECK-NOT: cp.async.cg
// CHECK: llvm.call_intrinsic "llvm.nvvm.cp.async.commit.group"() : () -> ()
// CHECK-NOT: llvm.cond_br
// CHECK-COUNT-2: llvm.nvvm.ldmatrix.sync.aligned.m8n8.x4.b16
// CHECK-COUNT-2: llvm.nvvm.ldmatrix.sync.aligned.m8n8.x4.trans.b16
// CHECK-COUNT-8: llvm.call_intrinsic "llvm.nvvm.mma.m16n8k16.row.col.bf16"
// CHECK-COUNT-2: llvm.nvvm.ldmatrix.sync.aligned.m8n8.x4.b16
// CHECK-COUNT-2: llvm.nvvm.ldmatrix.sync.aligned.m8n8.x4.trans.b16
// CHECK-COUNT-8: llvm.call_intrinsic "llvm.nvvm.mma.m16n8k16.row.col.bf16"
// CHECK-COUNT-2: llvm.nvvm.ldmatrix.sync.aligned.m8n8.x4.b16
// CHECK-COUNT-2: llvm.nvvm.ldmatrix.sync.aligned.m8n8.x4.trans.b16
// CHECK-COUNT-8: llvm.call_intrinsic "llvm.nvvm.mma.m16n8k16.row.col.bf16"
// CHECK-NOT: llvm.nvvm.ldmatrix
// CHECK: llvm.call_intrinsic "llvm.nvvm.cp.async.wait.group"(%[[TWO]]) : (i32) -> ()
// CHECK-NEXT: llvm.call_intrinsic "llvm.nvvm.barrier0"() : () -> ()
// CHECK-NOT: llvm.cond_br
// CHECK-COUNT-2: llvm.nvvm.ldmatrix.sync.aligned.m8n8.x4.b16
// CHECK-COUNT-2: llvm.nvvm.ldmatrix.sync.aligned.m8n8.x4.trans.b16
// CHECK-COUNT-8: llvm.call_intrinsic "llvm.nvvm.mma.m16n8k16.row.col.bf16"
// CHECK-NOT: llvm.nvvm.mma
// CHECK-NOT: llvm.nvvm.ldmatrix
// CHECK: llvm.br ^[[HEAD]](
// CHECK-NEXT: ^bb{{[0-9]+}}:
// CHECK-NEXT: llvm.call_intrinsic "llvm.nvvm.cp.async.wait.group"(%[[ZERO]]) : (i32) -> ()
// CHECK-NEXT: llvm.call_intrinsic "llvm.nvvm.barrier0"() : () -> ()
// CHECK-NOT: llvm.nvvm.mma
// CHECK: llvm.return
func.func @mm(%a: tensor<128x256xbf16>, %b: tensor<256x64xbf16>, %bias: tensor<64xbf16>) -> tensor<128x64xbf16> {
  %p = tensor_graph.matmul %a, %b : tensor<128x256xbf16>, tensor<256x64xbf16> -> tensor<128x64xbf16>
  %s = tensor_graph.add %p, %bias : tensor<128x64xbf16>, tensor<64xbf16> -> tensor<128x64xbf16>
  %r = tensor_graph.relu %s : tensor<128x64xbf16> -> tensor<128x64xbf16>
  func.return %r : tensor<128x64xbf16>
}
