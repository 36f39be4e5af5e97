// RUN: stepwell-opt %s -p tensor_graph-decompose | filecheck %s

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

// Low-precision composites decompose into ops of the same element type: no casts.
// CHECK-LABEL: func.func @sigmoid_bf16
// CHECK-NOT:     tensor_graph.cast
// CHECK:         tensor_graph.neg %x : tensor<5xbf16>
// CHECK:         tensor_graph.constant {value = dense<1.000000e+00> : tensor<bf16>} : tensor<bf16>
// CHECK:         %y = tensor_graph.reciprocal %{{.*}} : tensor<5xbf16>
// CHECK-NOT:     tensor_graph.cast
// CHECK:         func.return %y
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
