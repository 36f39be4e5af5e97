// RUN: stepwell-opt %s -p loops-expand-math | filecheck %s

// sin and cos of one function share one table of the bits of 2/pi (Payne-Hanek, for
// |x| >= 2^20): a constant at the top of the function, read in the body with
// loops.load at an index computed from the input's exponent.
// CHECK-LABEL: func.func @trig
// CHECK-NEXT:    %[[T:.*]] = tensor_graph.constant {value = dense<"0x{{.*}}"> : tensor<3015xf64>} : tensor<3015xf64>
// CHECK-NOT:     tensor_graph.constant
// CHECK:         arith.extf %{{.*}} : f32 to f64
// CHECK:         arith.shrui %{{.*}}, %{{.*}} : i64
// CHECK:         loops.load %[[T]][s0] syms(%{{.*}}) : tensor<3015xf64>
// CHECK:         arith.cmpf oge
// CHECK:         arith.truncf %{{.*}} : f64 to f32
// CHECK:         loops.load %[[T]][s0] syms(%{{.*}}) : tensor<3015xf64>
// CHECK-NOT:     math.sin
// CHECK-NOT:     math.cos
func.func @trig(%x: tensor<16xf32>) -> tensor<16xf32> {
  %y = loops.pointwise : tensor<16xf32> {
    %a = loops.load %x[d0] : tensor<16xf32>
    %s = math.sin %a : f32
    %c = math.cos %s : f32
    loops.yield %c : f32
  }
  func.return %y : tensor<16xf32>
}
