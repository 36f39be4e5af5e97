// RUN: stepwell-opt %s -p tensor_graph-decompose | filecheck %s

// layer_norm: two passes over dims axis..rank-1, then * scale + bias.
// CHECK-LABEL: func.func @layer_norm
// CHECK-NEXT:    %[[M:.*]] = tensor_graph.reduce %x {kind = "mean", dims = [1, 2], keepdim = true} : tensor<2x7x13xf32> -> tensor<2x1x1xf32>
// CHECK-NEXT:    %[[C:.*]] = tensor_graph.sub %x, %[[M]] : tensor<2x7x13xf32>, tensor<2x1x1xf32> -> tensor<2x7x13xf32>
// CHECK-NEXT:    %[[SQ:.*]] = tensor_graph.mul %[[C]], %[[C]] : tensor<2x7x13xf32>
// CHECK-NEXT:    %[[V:.*]] = tensor_graph.reduce %[[SQ]] {kind = "mean", dims = [1, 2], keepdim = true} : tensor<2x7x13xf32> -> tensor<2x1x1xf32>
// CHECK-NEXT:    %[[EPS:.*]] = tensor_graph.constant {value = dense<1.000000e-05> : tensor<f32>} : tensor<f32>
// CHECK-NEXT:    %[[VE:.*]] = tensor_graph.add %[[V]], %[[EPS]] : tensor<2x1x1xf32>, tensor<f32> -> tensor<2x1x1xf32>
// CHECK-NEXT:    %[[R:.*]] = tensor_graph.rsqrt %[[VE]] : tensor<2x1x1xf32>
// CHECK-NEXT:    %[[N:.*]] = tensor_graph.mul %[[C]], %[[R]] : tensor<2x7x13xf32>, tensor<2x1x1xf32> -> tensor<2x7x13xf32>
// CHECK-NEXT:    %[[S:.*]] = tensor_graph.mul %[[N]], %scale : tensor<2x7x13xf32>, tensor<7x13xf32> -> tensor<2x7x13xf32>
// CHECK-NEXT:    %y = tensor_graph.add %[[S]], %bias : tensor<2x7x13xf32>, tensor<7x13xf32> -> tensor<2x7x13xf32>
// CHECK-NEXT:    func.return %y
func.func @layer_norm(%x: tensor<2x7x13xf32>, %scale: tensor<7x13xf32>, %bias: tensor<7x13xf32>) -> tensor<2x7x13xf32> {
  %y = tensor_graph.layer_norm %x, %scale, %bias {axis = -2, epsilon = 1.0e-05} : tensor<2x7x13xf32>, tensor<7x13xf32>, tensor<7x13xf32> -> tensor<2x7x13xf32>
  func.return %y : tensor<2x7x13xf32>
}

// rms_norm: x * rsqrt(mean(x*x) + eps) * scale
// CHECK-LABEL: func.func @rms_norm
// CHECK-NEXT:    %[[SQ:.*]] = tensor_graph.mul %x, %x : tensor<3x8xbf16>
// CHECK-NEXT:    %[[MS:.*]] = tensor_graph.reduce %[[SQ]] {kind = "mean", dims = [1], keepdim = true} : tensor<3x8xbf16> -> tensor<3x1xbf16>
// CHECK-NEXT:    %[[EPS:.*]] = tensor_graph.constant {value = dense<{{.*}}> : tensor<bf16>} : tensor<bf16>
// CHECK-NEXT:    %[[MSE:.*]] = tensor_graph.add %[[MS]], %[[EPS]] : tensor<3x1xbf16>, tensor<bf16> -> tensor<3x1xbf16>
// CHECK-NEXT:    %[[R:.*]] = tensor_graph.rsqrt %[[MSE]] : tensor<3x1xbf16>
// CHECK-NEXT:    %[[N:.*]] = tensor_graph.mul %x, %[[R]] : tensor<3x8xbf16>, tensor<3x1xbf16> -> tensor<3x8xbf16>
// CHECK-NEXT:    %y = tensor_graph.mul %[[N]], %scale : tensor<3x8xbf16>, tensor<8xbf16> -> tensor<3x8xbf16>
// CHECK-NEXT:    func.return %y
func.func @rms_norm(%x: tensor<3x8xbf16>, %scale: tensor<8xbf16>) -> tensor<3x8xbf16> {
  %y = tensor_graph.rms_norm %x, %scale {axis = 1, epsilon = 1.0e-06} : tensor<3x8xbf16>, tensor<8xbf16> -> tensor<3x8xbf16>
  func.return %y : tensor<3x8xbf16>
}
