// RUN: stepwell-opt %s -p tensor_graph-decompose | filecheck %s
// RUN: stepwell-opt %s -p tensor_graph-decompose | filecheck %s --check-prefix=NARROW

// relu(x) = max(x, 0); clamp(x) = min(max(x, lo), hi), integer constants for integers.

// CHECK-LABEL: func.func @relu_f32
// CHECK-NEXT:    %[[ZERO:.*]] = tensor_graph.constant {value = dense<0.000000e+00> : tensor<f32>} : tensor<f32>
// CHECK-NEXT:    %y = tensor_graph.max %x, %[[ZERO]] : tensor<7x13xf32>, tensor<f32> -> tensor<7x13xf32>
// CHECK-NEXT:    func.return %y
func.func @relu_f32(%x: tensor<7x13xf32>) -> tensor<7x13xf32> {
  %y = tensor_graph.relu %x : tensor<7x13xf32>
  func.return %y : tensor<7x13xf32>
}

// CHECK-LABEL: func.func @relu_i32
// CHECK-NEXT:    %[[ZERO:.*]] = tensor_graph.constant {value = dense<0> : tensor<i32>} : tensor<i32>
// CHECK-NEXT:    %y = tensor_graph.max %x, %[[ZERO]] : tensor<3x1xi32>, tensor<i32> -> tensor<3x1xi32>
// CHECK-NEXT:    func.return %y
func.func @relu_i32(%x: tensor<3x1xi32>) -> tensor<3x1xi32> {
  %y = tensor_graph.relu %x : tensor<3x1xi32>
  func.return %y : tensor<3x1xi32>
}

// f16 goes through f32 like every composite (the casts are exact here, and free
// once fused).
// CHECK-LABEL: func.func @clamp_f16
// CHECK-NEXT:    %[[X:.*]] = tensor_graph.cast %x : tensor<8xf16> -> tensor<8xf32>
// CHECK-NEXT:    %[[LO:.*]] = tensor_graph.constant {value = dense<-1.000000e+00> : tensor<f32>} : tensor<f32>
// CHECK-NEXT:    %[[MAX:.*]] = tensor_graph.max %[[X]], %[[LO]] : tensor<8xf32>, tensor<f32> -> tensor<8xf32>
// CHECK-NEXT:    %[[HI:.*]] = tensor_graph.constant {value = dense<6.000000e+00> : tensor<f32>} : tensor<f32>
// CHECK-NEXT:    %[[MIN:.*]] = tensor_graph.min %[[MAX]], %[[HI]] : tensor<8xf32>, tensor<f32> -> tensor<8xf32>
// CHECK-NEXT:    %y = tensor_graph.cast %[[MIN]] : tensor<8xf32> -> tensor<8xf16>
// CHECK-NEXT:    func.return %y

// NARROW-LABEL: func.func @clamp_f16(
// NARROW:         tensor_graph.cast %x : tensor<8xf16> -> tensor<8xf32>
// NARROW-NOT:     f16
// NARROW:         %y = tensor_graph.cast %{{.*}} : tensor<8xf32> ->
// NARROW-SAME:    tensor<8xf16>
// NARROW-NEXT:    func.return %y : tensor<8xf16>
func.func @clamp_f16(%x: tensor<8xf16>) -> tensor<8xf16> {
  %y = tensor_graph.clamp %x {min = -1.0, max = 6.0} : tensor<8xf16>
  func.return %y : tensor<8xf16>
}

// An infinite bound costs nothing.
// CHECK-LABEL: func.func @clamp_below_only
// CHECK-NEXT:    %[[LO:.*]] = tensor_graph.constant {value = dense<5.000000e-01> : tensor<f32>} : tensor<f32>
// CHECK-NEXT:    %y = tensor_graph.max %x, %[[LO]] : tensor<8xf32>, tensor<f32> -> tensor<8xf32>
// CHECK-NEXT:    func.return %y
func.func @clamp_below_only(%x: tensor<8xf32>) -> tensor<8xf32> {
  %y = "tensor_graph.clamp"(%x) <{min = 0.5 : f64, max = 0x7FF0000000000000 : f64}> : (tensor<8xf32>) -> tensor<8xf32>
  func.return %y : tensor<8xf32>
}

// CHECK-LABEL: func.func @clamp_unbounded
// CHECK-NEXT:    func.return %x : tensor<8xf32>
func.func @clamp_unbounded(%x: tensor<8xf32>) -> tensor<8xf32> {
  %y = "tensor_graph.clamp"(%x) <{min = 0xFFF0000000000000 : f64, max = 0x7FF0000000000000 : f64}> : (tensor<8xf32>) -> tensor<8xf32>
  func.return %y : tensor<8xf32>
}

// CHECK-LABEL: func.func @clamp_i64
// CHECK-NEXT:    %[[LO:.*]] = tensor_graph.constant {value = dense<-3> : tensor<i64>} : tensor<i64>
// CHECK-NEXT:    %[[MAX:.*]] = tensor_graph.max %x, %[[LO]] : tensor<2x5xi64>, tensor<i64> -> tensor<2x5xi64>
// CHECK-NEXT:    %[[HI:.*]] = tensor_graph.constant {value = dense<3> : tensor<i64>} : tensor<i64>
// CHECK-NEXT:    %y = tensor_graph.min %[[MAX]], %[[HI]] : tensor<2x5xi64>, tensor<i64> -> tensor<2x5xi64>
// CHECK-NEXT:    func.return %y
func.func @clamp_i64(%x: tensor<2x5xi64>) -> tensor<2x5xi64> {
  %y = tensor_graph.clamp %x {min = -3.0, max = 3.0} : tensor<2x5xi64>
  func.return %y : tensor<2x5xi64>
}

// A bound past the end of the integer type's range does nothing and is dropped.
// CHECK-LABEL: func.func @clamp_i8_wide_low
// CHECK-NEXT:    %[[HI:.*]] = tensor_graph.constant {value = dense<100> : tensor<i8>} : tensor<i8>
// CHECK-NEXT:    %y = tensor_graph.min %x, %[[HI]] : tensor<4xi8>, tensor<i8> -> tensor<4xi8>
// CHECK-NEXT:    func.return %y
func.func @clamp_i8_wide_low(%x: tensor<4xi8>) -> tensor<4xi8> {
  %y = tensor_graph.clamp %x {min = -1000.0, max = 100.0} : tensor<4xi8>
  func.return %y : tensor<4xi8>
}

// min > max is valid (every element becomes max): the same max, then min.
// CHECK-LABEL: func.func @clamp_inverted
// CHECK-NEXT:    %[[LO:.*]] = tensor_graph.constant {value = dense<2.000000e+00> : tensor<f32>} : tensor<f32>
// CHECK-NEXT:    %[[MAX:.*]] = tensor_graph.max %x, %[[LO]] : tensor<8xf32>, tensor<f32> -> tensor<8xf32>
// CHECK-NEXT:    %[[HI:.*]] = tensor_graph.constant {value = dense<-1.000000e+00> : tensor<f32>} : tensor<f32>
// CHECK-NEXT:    %y = tensor_graph.min %[[MAX]], %[[HI]] : tensor<8xf32>, tensor<f32> -> tensor<8xf32>
// CHECK-NEXT:    func.return %y
func.func @clamp_inverted(%x: tensor<8xf32>) -> tensor<8xf32> {
  %y = tensor_graph.clamp %x {min = 2.0, max = -1.0} : tensor<8xf32>
  func.return %y : tensor<8xf32>
}
