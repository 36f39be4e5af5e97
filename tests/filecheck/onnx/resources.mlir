// REQUIRES: onnx
// RUN: %python %S/Inputs/models.py big %t.onnx
// RUN: stepwell-import-onnx %t.onnx -o %t.mlir
// RUN: filecheck %s < %t.mlir
// The text runs:
// RUN: %python -c "import numpy; numpy.save('%t.x.npy', numpy.zeros((2, 512), numpy.float32))"
// RUN: stepwell-run %t.mlir --input %t.x.npy | filecheck %s --check-prefix=EXEC
// --inline-limit moves the line between inline and blob (fc.bias is 4096 bytes):
// RUN: stepwell-import-onnx %t.onnx --inline-limit 4096 | filecheck %s --check-prefix=LIMIT
// The text parses back to the same text (last: lit's `diff` leaves PYTHONPATH pointing
// at lit for the commands after it):
// RUN: stepwell-opt %t.mlir -o %t.again.mlir && diff %t.mlir %t.again.mlir

// Initializers over 1 KiB are dense_resource blobs, named after them; a splat (scale,
// all 0.5) prints as one element and a small one (tiny) inline; the 2 MiB weight is
// hex once, in the section at the end.
// CHECK:      %fc.weight = tensor_graph.constant {value = dense_resource<fc.weight> : tensor<512x1024xf32>} : tensor<512x1024xf32>
// CHECK-NEXT: %fc.bias = tensor_graph.constant {value = dense_resource<fc.bias> : tensor<1024xf32>} : tensor<1024xf32>
// CHECK-NEXT: %scale = tensor_graph.constant {value = dense<5.000000e-01> : tensor<1024xf32>} : tensor<1024xf32>
// CHECK-NEXT: %tiny = tensor_graph.constant {value = dense<[1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00]> : tensor<4xf32>} : tensor<4xf32>
// CHECK-NOT:  dense<[
// CHECK:      func.return %y : tensor<2x256x4xf32>
// CHECK:      {-#
// CHECK-NEXT:   dialect_resources: {
// CHECK-NEXT:     builtin: {
// CHECK-NEXT:       fc.weight: "0x04000000{{[0-9A-F]+}}",
// CHECK-NEXT:       fc.bias: "0x04000000{{[0-9A-F]+}}"
// CHECK-NEXT:     }
// CHECK-NEXT:   }
// CHECK-NEXT: #-}

// EXEC: result 0: an array of shape (2, 256, 4) and dtype float32

// LIMIT: %fc.weight = tensor_graph.constant {value = dense_resource<fc.weight>
// LIMIT: %fc.bias = tensor_graph.constant {value = dense<"0x
// LIMIT: fc.weight: "0x04000000
// LIMIT-NOT: fc.bias:
