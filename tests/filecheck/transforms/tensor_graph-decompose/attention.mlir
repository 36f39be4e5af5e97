// RUN: stepwell-opt %s -p tensor_graph-decompose | filecheck %s
// RUN: stepwell-opt %s -p tensor_graph-decompose | filecheck %s --check-prefix=NARROW

// attention = softmax(q @ transpose(k) * scale) @ v, the softmax decomposed.

// CHECK-LABEL: func.func @attention
// CHECK-NEXT:    %[[KT:.*]] = tensor_graph.transpose %k {perm = [0, 2, 1]} : tensor<2x11x8xf32> -> tensor<2x8x11xf32>
// CHECK-NEXT:    %[[QK:.*]] = tensor_graph.matmul %q, %[[KT]] : tensor<2x7x8xf32>, tensor<2x8x11xf32> -> tensor<2x7x11xf32>
// CHECK-NEXT:    %[[SC:.*]] = tensor_graph.constant {value = dense<0.353553385> : tensor<f32>} : tensor<f32>
// CHECK-NEXT:    %[[S:.*]] = tensor_graph.mul %[[QK]], %[[SC]] : tensor<2x7x11xf32>, tensor<f32> -> tensor<2x7x11xf32>
// CHECK-NEXT:    %[[MAX:.*]] = tensor_graph.reduce %[[S]] {kind = "max", dims = [-1], keepdim = true} : tensor<2x7x11xf32> -> tensor<2x7x1xf32>
// CHECK-NEXT:    %[[SH:.*]] = tensor_graph.sub %[[S]], %[[MAX]] : tensor<2x7x11xf32>, tensor<2x7x1xf32> -> tensor<2x7x11xf32>
// CHECK-NEXT:    %[[E:.*]] = tensor_graph.exp %[[SH]] : tensor<2x7x11xf32>
// CHECK-NEXT:    %[[SUM:.*]] = tensor_graph.reduce %[[E]] {kind = "sum", dims = [-1], keepdim = true} : tensor<2x7x11xf32> -> tensor<2x7x1xf32>
// CHECK-NEXT:    %[[P:.*]] = tensor_graph.div %[[E]], %[[SUM]] : tensor<2x7x11xf32>, tensor<2x7x1xf32> -> tensor<2x7x11xf32>
// CHECK-NEXT:    %y = tensor_graph.matmul %[[P]], %v : tensor<2x7x11xf32>, tensor<2x11x5xf32> -> tensor<2x7x5xf32>
// CHECK-NEXT:    func.return %y
func.func @attention(%q: tensor<2x7x8xf32>, %k: tensor<2x11x8xf32>, %v: tensor<2x11x5xf32>) -> tensor<2x7x5xf32> {
  %y = tensor_graph.attention %q, %k, %v {scale = 0.35355339059327373, causal = false} : tensor<2x7x8xf32>, tensor<2x11x8xf32>, tensor<2x11x5xf32> -> tensor<2x7x5xf32>
  func.return %y : tensor<2x7x5xf32>
}

// causal: score (i, j) is -inf where j > i, from two iotas, a cmp and a select;
// a scale of 1 costs no multiply. f16 operands are cast to f32 first, the whole
// attention is computed in f32, and the result is rounded to f16 once at the end.
// CHECK-LABEL: func.func @attention_causal
// CHECK-NEXT:    %[[Q:.*]] = tensor_graph.cast %q : tensor<3x2x6x4xf16> -> tensor<3x2x6x4xf32>
// CHECK-NEXT:    %[[K:.*]] = tensor_graph.cast %k : tensor<6x4xf16> -> tensor<6x4xf32>
// CHECK-NEXT:    %[[V:.*]] = tensor_graph.cast %v : tensor<2x6x5xf16> -> tensor<2x6x5xf32>
// CHECK-NEXT:    %[[KT:.*]] = tensor_graph.transpose %[[K]] {perm = [1, 0]} : tensor<6x4xf32> -> tensor<4x6xf32>
// CHECK-NEXT:    %[[QK:.*]] = tensor_graph.matmul %[[Q]], %[[KT]] : tensor<3x2x6x4xf32>, tensor<4x6xf32> -> tensor<3x2x6x6xf32>
// CHECK-NEXT:    %[[J:.*]] = tensor_graph.iota {dim = 1} : tensor<1x6xi64>
// CHECK-NEXT:    %[[I:.*]] = tensor_graph.iota {dim = 0} : tensor<6x1xi64>
// CHECK-NEXT:    %[[FUT:.*]] = tensor_graph.cmp %[[J]], %[[I]] {predicate = "gt"} : tensor<1x6xi64>, tensor<6x1xi64> -> tensor<6x6xi1>
// CHECK-NEXT:    %[[NINF:.*]] = tensor_graph.constant {value = dense<0xff800000> : tensor<f32>} : tensor<f32>
// CHECK-NEXT:    %[[S:.*]] = tensor_graph.select %[[FUT]], %[[NINF]], %[[QK]] : tensor<6x6xi1>, tensor<f32>, tensor<3x2x6x6xf32> -> tensor<3x2x6x6xf32>
// CHECK-NEXT:    %[[MAX:.*]] = tensor_graph.reduce %[[S]] {kind = "max", dims = [-1], keepdim = true} : tensor<3x2x6x6xf32> -> tensor<3x2x6x1xf32>
// CHECK-NEXT:    %[[SH:.*]] = tensor_graph.sub %[[S]], %[[MAX]] : tensor<3x2x6x6xf32>, tensor<3x2x6x1xf32> -> tensor<3x2x6x6xf32>
// CHECK-NEXT:    %[[E:.*]] = tensor_graph.exp %[[SH]] : tensor<3x2x6x6xf32>
// CHECK-NEXT:    %[[SUM:.*]] = tensor_graph.reduce %[[E]] {kind = "sum", dims = [-1], keepdim = true} : tensor<3x2x6x6xf32> -> tensor<3x2x6x1xf32>
// CHECK-NEXT:    %[[P:.*]] = tensor_graph.div %[[E]], %[[SUM]] : tensor<3x2x6x6xf32>, tensor<3x2x6x1xf32> -> tensor<3x2x6x6xf32>
// CHECK-NEXT:    %[[O:.*]] = tensor_graph.matmul %[[P]], %[[V]] : tensor<3x2x6x6xf32>, tensor<2x6x5xf32> -> tensor<3x2x6x5xf32>
// CHECK-NEXT:    %y = tensor_graph.cast %[[O]] : tensor<3x2x6x5xf32> -> tensor<3x2x6x5xf16>
// CHECK-NEXT:    func.return %y

// Nothing between the operands' casts and the result's is on f16.
// NARROW-LABEL: func.func @attention_causal(
// NARROW:         tensor_graph.cast %v : tensor<2x6x5xf16> -> tensor<2x6x5xf32>
// NARROW-NOT:     f16
// NARROW:         %y = tensor_graph.cast %{{.*}} : tensor<3x2x6x5xf32> ->
// NARROW-SAME:    tensor<3x2x6x5xf16>
// NARROW-NEXT:    func.return %y : tensor<3x2x6x5xf16>
func.func @attention_causal(%q: tensor<3x2x6x4xf16>, %k: tensor<6x4xf16>, %v: tensor<2x6x5xf16>) -> tensor<3x2x6x5xf16> {
  %y = tensor_graph.attention %q, %k, %v {scale = 1.0, causal = true} : tensor<3x2x6x4xf16>, tensor<6x4xf16>, tensor<2x6x5xf16> -> tensor<3x2x6x5xf16>
  func.return %y : tensor<3x2x6x5xf16>
}
