// RUN: stepwell-opt %s -p lower-to-triton --emit triton | filecheck %s

// The launcher follows the memory plan (loops-plan-memory): ONE arena per call, of the
// function's `arena` bytes, through torch's caching allocator, and the result, allocated
// before the first intermediate that borrows its memory (#loops.slot<result 0, off, size>:
// the first softmax's statistics); each intermediate is a view (as_strided, in elements)
// of a typed view of the arena or of the result, at its planned offset; the second
// softmax's statistics reuse the bytes of the first softmax's output, in the arena.
// CHECK:      def f(x):
// CHECK-NEXT:   device = x.device
// CHECK-NEXT:   arena = torch.empty(640, dtype=torch.uint8, device=device)
// CHECK-NEXT:   d = torch.empty((7, 13), dtype=torch.float32, device=device)
// CHECK-NOT:    torch.empty
// CHECK-NEXT:   d_float32 = d.view(-1)
// CHECK-NEXT:   t = d_float32.as_strided((7, 1), (1, 1), 0)
// CHECK-NEXT:   t_1 = d_float32.as_strided((7, 1), (1, 1), 16)
// CHECK-NEXT:   t_2 = d_float32.as_strided((7, 1), (1, 1), 32)
// CHECK-NEXT:   t_3 = d_float32.as_strided((7, 1), (1, 1), 48)
// CHECK-NEXT:   f_k0[(7,)](x, t, t_1, t_2, t_3, **CONFIGS['f_k0'])
// CHECK-NEXT:   arena_float32 = arena.view(torch.float32)
// CHECK-NEXT:   b = arena_float32.as_strided((7, 13), (13, 1), 0)
// CHECK-NEXT:   f_k1[(1,)](x, t, t_1, t_2, t_3, b, **CONFIGS['f_k1'])
// CHECK-NEXT:   t_4 = arena_float32.as_strided((7, 1), (1, 1), 96)
// CHECK:        f_k2[(7,)](b, t_4, t_5, t_6, t_7, **CONFIGS['f_k2'])
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

// A chain of 6 layers of matmul + gelu: the layers take turns between one arena slot
// (h0, h2, h4) and the result's memory (h1, h3), allocated before h1, which the last
// layer then writes (no allocation of its own): two allocations per call.
// CHECK:      def mlp(x, w):
// CHECK-NEXT:   device = x.device
// CHECK-NEXT:   arena = torch.empty(16384, dtype=torch.uint8, device=device)
// CHECK-NEXT:   arena_float32 = arena.view(torch.float32)
// CHECK-NEXT:   h0 = arena_float32.as_strided((64, 64), (64, 1), 0)
// CHECK-NEXT:   mlp_k0[(1,)](x, w, h0, **CONFIGS['mlp_k0'])
// CHECK-NEXT:   h5 = torch.empty((64, 64), dtype=torch.float32, device=device)
// CHECK-NEXT:   h5_float32 = h5.view(-1)
// CHECK-NEXT:   h1 = h5_float32.as_strided((64, 64), (64, 1), 0)
// CHECK-NEXT:   mlp_k1[(1,)](h0, w, h1, **CONFIGS['mlp_k1'])
// CHECK-NEXT:   h2 = arena_float32.as_strided((64, 64), (64, 1), 0)
// CHECK-NEXT:   mlp_k2[(1,)](h1, w, h2, **CONFIGS['mlp_k2'])
// CHECK-NEXT:   h3 = h5_float32.as_strided((64, 64), (64, 1), 0)
// CHECK-NEXT:   mlp_k3[(1,)](h2, w, h3, **CONFIGS['mlp_k3'])
// CHECK-NEXT:   h4 = arena_float32.as_strided((64, 64), (64, 1), 0)
// CHECK-NEXT:   mlp_k4[(1,)](h3, w, h4, **CONFIGS['mlp_k4'])
// CHECK-NEXT:   mlp_k5[(1,)](h4, w, h5, **CONFIGS['mlp_k5'])
// CHECK-NEXT:   return h5
func.func @mlp(%x: tensor<64x64xf32>, %w: tensor<64x64xf32>) -> tensor<64x64xf32> {
  %m0 = tensor_graph.matmul %x, %w : tensor<64x64xf32>, tensor<64x64xf32> -> tensor<64x64xf32>
  %h0 = tensor_graph.gelu %m0 {approximate = "none"} : tensor<64x64xf32>
  %m1 = tensor_graph.matmul %h0, %w : tensor<64x64xf32>, tensor<64x64xf32> -> tensor<64x64xf32>
  %h1 = tensor_graph.gelu %m1 {approximate = "none"} : tensor<64x64xf32>
  %m2 = tensor_graph.matmul %h1, %w : tensor<64x64xf32>, tensor<64x64xf32> -> tensor<64x64xf32>
  %h2 = tensor_graph.gelu %m2 {approximate = "none"} : tensor<64x64xf32>
  %m3 = tensor_graph.matmul %h2, %w : tensor<64x64xf32>, tensor<64x64xf32> -> tensor<64x64xf32>
  %h3 = tensor_graph.gelu %m3 {approximate = "none"} : tensor<64x64xf32>
  %m4 = tensor_graph.matmul %h3, %w : tensor<64x64xf32>, tensor<64x64xf32> -> tensor<64x64xf32>
  %h4 = tensor_graph.gelu %m4 {approximate = "none"} : tensor<64x64xf32>
  %m5 = tensor_graph.matmul %h4, %w : tensor<64x64xf32>, tensor<64x64xf32> -> tensor<64x64xf32>
  %h5 = tensor_graph.gelu %m5 {approximate = "none"} : tensor<64x64xf32>
  func.return %h5 : tensor<64x64xf32>
}
