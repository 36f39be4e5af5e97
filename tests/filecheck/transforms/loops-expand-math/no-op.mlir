// RUN: stepwell-opt %s -p loops-expand-math | filecheck %s

// Where it must not fire: bodies without the math ops it expands (the primitives it
// emits, sqrt, absf, fma ..., stay as they are), and integer bodies.
// CHECK-LABEL: func.func @primitives
// CHECK-NEXT:    %y = loops.pointwise : tensor<8xf32> {
// CHECK-NEXT:      %a = loops.load %x[d0] : tensor<8xf32>
// CHECK-NEXT:      %s = math.sqrt %a : f32
// CHECK-NEXT:      %b = math.absf %s : f32
// CHECK-NEXT:      %f = math.fma %b, %a, %s : f32
// CHECK-NEXT:      %r = math.roundeven %f : f32
// CHECK-NEXT:      %m = arith.addf %r, %a : f32
// CHECK-NEXT:      loops.yield %m : f32
// CHECK-NEXT:    }
func.func @primitives(%x: tensor<8xf32>) -> tensor<8xf32> {
  %y = loops.pointwise : tensor<8xf32> {
    %a = loops.load %x[d0] : tensor<8xf32>
    %s = math.sqrt %a : f32
    %b = math.absf %s : f32
    %f = math.fma %b, %a, %s : f32
    %r = math.roundeven %f : f32
    %m = arith.addf %r, %a : f32
    loops.yield %m : f32
  }
  func.return %y : tensor<8xf32>
}

// CHECK-LABEL: func.func @sums
// CHECK:         loops.reduce sum over [8] : tensor<4xi32> {
// CHECK-NEXT:      %a = loops.load %x[d0, r0] : tensor<4x8xi32>
// CHECK-NEXT:      %b = arith.muli %a, %a : i32
// CHECK-NEXT:      loops.yield %b : i32
func.func @sums(%x: tensor<4x8xi32>) -> tensor<4xi32> {
  %y = loops.reduce sum over [8] : tensor<4xi32> {
    %a = loops.load %x[d0, r0] : tensor<4x8xi32>
    %b = arith.muli %a, %a : i32
    loops.yield %b : i32
  }
  func.return %y : tensor<4xi32>
}
