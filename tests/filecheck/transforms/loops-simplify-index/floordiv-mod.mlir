// RUN: stepwell-opt %s -p loops-simplify-index | filecheck %s

// CHECK-LABEL: func.func @ranges
// d0 < 8: `mod 8` and `floordiv 8` disappear.
// CHECK:         loops.load %x[d0, 0] : tensor<8x2xf32>
// d0 < 8 but not < 4: `mod 4` stays.
// CHECK:         loops.load %x[d0 mod 4, d0 floordiv 4] : tensor<8x2xf32>
func.func @ranges(%x: tensor<8x2xf32>) -> (tensor<8xf32>, tensor<8xf32>) {
  %y = loops.pointwise : tensor<8xf32> {
    %a = loops.load %x[d0 mod 8, d0 floordiv 8] : tensor<8x2xf32>
    loops.yield %a : f32
  }
  %z = loops.pointwise : tensor<8xf32> {
    %a = loops.load %x[d0 mod 4, d0 floordiv 4] : tensor<8x2xf32>
    loops.yield %a : f32
  }
  func.return %y, %z : tensor<8xf32>, tensor<8xf32>
}

// Pairs fold: (a floordiv c) * c + a mod c = a; nested divisions merge; a common
// factor cancels; a mod of a mod with a multiple goes.
// CHECK-LABEL: func.func @algebra
// CHECK:         loops.load %x[d0] : tensor<64xf32>
// CHECK:         loops.load %x[d0 floordiv 6] : tensor<64xf32>
// CHECK:         loops.load %x[(d0 + 1) floordiv 2] : tensor<64xf32>
// CHECK:         loops.load %x[d0 mod 4] : tensor<64xf32>
func.func @algebra(%x: tensor<64xf32>) -> tensor<64xf32> {
  %y = loops.pointwise : tensor<64xf32> {
    %a = loops.load %x[(d0 floordiv 4) * 4 + d0 mod 4] : tensor<64xf32>
    %b = loops.load %x[(d0 floordiv 2) floordiv 3] : tensor<64xf32>
    %c = loops.load %x[(d0 * 2 + 2) floordiv 4] : tensor<64xf32>
    %d = loops.load %x[(d0 mod 8) mod 4] : tensor<64xf32>
    %s = arith.addf %a, %b : f32
    %t = arith.addf %c, %d : f32
    %u = arith.addf %s, %t : f32
    loops.yield %u : f32
  }
  func.return %y : tensor<64xf32>
}

// Shifted windows: a range inside one period [q*c, q*c + c) is that offset.
// d0 + 8 in [8, 15]: (d0 + 8) mod 8 = d0, (d0 + 8) floordiv 8 = 1.
// CHECK-LABEL: func.func @shifted
// CHECK:         loops.load %x[d0, 1] : tensor<8x2xf32>
func.func @shifted(%x: tensor<8x2xf32>) -> tensor<8xf32> {
  %y = loops.pointwise : tensor<8xf32> {
    %a = loops.load %x[(d0 + 8) mod 8, (d0 + 8) floordiv 8] : tensor<8x2xf32>
    loops.yield %a : f32
  }
  func.return %y : tensor<8xf32>
}
