// RUN: stepwell-opt %s -p lower-to-ptx --emit ptx | filecheck %s

// A bf16 matmul with a bias and relu epilogue, its K loop software-pipelined (S = 4
// stages: `nvvm.dot_pipeline`; K = 256: 4 tiles of 64, a loop LLVM unrolls by 2):
// before it, the 16-byte cp.async copies of tiles 0-2 (A and B: 4 each, 64x64 bf16
// tiles over 128 threads), each committed as a group, one wait for the first, one
// barrier and the first fragments (ldmatrix x4 for A, x4.trans for B); per tile, the
// copies of the tile 3 ahead (only tile 3 exists), then each K step's fragments read
// before the mmas of the one before, one wait and one barrier before the next tile's
// first fragments and the last step's mmas; the epilogue on the accumulator where the
// mmas left it; no call to a library.
// CHECK: .extern .shared .align 16 .b8 mm_k0_smem[];
// CHECK: .visible .entry mm_k0(
// CHECK-COUNT-8: cp.async.cg.shared.global [%{{r|rd}}{{[0-9]+}}{{(\+[0-9]+)?}}], [%rd{{[0-9]+}}], 16;
// CHECK-NEXT: cp.async.commit_group;
// CHECK-COUNT-8: cp.async.cg.shared.global
// CHECK-NEXT: cp.async.commit_group;
// CHECK-COUNT-8: cp.async.cg.shared.global
// CHECK-NEXT: cp.async.commit_group;
// CHECK-NEXT: cp.async.wait_group 2;
// CHECK-NEXT: bar.sync 0;
// CHECK-NOT: mma.sync
// CHECK: ldmatrix.sync.aligned.m8n8.x4.shared.b16
// CHECK: ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16
// CHECK-NOT: mma.sync
// CHECK-COUNT-8: cp.async.cg.shared.global
// CHECK-NEXT: cp.async.commit_group;
// CHECK-NOT: cp.async.cg
// CHECK-NOT: bar.sync
// CHECK-COUNT-24: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// CHECK-NOT: bar.sync
// CHECK: cp.async.wait_group 2;
// CHECK-NEXT: bar.sync 0;
// CHECK-COUNT-8: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// CHECK: cp.async.wait_group 0;
// CHECK-NEXT: bar.sync 0;
// CHECK-NOT: mma.sync
// CHECK-NOT: call
// CHECK: ret;
func.func @mm(%a: tensor<128x256xbf16>, %b: tensor<256x64xbf16>, %bias: tensor<64xbf16>) -> tensor<128x64xbf16> {
  %p = tensor_graph.matmul %a, %b : tensor<128x256xbf16>, tensor<256x64xbf16> -> tensor<128x64xbf16>
  %s = tensor_graph.add %p, %bias : tensor<128x64xbf16>, tensor<64xbf16> -> tensor<128x64xbf16>
  %r = tensor_graph.relu %s : tensor<128x64xbf16> -> tensor<128x64xbf16>
  func.return %r : tensor<128x64xbf16>
}
