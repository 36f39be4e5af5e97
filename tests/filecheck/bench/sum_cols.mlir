// The `sum_cols` workload of bench/ (bench/workloads.py, at its benchmark size):
// a column sum, not split (lower-to-cpu's loops-split-reduction{column-width=64}:
// 4096 columns in strips of 64 are 64 parallel points, as many as min-parallelism
// asks), so nothing but the result is written: 64 chunks of 64 columns, each
// walking all 2048 rows under a row of 64 accumulators. Where the output is too
// narrow for that (the second case), the rows are still split.
// Pinned: the kernels (top-level ops, one #loops.cpu schedule each, vector width
// fixed at 16 lanes so every host prints the same), their schedules and the
// split remarks.
// RUN: stepwell-opt %s -p 'tensor_graph-decompose{expand-log2-exp2=true},canonicalize,cse,convert-tensor_graph-to-loops,loops-split-reduction{column-width=64},loops-fuse,loops-simplify-index,loops-schedule-cpu{vector-width=16}' --remarks=loops-split-reduction 2>&1 | filecheck %s

// CHECK-NOT: split reduction %r
// CHECK: remark: '{{[a-z._]+}}' op split reduction %n into 16 chunks of 4096 iterations (r0: 16 x 4096): 16 x 256 partial results, then a combine over 16
// CHECK: builtin.module
// CHECK-LABEL: func.func @main
// CHECK: %r = loops.reduce sum over [2048] : tensor<4096xf32> attributes {schedule = #loops.cpu<outer = [p0 / 64], inner_output = [0], chunks = 64, vector = 16>}
// CHECK-NOT: #loops.cpu
// CHECK: func.return

func.func @main(%a0: tensor<2048x4096xf32>) -> tensor<4096xf32> {
  %r = "tensor_graph.reduce"(%a0) <{kind = "sum", dims = array<i64: 0>, keepdim = false}> : (tensor<2048x4096xf32>) -> tensor<4096xf32>
  func.return %r : tensor<4096xf32>
}

// CHECK-LABEL: func.func @narrow
// CHECK: %n_part = loops.reduce sum over [4096] : tensor<16x256xf32> attributes {schedule = #loops.cpu<outer = [p0, p1 / 64], inner_output = [0], chunks = 64, vector = 16>}
// CHECK: %n = loops.reduce sum over [16] : tensor<256xf32>
func.func @narrow(%a0: tensor<65536x256xf32>) -> tensor<256xf32> {
  %n = "tensor_graph.reduce"(%a0) <{kind = "sum", dims = array<i64: 0>, keepdim = false}> : (tensor<65536x256xf32>) -> tensor<256xf32>
  func.return %n : tensor<256xf32>
}
