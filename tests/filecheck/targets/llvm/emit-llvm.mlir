// From tensor_graph to optimized LLVM IR in one command: the named pipeline
// lower-to-cpu and --emit llvm. The row softmax is one kernel (one function), its inner
// loops are vectorized, and exp is inline code, not a libm call. (67 rows: at least
// min-parallelism=64 of them, or the division would stay out of the kernel.)
// RUN: stepwell-opt %s -p lower-to-cpu --emit llvm | filecheck %s
// RUN: stepwell-opt %s -p lower-to-cpu | filecheck %s --check-prefix=DIALECT

// CHECK:     define void @softmax_k0(
// CHECK:       load <[[N:4|8|16]] x float>
// CHECK:       fmul {{.*}}<[[N]] x float>
// CHECK-NOT: define void @softmax_k1(
// CHECK-NOT: call {{.*}} @{{expf?}}(

// DIALECT: llvm.func @softmax_k0(
// DIALECT-NOT: tensor_graph.
// DIALECT-NOT: loops.
func.func @softmax(%x: tensor<67x1000xf32>) -> tensor<67x1000xf32> {
  %y = "tensor_graph.softmax"(%x) <{axis = -1 : i64}> : (tensor<67x1000xf32>) -> tensor<67x1000xf32>
  func.return %y : tensor<67x1000xf32>
}
