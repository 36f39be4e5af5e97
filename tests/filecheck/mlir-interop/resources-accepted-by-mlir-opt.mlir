// dense_resource constants and their dialect_resources section, as stepwell prints
// them, are MLIR's: upstream mlir-opt reads them and prints the same blobs back, which
// stepwell reads (a fixed point after one trip through both); mlir-translate turns the
// CPU lowering's globals that keep the blobs into LLVM constants of the right values.
// REQUIRES: mlir-opt, mlir-translate
// RUN: stepwell-opt %S/../dialects/tensor_graph/dense-resource.mlir --mlir-print-op-generic > %t.stepwell
// RUN: %mlir-opt --allow-unregistered-dialect --mlir-print-op-generic %t.stepwell > %t.mlir1
// RUN: stepwell-opt %t.mlir1 --mlir-print-op-generic | %mlir-opt --allow-unregistered-dialect --mlir-print-op-generic > %t.mlir2
// RUN: filecheck %s --input-file %t.mlir1
// RUN: stepwell-opt %S/../dialects/tensor_graph/dense-resource.mlir -p lower-to-cpu | %mlir-translate --mlir-to-llvmir | filecheck %s --check-prefix=LLVM
// RUN: diff %t.mlir1 %t.mlir2

// CHECK: "tensor_graph.constant"() <{value = dense_resource<fc.weight> : tensor<3x2xf32>}> : () -> tensor<3x2xf32>
// CHECK: "tensor_graph.constant"() <{value = dense_resource<"onnx::Mask/0"> : tensor<3xi1>}> : () -> tensor<3xi1>
// CHECK: dialect_resources: {
// CHECK:   builtin: {
// CHECK-DAG: fc.weight: "0x040000000000803F0000004000004040000080400000A0400000C040"
// CHECK-DAG: "onnx::Mask/0": "0x01000000010001"
// CHECK-DAG: half: "0x02000000803F0040"

// LLVM-DAG: @f_cst0 = internal constant [6 x float] [float 1.000000e+00, float 2.000000e+00, float 3.000000e+00, float 4.000000e+00, float 5.000000e+00, float 6.000000e+00]
// LLVM-DAG: @f_cst1 = constant [3 x i8] c"\01\00\01"
// LLVM-DAG: @f_cst2 = constant [2 x i16] [i16 16256, i16 16384]
