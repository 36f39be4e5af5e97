// RUN: stepwell-opt %s -p tensor_graph-decompose | filecheck %s

// var = mean((x - mean(x))^2) * N / (N - correction), two passes.

// N = 13, correction 1: the mean of squares times 13/12.
// CHECK-LABEL: func.func @var_keepdim
// CHECK-NEXT:    %[[M:.*]] = tensor_graph.reduce %x {kind = "mean", dims = [1], keepdim = true} : tensor<7x13xf32> -> tensor<7x1xf32>
// CHECK-NEXT:    %[[C:.*]] = tensor_graph.sub %x, %[[M]] : tensor<7x13xf32>, tensor<7x1xf32> -> tensor<7x13xf32>
// CHECK-NEXT:    %[[SQ:.*]] = tensor_graph.mul %[[C]], %[[C]] : tensor<7x13xf32>
// CHECK-NEXT:    %[[V:.*]] = tensor_graph.reduce %[[SQ]] {kind = "mean", dims = [1], keepdim = true} : tensor<7x13xf32> -> tensor<7x1xf32>
// CHECK-NEXT:    %[[R:.*]] = tensor_graph.constant {value = dense<1.08333337> : tensor<f32>} : tensor<f32>
// CHECK-NEXT:    %y = tensor_graph.mul %[[V]], %[[R]] : tensor<7x1xf32>, tensor<f32> -> tensor<7x1xf32>
// CHECK-NEXT:    func.return %y
func.func @var_keepdim(%x: tensor<7x13xf32>) -> tensor<7x1xf32> {
  %y = tensor_graph.var %x {dims = [1], correction = 1, keepdim = true} : tensor<7x13xf32> -> tensor<7x1xf32>
  func.return %y : tensor<7x1xf32>
}

// correction 0 is the plain mean of squares; keepdim = false only on the last reduce.
// CHECK-LABEL: func.func @var_population
// CHECK-NEXT:    %[[M:.*]] = tensor_graph.reduce %x {kind = "mean", dims = [0, 2], keepdim = true} : tensor<2x3x4xf64> -> tensor<1x3x1xf64>
// CHECK-NEXT:    %[[C:.*]] = tensor_graph.sub %x, %[[M]] : tensor<2x3x4xf64>, tensor<1x3x1xf64> -> tensor<2x3x4xf64>
// CHECK-NEXT:    %[[SQ:.*]] = tensor_graph.mul %[[C]], %[[C]] : tensor<2x3x4xf64>
// CHECK-NEXT:    %y = tensor_graph.reduce %[[SQ]] {kind = "mean", dims = [0, 2], keepdim = false} : tensor<2x3x4xf64> -> tensor<3xf64>
// CHECK-NEXT:    func.return %y
func.func @var_population(%x: tensor<2x3x4xf64>) -> tensor<3xf64> {
  %y = tensor_graph.var %x {dims = [-1, 0], correction = 0, keepdim = false} : tensor<2x3x4xf64> -> tensor<3xf64>
  func.return %y : tensor<3xf64>
}

// Empty dims reduce everything: N = 2*3 = 6, correction 2 gives 6/4.
// CHECK-LABEL: func.func @var_all
// CHECK:         tensor_graph.reduce %x {kind = "mean", dims = [0, 1], keepdim = true} : tensor<2x3xf32> -> tensor<1x1xf32>
// CHECK:         tensor_graph.reduce %{{.*}} {kind = "mean", dims = [0, 1], keepdim = false} : tensor<2x3xf32> -> tensor<f32>
// CHECK-NEXT:    tensor_graph.constant {value = dense<1.500000e+00> : tensor<f32>} : tensor<f32>
// CHECK-NEXT:    %y = tensor_graph.mul %{{.*}}, %{{.*}} : tensor<f32>
// CHECK-NEXT:    func.return %y
func.func @var_all(%x: tensor<2x3xf32>) -> tensor<f32> {
  %y = tensor_graph.var %x {dims = [], correction = 2, keepdim = false} : tensor<2x3xf32> -> tensor<f32>
  func.return %y : tensor<f32>
}

// N - correction <= 0 divides by zero, as numpy's var with ddof >= N.
// CHECK-LABEL: func.func @var_no_dof
// CHECK:         tensor_graph.constant {value = dense<0x7f800000> : tensor<f32>} : tensor<f32>
func.func @var_no_dof(%x: tensor<4x1xf32>) -> tensor<4xf32> {
  %y = tensor_graph.var %x {dims = [1], correction = 1, keepdim = false} : tensor<4x1xf32> -> tensor<4xf32>
  func.return %y : tensor<4xf32>
}
