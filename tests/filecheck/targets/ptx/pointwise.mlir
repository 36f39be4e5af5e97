// RUN: stepwell-opt %s -p lower-to-ptx --emit ptx | filecheck %s

// CHECK: .target sm_90
// CHECK: .visible .entry bcast_k0(
// CHECK: .maxntid 32
// A full strip of x is one read-only vector load, y (broadcast) lane by lane, the result one vector store.
// CHECK: ld.global.nc.v4.b32
// CHECK: st.global.v4.b32
// exp is expanded, never a libm call.
// CHECK-NOT: call
// CHECK: .visible .entry h_k0(
// CHECK: ld.global.nc.v4.b16
// CHECK-NOT: call
func.func @bcast(%x: tensor<1000x37xf32>, %y: tensor<37xf32>) -> tensor<1000x37xf32> {
  %e = tensor_graph.exp %x : tensor<1000x37xf32>
  %s = tensor_graph.add %e, %y : tensor<1000x37xf32>, tensor<37xf32> -> tensor<1000x37xf32>
  func.return %s : tensor<1000x37xf32>
}

func.func @h(%x: tensor<1001xbf16>, %y: tensor<1001xbf16>) -> tensor<1001xbf16> {
  %s = tensor_graph.mul %x, %y : tensor<1001xbf16>, tensor<1001xbf16> -> tensor<1001xbf16>
  func.return %s : tensor<1001xbf16>
}
