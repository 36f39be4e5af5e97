// loops.check_index: the custom form prints back as written, and its generic form
// round-trips to it.
// RUN: stepwell-opt %s | filecheck %s
// RUN: stepwell-opt %s --mlir-print-op-generic | stepwell-opt | filecheck %s
// RUN: stepwell-opt %s --mlir-print-op-generic | filecheck %s --check-prefix=GENERIC

// CHECK-LABEL: func.func @check_index
// CHECK-NEXT:    loops.check_index %i in [-4, 4) for "tensor_graph.gather" axis 0 : tensor<2x3xi32>
// GENERIC:       "loops.check_index"(%i) <{size = 4 : i64, axis = 0 : i64, op = "tensor_graph.gather"}> : (tensor<2x3xi32>) -> ()
func.func @check_index(%x: tensor<4x3xf32>, %i: tensor<2x3xi32>) -> tensor<4x3xf32> {
  loops.check_index %i in [-4, 4) for "tensor_graph.gather" axis 0 : tensor<2x3xi32>
  func.return %x : tensor<4x3xf32>
}
