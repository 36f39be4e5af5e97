// Integer identities: +0, -0, *1, /1 are identities, x * 0, x - x and cmp(x, x) have
// known results (no NaN, no signed zero; wraparound keeps neg(neg x) = x).
// RUN: stepwell-opt %s -p canonicalize | filecheck %s

// CHECK-LABEL: func.func @identities(
// CHECK-SAME:    %[[X:.*]]: tensor<3x5xi32>
// CHECK-NEXT:    func.return %[[X]], %[[X]], %[[X]], %[[X]], %[[X]], %[[X]]
func.func @identities(%x: tensor<3x5xi32>) -> (tensor<3x5xi32>, tensor<3x5xi32>, tensor<3x5xi32>, tensor<3x5xi32>, tensor<3x5xi32>, tensor<3x5xi32>) {
  %zero = tensor_graph.constant {value = dense<0> : tensor<i32>} : tensor<i32>
  %one = tensor_graph.constant {value = dense<1> : tensor<1x5xi32>} : tensor<1x5xi32>
  %a = tensor_graph.add %x, %zero : tensor<3x5xi32>, tensor<i32> -> tensor<3x5xi32>
  %b = tensor_graph.add %zero, %x : tensor<i32>, tensor<3x5xi32> -> tensor<3x5xi32>
  %c = tensor_graph.sub %x, %zero : tensor<3x5xi32>, tensor<i32> -> tensor<3x5xi32>
  %d = tensor_graph.mul %one, %x : tensor<1x5xi32>, tensor<3x5xi32> -> tensor<3x5xi32>
  %e = tensor_graph.div %x, %one : tensor<3x5xi32>, tensor<1x5xi32> -> tensor<3x5xi32>
  %n1 = tensor_graph.neg %x : tensor<3x5xi32>
  %n2 = tensor_graph.neg %n1 : tensor<3x5xi32>
  func.return %a, %b, %c, %d, %e, %n2 : tensor<3x5xi32>, tensor<3x5xi32>, tensor<3x5xi32>, tensor<3x5xi32>, tensor<3x5xi32>, tensor<3x5xi32>
}

// 0 - x is neg x.
// CHECK-LABEL: func.func @sub_from_zero(
// CHECK-SAME:    %[[X:.*]]: tensor<4xi8>
// CHECK-NEXT:    %[[N:.*]] = tensor_graph.neg %[[X]] : tensor<4xi8>
// CHECK-NEXT:    func.return %[[N]]
func.func @sub_from_zero(%x: tensor<4xi8>) -> tensor<4xi8> {
  %zero = tensor_graph.constant {value = dense<0> : tensor<4xi8>} : tensor<4xi8>
  %a = tensor_graph.sub %zero, %x : tensor<4xi8>
  func.return %a : tensor<4xi8>
}

// x * 0 is a zero of the result type, broadcast shape included; x - x is zero.
// CHECK-LABEL: func.func @known_results(
// CHECK-DAG:     %[[Z1:.*]] = tensor_graph.constant {value = dense<0> : tensor<2x4xi64>} : tensor<2x4xi64>
// CHECK-DAG:     %[[Z2:.*]] = tensor_graph.constant {value = dense<0> : tensor<4xi64>} : tensor<4xi64>
// CHECK-NOT:     tensor_graph.mul
// CHECK-NOT:     tensor_graph.sub
// CHECK:         func.return %[[Z1]], %[[Z2]]
func.func @known_results(%x: tensor<4xi64>) -> (tensor<2x4xi64>, tensor<4xi64>) {
  %zero = tensor_graph.constant {value = dense<0> : tensor<2x1xi64>} : tensor<2x1xi64>
  %a = tensor_graph.mul %x, %zero : tensor<4xi64>, tensor<2x1xi64> -> tensor<2x4xi64>
  %b = tensor_graph.sub %x, %x : tensor<4xi64>
  func.return %a, %b : tensor<2x4xi64>, tensor<4xi64>
}

