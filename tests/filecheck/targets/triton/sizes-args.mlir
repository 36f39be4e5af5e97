// RUN: stepwell-opt %s -p 'tensor_graph-decompose,canonicalize,cse,convert-tensor_graph-to-loops,loops-fuse,loops-simplify-index,loops-tile,convert-loops-to-gpu_block{sizes=args}' --emit triton | filecheck %s

// Sizes as kernel arguments: the mask bound and the strides are parameters, the launcher binds
// them and computes the grid from them.
// CHECK: def f_k0(x_ptr, b_ptr, n3, n37, y_ptr):
// CHECK: {{.*}} < n37
// CHECK: {{.*}} < n3
// CHECK: mask = t_{{[0-9]+}} & t_{{[0-9]+}}
// CHECK: def f(x, b):
// CHECK-NEXT: device = x.device
// CHECK-NEXT: n3 = 3
// CHECK-NEXT: n37 = 37
// CHECK: f_k0[(((n3 + 3) // 4) * ((n37 + 63) // 64),)](x, b, n3, n37, y, **CONFIGS['f_k0'])
func.func @f(%x: tensor<3x37xf32>, %b: tensor<37x3xf32>) -> tensor<37x3xf32> {
  %t = tensor_graph.transpose %x {perm = [1, 0]} : tensor<3x37xf32> -> tensor<37x3xf32>
  %y = tensor_graph.add %t, %b : tensor<37x3xf32>, tensor<37x3xf32> -> tensor<37x3xf32>
  func.return %y : tensor<37x3xf32>
}

// CHECK: def g_k0(x_ptr, n1031, y_ptr):
// CHECK: mask = offs < n1031
// CHECK: def g(x):
// CHECK-NEXT: device = x.device
// CHECK-NEXT: n1031 = 1031
// CHECK: g_k0[((n1031 + 127) // 128,)](x, n1031, y, **CONFIGS['g_k0'])
func.func @g(%x: tensor<1031xf32>) -> tensor<1031xf32> {
  %y = tensor_graph.neg %x : tensor<1031xf32>
  func.return %y : tensor<1031xf32>
}
