// RUN: stepwell-opt %s -p lower-to-ptx --emit ptx | filecheck %s

// 64x8192 f32 is 512 programs of 1024 elements: each mask `offs < 524288` holds for
// every program of the exact grid, so no strip tests one. Each of the 128 threads owns
// 2 strips of 4: both strips of x and of the bias row (offset `offs mod 8192`, contiguous
// along a strip) are one read-only vector load each, all issued before the first
// compute instruction (a product and a sum, kept apart: no contraction), and the
// results are two vector stores; no branch anywhere.
// CHECK-LABEL: .visible .entry scale_bias_k0(
// CHECK-NOT: bra
// CHECK: ld.global.nc.v4.b32 {{.*}}[[X:%rd[0-9]+]]];
// CHECK-NEXT: ld.global.nc.v4.b32 {{.*}}[[X]]+2048];
// CHECK-NOT: {{fma|mul|add}}.rn.f32
// CHECK: ld.global.nc.v4.b32
// CHECK-NOT: {{fma|mul|add}}.rn.f32
// CHECK: ld.global.nc.v4.b32
// CHECK-NOT: ld.global
// CHECK: mul.rn.f32
// CHECK-NOT: bra
// CHECK: st.global.v4.b32
// CHECK-NEXT: st.global.v4.b32
// CHECK-NEXT: ret;
func.func @scale_bias(%x: tensor<64x8192xf32>, %b: tensor<8192xf32>) -> tensor<64x8192xf32> {
  %s = tensor_graph.mul %x, %b : tensor<64x8192xf32>, tensor<8192xf32> -> tensor<64x8192xf32>
  %r = tensor_graph.add %s, %x : tensor<64x8192xf32>, tensor<64x8192xf32> -> tensor<64x8192xf32>
  func.return %r : tensor<64x8192xf32>
}

// 1000x1000 is not a whole number of programs: the strips still test their masks.
// CHECK-LABEL: .visible .entry tail_k0(
// CHECK: bra
// CHECK: ld.global.nc.v4.b32
// CHECK: ret;
func.func @tail(%x: tensor<1000x1000xf32>, %y: tensor<1000x1000xf32>) -> tensor<1000x1000xf32> {
  %s = tensor_graph.add %x, %y : tensor<1000x1000xf32>, tensor<1000x1000xf32> -> tensor<1000x1000xf32>
  func.return %s : tensor<1000x1000xf32>
}
