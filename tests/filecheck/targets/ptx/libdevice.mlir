// RUN: stepwell-opt %s -p lower-to-ptx --emit ptx | filecheck %s

// gelu (erf) and a softmax-style exp: the kernels call libdevice's __nv_erff and
// __nv_expf; the emitter links libdevice.10.bc in and inlines it, so the PTX declares
// and calls no function, and no libdevice body is left over.
// CHECK-NOT: .func
// CHECK-LABEL: .visible .entry gelu_k0(
// CHECK: ld.global.nc.v4.b32
// CHECK-NOT: call
// CHECK: st.global.v4.b32
// CHECK: ret;
// CHECK-LABEL: .visible .entry expo_k0(
// CHECK-NOT: call
// CHECK: ex2.approx
// CHECK-NOT: call
// CHECK: ret;
// CHECK-NOT: .func
func.func @gelu(%x: tensor<64x1024xf32>) -> tensor<64x1024xf32> {
  %r = tensor_graph.gelu %x {approximate = "none"} : tensor<64x1024xf32>
  func.return %r : tensor<64x1024xf32>
}

func.func @expo(%x: tensor<4096xf32>) -> tensor<4096xf32> {
  %r = tensor_graph.exp %x : tensor<4096xf32>
  func.return %r : tensor<4096xf32>
}
