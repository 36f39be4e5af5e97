// RUN: stepwell-opt %s -p lower-to-ptx-sm90a | filecheck %s
// RUN: stepwell-opt %s -p lower-to-ptx-sm90a --emit ptx | filecheck %s --check-prefix=PTX

// The attention of attention_stream.mlir with wgmma on (attention.py, "wgmma"): the same
// streamed k and v tiles (rows of 128 bytes, 8 KiB each, 3 stages), read by
// m64n64k16 wgmmas through descriptors (k K-major: transpose bit 0; v N-major: 1),
// their A (q's hoisted fragments; p packed in registers) from registers. Each step:
// the copies' wait, the proxy fence, one barrier; s's wgmmas (the first K step without
// an input accumulator), one group waited for before the softmax reads s; the
// shuffles; o's wgmmas, waited for before the loop goes on. No ldmatrix, no mma.sync.
// CHECK: llvm.mlir.global external @f_k0_smem() {addr_space = 3 : i32, alignment = 1024 : i64}
// CHECK: llvm.func @f_k0(
// CHECK-SAME: nvvm.arch = "sm_90a"
// CHECK-SAME: nvvm.dot_stream = [{mma = "wgmma", stages = 3 : i32, tiles = [{shape = [64 : i32, 64 : i32], trans = false}, {shape = [64 : i32, 64 : i32], trans = true}]}]
// the loop
// CHECK: llvm.call_intrinsic "llvm.nvvm.cp.async.wait.group"(%{{[0-9]+}}) : (i32) -> ()
// CHECK-NEXT: llvm.call_intrinsic "llvm.nvvm.fence.proxy.async.shared_cta"() : () -> ()
// CHECK-NEXT: llvm.call_intrinsic "llvm.nvvm.barrier0"() : () -> ()
// CHECK-NOT: llvm.nvvm.barrier0
// CHECK: llvm.call_intrinsic "llvm.nvvm.cp.async.commit.group"
// CHECK-NOT: {{llvm.nvvm.barrier0|ldmatrix|mma.m16n8k16|llvm.load .*ptr<3>}}
// CHECK: llvm.call_intrinsic "llvm.nvvm.wgmma.fence.sync.aligned"() : () -> ()
// CHECK-NOT: {{llvm.nvvm.barrier0|ldmatrix|mma.m16n8k16|llvm.load .*ptr<3>}}
// CHECK: "wgmma.mma_async.sync.aligned.m64n64k16.f32.bf16.bf16 {$0,{{.*}},$31}, {$64,$65,$66,$67}, $68, $69, 1, 1, 0;"
// CHECK-NOT: {{llvm.nvvm.barrier0|ldmatrix|mma.m16n8k16|llvm.load .*ptr<3>|shfl}}
// CHECK: llvm.call_intrinsic "llvm.nvvm.wgmma.commit_group.sync.aligned"() : () -> ()
// CHECK-NEXT: "wgmma.wait_group.sync.aligned 0;"
// CHECK-NOT: {{llvm.nvvm.barrier0|ldmatrix|mma.m16n8k16|llvm.load .*ptr<3>}}
// CHECK-COUNT-16: llvm.call_intrinsic "llvm.nvvm.shfl.sync.bfly.f32"
// CHECK-NOT: {{llvm.nvvm.barrier0|ldmatrix|mma.m16n8k16|llvm.load .*ptr<3>}}
// CHECK: llvm.call_intrinsic "llvm.nvvm.wgmma.fence.sync.aligned"() : () -> ()
// CHECK-NOT: {{llvm.nvvm.barrier0|ldmatrix|mma.m16n8k16|llvm.load .*ptr<3>}}
// CHECK: "wgmma.mma_async.sync.aligned.m64n64k16.f32.bf16.bf16 {$0,{{.*}},$31}, {$64,$65,$66,$67}, $68, $69, 1, 1, 1;"
// CHECK-NOT: {{llvm.nvvm.barrier0|ldmatrix|mma.m16n8k16|llvm.load .*ptr<3>}}
// CHECK: llvm.call_intrinsic "llvm.nvvm.wgmma.commit_group.sync.aligned"() : () -> ()
// CHECK-NEXT: "wgmma.wait_group.sync.aligned 0;"
// CHECK-NOT: {{llvm.nvvm.barrier0|ldmatrix|mma.m16n8k16|wgmma}}
// CHECK: llvm.call_intrinsic "llvm.nvvm.cp.async.wait.group"
// CHECK-NEXT: llvm.call_intrinsic "llvm.nvvm.barrier0"

// PTX: .target sm_90a
// PTX: .extern .shared .align 1024 .b8 f_k0_smem[];
// PTX-COUNT-8: wgmma.mma_async.sync.aligned.m64n64k16.f32.bf16.bf16 {{.*}}, 1, 1, 0;
// PTX: wgmma.wait_group.sync.aligned 0;
// PTX-COUNT-8: wgmma.mma_async.sync.aligned.m64n64k16.f32.bf16.bf16 {{.*}}, 1, 1, 1;
// PTX-NOT: ldmatrix
// PTX-NOT: mma.sync

func.func @f(%q: tensor<1x128x64xbf16>, %k: tensor<1x512x64xbf16>, %v: tensor<1x512x64xbf16>) -> tensor<1x128x64xbf16> {
  %y = tensor_graph.attention %q, %k, %v {scale = 0.125, causal = false} : tensor<1x128x64xbf16>, tensor<1x512x64xbf16>, tensor<1x512x64xbf16> -> tensor<1x128x64xbf16>
  func.return %y : tensor<1x128x64xbf16>
}
