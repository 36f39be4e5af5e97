// activation-decompose rewrites the plugin's ops into tensor_graph ops, with scalar
// constants of the element type:
//   hardswish(x) = x * clamp(x + 3, 0, 6) / 6
//   mish(x)      = x * tanh(max(x, 0) + log(1 + exp(-|x|)))     (a stable softplus)
// RUN: stepwell-opt %s --load-dialect-plugin %examples/plugins/activation/activation.py --load-pass-plugin %examples/plugins/activation/activation.py -p activation-decompose | filecheck %s

func.func @hardswish(%x: tensor<2x8xf32>) -> tensor<2x8xf32> {
  %y = activation.hardswish %x : tensor<2x8xf32>
  func.return %y : tensor<2x8xf32>
}

// CHECK-LABEL: func.func @hardswish(
// CHECK-SAME:      %[[X:.*]]: tensor<2x8xf32>)
// CHECK-NEXT:    %[[THREE:.*]] = tensor_graph.constant {value = dense<3.000000e+00> : tensor<f32>} : tensor<f32>
// CHECK-NEXT:    %[[SHIFTED:.*]] = tensor_graph.add %[[X]], %[[THREE]] : tensor<2x8xf32>, tensor<f32> -> tensor<2x8xf32>
// CHECK-NEXT:    %[[GATE:.*]] = tensor_graph.clamp %[[SHIFTED]] {min = 0.000000e+00, max = 6.000000e+00} : tensor<2x8xf32>
// CHECK-NEXT:    %[[PRODUCT:.*]] = tensor_graph.mul %[[X]], %[[GATE]] : tensor<2x8xf32>
// CHECK-NEXT:    %[[SIX:.*]] = tensor_graph.constant {value = dense<6.000000e+00> : tensor<f32>} : tensor<f32>
// CHECK-NEXT:    %[[Y:.*]] = tensor_graph.div %[[PRODUCT]], %[[SIX]] : tensor<2x8xf32>, tensor<f32> -> tensor<2x8xf32>
// CHECK-NEXT:    func.return %[[Y]] : tensor<2x8xf32>

func.func @mish(%x: tensor<5xbf16>) -> tensor<5xbf16> {
  %y = activation.mish %x : tensor<5xbf16>
  func.return %y : tensor<5xbf16>
}

// CHECK-LABEL: func.func @mish(
// CHECK-SAME:      %[[X:.*]]: tensor<5xbf16>)
// CHECK-NEXT:    %[[ONE:.*]] = tensor_graph.constant {value = dense<1.000000e+00> : tensor<bf16>} : tensor<bf16>
// CHECK-NEXT:    %[[ABS:.*]] = tensor_graph.abs %[[X]] : tensor<5xbf16>
// CHECK-NEXT:    %[[NEG:.*]] = tensor_graph.neg %[[ABS]] : tensor<5xbf16>
// CHECK-NEXT:    %[[EXP:.*]] = tensor_graph.exp %[[NEG]] : tensor<5xbf16>
// CHECK-NEXT:    %[[SUM:.*]] = tensor_graph.add %[[ONE]], %[[EXP]] : tensor<bf16>, tensor<5xbf16> -> tensor<5xbf16>
// CHECK-NEXT:    %[[LOG:.*]] = tensor_graph.log %[[SUM]] : tensor<5xbf16>
// CHECK-NEXT:    %[[ZERO:.*]] = tensor_graph.constant {value = dense<0.000000e+00> : tensor<bf16>} : tensor<bf16>
// CHECK-NEXT:    %[[RELU:.*]] = tensor_graph.max %[[X]], %[[ZERO]] : tensor<5xbf16>, tensor<bf16> -> tensor<5xbf16>
// CHECK-NEXT:    %[[SOFTPLUS:.*]] = tensor_graph.add %[[RELU]], %[[LOG]] : tensor<5xbf16>
// CHECK-NEXT:    %[[TANH:.*]] = tensor_graph.tanh %[[SOFTPLUS]] : tensor<5xbf16>
// CHECK-NEXT:    %[[Y:.*]] = tensor_graph.mul %[[X]], %[[TANH]] : tensor<5xbf16>
// CHECK-NEXT:    func.return %[[Y]] : tensor<5xbf16>
