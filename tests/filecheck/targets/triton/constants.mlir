// RUN: stepwell-opt %s -p lower-to-triton --emit triton | filecheck %s

// tensor_graph.constant values travel in the emitted file as their bytes (a splat as one
// element) and become a tensor once per device; a constant or an argument returned as a
// result is copied, so no result aliases them.
// CHECK:      import base64
// CHECK:      _CONSTANT_DATA = {
// CHECK-NEXT:     'f.0': ((2, 3), torch.float32, 'AACAPwAAAEAAAEBAAACAQAAAoEAAAMBA'),
// CHECK-NEXT:     'f.1': ((2, 3), torch.float32, 'AADAPw=='),
// CHECK-NEXT: }
// CHECK:      def _constant(name, device):
// CHECK:      def f(x):
// CHECK-NEXT:   device = x.device
// CHECK-NEXT:   c = _constant('f.0', device)
// CHECK-NEXT:   h = _constant('f.1', device)
// CHECK:        f_k0[(1,)](x, c, s, **CONFIGS['f_k0'])
// CHECK-NEXT:   return s, h.clone(), x.clone()
func.func @f(%x: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>) {
  %c = tensor_graph.constant {value = dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>} : tensor<2x3xf32>
  %h = tensor_graph.constant {value = dense<1.5> : tensor<2x3xf32>} : tensor<2x3xf32>
  %s = tensor_graph.add %x, %c : tensor<2x3xf32>, tensor<2x3xf32> -> tensor<2x3xf32>
  func.return %s, %h, %x : tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>
}
