// From tensor_graph down to optimized LLVM IR: softmax is one kernel whose three
// row loops (max, sum of exp, exp / sum) are all vectorized.
// RUN: stepwell-opt %s -p lower-to-cpu | %python -m stepwell.targets.llvm | filecheck %s

// CHECK:     define void @softmax_k0(
// CHECK:       call reassoc <[[N:4|8|16]] x float> @llvm.maximum.v[[N]]f32
// CHECK:       call <[[N]] x float> @llvm.fma.v[[N]]f32
// CHECK:       fadd reassoc <[[N]] x float>
// CHECK:       fdiv <[[N]] x float>
// CHECK:       store <[[N]] x float>
// CHECK-NOT: define
func.func @softmax(%x: tensor<64x1000xf32>) -> tensor<64x1000xf32> {
  %y = "tensor_graph.softmax"(%x) <{axis = 1 : i64}> : (tensor<64x1000xf32>) -> tensor<64x1000xf32>
  func.return %y : tensor<64x1000xf32>
}
