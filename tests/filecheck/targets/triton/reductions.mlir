// RUN: stepwell-opt %s -p lower-to-triton --emit triton | filecheck %s

// (Combine functions are printed first, once per module.)
// argmin reduces (value, position) pairs with a combine printed once.
// CHECK:      def _argmin(a, ia, b, ib):
// CHECK:        better = (a < b) | (a_nan & ~b_nan)
// CHECK:        take_a = better | (tie & (ia < ib))
// CHECK:      def arg_k0(x_ptr, s_ptr):
// CHECK:        best, {{.*}} = tl.reduce((vals, {{.*}}), 1, _argmin)
func.func @arg(%x: tensor<4x9xf32>) -> tensor<4xi64> {
  %s = tensor_graph.argmin %x {axis = 1, keepdim = false} : tensor<4x9xf32> -> tensor<4xi64>
  func.return %s : tensor<4xi64>
}

// A looped row sum: the accumulator block starts as tl.full, a Python for walks the row
// in steps of 4096 and reassigns it, one tl.sum after the loop.
// CHECK:      def long_k0(x_ptr, s_ptr):
// CHECK:        acc = tl.full([1, 4096], 0.0, tl.float32)
// CHECK-NEXT:   for roff in range(0, 20000, 4096):
// CHECK:          x = tl.load(x_ptrs, mask=mask, other=0.0)
// CHECK:          acc = {{.*}}
// CHECK-NEXT:   s = tl.sum(acc, axis=1)
// CHECK:        long_k0[(3,)](x, s, **CONFIGS['long_k0'])
func.func @long(%x: tensor<3x20000xf32>) -> tensor<3xf32> {
  %s = tensor_graph.reduce %x {kind = "sum", dims = [1], keepdim = false} : tensor<3x20000xf32> -> tensor<3xf32>
  func.return %s : tensor<3xf32>
}
