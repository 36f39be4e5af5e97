// REQUIRES: onnx
// RUN: %python %S/Inputs/models.py shapes %t.onnx
// RUN: stepwell-import-onnx %t.onnx | filecheck %s

// Shape -> Gather -> Unsqueeze -> Concat computes the Reshape's target at import time
// (shapes are static); that arithmetic leaves no op behind. Axes given as an input
// (opset 18) become the reduction's dims.
// CHECK:      func.func @main(%x: tensor<2x3x4xf32>) -> tensor<2xf32> {
// CHECK-NEXT:   %flat = tensor_graph.reshape %x : tensor<2x3x4xf32> -> tensor<2x12xf32>
// CHECK-NEXT:   %y = tensor_graph.reduce %flat {kind = "mean", dims = [1], keepdim = false} : tensor<2x12xf32> -> tensor<2xf32>
// CHECK-NEXT:   func.return %y : tensor<2xf32>
// CHECK-NEXT: }
