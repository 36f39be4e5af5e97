// The input of invalid-dynamic.mlir's pass tests: static, until test-make-dynamic.
func.func @f(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %y = loops.pointwise : tensor<4x8xf32> {
    %a = loops.load %x[d0, d1] : tensor<4x8xf32>
    loops.yield %a : f32
  }
  func.return %y : tensor<4x8xf32>
}
