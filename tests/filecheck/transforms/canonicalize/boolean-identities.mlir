// i1 identities: and/or/xor with a constant, x op x, not(not x).
// RUN: stepwell-opt %s -p canonicalize | filecheck %s

// CHECK-LABEL: func.func @with_constants(
// CHECK-SAME:    %[[X:.*]]: tensor<2x3xi1>
// CHECK-DAG:     %[[T:.*]] = tensor_graph.constant {value = dense<true> : tensor<2x3xi1>}
// CHECK-DAG:     %[[F:.*]] = tensor_graph.constant {value = dense<false> : tensor<2x3xi1>}
// CHECK-DAG:     %[[N:.*]] = tensor_graph.not %[[X]] : tensor<2x3xi1>
// CHECK-NOT:     tensor_graph.and
// CHECK-NOT:     tensor_graph.or
// CHECK-NOT:     tensor_graph.xor
// CHECK:         func.return %[[X]], %[[X]], %[[X]], %[[F]], %[[T]], %[[N]]
func.func @with_constants(%x: tensor<2x3xi1>) -> (tensor<2x3xi1>, tensor<2x3xi1>, tensor<2x3xi1>, tensor<2x3xi1>, tensor<2x3xi1>, tensor<2x3xi1>) {
  %t = tensor_graph.constant {value = dense<true> : tensor<i1>} : tensor<i1>
  %f = tensor_graph.constant {value = dense<false> : tensor<3xi1>} : tensor<3xi1>
  %a = tensor_graph.and %x, %t : tensor<2x3xi1>, tensor<i1> -> tensor<2x3xi1>
  %b = tensor_graph.or %f, %x : tensor<3xi1>, tensor<2x3xi1> -> tensor<2x3xi1>
  %c = tensor_graph.xor %x, %f : tensor<2x3xi1>, tensor<3xi1> -> tensor<2x3xi1>
  %d = tensor_graph.and %f, %x : tensor<3xi1>, tensor<2x3xi1> -> tensor<2x3xi1>
  %e = tensor_graph.or %x, %t : tensor<2x3xi1>, tensor<i1> -> tensor<2x3xi1>
  %g = tensor_graph.xor %t, %x : tensor<i1>, tensor<2x3xi1> -> tensor<2x3xi1>
  func.return %a, %b, %c, %d, %e, %g : tensor<2x3xi1>, tensor<2x3xi1>, tensor<2x3xi1>, tensor<2x3xi1>, tensor<2x3xi1>, tensor<2x3xi1>
}

// CHECK-LABEL: func.func @self(
// CHECK-SAME:    %[[X:.*]]: tensor<4xi1>
// CHECK-NEXT:    %[[F:.*]] = tensor_graph.constant {value = dense<false> : tensor<4xi1>}
// CHECK-NEXT:    func.return %[[X]], %[[X]], %[[F]], %[[X]]
func.func @self(%x: tensor<4xi1>) -> (tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>) {
  %a = tensor_graph.and %x, %x : tensor<4xi1>
  %o = tensor_graph.or %x, %x : tensor<4xi1>
  %e = tensor_graph.xor %x, %x : tensor<4xi1>
  %n1 = tensor_graph.not %x : tensor<4xi1>
  %n2 = tensor_graph.not %n1 : tensor<4xi1>
  func.return %a, %o, %e, %n2 : tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>
}

// xor(x, true) broadcasting x is not not(x); and(x, true) broadcasting x stays.
// CHECK-LABEL: func.func @broadcasting_kept(
// CHECK:         tensor_graph.xor
// CHECK:         tensor_graph.and
func.func @broadcasting_kept(%x: tensor<3xi1>) -> (tensor<2x3xi1>, tensor<2x3xi1>) {
  %t = tensor_graph.constant {value = dense<true> : tensor<2x3xi1>} : tensor<2x3xi1>
  %a = tensor_graph.xor %x, %t : tensor<3xi1>, tensor<2x3xi1> -> tensor<2x3xi1>
  %b = tensor_graph.and %x, %t : tensor<3xi1>, tensor<2x3xi1> -> tensor<2x3xi1>
  func.return %a, %b : tensor<2x3xi1>, tensor<2x3xi1>
}
