// RUN: stepwell-opt %s -p lower-to-ptx --emit ptx | filecheck %s

// Softmax over rows of 1024 f32: one row a CTA, the row read once with read-only
// vector loads, max and sum each reduced by butterflies then across warps in shared
// memory, the result written with vector stores; exp expanded (no libm call).
// CHECK: .extern .shared .align 16 .b8 sm_k0_smem[];
// CHECK: .visible .entry sm_k0(
// CHECK: ld.global.nc.v4.b32
// CHECK: shfl.sync.bfly.b32
// CHECK: bar.sync 0
// CHECK: shfl.sync.bfly.b32
// CHECK: bar.sync 0
// CHECK: st.global.v4.b32
// CHECK-NOT: call
func.func @sm(%x: tensor<64x1024xf32>) -> tensor<64x1024xf32> {
  %r = tensor_graph.softmax %x {axis = -1 : i64} : tensor<64x1024xf32>
  func.return %r : tensor<64x1024xf32>
}
