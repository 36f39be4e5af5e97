// After decomposition and canonicalization the IR is still real MLIR.
// REQUIRES: mlir-opt
// RUN: stepwell-opt %S/../dialects/tensor_graph/roundtrip.mlir -p tensor_graph-decompose,canonicalize,cse --mlir-print-op-generic | %mlir-opt --allow-unregistered-dialect --mlir-print-op-generic | filecheck %s

// CHECK-NOT: tensor_graph.softmax
// CHECK: "tensor_graph.reduce"
