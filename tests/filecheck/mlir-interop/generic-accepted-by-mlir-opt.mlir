// The generic form stepwell prints at the tensor_graph level is real MLIR: upstream
// mlir-opt parses it (unregistered ops allowed), and what mlir-opt prints back parses
// in stepwell to the same IR (a fixed point after one trip through both).
// REQUIRES: mlir-opt
// RUN: stepwell-opt %S/../dialects/tensor_graph/roundtrip.mlir --mlir-print-op-generic > %t.stepwell
// RUN: %mlir-opt --allow-unregistered-dialect --mlir-print-op-generic %t.stepwell > %t.mlir1
// RUN: stepwell-opt %t.mlir1 --mlir-print-op-generic | %mlir-opt --allow-unregistered-dialect --mlir-print-op-generic > %t.mlir2
// RUN: diff %t.mlir1 %t.mlir2
// RUN: filecheck %s --input-file %t.mlir1

// CHECK: "tensor_graph.softmax"(%{{.*}}) <{axis = -1 : i64}> : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
// CHECK: "tensor_graph.attention"(%{{.*}}, %{{.*}}, %{{.*}}) <{causal = true, scale = 1.250000e-01 : f64}>
