// REQUIRES: onnx
// RUN: %python %S/Inputs/models.py mlp %t.onnx
// RUN: stepwell-import-onnx %t.onnx -o %t.mlir
// RUN: filecheck %s < %t.mlir
// The imported IR is valid input for stepwell-opt:
// RUN: stepwell-opt %t.mlir -p tensor_graph-decompose | filecheck %s --check-prefix=OPT

// Initializers are constants named after them; Gemm's transB is a transpose.
// CHECK:      func.func @main(%x: tensor<2x4xf32>) -> tensor<2x3xf32> {
// CHECK:        %w1 = tensor_graph.constant {{.*}} : tensor<8x4xf32>
// CHECK:        %b1 = tensor_graph.constant {value = dense<0.000000e+00> : tensor<8xf32>} : tensor<8xf32>
// CHECK:        %w2 = tensor_graph.constant {{.*}} : tensor<8x3xf32>
// CHECK-NEXT:   %[[T:.*]] = tensor_graph.transpose %w1 {perm = [1, 0]} : tensor<8x4xf32> -> tensor<4x8xf32>
// CHECK-NEXT:   %[[M:.*]] = tensor_graph.matmul %x, %[[T]] : tensor<2x4xf32>, tensor<4x8xf32> -> tensor<2x8xf32>
// CHECK-NEXT:   %h = tensor_graph.add %[[M]], %b1 : tensor<2x8xf32>, tensor<8xf32> -> tensor<2x8xf32>
// CHECK-NEXT:   %a = tensor_graph.relu %h : tensor<2x8xf32>
// CHECK-NEXT:   %logits = tensor_graph.matmul %a, %w2 : tensor<2x8xf32>, tensor<8x3xf32> -> tensor<2x3xf32>
// CHECK-NEXT:   %y = tensor_graph.softmax %logits {axis = -1} : tensor<2x3xf32>
// CHECK-NEXT:   func.return %y : tensor<2x3xf32>

// OPT-NOT: tensor_graph.softmax
// OPT:     tensor_graph.exp
