// loops-fuse-attention marks every op of an attention chain (scores, causal mask,
// softmax rows, the second product) with one `#loops.gpu<attention>` tile: they become
// one flash-style kernel. Not when the scores or the probabilities have another reader.
// RUN: stepwell-opt %s -p 'tensor_graph-decompose{expand-log2-exp2=true},canonicalize,cse,convert-tensor_graph-to-loops,loops-split-reduction{min-parallelism=264},loops-fuse,loops-simplify-index,loops-fuse-attention' | filecheck %s
// RUN: stepwell-opt %s -p 'tensor_graph-decompose{expand-log2-exp2=true},canonicalize,cse,convert-tensor_graph-to-loops,loops-split-reduction{min-parallelism=264},loops-fuse,loops-simplify-index,loops-fuse-attention' --remarks=loops-fuse-attention 2>&1 >/dev/null | filecheck %s --check-prefix=REMARK

// REMARK: remark: 'loops.kernel' op fused attention (causal, scale 0.25) into one kernel: scores and probabilities of tensor<2x3x17x17xf32> stay on chip
// REMARK: remark: 'loops.kernel' op fused attention (scale 0.125) into one kernel: scores and probabilities of tensor<1x4x256x256xf32> stay on chip
// REMARK-NOT: remark:

// CHECK-LABEL: func.func @causal
// CHECK:         loops.contract {{.*}}tile = #loops.gpu<attention, block = [32, 32], warps = 4, stages = 3>
// CHECK:         loops.pointwise : tensor<17x17xi1> {{.*}}tile = #loops.gpu<attention, block = [32, 32], warps = 4, stages = 3>
// CHECK:         loops.kernel {{.*}}tile = #loops.gpu<attention, block = [32, 32], warps = 4, stages = 3>
// CHECK:         loops.kernel {{.*}}tile = #loops.gpu<attention, block = [32, 32], warps = 4, stages = 3>
// CHECK:         func.return
func.func @causal(%q: tensor<2x3x17x16xbf16>, %k: tensor<2x3x17x16xbf16>, %v: tensor<2x3x17x16xbf16>) -> tensor<2x3x17x16xbf16> {
  %r = "tensor_graph.attention"(%q, %k, %v) {scale = 0.25 : f64, causal = true} : (tensor<2x3x17x16xbf16>, tensor<2x3x17x16xbf16>, tensor<2x3x17x16xbf16>) -> tensor<2x3x17x16xbf16>
  func.return %r : tensor<2x3x17x16xbf16>
}

// The workload's tiles: 128 query rows, 64 keys a step.
// CHECK-LABEL: func.func @full
// CHECK:         loops.contract {{.*}}tile = #loops.gpu<attention, block = [128, 64], warps = 4, stages = 3>
// CHECK-NOT:     loops.pointwise : tensor<256x256xi1>
// CHECK:         loops.kernel {{.*}}tile = #loops.gpu<attention, block = [128, 64], warps = 4, stages = 3>
// CHECK:         loops.kernel {{.*}}tile = #loops.gpu<attention, block = [128, 64], warps = 4, stages = 3>
// CHECK:         func.return
func.func @full(%q: tensor<1x4x256x64xbf16>, %k: tensor<1x4x256x64xbf16>, %v: tensor<1x4x256x64xbf16>) -> tensor<1x4x256x64xbf16> {
  %r = "tensor_graph.attention"(%q, %k, %v) {scale = 0.125 : f64, causal = false} : (tensor<1x4x256x64xbf16>, tensor<1x4x256x64xbf16>, tensor<1x4x256x64xbf16>) -> tensor<1x4x256x64xbf16>
  func.return %r : tensor<1x4x256x64xbf16>
}

// The probabilities are a result too: not fused.
// CHECK-LABEL: func.func @probabilities_returned
// CHECK-NOT:     #loops.gpu<attention
// CHECK:         func.return
func.func @probabilities_returned(%q: tensor<2x16x8xf32>, %k: tensor<2x16x8xf32>, %v: tensor<2x16x8xf32>) -> (tensor<2x16x8xf32>, tensor<2x16x16xf32>) {
  %kt = tensor_graph.transpose %k {perm = [0, 2, 1]} : tensor<2x16x8xf32> -> tensor<2x8x16xf32>
  %s = tensor_graph.matmul %q, %kt : tensor<2x16x8xf32>, tensor<2x8x16xf32> -> tensor<2x16x16xf32>
  %p = tensor_graph.softmax %s {axis = -1} : tensor<2x16x16xf32>
  %y = tensor_graph.matmul %p, %v : tensor<2x16x16xf32>, tensor<2x16x8xf32> -> tensor<2x16x8xf32>
  func.return %y, %p : tensor<2x16x8xf32>, tensor<2x16x16xf32>
}

// The scores are read by another op too: not fused.
// CHECK-LABEL: func.func @scores_read_twice
// CHECK-NOT:     #loops.gpu<attention
// CHECK:         func.return
func.func @scores_read_twice(%q: tensor<2x16x8xf32>, %k: tensor<2x16x8xf32>, %v: tensor<2x16x8xf32>) -> (tensor<2x16x8xf32>, tensor<2x16x16xf32>) {
  %kt = tensor_graph.transpose %k {perm = [0, 2, 1]} : tensor<2x16x8xf32> -> tensor<2x8x16xf32>
  %s = tensor_graph.matmul %q, %kt : tensor<2x16x8xf32>, tensor<2x8x16xf32> -> tensor<2x16x16xf32>
  %p = tensor_graph.softmax %s {axis = -1} : tensor<2x16x16xf32>
  %y = tensor_graph.matmul %p, %v : tensor<2x16x16xf32>, tensor<2x16x8xf32> -> tensor<2x16x8xf32>
  %t = tensor_graph.neg %s : tensor<2x16x16xf32>
  func.return %y, %t : tensor<2x16x8xf32>, tensor<2x16x16xf32>
}

// A softmax over the query axis is not attention's.
// CHECK-LABEL: func.func @other_axis
// CHECK-NOT:     #loops.gpu<attention
// CHECK:         func.return
func.func @other_axis(%q: tensor<2x16x8xf32>, %k: tensor<2x16x8xf32>, %v: tensor<2x16x8xf32>) -> tensor<2x16x8xf32> {
  %kt = tensor_graph.transpose %k {perm = [0, 2, 1]} : tensor<2x16x8xf32> -> tensor<2x8x16xf32>
  %s = tensor_graph.matmul %q, %kt : tensor<2x16x8xf32>, tensor<2x8x16xf32> -> tensor<2x16x16xf32>
  %p = tensor_graph.softmax %s {axis = -2} : tensor<2x16x16xf32>
  %y = tensor_graph.matmul %p, %v : tensor<2x16x16xf32>, tensor<2x16x8xf32> -> tensor<2x16x8xf32>
  func.return %y : tensor<2x16x8xf32>
}
