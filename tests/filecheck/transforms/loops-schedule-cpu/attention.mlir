// loops-schedule-cpu puts one `#loops.cpu<attention>` schedule on every op of an
// attention chain (scores, causal mask, softmax rows, the second product): they run as
// one flash-style kernel (outer: batch dims and blocks of query rows; keys: the key
// step). Not when the scores or the probabilities have another reader, nor on a lone
// matmul (a gemm).
// RUN: stepwell-opt %s -p 'tensor_graph-decompose{expand-log2-exp2=true},canonicalize,cse,convert-tensor_graph-to-loops,loops-split-reduction,loops-fuse,loops-simplify-index,loops-schedule-cpu{vector-width=16}' | filecheck %s
// RUN: stepwell-opt %s -p 'tensor_graph-decompose{expand-log2-exp2=true},canonicalize,cse,convert-tensor_graph-to-loops,loops-split-reduction,loops-fuse,loops-simplify-index,loops-schedule-cpu{vector-width=8}' | filecheck %s --check-prefix=AVX2

// CHECK-LABEL: func.func @causal
// CHECK:         loops.contract {{.*}}schedule = #loops.cpu<attention, outer = [p0, p1, p2 / 32], keys = 24, chunks = 1, vector = 16>
// CHECK:         loops.pointwise : tensor<17x17xi1> {{.*}}schedule = #loops.cpu<attention, outer = [p0, p1, p2 / 32], keys = 24, chunks = 1, vector = 16>
// CHECK:         loops.kernel {{.*}}schedule = #loops.cpu<attention, outer = [p0, p1, p2 / 32], keys = 24, chunks = 1, vector = 16>
// CHECK:         loops.contract {{.*}}schedule = #loops.cpu<attention, outer = [p0, p1, p2 / 32], keys = 24, chunks = 1, vector = 16>
// CHECK-NEXT:      loops.load %{{.*}} : tensor<2x3x17x17xf32>
// CHECK:         func.return
// AVX2-LABEL: func.func @causal
// AVX2:         loops.contract {{.*}}schedule = #loops.cpu<attention, outer = [p0, p1, p2 / 48], keys = 18, chunks = 1, vector = 8>
func.func @causal(%q: tensor<2x3x17x16xf32>, %k: tensor<2x3x17x16xf32>, %v: tensor<2x3x17x16xf32>) -> tensor<2x3x17x16xf32> {
  %r = "tensor_graph.attention"(%q, %k, %v) {scale = 0.25 : f64, causal = true} : (tensor<2x3x17x16xf32>, tensor<2x3x17x16xf32>, tensor<2x3x17x16xf32>) -> tensor<2x3x17x16xf32>
  func.return %r : tensor<2x3x17x16xf32>
}

// The workload's: 64 keys a step; blocks of 32 query rows, so that the 4 heads give
// 64 points (the work asks for 64 chunks). f64 and bf16 chains too (their softmax
// split over two ops); the bf16 one ends in a kernel (the product and its rounding).
// CHECK-LABEL: func.func @workload
// CHECK-COUNT-3: schedule = #loops.cpu<attention, outer = [p0, p1, p2 / 32], keys = 64, chunks = 64, vector = 16>
// CHECK-NOT:     schedule = #loops.cpu<gemm
// CHECK:         func.return
func.func @workload(%q: tensor<1x4x512x64xf32>, %k: tensor<1x4x512x64xf32>, %v: tensor<1x4x512x64xf32>) -> tensor<1x4x512x64xf32> {
  %r = "tensor_graph.attention"(%q, %k, %v) {scale = 0.125 : f64, causal = false} : (tensor<1x4x512x64xf32>, tensor<1x4x512x64xf32>, tensor<1x4x512x64xf32>) -> tensor<1x4x512x64xf32>
  func.return %r : tensor<1x4x512x64xf32>
}

// CHECK-LABEL: func.func @f64
// CHECK-COUNT-4: schedule = #loops.cpu<attention, outer = [p0, p1 / 16], keys = 8, chunks = 1, vector = 16>
// CHECK:         func.return
func.func @f64(%q: tensor<3x5x3xf64>, %k: tensor<3x7x3xf64>, %v: tensor<3x7x5xf64>) -> tensor<3x5x5xf64> {
  %r = "tensor_graph.attention"(%q, %k, %v) {scale = 0.5 : f64, causal = false} : (tensor<3x5x3xf64>, tensor<3x7x3xf64>, tensor<3x7x5xf64>) -> tensor<3x5x5xf64>
  func.return %r : tensor<3x5x5xf64>
}

