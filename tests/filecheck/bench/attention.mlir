// The `attention` workload of bench/ (bench/workloads.py, at its benchmark size):
// attention: one flash-style kernel (#loops.cpu<attention> on each op of the chain: the
// QK^T product, the softmax kernel and the PV product run as one, at the last op).
// Pinned: the kernels (top-level ops, one #loops.cpu schedule each, vector width
// fixed at 16 lanes so every host prints the same), their schedules and the
// fusion and split remarks with the bytes they save.
// RUN: stepwell-opt %s -p 'tensor_graph-decompose{expand-log2-exp2=true},canonicalize,cse,convert-tensor_graph-to-loops,loops-split-reduction,loops-fuse,loops-simplify-index,loops-schedule-cpu{vector-width=16}' --remarks=loops-fuse,loops-split-reduction 2>&1 | filecheck %s

// CHECK: remark: '{{[a-z._]+}}' op not inlined loops.pointwise into %r: a reduction reads each value 64 times (would save 8388608 bytes)
// CHECK: remark: '{{[a-z._]+}}' op recomputed loops.pointwise in loops.pointwise, loops.reduce sum (x2: math.exp): saves 8388608 bytes
// CHECK: remark: '{{[a-z._]+}}' op recomputed loops.pointwise in loops.reduce sum, loops.pointwise (x2: arith.subf): saves 8380416 bytes
// CHECK: remark: '{{[a-z._]+}}' op recomputed loops.pointwise in loops.pointwise, loops.reduce sum, loops.reduce max (x3: arith.mulf): saves 8388608 bytes
// CHECK: remark: '{{[a-z._]+}}' op fused loops.pointwise into the kernel of loops.reduce sum (parallel [1, 4, 512]): saves 4218880 bytes
// CHECK: remark: '{{[a-z._]+}}' op fused loops.reduce sum into the kernel of loops.reduce max (parallel [1, 4, 512]): saves 4210688 bytes
// CHECK: remark: '{{[a-z._]+}}' op not fused loops.reduce max into the kernel of loops.contract sum: loops.reduce max reads loops.contract sum at [0, d1, d2, r0], not at the current parallel point (would save 8388608 bytes)
// CHECK: remark: '{{[a-z._]+}}' op not fused %r into the kernel of loops.reduce max: %r reads loops.pointwise at [0, d1, d2, r0], not at the current parallel point (would save 8388608 bytes)
// CHECK-NOT: remark:
// CHECK: builtin.module
// CHECK: %{{[0-9a-z_]+}} = loops.contract over [64] batch = [d0, d1], m = d2, n = d3, k = r0 : tensor<1x4x512x512xf32> attributes {schedule = #loops.cpu<attention, outer = [p0, p1, p2 / 32], keys = 64, chunks = 64, vector = 16>}
// CHECK: %{{[0-9a-z_]+}} = loops.kernel parallel [p0 = 1, p1 = 4, p2 = 512] reduction [k0 = 512] -> tensor<1x4x512x512xf32> attributes {schedule = #loops.cpu<attention, outer = [p0, p1, p2 / 32], keys = 64, chunks = 64, vector = 16>}
// CHECK: %r = loops.contract over [512] batch = [d0, d1], m = d2, n = d3, k = r0 : tensor<1x4x512x64xf32> attributes {schedule = #loops.cpu<attention, outer = [p0, p1, p2 / 32], keys = 64, chunks = 64, vector = 16>}
// CHECK-NOT: #loops.cpu
// CHECK: func.return

func.func @main(%a0: tensor<1x4x512x64xf32>, %a1: tensor<1x4x512x64xf32>, %a2: tensor<1x4x512x64xf32>) -> tensor<1x4x512x64xf32> {
  %r = "tensor_graph.attention"(%a0, %a1, %a2) <{scale = 0.125 : f64, causal = false}> : (tensor<1x4x512x64xf32>, tensor<1x4x512x64xf32>, tensor<1x4x512x64xf32>) -> tensor<1x4x512x64xf32>
  func.return %r : tensor<1x4x512x64xf32>
}
