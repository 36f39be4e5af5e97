// RUN: stepwell-opt %s -p lower-to-ptx --emit ptx | filecheck %s

// A bf16 matmul with a bias and relu epilogue, its K loop software-pipelined: per K
// step one wait for the copies of S - 1 steps ago (S = 4 stages: `nvvm.dot_pipeline`) and one barrier, the 16-byte
// cp.async copies of a later step's A and B tiles (4 each: 64x64 bf16 tiles over 128
// threads) committed as a group, then this step's ldmatrix fragments (x4 for A,
// x4.trans for B) and 4 x 8 mmas; the epilogue on the accumulator where the mmas
// left it; no call to a library.
// CHECK: .extern .shared .align 16 .b8 mm_k0_smem[];
// CHECK: .visible .entry mm_k0(
// CHECK: cp.async.wait_group 2;
// CHECK-NEXT: bar.sync 0;
// CHECK-COUNT-8: cp.async.cg.shared.global [%{{r|rd}}{{[0-9]+}}{{(\+[0-9]+)?}}], [%rd{{[0-9]+}}], 16;
// CHECK-NOT: cp.async.cg
// CHECK: cp.async.commit_group;
// CHECK: ldmatrix.sync.aligned.m8n8.x4.shared.b16
// CHECK: ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16
// CHECK: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// CHECK-COUNT-31: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// CHECK-NOT: mma.sync
// CHECK: cp.async.wait_group 0;
// CHECK-NEXT: bar.sync 0;
// CHECK-NOT: call
// CHECK: ret;
func.func @mm(%a: tensor<128x256xbf16>, %b: tensor<256x64xbf16>, %bias: tensor<64xbf16>) -> tensor<128x64xbf16> {
  %p = tensor_graph.matmul %a, %b : tensor<128x256xbf16>, tensor<256x64xbf16> -> tensor<128x64xbf16>
  %s = tensor_graph.add %p, %bias : tensor<128x64xbf16>, tensor<64xbf16> -> tensor<128x64xbf16>
  %r = tensor_graph.relu %s : tensor<128x64xbf16> -> tensor<128x64xbf16>
  func.return %r : tensor<128x64xbf16>
}
