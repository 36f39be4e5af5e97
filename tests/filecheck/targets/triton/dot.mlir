// RUN: stepwell-opt %s -p lower-to-triton --emit triton | filecheck %s

// mm_bias_relu (bf16): tl.dot in a K loop of 64-wide steps, the K tail masked, the
// bias + relu epilogue on the accumulator, one store masked on M and N. Under
// Triton's interpreter (bf16 dots multiply bit patterns there) the factors go as f32.
// CHECK:      import os
// CHECK:      _INTERPRETED = tl.constexpr(os.environ.get("TRITON_INTERPRET", "0") == "1")
// CHECK:      def mm_bias_relu_k0(a_ptr, w_ptr, b_ptr, r_ptr):
// CHECK:        acc = tl.full([64, 64], 0.0, tl.float32)
// CHECK:        for k in range(0, 70, 64):
// CHECK:          a = tl.load({{.+}}, mask=mask, other=0.0)
// CHECK:          w = tl.load({{.+}}, mask=mask_1, other=0.0)
// CHECK:          = tl.dot(a.to(tl.float32), w.to(tl.float32), acc_1) if _INTERPRETED else tl.dot(a, w, acc_1)
// CHECK:        b = tl.load({{.+}}, mask=mask_2, other=0.0)
// CHECK:        _bf16(
// CHECK:        tl.maximum(
// CHECK:        tl.store({{.+}}, r, mask=mask_2)
// CHECK:      def mm_bias_relu(a, w, b):
// CHECK-NEXT:   device = a.device
// CHECK-NEXT:   r = torch.empty((100, 50), dtype=torch.bfloat16, device=device)
// CHECK-NEXT:   mm_bias_relu_k0[(2,)](a, w, b, r, **CONFIGS['mm_bias_relu_k0'])
func.func @mm_bias_relu(%a: tensor<100x70xbf16>, %w: tensor<70x50xbf16>, %b: tensor<50xbf16>) -> tensor<100x50xbf16> {
  %p = tensor_graph.matmul %a, %w : tensor<100x70xbf16>, tensor<70x50xbf16> -> tensor<100x50xbf16>
  %s = tensor_graph.add %p, %b : tensor<100x50xbf16>, tensor<50xbf16> -> tensor<100x50xbf16>
  %r = tensor_graph.relu %s : tensor<100x50xbf16>
  func.return %r : tensor<100x50xbf16>
}

// An f32 matmul multiplies exactly (ieee, never tf32); its 64x64x32 tiles divide it: no masks.
// CHECK:      def mm_f32_k0(x_ptr, y_ptr, z_ptr):
// CHECK-NOT:    mask
// CHECK:        tl.dot(x, y, acc_1, input_precision="ieee")
// CHECK-NOT:    mask
// CHECK:      def mm_f32(x, y):
func.func @mm_f32(%x: tensor<64x128xf32>, %y: tensor<128x64xf32>) -> tensor<64x64xf32> {
  %z = tensor_graph.matmul %x, %y : tensor<64x128xf32>, tensor<128x64xf32> -> tensor<64x64xf32>
  func.return %z : tensor<64x64xf32>
}

// attention (causal) is one flash-style kernel (loops-fuse-attention; targets/triton/
// attention.mlir checks its body): one program per (batch point, 32 query rows).
// CHECK:      def attention(q, k, v):
// CHECK:        attention_k0[(6,)](q, k, v,
// CHECK-NOT:    attention_k1
func.func @attention(%q: tensor<2x3x17x16xbf16>, %k: tensor<2x3x17x16xbf16>, %v: tensor<2x3x17x16xbf16>) -> tensor<2x3x17x16xbf16> {
  %r = "tensor_graph.attention"(%q, %k, %v) {scale = 0.25 : f64, causal = true} : (tensor<2x3x17x16xbf16>, tensor<2x3x17x16xbf16>, tensor<2x3x17x16xbf16>) -> tensor<2x3x17x16xbf16>
  func.return %r : tensor<2x3x17x16xbf16>
}