// CHECK-LABEL: func.func @bf16
// CHECK:         %r = loops.kernel {{.*}} -> tensor<2x19x8xbf16> attributes {schedule = #loops.cpu<attention, outer = [p0, p1 / 32], keys = 24, chunks = 1, vector = 16>}
// CHECK-NEXT:      loops.contract
// CHECK:           loops.pointwise : tensor<2x19x8xbf16>
// CHECK:         func.return
func.func @bf16(%q: tensor<2x19x8xbf16>, %k: tensor<2x19x8xbf16>, %v: tensor<2x19x8xbf16>) -> tensor<2x19x8xbf16> {
  %r = "tensor_graph.attention"(%q, %k, %v) {scale = 0.35 : f64, causal = true} : (tensor<2x19x8xbf16>, tensor<2x19x8xbf16>, tensor<2x19x8xbf16>) -> tensor<2x19x8xbf16>
  func.return %r : tensor<2x19x8xbf16>
}

// The scores are read by another op too: scheduled op by op (two gemms).
// CHECK-LABEL: func.func @scores_read_twice
// CHECK-NOT:     #loops.cpu<attention
// CHECK:         schedule = #loops.cpu<gemm
// CHECK-NOT:     #loops.cpu<attention
// CHECK:         func.return
func.func @scores_read_twice(%q: tensor<2x16x8xf32>, %k: tensor<2x16x8xf32>, %v: tensor<2x16x8xf32>) -> (tensor<2x16x8xf32>, tensor<2x16x16xf32>) {
  %kt = tensor_graph.transpose %k {perm = [0, 2, 1]} : tensor<2x16x8xf32> -> tensor<2x8x16xf32>
  %s = tensor_graph.matmul %q, %kt : tensor<2x16x8xf32>, tensor<2x8x16xf32> -> tensor<2x16x16xf32>
  %p = tensor_graph.softmax %s {axis = -1} : tensor<2x16x16xf32>
  %y = tensor_graph.matmul %p, %v : tensor<2x16x16xf32>, tensor<2x16x8xf32> -> tensor<2x16x8xf32>
  %t = tensor_graph.neg %s : tensor<2x16x16xf32>
  func.return %y, %t : tensor<2x16x8xf32>, tensor<2x16x16xf32>
}

// The probabilities are a result too: not fused.
// CHECK-LABEL: func.func @probabilities_returned
// CHECK-NOT:     #loops.cpu<attention
// CHECK:         func.return
func.func @probabilities_returned(%q: tensor<2x16x8xf32>, %k: tensor<2x16x8xf32>, %v: tensor<2x16x8xf32>) -> (tensor<2x16x8xf32>, tensor<2x16x16xf32>) {
  %kt = tensor_graph.transpose %k {perm = [0, 2, 1]} : tensor<2x16x8xf32> -> tensor<2x8x16xf32>
  %s = tensor_graph.matmul %q, %kt : tensor<2x16x8xf32>, tensor<2x8x16xf32> -> tensor<2x16x16xf32>
  %p = tensor_graph.softmax %s {axis = -1} : tensor<2x16x16xf32>
  %y = tensor_graph.matmul %p, %v : tensor<2x16x16xf32>, tensor<2x16x8xf32> -> tensor<2x16x8xf32>
  func.return %y, %p : tensor<2x16x8xf32>, tensor<2x16x16xf32>
}

// A lone matmul is a gemm.
// CHECK-LABEL: func.func @lone_matmul
// CHECK-NOT:     #loops.cpu<attention
// CHECK:         loops.contract {{.*}}schedule = #loops.cpu<gemm
// CHECK:         func.return
func.func @lone_matmul(%a: tensor<16x8xf32>, %b: tensor<8x16xf32>) -> tensor<16x16xf32> {
  %y = tensor_graph.matmul %a, %b : tensor<16x8xf32>, tensor<8x16xf32> -> tensor<16x16xf32>
  func.return %y : tensor<16x16xf32>
}
