// --mlir-print-op-generic prints every op in the generic form; it reads back to the
// same IR, which prints in the custom form by default.
// RUN: stepwell-opt %s --mlir-print-op-generic | filecheck %s --check-prefix GENERIC
// RUN: stepwell-opt %s --mlir-print-op-generic | stepwell-opt | filecheck %s --check-prefix CUSTOM

func.func @f(%x: tensor<2x3xf32>) -> tensor<3xf32> {
  %s = tensor_graph.reduce %x {kind = "sum", dims = [0], keepdim = false} : tensor<2x3xf32> -> tensor<3xf32>
  func.return %s : tensor<3xf32>
}

// GENERIC:      "builtin.module"() ({
// GENERIC-NEXT:   "func.func"() <{sym_name = "f", function_type = (tensor<2x3xf32>) -> tensor<3xf32>}> ({
// GENERIC-NEXT:   ^bb0(%x: tensor<2x3xf32>):
// GENERIC-NEXT:     %s = "tensor_graph.reduce"(%x) <{kind = "sum", dims = array<i64: 0>, keepdim = false}> : (tensor<2x3xf32>) -> tensor<3xf32>
// GENERIC-NEXT:     "func.return"(%s) : (tensor<3xf32>) -> ()

// CUSTOM:      func.func @f(%x: tensor<2x3xf32>) -> tensor<3xf32> {
// CUSTOM-NEXT:   %s = tensor_graph.reduce %x {kind = "sum", dims = [0], keepdim = false} : tensor<2x3xf32> -> tensor<3xf32>
