// RUN: stepwell-opt %s -p tensor_graph-decompose | filecheck %s --check-prefix=DEFAULT
// RUN: stepwell-opt %s -p 'tensor_graph-decompose{expand-log2-exp2=true}' | filecheck %s --check-prefix=EXPAND
// RUN: stepwell-opt %s -p 'tensor_graph-decompose{expand-log2-exp2=true}' | filecheck %s --check-prefix=NARROW

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

// An f16 expansion is computed in f32 and rounded once, as the f16 exp2 it replaces:
// x * ln 2 rounded to f16 would be off by up to half an f16 ulp of the product, which
// exp turns into a relative error of up to ~x * 2**-11.
// DEFAULT-LABEL: func.func @exp2_f16
// DEFAULT-NEXT:    %y = tensor_graph.exp2 %x : tensor<3xf16>
// DEFAULT-NEXT:    func.return %y

// EXPAND-LABEL: func.func @exp2_f16
// EXPAND-NEXT:    %[[X:.*]] = tensor_graph.cast %x : tensor<3xf16> -> tensor<3xf32>
// EXPAND-NEXT:    %[[C:.*]] = tensor_graph.constant {value = dense<0.693147182> : tensor<f32>} : tensor<f32>
// EXPAND-NEXT:    %[[M:.*]] = tensor_graph.mul %[[X]], %[[C]] : tensor<3xf32>, tensor<f32> -> tensor<3xf32>
// EXPAND-NEXT:    %[[E:.*]] = tensor_graph.exp %[[M]] : tensor<3xf32>
// EXPAND-NEXT:    %y = tensor_graph.cast %[[E]] : tensor<3xf32> -> tensor<3xf16>
// EXPAND-NEXT:    func.return %y

// NARROW-LABEL: func.func @exp2_f16(
// NARROW:         tensor_graph.cast %x : tensor<3xf16> -> tensor<3xf32>
// NARROW-NOT:     f16
// NARROW:         %y = tensor_graph.cast %{{.*}} : tensor<3xf32> ->
// NARROW-SAME:    tensor<3xf16>
// NARROW-NEXT:    func.return %y : tensor<3xf16>
func.func @exp2_f16(%x: tensor<3xf16>) -> tensor<3xf16> {
  %y = tensor_graph.exp2 %x : tensor<3xf16>
  func.return %y : tensor<3xf16>
}

// The composites still decompose with the option on. Each op rounds its bf16 result
// once: relu's result %r is stored as bf16 and read back by log2's expansion.
// EXPAND-LABEL: func.func @with_composite
// EXPAND-NEXT:    %[[X:.*]] = tensor_graph.cast %x : tensor<4xbf16> -> tensor<4xf32>
// EXPAND-NEXT:    %[[ZERO:.*]] = tensor_graph.constant {value = dense<0.000000e+00> : tensor<f32>} : tensor<f32>
// EXPAND-NEXT:    %[[MAX:.*]] = tensor_graph.max %[[X]], %[[ZERO]] : tensor<4xf32>, tensor<f32> -> tensor<4xf32>
// EXPAND-NEXT:    %r = tensor_graph.cast %[[MAX]] : tensor<4xf32> -> tensor<4xbf16>
// EXPAND-NEXT:    %[[R:.*]] = tensor_graph.cast %r : tensor<4xbf16> -> tensor<4xf32>
// EXPAND-NEXT:    %[[L:.*]] = tensor_graph.log %[[R]] : tensor<4xf32>
// EXPAND-NEXT:    %[[C:.*]] = tensor_graph.constant {value = dense<1.44269502> : tensor<f32>} : tensor<f32>
// EXPAND-NEXT:    %[[M:.*]] = tensor_graph.mul %[[L]], %[[C]] : tensor<4xf32>, tensor<f32> -> tensor<4xf32>
// EXPAND-NEXT:    %y = tensor_graph.cast %[[M]] : tensor<4xf32> -> tensor<4xbf16>
// EXPAND-NEXT:    func.return %y

// NARROW-LABEL: func.func @with_composite(
// NARROW:         tensor_graph.cast %x : tensor<4xbf16> -> tensor<4xf32>
// NARROW-NOT:     f16
// NARROW:         %r = tensor_graph.cast %{{.*}} : tensor<4xf32> ->
// NARROW-SAME:    tensor<4xbf16>
// NARROW-NEXT:    tensor_graph.cast %r : tensor<4xbf16> -> tensor<4xf32>
// NARROW-NOT:     f16
// NARROW:         %y = tensor_graph.cast %{{.*}} : tensor<4xf32> ->
// NARROW-SAME:    tensor<4xbf16>
// NARROW-NEXT:    func.return %y : tensor<4xbf16>
func.func @with_composite(%x: tensor<4xbf16>) -> tensor<4xbf16> {
  %r = tensor_graph.relu %x : tensor<4xbf16>
  %y = tensor_graph.log2 %r : tensor<4xbf16>
  func.return %y : tensor<4xbf16>
}
