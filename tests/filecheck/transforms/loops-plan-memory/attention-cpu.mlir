// On the CPU too, an attention chain scheduled as one kernel (loops-schedule-cpu:
// #loops.cpu<attention>) has no memory for its scores, mask and probabilities: the
// kernel keeps them in stack tiles. Its ops keep their math.exp through
// loops-expand-math (no target lowers their bodies). The workload's program
// (bench/MEMORY.md: a 4 MiB arena for the scores before) needs no arena at all.
// RUN: stepwell-opt %s -p 'tensor_graph-decompose{expand-log2-exp2=true},canonicalize,cse,convert-tensor_graph-to-loops,loops-split-reduction,loops-fuse,loops-simplify-index,loops-schedule-cpu{vector-width=16},loops-expand-math,loops-plan-memory' | filecheck %s

// CHECK-LABEL: func.func @workload
// CHECK-SAME:    attributes {arena = 0 : i64}
// CHECK:         loops.contract {{.*}}: tensor<1x4x512x512xf32> attributes {schedule = #loops.cpu<attention, {{.*}}>, memory = #loops.slot<0, 0>}
// CHECK:         loops.kernel {{.*}}memory = #loops.slot<0, 0>}
// CHECK:           = math.exp
// CHECK:           = math.exp
// CHECK:         loops.contract {{.*}}: tensor<1x4x512x64xf32> attributes {schedule = #loops.cpu<attention, {{.*}}>, memory = #loops.slot<result 0>}
func.func @workload(%q: tensor<1x4x512x64xf32>, %k: tensor<1x4x512x64xf32>, %v: tensor<1x4x512x64xf32>) -> tensor<1x4x512x64xf32> {
  %r = "tensor_graph.attention"(%q, %k, %v) {scale = 0.125 : f64, causal = false} : (tensor<1x4x512x64xf32>, tensor<1x4x512x64xf32>, tensor<1x4x512x64xf32>) -> tensor<1x4x512x64xf32>
  func.return %r : tensor<1x4x512x64xf32>
}

// CHECK-LABEL: func.func @causal
// CHECK-SAME:    attributes {arena = 0 : i64}
// CHECK:         loops.contract {{.*}}memory = #loops.slot<0, 0>}
// CHECK:         loops.pointwise : tensor<17x17xi1> {{.*}}memory = #loops.slot<0, 0>}
// CHECK:         loops.kernel {{.*}}memory = #loops.slot<0, 0>}
// CHECK:         loops.contract {{.*}}memory = #loops.slot<result 0>}
func.func @causal(%q: tensor<2x3x17x16xf32>, %k: tensor<2x3x17x16xf32>, %v: tensor<2x3x17x16xf32>) -> tensor<2x3x17x16xf32> {
  %r = "tensor_graph.attention"(%q, %k, %v) {scale = 0.25 : f64, causal = true} : (tensor<2x3x17x16xf32>, tensor<2x3x17x16xf32>, tensor<2x3x17x16xf32>) -> tensor<2x3x17x16xf32>
  func.return %r : tensor<2x3x17x16xf32>
}

// The scores have another reader: not fused, so the probabilities are in memory (2 KiB
// of arena), and the softmax's exp is expanded.
// CHECK-LABEL: func.func @scores_read_twice
// CHECK-SAME:    attributes {arena = 2048 : i64}
// CHECK-NOT:     = math.exp
// CHECK:         func.return
func.func @scores_read_twice(%q: tensor<2x16x8xf32>, %k: tensor<2x16x8xf32>, %v: tensor<2x16x8xf32>) -> (tensor<2x16x8xf32>, tensor<2x16x16xf32>) {
  %kt = tensor_graph.transpose %k {perm = [0, 2, 1]} : tensor<2x16x8xf32> -> tensor<2x8x16xf32>
  %s = tensor_graph.matmul %q, %kt : tensor<2x16x8xf32>, tensor<2x8x16xf32> -> tensor<2x16x16xf32>
  %p = tensor_graph.softmax %s {axis = -1} : tensor<2x16x16xf32>
  %y = tensor_graph.matmul %p, %v : tensor<2x16x16xf32>, tensor<2x16x8xf32> -> tensor<2x16x8xf32>
  %t = tensor_graph.neg %s : tensor<2x16x16xf32>
  func.return %y, %t : tensor<2x16x8xf32>, tensor<2x16x16xf32>
}
