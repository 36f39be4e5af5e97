// A matmul with a bias + relu epilogue takes the blocked GEMM path (contraction.py):
// B is packed into a panel, the micro-kernel keeps MR x 2 vector accumulators in
// registers (phis) and does broadcast(A[i, k]) * B[k, j:j+W] vector FMAs; the epilogue
// (add, max) runs on the finished block. The outer range is blocks of rows and of
// columns: 3 x 3 (cut for 8 chunks of at least 32768 scalar bodies, on every host).
// RUN: stepwell-opt %s -p lower-to-cpu | filecheck %s --check-prefix=DIALECT
// RUN: stepwell-opt %s -p lower-to-cpu --emit llvm | filecheck %s

// DIALECT:       calls = [{kernel = "mm_k0", buffers = array<i64: 3, 0, 1, 2>, extent = 9 : i64
// DIALECT:       llvm.func @mm_k0(
// DIALECT:         llvm.shufflevector
// DIALECT:         llvm.call_intrinsic "llvm.fmuladd.v[[N:4|8|16]]f32"({{.*}}) : (vector<[[N]]xf32>, vector<[[N]]xf32>, vector<[[N]]xf32>) -> vector<[[N]]xf32>

// CHECK-LABEL: define void @mm_k0(
// CHECK:         [[ACC:%[^ ]+]] = phi <[[N:4|8|16]] x float>
// CHECK:         load <[[N]] x float>
// CHECK:         shufflevector <[[N]] x float> {{.*}} zeroinitializer
// CHECK:         call <[[N]] x float> @llvm.fmuladd.v[[N]]f32(<[[N]] x float> {{.*}}, <[[N]] x float> {{.*}}, <[[N]] x float> [[ACC]])
// CHECK-COUNT-4: call <[[N]] x float> @llvm.fmuladd.v[[N]]f32
// CHECK:         @llvm.maximum
func.func @mm(%a: tensor<100x37xf32>, %w: tensor<37x70xf32>, %b: tensor<70xf32>) -> tensor<100x70xf32> {
  %p = tensor_graph.matmul %a, %w : tensor<100x37xf32>, tensor<37x70xf32> -> tensor<100x70xf32>
  %s = tensor_graph.add %p, %b : tensor<100x70xf32>, tensor<70xf32> -> tensor<100x70xf32>
  %r = tensor_graph.relu %s : tensor<100x70xf32>
  func.return %r : tensor<100x70xf32>
}
