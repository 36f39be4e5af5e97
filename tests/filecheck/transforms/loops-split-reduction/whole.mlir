// RUN: stepwell-opt %s -p loops-split-reduction | filecheck %s

// A whole-tensor sum (1 output) becomes 64 partial sums of 32 rows each (r0 cut
// 64 x 32: every chunk a contiguous range of the flattened reduced space), then a
// sum over the 64 partial results.

// CHECK-LABEL: func.func @sum_all
// CHECK-NEXT:    %s_part = loops.reduce sum over [32, 4096] : tensor<64xf32> {
// CHECK-NEXT:      %a = loops.load %x[32 * d0 + r0, r1] : tensor<2048x4096xf32>
// CHECK-NEXT:      loops.yield %a : f32
// CHECK-NEXT:    }
// CHECK-NEXT:    %s = loops.reduce sum over [64] : tensor<f32> {
// CHECK-NEXT:      %{{.*}} = loops.load %s_part[r0] : tensor<64xf32>
// CHECK-NEXT:      loops.yield
// CHECK-NEXT:    }
// CHECK-NEXT:    func.return %s : tensor<f32>
func.func @sum_all(%x: tensor<2048x4096xf32>) -> tensor<f32> {
  %s = loops.reduce sum over [2048, 4096] : tensor<f32> {
    %a = loops.load %x[r0, r1] : tensor<2048x4096xf32>
    loops.yield %a : f32
  }
  func.return %s : tensor<f32>
}

// The users of the result read the combine's result.
// CHECK-LABEL: func.func @used
// CHECK:         %m = loops.reduce max over [64] : tensor<f64>
// CHECK:         %y = loops.pointwise : tensor<f64>
// CHECK-NEXT:      loops.load %m[] : tensor<f64>
func.func @used(%x: tensor<65536xf64>) -> tensor<f64> {
  %m = loops.reduce max over [65536] : tensor<f64> {
    %a = loops.load %x[r0] : tensor<65536xf64>
    loops.yield %a : f64
  }
  %y = loops.pointwise : tensor<f64> {
    %b = loops.load %m[] : tensor<f64>
    %c = arith.addf %b, %b : f64
    loops.yield %c : f64
  }
  func.return %y : tensor<f64>
}
