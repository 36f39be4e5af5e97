// RUN: stepwell-opt %s -p lower-to-triton --emit triton | filecheck %s

// CHECK: import triton.language as tl
// CHECK: CONFIGS = {
// CHECK-NEXT: 'f_k0': {'num_warps': 1},
// CHECK-NEXT: 'r_k0': {'num_warps': 4},
// CHECK-NEXT: }
// CHECK: @triton.jit
// CHECK-NEXT: def f_k0(x_ptr, y_ptr, s_ptr):
// CHECK-NEXT: pid = tl.program_id(0)
// CHECK: tl.arange(0, 128)
// CHECK: mask = offs < 37000
// CHECK: y_offs = offs % 37
// CHECK: x = tl.load(x_ptrs, mask=mask, other=0.0)
// CHECK: y = tl.load(y_ptrs, mask=mask, other=0.0)
// CHECK: tl.exp(x)
// CHECK: tl.store({{.*}}, s, mask=mask)
// CHECK: def f(x, y):
// CHECK-NEXT: device = x.device
// CHECK-NEXT: s = torch.empty((1000, 37), dtype=torch.float32, device=device)
// CHECK-NEXT: f_k0[(290,)](x, y, s, **CONFIGS['f_k0'])
// CHECK-NEXT: return s
func.func @f(%x: tensor<1000x37xf32>, %y: tensor<37xf32>) -> tensor<1000x37xf32> {
  %e = tensor_graph.exp %x : tensor<1000x37xf32>
  %s = tensor_graph.add %e, %y : tensor<1000x37xf32>, tensor<37xf32> -> tensor<1000x37xf32>
  func.return %s : tensor<1000x37xf32>
}

// CHECK: def r_k0(x_ptr, s_ptr):
// CHECK: vals = tl.where(mask, {{.*}}, 0.0)
// CHECK: s = tl.sum(vals, axis=1)
// CHECK: tl.store({{.*}}, s, mask=xmask)
// CHECK: r_k0[(25,)](x, s, **CONFIGS['r_k0'])
func.func @r(%x: tensor<100x300xf32>) -> tensor<100xf32> {
  %s = tensor_graph.reduce %x {kind = "sum", dims = [1], keepdim = false} : tensor<100x300xf32> -> tensor<100xf32>
  func.return %s : tensor<100xf32>
}
