// The `sum_rows` workload of bench/ (bench/workloads.py, at its benchmark size):
// a row sum: one reduction, 2048 rows in 256 chunks.
// Pinned: the kernels (top-level ops, one #loops.cpu schedule each, vector width
// fixed at 16 lanes so every host prints the same), their schedules and the
// fusion and split remarks with the bytes they save.
// RUN: stepwell-opt %s -p 'tensor_graph-decompose{expand-log2-exp2=true},canonicalize,cse,convert-tensor_graph-to-loops,loops-split-reduction,loops-fuse,loops-simplify-index,loops-schedule-cpu{vector-width=16}' --remarks=loops-fuse,loops-split-reduction 2>&1 | filecheck %s

// CHECK-NOT: remark:
// CHECK: builtin.module
// CHECK: %r = loops.reduce sum over [4096] : tensor<2048xf32> attributes {schedule = #loops.cpu<outer = [p0], chunks = 256, vector = 16>}
// CHECK-NOT: #loops.cpu
// CHECK: func.return

func.func @main(%a0: tensor<2048x4096xf32>) -> tensor<2048xf32> {
  %r = "tensor_graph.reduce"(%a0) <{kind = "sum", dims = array<i64: 1>, keepdim = false}> : (tensor<2048x4096xf32>) -> tensor<2048xf32>
  func.return %r : tensor<2048xf32>
}
