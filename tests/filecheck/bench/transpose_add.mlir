// The `transpose_add` workload of bench/ (bench/workloads.py, at its benchmark size):
// transpose + add: one pointwise op walked in 64 x 64 squares.
// Pinned: the kernels (top-level ops, one #loops.cpu schedule each, vector width
// fixed at 16 lanes so every host prints the same), their schedules and the
// fusion and split remarks with the bytes they save.
// RUN: stepwell-opt %s -p 'tensor_graph-decompose{expand-log2-exp2=true},canonicalize,cse,convert-tensor_graph-to-loops,loops-split-reduction,loops-fuse,loops-simplify-index,loops-schedule-cpu{vector-width=16}' --remarks=loops-fuse,loops-split-reduction 2>&1 | filecheck %s

// CHECK-NOT: remark:
// CHECK: builtin.module
// CHECK: %r = loops.pointwise : tensor<4096x2048xf32> attributes {schedule = #loops.cpu<outer = [p0 / 64, p1 / 64], chunks = 256, vector = 16>}
// CHECK-NOT: #loops.cpu
// CHECK: func.return

func.func @main(%a0: tensor<2048x4096xf32>, %a1: tensor<4096x2048xf32>) -> tensor<4096x2048xf32> {
  %t = "tensor_graph.transpose"(%a0) <{perm = array<i64: 1, 0>}> : (tensor<2048x4096xf32>) -> tensor<4096x2048xf32>
  %r = "tensor_graph.add"(%t, %a1) : (tensor<4096x2048xf32>, tensor<4096x2048xf32>) -> tensor<4096x2048xf32>
  func.return %r : tensor<4096x2048xf32>
}
