// A constant holding both 0.0 and -0.0 keeps its bits through printing (xDSL alone
// would print the splat dense<0.0>), in the custom and in the generic form.
// RUN: stepwell-opt %s | filecheck %s
// RUN: stepwell-opt %s --mlir-print-op-generic | filecheck %s
// RUN: stepwell-opt %s | stepwell-opt | filecheck %s

// CHECK: dense<"0x0000000000000080"> : tensor<2xf32>
func.func @f() -> tensor<2xf32> {
  %c = "tensor_graph.constant"() <{value = dense<[0.0, -0.0]> : tensor<2xf32>}> : () -> tensor<2xf32>
  func.return %c : tensor<2xf32>
}
