// RUN: stepwell-opt %s -p tensor_graph-decompose | filecheck %s
// RUN: stepwell-opt %s -p tensor_graph-decompose | filecheck %s --check-prefix=NARROW

// Numerically stable: one max-reduction, one sum-reduction.

// CHECK-LABEL: func.func @softmax
// CHECK-NEXT:    %[[MAX:.*]] = tensor_graph.reduce %x {kind = "max", dims = [1], keepdim = true} : tensor<7x13xf32> -> tensor<7x1xf32>
// CHECK-NEXT:    %[[SH:.*]] = tensor_graph.sub %x, %[[MAX]] : tensor<7x13xf32>, tensor<7x1xf32> -> tensor<7x13xf32>
// CHECK-NEXT:    %[[E:.*]] = tensor_graph.exp %[[SH]] : tensor<7x13xf32>
// CHECK-NEXT:    %[[SUM:.*]] = tensor_graph.reduce %[[E]] {kind = "sum", dims = [1], keepdim = true} : tensor<7x13xf32> -> tensor<7x1xf32>
// CHECK-NEXT:    %y = tensor_graph.div %[[E]], %[[SUM]] : tensor<7x13xf32>, tensor<7x1xf32> -> tensor<7x13xf32>
// CHECK-NEXT:    func.return %y
func.func @softmax(%x: tensor<7x13xf32>) -> tensor<7x13xf32> {
  %y = tensor_graph.softmax %x {axis = 1} : tensor<7x13xf32>
  func.return %y : tensor<7x13xf32>
}

// A negative axis is passed on as written; f16 is computed in f32 and rounded once.
// CHECK-LABEL: func.func @softmax_neg_axis_f16
// CHECK-NEXT:    %[[X:.*]] = tensor_graph.cast %x : tensor<4x1x3xf16> -> tensor<4x1x3xf32>
// CHECK-NEXT:    %[[MAX:.*]] = tensor_graph.reduce %[[X]] {kind = "max", dims = [-3], keepdim = true} : tensor<4x1x3xf32> -> tensor<1x1x3xf32>
// CHECK-NEXT:    %[[SH:.*]] = tensor_graph.sub %[[X]], %[[MAX]] : tensor<4x1x3xf32>, tensor<1x1x3xf32> -> tensor<4x1x3xf32>
// CHECK-NEXT:    %[[E:.*]] = tensor_graph.exp %[[SH]] : tensor<4x1x3xf32>
// CHECK-NEXT:    %[[SUM:.*]] = tensor_graph.reduce %[[E]] {kind = "sum", dims = [-3], keepdim = true} : tensor<4x1x3xf32> -> tensor<1x1x3xf32>
// CHECK-NEXT:    %[[P:.*]] = tensor_graph.div %[[E]], %[[SUM]] : tensor<4x1x3xf32>, tensor<1x1x3xf32> -> tensor<4x1x3xf32>
// CHECK-NEXT:    %y = tensor_graph.cast %[[P]] : tensor<4x1x3xf32> -> tensor<4x1x3xf16>
// CHECK-NEXT:    func.return %y

// NARROW-LABEL: func.func @softmax_neg_axis_f16(
// NARROW:         tensor_graph.cast %x : tensor<4x1x3xf16> -> tensor<4x1x3xf32>
// NARROW-NOT:     f16
// NARROW:         %y = tensor_graph.cast %{{.*}} : tensor<4x1x3xf32> ->
// NARROW-SAME:    tensor<4x1x3xf16>
// NARROW-NEXT:    func.return %y : tensor<4x1x3xf16>
func.func @softmax_neg_axis_f16(%x: tensor<4x1x3xf16>) -> tensor<4x1x3xf16> {
  %y = tensor_graph.softmax %x {axis = -3} : tensor<4x1x3xf16>
  func.return %y : tensor<4x1x3xf16>
}

// log_softmax = s - log(sum(exp(s))), s = x - max(x)
// CHECK-LABEL: func.func @log_softmax
// CHECK-NEXT:    %[[MAX:.*]] = tensor_graph.reduce %x {kind = "max", dims = [0], keepdim = true} : tensor<5xf64> -> tensor<1xf64>
// CHECK-NEXT:    %[[SH:.*]] = tensor_graph.sub %x, %[[MAX]] : tensor<5xf64>, tensor<1xf64> -> tensor<5xf64>
// CHECK-NEXT:    %[[E:.*]] = tensor_graph.exp %[[SH]] : tensor<5xf64>
// CHECK-NEXT:    %[[SUM:.*]] = tensor_graph.reduce %[[E]] {kind = "sum", dims = [0], keepdim = true} : tensor<5xf64> -> tensor<1xf64>
// CHECK-NEXT:    %[[LSE:.*]] = tensor_graph.log %[[SUM]] : tensor<1xf64>
// CHECK-NEXT:    %y = tensor_graph.sub %[[SH]], %[[LSE]] : tensor<5xf64>, tensor<1xf64> -> tensor<5xf64>
// CHECK-NEXT:    func.return %y
func.func @log_softmax(%x: tensor<5xf64>) -> tensor<5xf64> {
  %y = tensor_graph.log_softmax %x {axis = 0} : tensor<5xf64>
  func.return %y : tensor<5xf64>
}
