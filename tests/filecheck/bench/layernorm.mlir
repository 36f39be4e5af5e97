// The `layernorm` workload of bench/ (bench/workloads.py, at its benchmark size):
// layer_norm over rows: one kernel (mean, variance and the normalization share each row).
// Pinned: the kernels (top-level ops, one #loops.cpu schedule each, vector width
// fixed at 16 lanes so every host prints the same), their schedules and the
// fusion and split remarks with the bytes they save.
// RUN: stepwell-opt %s -p 'tensor_graph-decompose{expand-log2-exp2=true},canonicalize,cse,convert-tensor_graph-to-loops,loops-split-reduction,loops-fuse,loops-simplify-index,loops-schedule-cpu{vector-width=16}' --remarks=loops-fuse,loops-split-reduction 2>&1 | filecheck %s

// CHECK: remark: '{{[a-z._]+}}' op inlined loops.pointwise into %r: saves 67108864 bytes
// CHECK: remark: '{{[a-z._]+}}' op inlined loops.pointwise into %r: saves 67108864 bytes
// CHECK: remark: '{{[a-z._]+}}' op not inlined loops.pointwise into %r: it would be computed x4096 (max-recompute=4) (would save 16384 bytes)
// CHECK: remark: '{{[a-z._]+}}' op inlined loops.pointwise into loops.pointwise: saves 16384 bytes
// CHECK: remark: '{{[a-z._]+}}' op inlined loops.pointwise into loops.pointwise: saves 16384 bytes
// CHECK: remark: '{{[a-z._]+}}' op inlined loops.pointwise into loops.reduce sum: saves 67108864 bytes
// CHECK: remark: '{{[a-z._]+}}' op recomputed loops.pointwise in loops.reduce sum, %r (x2: arith.subf): saves 67100672 bytes
// CHECK: remark: '{{[a-z._]+}}' op not inlined loops.pointwise into %r, loops.reduce sum: a reduction reads each value 8192 times (would save 16384 bytes)
// CHECK: remark: '{{[a-z._]+}}' op fused loops.pointwise into the kernel of loops.reduce sum (parallel [2048, 1]): saves 16384 bytes
// CHECK: remark: '{{[a-z._]+}}' op fused loops.reduce sum into the kernel of loops.reduce sum (parallel [2048, 1]): saves 33562624 bytes
// CHECK: remark: '{{[a-z._]+}}' op fused loops.pointwise into the kernel of loops.reduce sum (parallel [2048, 1]): saves 16384 bytes
// CHECK: remark: '{{[a-z._]+}}' op fused %r into the kernel of loops.reduce sum (parallel [2048]): saves 33587200 bytes
// CHECK-NOT: remark:
// CHECK: builtin.module
// CHECK: %r = loops.kernel parallel [p0 = 2048] reduction [k0 = 4096] -> tensor<2048x4096xf32> attributes {schedule = #loops.cpu<outer = [p0], chunks = 256, vector = 16>}
// CHECK-NOT: #loops.cpu
// CHECK: func.return

func.func @main(%a0: tensor<2048x4096xf32>, %a1: tensor<4096xf32>, %a2: tensor<4096xf32>) -> tensor<2048x4096xf32> {
  %r = "tensor_graph.layer_norm"(%a0, %a1, %a2) <{axis = -1 : i64, epsilon = 1.0e-05 : f64}> : (tensor<2048x4096xf32>, tensor<4096xf32>, tensor<4096xf32>) -> tensor<2048x4096xf32>
  func.return %r : tensor<2048x4096xf32>
}
