// The `gelu_bias` workload of bench/ (bench/workloads.py, at its benchmark size):
// bias add + exact gelu: one pointwise op, its last dim cut so the rows give 256 chunks.
// Pinned: the kernels (top-level ops, one #loops.cpu schedule each, vector width
// fixed at 16 lanes so every host prints the same), their schedules and the
// fusion and split remarks with the bytes they save.
// RUN: stepwell-opt %s -p 'tensor_graph-decompose{expand-log2-exp2=true},canonicalize,cse,convert-tensor_graph-to-loops,loops-split-reduction,loops-fuse,loops-simplify-index,loops-schedule-cpu{vector-width=16}' --remarks=loops-fuse,loops-split-reduction 2>&1 | filecheck %s

// CHECK: remark: '{{[a-z._]+}}' op inlined loops.pointwise into %r: saves 67108864 bytes
// CHECK: remark: '{{[a-z._]+}}' op inlined loops.pointwise into %r: saves 67108864 bytes
// CHECK: remark: '{{[a-z._]+}}' op inlined loops.pointwise into %r: saves 67108864 bytes
// CHECK: remark: '{{[a-z._]+}}' op inlined loops.pointwise into %r: saves 100663296 bytes
// CHECK: remark: '{{[a-z._]+}}' op inlined %s into %r: saves 67108864 bytes
// CHECK-NOT: remark:
// CHECK: builtin.module
// CHECK: %r = loops.pointwise : tensor<2048x4096xf32> attributes {schedule = #loops.cpu<outer = [p0, p1 / 4096], chunks = 256, vector = 16>}
// CHECK-NOT: #loops.cpu
// CHECK: func.return

func.func @main(%a0: tensor<2048x4096xf32>, %a1: tensor<4096xf32>) -> tensor<2048x4096xf32> {
  %s = "tensor_graph.add"(%a0, %a1) : (tensor<2048x4096xf32>, tensor<4096xf32>) -> tensor<2048x4096xf32>
  %r = "tensor_graph.gelu"(%s) <{approximate = "none"}> : (tensor<2048x4096xf32>) -> tensor<2048x4096xf32>
  func.return %r : tensor<2048x4096xf32>
}
