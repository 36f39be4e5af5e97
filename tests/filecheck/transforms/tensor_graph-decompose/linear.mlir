// RUN: stepwell-opt %s -p tensor_graph-decompose | filecheck %s
// RUN: stepwell-opt %s -p tensor_graph-decompose | filecheck %s --check-prefix=NARROW

// linear(x, w, b) = x @ transpose(w) + b

// CHECK-LABEL: func.func @linear
// CHECK-NEXT:    %[[WT:.*]] = tensor_graph.transpose %w {perm = [1, 0]} : tensor<5x13xf32> -> tensor<13x5xf32>
// CHECK-NEXT:    %[[MM:.*]] = tensor_graph.matmul %x, %[[WT]] : tensor<7x13xf32>, tensor<13x5xf32> -> tensor<7x5xf32>
// CHECK-NEXT:    %y = tensor_graph.add %[[MM]], %b : tensor<7x5xf32>, tensor<5xf32> -> tensor<7x5xf32>
// CHECK-NEXT:    func.return %y
func.func @linear(%x: tensor<7x13xf32>, %w: tensor<5x13xf32>, %b: tensor<5xf32>) -> tensor<7x5xf32> {
  %y = tensor_graph.linear %x, %w, %b : tensor<7x13xf32>, tensor<5x13xf32>, tensor<5xf32> -> tensor<7x5xf32>
  func.return %y : tensor<7x5xf32>
}

// A vector x goes through [1, K] and back.
// CHECK-LABEL: func.func @linear_vector
// CHECK-NEXT:    %[[WT:.*]] = tensor_graph.transpose %w {perm = [1, 0]} : tensor<3x4xi32> -> tensor<4x3xi32>
// CHECK-NEXT:    %[[X2:.*]] = tensor_graph.reshape %x : tensor<4xi32> -> tensor<1x4xi32>
// CHECK-NEXT:    %[[MM:.*]] = tensor_graph.matmul %[[X2]], %[[WT]] : tensor<1x4xi32>, tensor<4x3xi32> -> tensor<1x3xi32>
// CHECK-NEXT:    %[[R:.*]] = tensor_graph.reshape %[[MM]] : tensor<1x3xi32> -> tensor<3xi32>
// CHECK-NEXT:    %y = tensor_graph.add %[[R]], %b : tensor<3xi32>
// CHECK-NEXT:    func.return %y
func.func @linear_vector(%x: tensor<4xi32>, %w: tensor<3x4xi32>, %b: tensor<3xi32>) -> tensor<3xi32> {
  %y = tensor_graph.linear %x, %w, %b : tensor<4xi32>, tensor<3x4xi32>, tensor<3xi32> -> tensor<3xi32>
  func.return %y : tensor<3xi32>
}

// Batched x: the transposed weight is a batch-less rhs that matmul broadcasts. bf16
// operands are cast to f32, and the sum is rounded to bf16 once, after the bias.
// CHECK-LABEL: func.func @linear_batched
// CHECK-NEXT:    %[[X:.*]] = tensor_graph.cast %x : tensor<2x3x8xbf16> -> tensor<2x3x8xf32>
// CHECK-NEXT:    %[[W:.*]] = tensor_graph.cast %w : tensor<6x8xbf16> -> tensor<6x8xf32>
// CHECK-NEXT:    %[[B:.*]] = tensor_graph.cast %b : tensor<6xbf16> -> tensor<6xf32>
// CHECK-NEXT:    %[[WT:.*]] = tensor_graph.transpose %[[W]] {perm = [1, 0]} : tensor<6x8xf32> -> tensor<8x6xf32>
// CHECK-NEXT:    %[[MM:.*]] = tensor_graph.matmul %[[X]], %[[WT]] : tensor<2x3x8xf32>, tensor<8x6xf32> -> tensor<2x3x6xf32>
// CHECK-NEXT:    %[[S:.*]] = tensor_graph.add %[[MM]], %[[B]] : tensor<2x3x6xf32>, tensor<6xf32> -> tensor<2x3x6xf32>
// CHECK-NEXT:    %y = tensor_graph.cast %[[S]] : tensor<2x3x6xf32> -> tensor<2x3x6xbf16>
// CHECK-NEXT:    func.return %y

// NARROW-LABEL: func.func @linear_batched(
// NARROW:         tensor_graph.cast %b : tensor<6xbf16> -> tensor<6xf32>
// NARROW-NOT:     f16
// NARROW:         %y = tensor_graph.cast %{{.*}} : tensor<2x3x6xf32> ->
// NARROW-SAME:    tensor<2x3x6xbf16>
// NARROW-NEXT:    func.return %y : tensor<2x3x6xbf16>
func.func @linear_batched(%x: tensor<2x3x8xbf16>, %w: tensor<6x8xbf16>, %b: tensor<6xbf16>) -> tensor<2x3x6xbf16> {
  %y = tensor_graph.linear %x, %w, %b : tensor<2x3x8xbf16>, tensor<6x8xbf16>, tensor<6xbf16> -> tensor<2x3x6xbf16>
  func.return %y : tensor<2x3x6xbf16>
}