// cmp(x, x) on integers is known for every predicate.
// CHECK-LABEL: func.func @self_compare(
// CHECK-NEXT:    %[[EQ:.*]] = tensor_graph.constant {value = dense<true> : tensor<3xi1>}
// CHECK-NEXT:    %[[NE:.*]] = tensor_graph.constant {value = dense<false> : tensor<3xi1>}
// CHECK-NEXT:    %[[LE:.*]] = tensor_graph.constant {value = dense<true> : tensor<3xi1>}
// CHECK-NEXT:    %[[LT:.*]] = tensor_graph.constant {value = dense<false> : tensor<3xi1>}
// CHECK-NEXT:    %[[GE:.*]] = tensor_graph.constant {value = dense<true> : tensor<3xi1>}
// CHECK-NEXT:    %[[GT:.*]] = tensor_graph.constant {value = dense<false> : tensor<3xi1>}
// CHECK-NEXT:    func.return %[[EQ]], %[[NE]], %[[LE]], %[[LT]], %[[GE]], %[[GT]]
func.func @self_compare(%x: tensor<3xi32>) -> (tensor<3xi1>, tensor<3xi1>, tensor<3xi1>, tensor<3xi1>, tensor<3xi1>, tensor<3xi1>) {
  %eq = tensor_graph.cmp %x, %x {predicate = "eq"} : tensor<3xi32>, tensor<3xi32> -> tensor<3xi1>
  %ne = tensor_graph.cmp %x, %x {predicate = "ne"} : tensor<3xi32>, tensor<3xi32> -> tensor<3xi1>
  %le = tensor_graph.cmp %x, %x {predicate = "le"} : tensor<3xi32>, tensor<3xi32> -> tensor<3xi1>
  %lt = tensor_graph.cmp %x, %x {predicate = "lt"} : tensor<3xi32>, tensor<3xi32> -> tensor<3xi1>
  %ge = tensor_graph.cmp %x, %x {predicate = "ge"} : tensor<3xi32>, tensor<3xi32> -> tensor<3xi1>
  %gt = tensor_graph.cmp %x, %x {predicate = "gt"} : tensor<3xi32>, tensor<3xi32> -> tensor<3xi1>
  func.return %eq, %ne, %le, %lt, %ge, %gt : tensor<3xi1>, tensor<3xi1>, tensor<3xi1>, tensor<3xi1>, tensor<3xi1>, tensor<3xi1>
}

// Constants that are not identities, and identities that broadcast x, stay.
// CHECK-LABEL: func.func @kept(
// CHECK:         tensor_graph.add
// CHECK:         tensor_graph.mul
// CHECK:         tensor_graph.div
// CHECK:         tensor_graph.div
func.func @kept(%x: tensor<4xi32>) -> (tensor<4xi32>, tensor<2x4xi32>, tensor<4xi32>, tensor<4xi32>) {
  %two = tensor_graph.constant {value = dense<2> : tensor<i32>} : tensor<i32>
  %one = tensor_graph.constant {value = dense<1> : tensor<2x4xi32>} : tensor<2x4xi32>
  %one1 = tensor_graph.constant {value = dense<1> : tensor<i32>} : tensor<i32>
  %a = tensor_graph.add %x, %two : tensor<4xi32>, tensor<i32> -> tensor<4xi32>
  %b = tensor_graph.mul %x, %one : tensor<4xi32>, tensor<2x4xi32> -> tensor<2x4xi32>
  %c = tensor_graph.div %one1, %x : tensor<i32>, tensor<4xi32> -> tensor<4xi32>
  %d = tensor_graph.div %x, %two : tensor<4xi32>, tensor<i32> -> tensor<4xi32>
  func.return %a, %b, %c, %d : tensor<4xi32>, tensor<2x4xi32>, tensor<4xi32>, tensor<4xi32>
}
