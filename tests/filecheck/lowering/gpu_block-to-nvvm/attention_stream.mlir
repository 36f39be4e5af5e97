// RUN: stepwell-opt %s -p lower-to-ptx | filecheck %s

// A bf16 attention (128 query rows, 512 keys, head dim 64: 64-key steps, 4 warps each
// owning 32 whole rows, 3 stages): its K loop streams the k and v tiles (attention.py).
// Before the loop: q's fragments read once (staged, a barrier, read, a barrier), then
// the copies of the first two steps, one commit group each. Each step: wait for all but
// the newest group, one barrier, the copies two steps ahead, a commit; s = q k^T from
// plain ldmatrix of k's rows; the row max and sum by shuffles (no shared memory, no
// barrier); p, packed in registers, times v from ldmatrix.trans. Nothing else of the
// step touches shared memory. After the loop every group is waited for and a barrier.
// CHECK: llvm.func @f_k0(
// CHECK-SAME: nvvm.dot_stream = [{mma = "mma.sync", stages = 3 : i32, tiles = [{shape = [64 : i32, 64 : i32], trans = false}, {shape = [64 : i32, 64 : i32], trans = true}]}]
// CHECK-SAME: nvvm.shared_bytes = 49152 : i32
// CHECK: llvm.call_intrinsic "llvm.nvvm.barrier0"
// CHECK: llvm.call_intrinsic "llvm.nvvm.barrier0"
// CHECK-COUNT-8: llvm.call_intrinsic "llvm.nvvm.cp.async.cg.shared.global.16"
// CHECK: llvm.call_intrinsic "llvm.nvvm.cp.async.commit.group"
// CHECK-COUNT-8: llvm.call_intrinsic "llvm.nvvm.cp.async.cg.shared.global.16"
// CHECK: llvm.call_intrinsic "llvm.nvvm.cp.async.commit.group"
// the loop
// CHECK: llvm.call_intrinsic "llvm.nvvm.cp.async.wait.group"(%{{[0-9]+}}) : (i32) -> ()
// CHECK-NEXT: llvm.call_intrinsic "llvm.nvvm.barrier0"() : () -> ()
// CHECK-COUNT-8: llvm.call_intrinsic "llvm.nvvm.cp.async.cg.shared.global.16"
// CHECK: llvm.call_intrinsic "llvm.nvvm.cp.async.commit.group"
// CHECK-NOT: llvm.nvvm.barrier0
// CHECK-NOT: {{llvm.store .*ptr<3>|llvm.load .*ptr<3>}}
// CHECK: llvm.call_intrinsic "llvm.nvvm.ldmatrix.sync.aligned.m8n8.x4.b16"
// CHECK-NOT: llvm.nvvm.barrier0
// CHECK-NOT: {{llvm.store .*ptr<3>|llvm.load .*ptr<3>}}
// CHECK: llvm.call_intrinsic "llvm.nvvm.mma.m16n8k16.row.col.bf16"
// CHECK-NOT: llvm.nvvm.barrier0
// CHECK-NOT: {{llvm.store .*ptr<3>|llvm.load .*ptr<3>}}
// CHECK-COUNT-16: llvm.call_intrinsic "llvm.nvvm.shfl.sync.bfly.f32"
// CHECK-NOT: llvm.nvvm.barrier0
// CHECK-NOT: {{llvm.store .*ptr<3>|llvm.load .*ptr<3>}}
// CHECK: llvm.call_intrinsic "llvm.nvvm.ldmatrix.sync.aligned.m8n8.x4.trans.b16"
// CHECK-NOT: llvm.nvvm.barrier0
// CHECK-NOT: {{llvm.store .*ptr<3>|llvm.load .*ptr<3>}}
// CHECK: llvm.call_intrinsic "llvm.nvvm.mma.m16n8k16.row.col.bf16"
// CHECK-NOT: llvm.nvvm.barrier0
// CHECK-NOT: {{llvm.store .*ptr<3>|llvm.load .*ptr<3>}}
// CHECK: llvm.call_intrinsic "llvm.nvvm.cp.async.wait.group"
// CHECK-NEXT: llvm.call_intrinsic "llvm.nvvm.barrier0"

func.func @f(%q: tensor<1x128x64xbf16>, %k: tensor<1x512x64xbf16>, %v: tensor<1x512x64xbf16>) -> tensor<1x128x64xbf16> {
  %y = tensor_graph.attention %q, %k, %v {scale = 0.125, causal = false} : tensor<1x128x64xbf16>, tensor<1x512x64xbf16>, tensor<1x512x64xbf16> -> tensor<1x128x64xbf16>
  func.return %y : tensor<1x128x64xbf16>
}
