// RUN: stepwell-opt %s -p lower-to-ptx --emit ptx | filecheck %s

// transpose + add: both operands read with 16-byte read-only loads (the transposed
// one in strips along its contiguous dim), none lane by lane; the transposed tile
// goes through the padded shared buffer between two barriers; vector stores.
// CHECK: .extern .shared .align 16 .b8 tadd_k0_smem[];
// CHECK: .visible .entry tadd_k0(
// CHECK-NOT: ld.global.nc.b32
// CHECK: ld.global.nc.v4.b32
// CHECK-NOT: ld.global.nc.b32
// CHECK: st.shared.b32
// CHECK: bar.sync 0
// CHECK: ld.shared.b32
// CHECK: bar.sync 0
// CHECK: st.global.v4.b32
// CHECK-NOT: ld.global.nc.b32
// CHECK: .visible .entry cols_k0(
// CHECK: ld.global.nc.v4.b32
func.func @tadd(%a: tensor<256x256xf32>, %b: tensor<256x256xf32>) -> tensor<256x256xf32> {
  %t = tensor_graph.transpose %a {perm = [1, 0]} : tensor<256x256xf32> -> tensor<256x256xf32>
  %r = tensor_graph.add %t, %b : tensor<256x256xf32>, tensor<256x256xf32> -> tensor<256x256xf32>
  func.return %r : tensor<256x256xf32>
}

func.func @cols(%x: tensor<8192x8192xf32>) -> tensor<8192xf32> {
  %r = tensor_graph.reduce %x {kind = "sum", dims = [0], keepdim = false} : tensor<8192x8192xf32> -> tensor<8192xf32>
  func.return %r : tensor<8192xf32>
}
