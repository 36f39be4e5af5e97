// RUN: stepwell-opt %s -p tensor_graph-decompose | filecheck %s --check-prefix=DEFAULT
// RUN: stepwell-opt %s -p 'tensor_graph-decompose{expand-log2-exp2=true}' | filecheck %s --check-prefix=EXPAND

// log2 and exp2 are primitives: left alone unless a target asks for them to go.

// DEFAULT-LABEL: func.func @log2
// DEFAULT-NEXT:    %y = tensor_graph.log2 %x : tensor<7x13xf32>
// DEFAULT-NEXT:    func.return %y

// EXPAND-LABEL: func.func @log2
// EXPAND-NEXT:    %[[L:.*]] = tensor_graph.log %x : tensor<7x13xf32>
// EXPAND-NEXT:    %[[C:.*]] = tensor_graph.constant {value = dense<1.44269502> : tensor<f32>} : tensor<f32>
// EXPAND-NEXT:    %y = tensor_graph.mul %[[L]], %[[C]] : tensor<7x13xf32>, tensor<f32> -> tensor<7x13xf32>
// EXPAND-NEXT:    func.return %y
func.func @log2(%x: tensor<7x13xf32>) -> tensor<7x13xf32> {
  %y = tensor_graph.log2 %x : tensor<7x13xf32>
  func.return %y : tensor<7x13xf32>
}

// DEFAULT-LABEL: func.func @exp2
// DEFAULT-NEXT:    %y = tensor_graph.exp2 %x : tensor<4xf64>
// DEFAULT-NEXT:    func.return %y

// EXPAND-LABEL: func.func @exp2
// EXPAND-NEXT:    %[[C:.*]] = tensor_graph.constant {value = dense<0.69314718055994529> : tensor<f64>} : tensor<f64>
// EXPAND-NEXT:    %[[M:.*]] = tensor_graph.mul %x, %[[C]] : tensor<4xf64>, tensor<f64> -> tensor<4xf64>
// EXPAND-NEXT:    %y = tensor_graph.exp %[[M]] : tensor<4xf64>
// EXPAND-NEXT:    func.return %y
func.func @exp2(%x: tensor<4xf64>) -> tensor<4xf64> {
  %y = tensor_graph.exp2 %x : tensor<4xf64>
  func.return %y : tensor<4xf64>
}

// The composites still decompose with the option on.
// EXPAND-LABEL: func.func @with_composite
// EXPAND-NOT:     tensor_graph.relu
// EXPAND:         tensor_graph.max
// EXPAND-NOT:     tensor_graph.log2
// EXPAND:         tensor_graph.log
// EXPAND:         func.return
func.func @with_composite(%x: tensor<4xbf16>) -> tensor<4xbf16> {
  %r = tensor_graph.relu %x : tensor<4xbf16>
  %y = tensor_graph.log2 %r : tensor<4xbf16>
  func.return %y : tensor<4xbf16>
}
