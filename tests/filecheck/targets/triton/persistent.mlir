// RUN: stepwell-opt %s -p lower-to-triton --emit triton | filecheck %s

// A persistent softmax reads its row once: one tl.load of x, reductions over axis 0,
// the max through a NaN-propagating combine function.
// CHECK:      @triton.jit
// CHECK-NEXT: def _max_nan(a, b):
// CHECK-NEXT:   return tl.maximum(a, b, propagate_nan=tl.PropagateNan.ALL)
// CHECK:      def softmax_k0(x_ptr, s_ptr):
// CHECK-NEXT:   pid = tl.program_id(0)
// CHECK:        rmask = t < 1000
// CHECK:        x = tl.load(x_ptrs, mask=rmask, other=0.0)
// CHECK-NOT:    tl.load
// CHECK:        tl.reduce({{.*}}, 0, _max_nan)
// CHECK-NOT:    tl.load
// CHECK:        tl.sum({{.*}}, axis=0)
// CHECK-NOT:    tl.load
// CHECK:        tl.store({{.*}}, s, mask=rmask)
// CHECK:      def softmax(x):
// CHECK:        softmax_k0[(64,)](x, s, **CONFIGS['softmax_k0'])
func.func @softmax(%x: tensor<64x1000xf32>) -> tensor<64x1000xf32> {
  %s = tensor_graph.softmax %x {axis = -1} : tensor<64x1000xf32> -> tensor<64x1000xf32>
  func.return %s : tensor<64x1000xf32>
}
