// The optimized LLVM IR of a pointwise kernel with a transcendental has vector ops in
// its inner loop (the width is the host's: 16 with AVX-512, 8 with AVX2), and no libm.
// RUN: stepwell-opt %s -p convert-loops-to-llvm | %python -m stepwell.targets.llvm | filecheck %s

// CHECK:     define void @gelu_k0(i64 {{.*}}, i64 {{.*}}, ptr noalias {{.*}}, ptr noalias {{.*}}, ptr noalias {{.*}})
// CHECK:     vector.body:
// CHECK:       load <[[N:4|8|16]] x float>
// CHECK:       call <[[N]] x float> @llvm.fma.v[[N]]f32
// CHECK:       fmul <[[N]] x float>
// CHECK:       store <[[N]] x float>
// CHECK-NOT: call {{.*}} @{{erff?|expf?}}(
func.func @gelu(%x: tensor<64x1000xf32>, %b: tensor<1000xf32>) -> tensor<64x1000xf32> {
  %y = loops.pointwise : tensor<64x1000xf32> {
    %a = loops.load %x[d0, d1] : tensor<64x1000xf32>
    %c = loops.load %b[d1] : tensor<1000xf32>
    %s = arith.addf %a, %c : f32
    %k = arith.constant 0.707106769 : f32
    %t = arith.mulf %s, %k : f32
    %e = math.erf %t : f32
    %one = arith.constant 1.0 : f32
    %u = arith.addf %e, %one : f32
    %half = arith.constant 0.5 : f32
    %h = arith.mulf %s, %half : f32
    %r = arith.mulf %h, %u : f32
    loops.yield %r : f32
  }
  func.return %y : tensor<64x1000xf32>
}
