// RUN: stepwell-opt %s -p tensor_graph-decompose | filecheck %s
// RUN: stepwell-opt %s -p tensor_graph-decompose | filecheck %s --check-prefix=NARROW

// gelu "none": x * 0.5 * (1 + erf(x * 1/sqrt(2)))
// CHECK-LABEL: func.func @gelu_none
// CHECK-NEXT:    %[[HALF:.*]] = tensor_graph.constant {value = dense<5.000000e-01> : tensor<f32>} : tensor<f32>
// CHECK-NEXT:    %[[XH:.*]] = tensor_graph.mul %x, %[[HALF]] : tensor<7x13xf32>, tensor<f32> -> tensor<7x13xf32>
// CHECK-NEXT:    %[[C:.*]] = tensor_graph.constant {value = dense<0.707106769> : tensor<f32>} : tensor<f32>
// CHECK-NEXT:    %[[XS:.*]] = tensor_graph.mul %x, %[[C]] : tensor<7x13xf32>, tensor<f32> -> tensor<7x13xf32>
// CHECK-NEXT:    %[[ERF:.*]] = tensor_graph.erf %[[XS]] : tensor<7x13xf32>
// CHECK-NEXT:    %[[ONE:.*]] = tensor_graph.constant {value = dense<1.000000e+00> : tensor<f32>} : tensor<f32>
// CHECK-NEXT:    %[[P:.*]] = tensor_graph.add %[[ERF]], %[[ONE]] : tensor<7x13xf32>, tensor<f32> -> tensor<7x13xf32>
// CHECK-NEXT:    %y = tensor_graph.mul %[[XH]], %[[P]] : tensor<7x13xf32>
// CHECK-NEXT:    func.return %y
func.func @gelu_none(%x: tensor<7x13xf32>) -> tensor<7x13xf32> {
  %y = tensor_graph.gelu %x {approximate = "none"} : tensor<7x13xf32>
  func.return %y : tensor<7x13xf32>
}

// gelu "tanh": x * 0.5 * (1 + tanh(x * (sqrt(2/pi) + sqrt(2/pi)*0.044715 * x*x)))
// CHECK-LABEL: func.func @gelu_tanh
// CHECK-NEXT:    %[[X2:.*]] = tensor_graph.mul %x, %x : tensor<3x1x5xf64>
// CHECK-NEXT:    %[[C3:.*]] = tensor_graph.constant {value = dense<0.035677408136300125> : tensor<f64>} : tensor<f64>
// CHECK-NEXT:    %[[T:.*]] = tensor_graph.mul %[[X2]], %[[C3]] : tensor<3x1x5xf64>, tensor<f64> -> tensor<3x1x5xf64>
// CHECK-NEXT:    %[[C1:.*]] = tensor_graph.constant {value = dense<0.79788456080286541> : tensor<f64>} : tensor<f64>
// CHECK-NEXT:    %[[S:.*]] = tensor_graph.add %[[T]], %[[C1]] : tensor<3x1x5xf64>, tensor<f64> -> tensor<3x1x5xf64>
// CHECK-NEXT:    %[[IN:.*]] = tensor_graph.mul %x, %[[S]] : tensor<3x1x5xf64>
// CHECK-NEXT:    %[[HALF:.*]] = tensor_graph.constant {value = dense<5.000000e-01> : tensor<f64>} : tensor<f64>
// CHECK-NEXT:    %[[XH:.*]] = tensor_graph.mul %x, %[[HALF]] : tensor<3x1x5xf64>, tensor<f64> -> tensor<3x1x5xf64>
// CHECK-NEXT:    %[[TH:.*]] = tensor_graph.tanh %[[IN]] : tensor<3x1x5xf64>
// CHECK-NEXT:    %[[ONE:.*]] = tensor_graph.constant {value = dense<1.000000e+00> : tensor<f64>} : tensor<f64>
// CHECK-NEXT:    %[[P:.*]] = tensor_graph.add %[[TH]], %[[ONE]] : tensor<3x1x5xf64>, tensor<f64> -> tensor<3x1x5xf64>
// CHECK-NEXT:    %y = tensor_graph.mul %[[XH]], %[[P]] : tensor<3x1x5xf64>
// CHECK-NEXT:    func.return %y
func.func @gelu_tanh(%x: tensor<3x1x5xf64>) -> tensor<3x1x5xf64> {
  %y = tensor_graph.gelu %x {approximate = "tanh"} : tensor<3x1x5xf64>
  func.return %y : tensor<3x1x5xf64>
}

// f16 is computed in f32 and rounded once: one cast in, one cast out.
// CHECK-LABEL: func.func @gelu_f16
// CHECK-NEXT:    %[[X:.*]] = tensor_graph.cast %x : tensor<6xf16> -> tensor<6xf32>
// CHECK-NEXT:    %[[HALF:.*]] = tensor_graph.constant {value = dense<5.000000e-01> : tensor<f32>} : tensor<f32>
// CHECK-NEXT:    %[[XH:.*]] = tensor_graph.mul %[[X]], %[[HALF]] : tensor<6xf32>, tensor<f32> -> tensor<6xf32>
// CHECK-NEXT:    %[[C:.*]] = tensor_graph.constant {value = dense<0.707106769> : tensor<f32>} : tensor<f32>
// CHECK-NEXT:    %[[XS:.*]] = tensor_graph.mul %[[X]], %[[C]] : tensor<6xf32>, tensor<f32> -> tensor<6xf32>
// CHECK-NEXT:    %[[ERF:.*]] = tensor_graph.erf %[[XS]] : tensor<6xf32>
// CHECK-NEXT:    %[[ONE:.*]] = tensor_graph.constant {value = dense<1.000000e+00> : tensor<f32>} : tensor<f32>
// CHECK-NEXT:    %[[P:.*]] = tensor_graph.add %[[ERF]], %[[ONE]] : tensor<6xf32>, tensor<f32> -> tensor<6xf32>
// CHECK-NEXT:    %[[R:.*]] = tensor_graph.mul %[[XH]], %[[P]] : tensor<6xf32>
// CHECK-NEXT:    %y = tensor_graph.cast %[[R]] : tensor<6xf32> -> tensor<6xf16>
// CHECK-NEXT:    func.return %y

// NARROW-LABEL: func.func @gelu_f16(
// NARROW:         tensor_graph.cast %x : tensor<6xf16> -> tensor<6xf32>
// NARROW-NOT:     f16
// NARROW:         %y = tensor_graph.cast %{{.*}} : tensor<6xf32> ->
// NARROW-SAME:    tensor<6xf16>
// NARROW-NEXT:    func.return %y : tensor<6xf16>
func.func @gelu_f16(%x: tensor<6xf16>) -> tensor<6xf16> {
  %y = tensor_graph.gelu %x {approximate = "none"} : tensor<6xf16>
  func.return %y : tensor<6xf16>
}
