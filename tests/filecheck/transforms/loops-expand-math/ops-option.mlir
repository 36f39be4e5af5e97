// RUN: stepwell-opt %s -p 'loops-expand-math{ops=tanh,log}' | filecheck %s
// RUN: stepwell-opt %s -p 'loops-expand-math{ops=exp}' | filecheck %s --check-prefix=EXP
// RUN: not stepwell-opt %s -p 'loops-expand-math{ops=exp,cbrt}' 2>&1 | filecheck %s --check-prefix=BAD

// ops= chooses what expands: a backend with a native instruction keeps that op.
// CHECK-LABEL: func.func @chain
// CHECK:         %[[A:.*]] = loops.load
// CHECK-NEXT:    %[[E:.*]] = math.exp %[[A]] : f32
// CHECK-NEXT:    arith.constant
// CHECK-NEXT:    arith.cmpf olt, %[[E]]
// CHECK-NOT:     math.log
// CHECK-NOT:     math.tanh
// CHECK:         math.sqrt
// CHECK:         loops.yield
// EXP-LABEL: func.func @chain
// EXP-NOT:     math.exp
// EXP:         math.log
// EXP-NEXT:    math.tanh
// EXP-NEXT:    math.sqrt
// BAD: loops-expand-math: no expansion for 'cbrt' in ops= (expected some of exp, log, tanh, erf, sin, cos, powf, ipowi)
func.func @chain(%x: tensor<8xf32>) -> tensor<8xf32> {
  %y = loops.pointwise : tensor<8xf32> {
    %a = loops.load %x[d0] : tensor<8xf32>
    %e = math.exp %a : f32
    %l = math.log %e : f32
    %t = math.tanh %l : f32
    %s = math.sqrt %t : f32
    loops.yield %s : f32
  }
  func.return %y : tensor<8xf32>
}
