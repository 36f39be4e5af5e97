// RUN: stepwell-opt %s -p tensor_graph-decompose | filecheck %s
// RUN: stepwell-opt %s -p tensor_graph-decompose | filecheck %s --check-prefix=NARROW

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

// rms_norm: x * rsqrt(mean(x*x) + eps) * scale; bf16 in f32 (eps an f32 constant),
// rounded to bf16 once.
// CHECK-LABEL: func.func @rms_norm
// CHECK-NEXT:    %[[X:.*]] = tensor_graph.cast %x : tensor<3x8xbf16> -> tensor<3x8xf32>
// CHECK-NEXT:    %[[SC:.*]] = tensor_graph.cast %scale : tensor<8xbf16> -> tensor<8xf32>
// CHECK-NEXT:    %[[SQ:.*]] = tensor_graph.mul %[[X]], %[[X]] : tensor<3x8xf32>
// CHECK-NEXT:    %[[MS:.*]] = tensor_graph.reduce %[[SQ]] {kind = "mean", dims = [1], keepdim = true} : tensor<3x8xf32> -> tensor<3x1xf32>
// CHECK-NEXT:    %[[EPS:.*]] = tensor_graph.constant {value = dense<1.000000e-06> : tensor<f32>} : tensor<f32>
// CHECK-NEXT:    %[[MSE:.*]] = tensor_graph.add %[[MS]], %[[EPS]] : tensor<3x1xf32>, tensor<f32> -> tensor<3x1xf32>
// CHECK-NEXT:    %[[R:.*]] = tensor_graph.rsqrt %[[MSE]] : tensor<3x1xf32>
// CHECK-NEXT:    %[[N:.*]] = tensor_graph.mul %[[X]], %[[R]] : tensor<3x8xf32>, tensor<3x1xf32> -> tensor<3x8xf32>
// CHECK-NEXT:    %[[S:.*]] = tensor_graph.mul %[[N]], %[[SC]] : tensor<3x8xf32>, tensor<8xf32> -> tensor<3x8xf32>
// CHECK-NEXT:    %y = tensor_graph.cast %[[S]] : tensor<3x8xf32> -> tensor<3x8xbf16>
// CHECK-NEXT:    func.return %y

// NARROW-LABEL: func.func @rms_norm(
// NARROW:         tensor_graph.cast %scale : tensor<8xbf16> -> tensor<8xf32>
// NARROW-NOT:     f16
// NARROW:         %y = tensor_graph.cast %{{.*}} : tensor<3x8xf32> ->
// NARROW-SAME:    tensor<3x8xbf16>
// NARROW-NEXT:    func.return %y : tensor<3x8xbf16>
func.func @rms_norm(%x: tensor<3x8xbf16>, %scale: tensor<8xbf16>) -> tensor<3x8xbf16> {
  %y = tensor_graph.rms_norm %x, %scale {axis = 1, epsilon = 1.0e-06} : tensor<3x8xbf16>, tensor<8xbf16> -> tensor<3x8xbf16>
  func.return %y : tensor<3x8xbf16>
}
