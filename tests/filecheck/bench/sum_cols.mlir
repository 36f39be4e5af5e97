// The `sum_cols` workload of bench/ (bench/workloads.py, at its benchmark size):
// a column sum: split into 64 chunks of rows (partial rows of sums), then a combine.
// Pinned: the kernels (top-level ops, one #loops.cpu schedule each, vector width
// fixed at 16 lanes so every host prints the same), their schedules and the
// fusion and split remarks with the bytes they save.
// RUN: stepwell-opt %s -p 'tensor_graph-decompose{expand-log2-exp2=true},canonicalize,cse,convert-tensor_graph-to-loops,loops-split-reduction,loops-fuse,loops-simplify-index,loops-schedule-cpu{vector-width=16}' --remarks=loops-fuse,loops-split-reduction 2>&1 | filecheck %s

// CHECK: remark: '{{[a-z._]+}}' op split reduction %r into 64 chunks of 32 iterations (r0: 64 x 32): 64 x 4096 partial results, then a combine over 64
// CHECK: remark: '{{[a-z._]+}}' op not fused %r into the kernel of %r_part: %r reads %r_part at [r0, d0], not at the current parallel point (would save 2097152 bytes)
// CHECK-NOT: remark:
// CHECK: builtin.module
// CHECK: %r_part = loops.reduce sum over [32] : tensor<64x4096xf32> attributes {schedule = #loops.cpu<outer = [p0, p1 / 4096], inner_output = [0], chunks = 64, vector = 16>}
// CHECK: %r = loops.reduce sum over [64] : tensor<4096xf32> attributes {schedule = #loops.cpu<outer = [p0 / 1024], inner_output = [0], chunks = 4, vector = 16>}
// CHECK-NOT: #loops.cpu
// CHECK: func.return

func.func @main(%a0: tensor<2048x4096xf32>) -> tensor<4096xf32> {
  %r = "tensor_graph.reduce"(%a0) <{kind = "sum", dims = array<i64: 0>, keepdim = false}> : (tensor<2048x4096xf32>) -> tensor<4096xf32>
  func.return %r : tensor<4096xf32>
}
