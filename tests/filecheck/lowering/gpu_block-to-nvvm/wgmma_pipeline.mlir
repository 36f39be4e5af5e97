// RUN: stepwell-opt %s -p lower-to-ptx-sm90a | filecheck %s
// RUN: stepwell-opt %s -p lower-to-ptx-sm90a --emit ptx | filecheck %s --check-prefix=PTX
// RUN: stepwell-opt %s -p lower-to-ptx | filecheck %s --check-prefix=DEFAULT

// The matmul of dot_pipeline.mlir (64x64x64 tiles, 4 warps: one warpgroup, 4 stages)
// with convert-gpu_block-to-nvvm{wgmma=true} (wgmma.py): the loop on wgmma.mma_async,
// the kernel marked for sm_90a, its shared memory 1024-byte aligned. The descriptors'
// fixed bits: A (K-major) 128-byte swizzle (1 << 62), SBO 1024, LBO 16; B (N-major) the
// same swizzle, SBO 1024, LBO 8192 (64 rows of 128 bytes). Before the loop: tiles 0-2
// copied, a wait for tile 0, the proxy fence, a barrier. Each step: wgmma.fence, 4
// wgmmas (K = 64), commit, wait for all but the newest group, wait for the next tile's
// copies, proxy fence, one barrier, then the copies 3 tiles ahead. After it: every
// wgmma waited for (the accumulator passed through), every copy, a barrier.
// CHECK: llvm.mlir.global external @mm_k0_smem() {addr_space = 3 : i32, alignment = 1024 : i64} : !llvm.array<0 x i8>
// CHECK: llvm.func @mm_k0(
// CHECK-SAME: nvvm.dot_pipeline = [{mma = "wgmma", stages = 4 : i32, tile = [64 : i32, 64 : i32, 64 : i32], warps = [4 : i32, 1 : i32]}]
// CHECK-SAME: nvvm.arch = "sm_90a"
// CHECK-DAG: llvm.mlir.constant(4611686293305360384) : i64
// CHECK-DAG: llvm.mlir.constant(4611686293338849280) : i64
// CHECK-COUNT-3: llvm.call_intrinsic "llvm.nvvm.cp.async.commit.group"() : () -> ()
// CHECK-NEXT: llvm.call_intrinsic "llvm.nvvm.cp.async.wait.group"(%{{[0-9]+}}) : (i32) -> ()
// CHECK-NEXT: llvm.call_intrinsic "llvm.nvvm.fence.proxy.async.shared_cta"() : () -> ()
// CHECK-NEXT: llvm.call_intrinsic "llvm.nvvm.barrier0"() : () -> ()
// CHECK: llvm.br ^[[HEAD:bb[0-9]+]](
// CHECK-NEXT: ^[[HEAD]](%{{[0-9]+}}: i32):
// CHECK-NOT: wgmma.mma_async
// CHECK: llvm.call_intrinsic "llvm.nvvm.wgmma.fence.sync.aligned"() : () -> ()
// CHECK-COUNT-4: llvm.inline_asm has_side_effects "wgmma.mma_async.sync.aligned.m64n64k16.f32.bf16.bf16 {$0,{{.*}},$31}, $64, $65, $66, 1, 1, 0, 1;"
// CHECK-NEXT: llvm.extractvalue
// CHECK-NOT: wgmma.mma_async
// CHECK: llvm.call_intrinsic "llvm.nvvm.wgmma.commit_group.sync.aligned"() : () -> ()
// CHECK-NEXT: llvm.inline_asm has_side_effects "wgmma.wait_group.sync.aligned 1;"
// CHECK-NOT: barrier0
// CHECK: llvm.call_intrinsic "llvm.nvvm.cp.async.wait.group"(%{{[0-9]+}}) : (i32) -> ()
// CHECK-NEXT: llvm.call_intrinsic "llvm.nvvm.fence.proxy.async.shared_cta"() : () -> ()
// CHECK-NEXT: llvm.call_intrinsic "llvm.nvvm.barrier0"() : () -> ()
// CHECK-NOT: wgmma
// CHECK: llvm.call_intrinsic "llvm.nvvm.cp.async.cg.shared.global.16"
// CHECK: llvm.call_intrinsic "llvm.nvvm.cp.async.commit.group"() : () -> ()
// CHECK-NOT: wgmma
// CHECK: llvm.br ^[[HEAD]](
// CHECK-NEXT: ^bb{{[0-9]+}}:
// CHECK-NOT: llvm.call_intrinsic
// CHECK: llvm.inline_asm has_side_effects "wgmma.wait_group.sync.aligned 0;"
// CHECK-NOT: barrier0
// CHECK: llvm.call_intrinsic "llvm.nvvm.cp.async.wait.group"(%{{[0-9]+}}) : (i32) -> ()
// CHECK-NEXT: llvm.call_intrinsic "llvm.nvvm.barrier0"() : () -> ()
// CHECK-NOT: wgmma
// CHECK: llvm.return

// PTX: .target sm_90a
// PTX: .extern .shared .align 1024 .b8 mm_k0_smem[];
// PTX: wgmma.fence.sync.aligned;
// PTX-COUNT-4: wgmma.mma_async.sync.aligned.m64n64k16.f32.bf16.bf16
// PTX: wgmma.commit_group.sync.aligned;
// PTX: wgmma.wait_group.sync.aligned 1;
// PTX: wgmma.wait_group.sync.aligned 0;

// Without the option: mma.sync, the kernel for any architecture.
// DEFAULT: nvvm.dot_pipeline = [{mma = "mma.sync", stages = 4 : i32, tile = [64 : i32, 64 : i32, 64 : i32], warps = [2 : i32, 2 : i32]}]
// DEFAULT-NOT: nvvm.arch
// DEFAULT-NOT: wgmma
func.func @mm(%a: tensor<128x256xbf16>, %b: tensor<256x64xbf16>, %bias: tensor<64xbf16>) -> tensor<128x64xbf16> {
  %p = tensor_graph.matmul %a, %b : tensor<128x256xbf16>, tensor<256x64xbf16> -> tensor<128x64xbf16>
  %s = tensor_graph.add %p, %bias : tensor<128x64xbf16>, tensor<64xbf16> -> tensor<128x64xbf16>
  %r = tensor_graph.relu %s : tensor<128x64xbf16> -> tensor<128x64xbf16>
  func.return %r : tensor<128x64xbf16>
}
