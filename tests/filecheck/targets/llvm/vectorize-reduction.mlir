// Row reductions vectorize through the `reassoc` on their combine (partial sums per
// lane); column reductions vectorize along the row of accumulators.
// RUN: stepwell-opt %s -p convert-loops-to-llvm | %python -m stepwell.targets.llvm | filecheck %s

// CHECK-LABEL: define void @rows_k0(
// CHECK:         fmul <[[N:4|8|16]] x float>
// CHECK:         fadd reassoc <[[N]] x float>
// CHECK:       call reassoc float @llvm.vector.reduce.fadd.v[[N]]f32
func.func @rows(%x: tensor<64x5000xf32>) -> tensor<64xf32> {
  %y = loops.reduce sum over [5000] : tensor<64xf32> {
    %a = loops.load %x[d0, r0] : tensor<64x5000xf32>
    %b = arith.mulf %a, %a : f32
    loops.yield %b : f32
  }
  func.return %y : tensor<64xf32>
}

// CHECK-LABEL: define void @rowmax_k0(
// CHECK:         call reassoc <[[N:4|8|16]] x float> @llvm.maximum.v[[N]]f32
func.func @rowmax(%x: tensor<64x5000xf32>) -> tensor<64xf32> {
  %y = loops.reduce max over [5000] : tensor<64xf32> {
    %a = loops.load %x[d0, r0] : tensor<64x5000xf32>
    loops.yield %a : f32
  }
  func.return %y : tensor<64xf32>
}

// CHECK-LABEL: define void @cols_k0(
// CHECK:         load <[[N:4|8|16]] x float>
// CHECK:         fadd reassoc <[[N]] x float>
// CHECK:         store <[[N]] x float>
func.func @cols(%x: tensor<5000x512xf32>) -> tensor<512xf32> {
  %y = loops.reduce sum over [5000] : tensor<512xf32> {
    %a = loops.load %x[r0, d0] : tensor<5000x512xf32>
    loops.yield %a : f32
  }
  func.return %y : tensor<512xf32>
}
