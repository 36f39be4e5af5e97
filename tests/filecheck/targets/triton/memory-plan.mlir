// RUN: stepwell-opt %s -p lower-to-triton --emit triton | filecheck %s

// The launcher follows the memory plan (loops-plan-memory): ONE arena per call, of the
// function's `arena` bytes, through torch's caching allocator; each intermediate is a
// view of it at its planned offset (the second softmax's statistics reuse the first's
// bytes); the result is a tensor of its own.
// CHECK:      def f(x):
// CHECK-NEXT:   device = x.device
// CHECK-NEXT:   arena = torch.empty(640, dtype=torch.uint8, device=device)
// CHECK-NOT:    torch.empty
// CHECK-NEXT:   t = arena[0:28].view(torch.float32).view((7, 1))
// CHECK-NEXT:   t_1 = arena[64:92].view(torch.float32).view((7, 1))
// CHECK-NEXT:   t_2 = arena[128:156].view(torch.float32).view((7, 1))
// CHECK-NEXT:   t_3 = arena[192:220].view(torch.float32).view((7, 1))
// CHECK-NEXT:   f_k0[(7,)](x, t, t_1, t_2, t_3, **CONFIGS['f_k0'])
// CHECK-NEXT:   b = arena[256:620].view(torch.float32).view((7, 13))
// CHECK-NEXT:   f_k1[(1,)](x, t, t_1, t_2, t_3, b, **CONFIGS['f_k1'])
// CHECK-NEXT:   t_4 = arena[0:28].view(torch.float32).view((7, 1))
// CHECK:        f_k2[(7,)](b, t_4, t_5, t_6, t_7, **CONFIGS['f_k2'])
// CHECK-NEXT:   d = torch.empty((7, 13), dtype=torch.float32, device=device)
// CHECK-NEXT:   f_k3[(1,)](b, t_4, t_5, t_6, t_7, d, **CONFIGS['f_k3'])
// CHECK-NEXT:   return d
func.func @f(%x: tensor<7x13xf32>) -> tensor<7x13xf32> {
  %a = tensor_graph.softmax %x {axis = -1} : tensor<7x13xf32> -> tensor<7x13xf32>
  %b = tensor_graph.softmax %a {axis = -1} : tensor<7x13xf32> -> tensor<7x13xf32>
  %c = tensor_graph.softmax %b {axis = -1} : tensor<7x13xf32> -> tensor<7x13xf32>
  %d = tensor_graph.softmax %c {axis = -1} : tensor<7x13xf32> -> tensor<7x13xf32>
  func.return %d : tensor<7x13xf32>
}

// A function without intermediates allocates no arena.
// CHECK:      def g(x):
// CHECK-NEXT:   device = x.device
// CHECK-NEXT:   y = torch.empty((5,), dtype=torch.float32, device=device)
// CHECK-NEXT:   g_k0[(1,)](x, y, **CONFIGS['g_k0'])
// CHECK-NEXT:   return y
func.func @g(%x: tensor<5xf32>) -> tensor<5xf32> {
  %y = tensor_graph.exp %x : tensor<5xf32>
  func.return %y : tensor<5xf32>
}
