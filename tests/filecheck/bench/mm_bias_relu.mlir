// The `mm_bias_relu` workload of bench/ (bench/workloads.py, at its benchmark size):
// matmul + bias + relu: one GEMM with its epilogue, blocks of M and N as chunks.
// Pinned: the kernels (top-level ops, one #loops.cpu schedule each, vector width
// fixed at 16 lanes so every host prints the same), their schedules and the
// fusion and split remarks with the bytes they save.
// RUN: stepwell-opt %s -p 'tensor_graph-decompose{expand-log2-exp2=true},canonicalize,cse,convert-tensor_graph-to-loops,loops-split-reduction,loops-fuse,loops-simplify-index,loops-schedule-cpu{vector-width=16}' --remarks=loops-fuse,loops-split-reduction 2>&1 | filecheck %s

// CHECK: remark: '{{[a-z._]+}}' op inlined %s into %r: saves 8388608 bytes
// CHECK: remark: '{{[a-z._]+}}' op fused %r into the kernel of %p (parallel [1024, 1024]): saves 8388608 bytes
// CHECK-NOT: remark:
// CHECK: builtin.module
// CHECK: %r = loops.kernel parallel [p0 = 1024, p1 = 1024] reduction [k0 = 1024] -> tensor<1024x1024xf32> attributes {schedule = #loops.cpu<gemm, outer = [p0 / 64, p1 / 128], kc = 256, mr = 8, nr = 32, chunks = 128, vector = 16>}
// CHECK-NOT: #loops.cpu
// CHECK: func.return

func.func @main(%a0: tensor<1024x1024xf32>, %a1: tensor<1024x1024xf32>, %a2: tensor<1024xf32>) -> tensor<1024x1024xf32> {
  %p = "tensor_graph.matmul"(%a0, %a1) : (tensor<1024x1024xf32>, tensor<1024x1024xf32>) -> tensor<1024x1024xf32>
  %s = "tensor_graph.add"(%p, %a2) : (tensor<1024x1024xf32>, tensor<1024xf32>) -> tensor<1024x1024xf32>
  %r = "tensor_graph.relu"(%s) : (tensor<1024x1024xf32>) -> tensor<1024x1024xf32>
  func.return %r : tensor<1024x1024xf32>
}
