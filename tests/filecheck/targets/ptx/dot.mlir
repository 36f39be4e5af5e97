// RUN: stepwell-opt %s -p lower-to-ptx --emit ptx | filecheck %s

// A bf16 matmul with a bias and relu epilogue: tensor-core mmas on fragments read from
// shared memory between barriers, the epilogue on the accumulator where the mmas left
// it (pairs of bf16: 32-bit stores), no call to a library.
// CHECK: .extern .shared .align 16 .b8 mm_k0_smem[];
// CHECK: .visible .entry mm_k0(
// CHECK: st.shared.b16
// CHECK: bar.sync 0
// CHECK: ld.shared.b32
// CHECK: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// CHECK: bar.sync 0
// CHECK-NOT: call
// CHECK: ret;
func.func @mm(%a: tensor<128x256xbf16>, %b: tensor<256x64xbf16>, %bias: tensor<64xbf16>) -> tensor<128x64xbf16> {
  %p = tensor_graph.matmul %a, %b : tensor<128x256xbf16>, tensor<256x64xbf16> -> tensor<128x64xbf16>
  %s = tensor_graph.add %p, %bias : tensor<128x64xbf16>, tensor<64xbf16> -> tensor<128x64xbf16>
  %r = tensor_graph.relu %s : tensor<128x64xbf16> -> tensor<128x64xbf16>
  func.return %r : tensor<128x64xbf16>
}
