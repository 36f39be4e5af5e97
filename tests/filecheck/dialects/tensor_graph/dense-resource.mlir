// A constant's value may be a dense_resource: its bytes are a blob of the file's
// dialect_resources section (MLIR's form: "0x", 4 bytes of alignment little-endian,
// then the data), printed once after the module; the custom and the generic form
// round-trip to the same text. A name that is no bare identifier is a string.
// RUN: stepwell-opt %s | filecheck %s
// RUN: stepwell-opt %s | stepwell-opt | filecheck %s
// RUN: stepwell-opt %s --mlir-print-op-generic | stepwell-opt | filecheck %s
// RUN: stepwell-opt %s --mlir-print-op-generic | filecheck %s --check-prefix=GENERIC
// The CPU lowering's globals keep the blobs (their bytes are the storage's: i1 as i8,
// bf16 as i16), so the llvm level prints small too:
// RUN: stepwell-opt %s -p lower-to-cpu | filecheck %s --check-prefix=LLVM

// CHECK:      %w = tensor_graph.constant {value = dense_resource<fc.weight> : tensor<3x2xf32>} : tensor<3x2xf32>
// CHECK-NEXT: %m = tensor_graph.constant {value = dense_resource<"onnx::Mask/0"> : tensor<3xi1>} : tensor<3xi1>
// CHECK-NEXT: %h = tensor_graph.constant {value = dense_resource<half> : tensor<2xbf16>} : tensor<2xbf16>
// CHECK:      func.return
// CHECK-NEXT: }
// CHECK-NEXT: }
// CHECK-EMPTY:
// CHECK-NEXT: {-#
// CHECK-NEXT:   dialect_resources: {
// CHECK-NEXT:     builtin: {
// CHECK-NEXT:       fc.weight: "0x040000000000803F000000400000404000008040{{0+}}A0400000C040",
// CHECK-NEXT:       "onnx::Mask/0": "0x01000000010001",
// CHECK-NEXT:       half: "0x02000000803F0040"
// CHECK-NEXT:     }
// CHECK-NEXT:   }
// CHECK-NEXT: #-}
// CHECK-NOT:  dialect_resources

// LLVM: llvm.mlir.global internal constant @f_cst0(dense_resource<fc.weight> : tensor<6xf32>) {{.*}} : !llvm.array<6 x f32>
// LLVM: llvm.mlir.global external constant @f_cst1(dense_resource<"onnx::Mask/0"> : tensor<3xi8>) {{.*}} : !llvm.array<3 x i8>
// LLVM: llvm.mlir.global external constant @f_cst2(dense_resource<half> : tensor<2xi16>) {{.*}} : !llvm.array<2 x i16>
// LLVM: {-#
// LLVM: fc.weight: "0x040000000000803F000000400000404000008040{{0+}}A0400000C040",

// GENERIC: "tensor_graph.constant"() <{value = dense_resource<fc.weight> : tensor<3x2xf32>}> : () -> tensor<3x2xf32>
// GENERIC: fc.weight: "0x04000000

func.func @f(%x: tensor<2x3xf32>) -> (tensor<2x2xf32>, tensor<3xi1>, tensor<2xbf16>) {
  %w = tensor_graph.constant {value = dense_resource<fc.weight> : tensor<3x2xf32>} : tensor<3x2xf32>
  %m = "tensor_graph.constant"() <{value = dense_resource<"onnx::Mask/0"> : tensor<3xi1>}> : () -> tensor<3xi1>
  %h = tensor_graph.constant {value = dense_resource<half> : tensor<2xbf16>} : tensor<2xbf16>
  %y = tensor_graph.matmul %x, %w : tensor<2x3xf32>, tensor<3x2xf32> -> tensor<2x2xf32>
  func.return %y, %m, %h : tensor<2x2xf32>, tensor<3xi1>, tensor<2xbf16>
}

{-#
  dialect_resources: {
    builtin: {
      // (printed in the order the IR first uses them; a blob no op uses is not printed)
      unused: "0x0100000000",
      "onnx::Mask/0": "0x01000000010001",
      half: "0x02000000803f0040",
      fc.weight: "0x040000000000803F0000004000004040000080400000A0400000C040"
    }
  }
#-}
