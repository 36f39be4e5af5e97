// The `ew_chain` workload of bench/ (bench/workloads.py, at its benchmark size):
// a chain of elementwise ops: one pointwise op.
// Pinned: the kernels (top-level ops, one #loops.cpu schedule each, vector width
// fixed at 16 lanes so every host prints the same), their schedules and the
// fusion and split remarks with the bytes they save.
// RUN: stepwell-opt %s -p 'tensor_graph-decompose{expand-log2-exp2=true},canonicalize,cse,convert-tensor_graph-to-loops,loops-split-reduction,loops-fuse,loops-simplify-index,loops-schedule-cpu{vector-width=16}' --remarks=loops-fuse,loops-split-reduction 2>&1 | filecheck %s

// CHECK: remark: '{{[a-z._]+}}' op inlined %g into %o: saves 67108864 bytes
// CHECK: remark: '{{[a-z._]+}}' op inlined loops.pointwise into %o: saves 67108864 bytes
// CHECK: remark: '{{[a-z._]+}}' op inlined loops.pointwise into %o: saves 67108864 bytes
// CHECK: remark: '{{[a-z._]+}}' op inlined loops.pointwise into %o: saves 67108864 bytes
// CHECK: remark: '{{[a-z._]+}}' op inlined %r into %o: saves 67108864 bytes
// CHECK: remark: '{{[a-z._]+}}' op inlined %s into %o: saves 67108864 bytes
// CHECK: remark: '{{[a-z._]+}}' op inlined %m into %o: saves 67108864 bytes
// CHECK-NOT: remark:
// CHECK: builtin.module
// CHECK: %o = loops.pointwise : tensor<2048x4096xf32> attributes {schedule = #loops.cpu<outer = [p0, p1 / 4096], chunks = 256, vector = 16>}
// CHECK-NOT: #loops.cpu
// CHECK: func.return

func.func @main(%a0: tensor<2048x4096xf32>, %a1: tensor<2048x4096xf32>, %a2: tensor<2048x4096xf32>, %a3: tensor<2048x4096xf32>) -> tensor<2048x4096xf32> {
  %m = "tensor_graph.mul"(%a0, %a1) : (tensor<2048x4096xf32>, tensor<2048x4096xf32>) -> tensor<2048x4096xf32>
  %s = "tensor_graph.add"(%m, %a2) : (tensor<2048x4096xf32>, tensor<2048x4096xf32>) -> tensor<2048x4096xf32>
  %r = "tensor_graph.relu"(%s) : (tensor<2048x4096xf32>) -> tensor<2048x4096xf32>
  %g = "tensor_graph.sigmoid"(%a3) : (tensor<2048x4096xf32>) -> tensor<2048x4096xf32>
  %o = "tensor_graph.mul"(%r, %g) : (tensor<2048x4096xf32>, tensor<2048x4096xf32>) -> tensor<2048x4096xf32>
  func.return %o : tensor<2048x4096xf32>
}
