// RUN: stepwell-opt %s -p tensor_graph-decompose | filecheck %s
// RUN: stepwell-opt %s -p tensor_graph-decompose | filecheck %s --check-prefix=NARROW

// sigmoid(x) = 1 / (1 + exp(-x)); silu(x) = x / (1 + exp(-x)).

// CHECK-LABEL: func.func @sigmoid
// CHECK-NEXT:    %[[NEG:.*]] = tensor_graph.neg %x : tensor<7x13xf32>
// CHECK-NEXT:    %[[EXP:.*]] = tensor_graph.exp %[[NEG]] : tensor<7x13xf32>
// CHECK-NEXT:    %[[ONE:.*]] = tensor_graph.constant {value = dense<1.000000e+00> : tensor<f32>} : tensor<f32>
// CHECK-NEXT:    %[[DEN:.*]] = tensor_graph.add %[[EXP]], %[[ONE]] : tensor<7x13xf32>, tensor<f32> -> tensor<7x13xf32>
// CHECK-NEXT:    %y = tensor_graph.reciprocal %[[DEN]] : tensor<7x13xf32>
// CHECK-NEXT:    func.return %y : tensor<7x13xf32>
func.func @sigmoid(%x: tensor<7x13xf32>) -> tensor<7x13xf32> {
  %y = tensor_graph.sigmoid %x : tensor<7x13xf32>
  func.return %y : tensor<7x13xf32>
}

// A low-precision composite is computed in f32 and rounded once (a composite is one
// op): its operand is cast to f32, the decomposition runs in f32, and its result is cast
// back once.
// CHECK-LABEL: func.func @sigmoid_bf16
// CHECK-NEXT:    %[[X:.*]] = tensor_graph.cast %x : tensor<5xbf16> -> tensor<5xf32>
// CHECK-NEXT:    %[[NEG:.*]] = tensor_graph.neg %[[X]] : tensor<5xf32>
// CHECK-NEXT:    %[[EXP:.*]] = tensor_graph.exp %[[NEG]] : tensor<5xf32>
// CHECK-NEXT:    %[[ONE:.*]] = tensor_graph.constant {value = dense<1.000000e+00> : tensor<f32>} : tensor<f32>
// CHECK-NEXT:    %[[DEN:.*]] = tensor_graph.add %[[EXP]], %[[ONE]] : tensor<5xf32>, tensor<f32> -> tensor<5xf32>
// CHECK-NEXT:    %[[R:.*]] = tensor_graph.reciprocal %[[DEN]] : tensor<5xf32>
// CHECK-NEXT:    %y = tensor_graph.cast %[[R]] : tensor<5xf32> -> tensor<5xbf16>
// CHECK-NEXT:    func.return %y : tensor<5xbf16>

// NARROW-LABEL: func.func @sigmoid_bf16(
// NARROW:         tensor_graph.cast %x : tensor<5xbf16> -> tensor<5xf32>
// NARROW-NOT:     f16
// NARROW:         %y = tensor_graph.cast %{{.*}} : tensor<5xf32> ->
// NARROW-SAME:    tensor<5xbf16>
// NARROW-NEXT:    func.return %y : tensor<5xbf16>
func.func @sigmoid_bf16(%x: tensor<5xbf16>) -> tensor<5xbf16> {
  %y = tensor_graph.sigmoid %x : tensor<5xbf16>
  func.return %y : tensor<5xbf16>
}

// CHECK-LABEL: func.func @silu
// CHECK-NEXT:    %[[NEG:.*]] = tensor_graph.neg %x : tensor<2x3xf64>
// CHECK-NEXT:    %[[EXP:.*]] = tensor_graph.exp %[[NEG]] : tensor<2x3xf64>
// CHECK-NEXT:    %[[ONE:.*]] = tensor_graph.constant {value = dense<1.000000e+00> : tensor<f64>} : tensor<f64>
// CHECK-NEXT:    %[[DEN:.*]] = tensor_graph.add %[[EXP]], %[[ONE]] : tensor<2x3xf64>, tensor<f64> -> tensor<2x3xf64>
// CHECK-NEXT:    %y = tensor_graph.div %x, %[[DEN]] : tensor<2x3xf64>
// CHECK-NEXT:    func.return %y : tensor<2x3xf64>
func.func @silu(%x: tensor<2x3xf64>) -> tensor<2x3xf64> {
  %y = tensor_graph.silu %x : tensor<2x3xf64>
  func.return %y : tensor<2x3xf64>
}

// A composite feeding a composite: both decompose, the uses follow.
// CHECK-LABEL: func.func @chain
// CHECK-NOT:     tensor_graph.sigmoid
// CHECK-NOT:     tensor_graph.silu
// CHECK:         %[[S:.*]] = tensor_graph.reciprocal %{{.*}} : tensor<4xf32>
// CHECK:         tensor_graph.neg %[[S]] : tensor<4xf32>
// CHECK:         %z = tensor_graph.div %[[S]], %{{.*}} : tensor<4xf32>
// CHECK-NEXT:    func.return %z : tensor<4xf32>
func.func @chain(%x: tensor<4xf32>) -> tensor<4xf32> {
  %y = tensor_graph.sigmoid %x : tensor<4xf32>
  %z = tensor_graph.silu %y : tensor<4xf32>
  func.return %z : tensor<4xf32>
}
