// tensor_graph ops are Pure: cse merges identical ops (same operands, properties and
// types), dce and canonicalize drop unused ones.
// RUN: stepwell-opt %s -p cse | filecheck %s --check-prefix=CSE
// RUN: stepwell-opt %s -p dce | filecheck %s --check-prefix=DCE
// RUN: stepwell-opt %s -p canonicalize,cse | filecheck %s --check-prefix=BOTH

// CSE-LABEL: func.func @duplicates(
// CSE-SAME:    %[[X:[^:]*]]: tensor<4xf32>, %[[Y:[^:]*]]: tensor<4xf32>
// CSE-NEXT:    %[[C:.*]] = tensor_graph.constant {value = dense<2.000000e+00> : tensor<f32>}
// CSE-NEXT:    %[[A:.*]] = tensor_graph.add %[[X]], %[[Y]] : tensor<4xf32>
// CSE-NEXT:    %[[M:.*]] = tensor_graph.mul %[[A]], %[[C]]
// CSE-NEXT:    %[[B:.*]] = tensor_graph.add %[[Y]], %[[X]] : tensor<4xf32>
// CSE-NEXT:    %[[S:.*]] = tensor_graph.softmax %[[M]] {axis = 0}
// CSE-NEXT:    %[[T:.*]] = tensor_graph.softmax %[[M]] {axis = -1}
// CSE-NEXT:    func.return %[[M]], %[[M]], %[[B]], %[[S]], %[[S]], %[[T]]
func.func @duplicates(%x: tensor<4xf32>, %y: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %c1 = tensor_graph.constant {value = dense<2.0> : tensor<f32>} : tensor<f32>
  %a1 = tensor_graph.add %x, %y : tensor<4xf32>
  %m1 = tensor_graph.mul %a1, %c1 : tensor<4xf32>, tensor<f32> -> tensor<4xf32>
  %c2 = tensor_graph.constant {value = dense<2.0> : tensor<f32>} : tensor<f32>
  %a2 = tensor_graph.add %x, %y : tensor<4xf32>
  %m2 = tensor_graph.mul %a2, %c2 : tensor<4xf32>, tensor<f32> -> tensor<4xf32>
  // operands in the other order: a different op for cse
  %b = tensor_graph.add %y, %x : tensor<4xf32>
  %s1 = tensor_graph.softmax %m1 {axis = 0} : tensor<4xf32>
  %s2 = tensor_graph.softmax %m2 {axis = 0} : tensor<4xf32>
  // a different property: kept apart
  %t = tensor_graph.softmax %m1 {axis = -1} : tensor<4xf32>
  func.return %m1, %m2, %b, %s1, %s2, %t : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}

// Different constants and different result types are never merged.
// CSE-LABEL: func.func @not_duplicates(
// CSE-COUNT-4: tensor_graph.constant
// CSE-NEXT:    func.return
func.func @not_duplicates() -> (tensor<2xf32>, tensor<2xf32>, tensor<f32>, tensor<2xf64>) {
  %a = tensor_graph.constant {value = dense<[1.0, 2.0]> : tensor<2xf32>} : tensor<2xf32>
  %b = tensor_graph.constant {value = dense<[1.0, 3.0]> : tensor<2xf32>} : tensor<2xf32>
  %c = tensor_graph.constant {value = dense<1.0> : tensor<f32>} : tensor<f32>
  %d = tensor_graph.constant {value = dense<[1.0, 2.0]> : tensor<2xf64>} : tensor<2xf64>
  func.return %a, %b, %c, %d : tensor<2xf32>, tensor<2xf32>, tensor<f32>, tensor<2xf64>
}

// DCE-LABEL: func.func @dead(
// DCE-SAME:    %[[X:.*]]: tensor<4xf32>
// DCE-NEXT:    %[[L:.*]] = tensor_graph.log %[[X]]
// DCE-NEXT:    func.return %[[L]]
// BOTH-LABEL: func.func @dead(
// BOTH-NEXT:    %[[L:.*]] = tensor_graph.log
// BOTH-NEXT:    func.return %[[L]]
func.func @dead(%x: tensor<4xf32>) -> tensor<4xf32> {
  %e = tensor_graph.exp %x : tensor<4xf32>
  %r = tensor_graph.reshape %e : tensor<4xf32> -> tensor<2x2xf32>
  %c = tensor_graph.constant {value = dense<1.0> : tensor<f32>} : tensor<f32>
  %l = tensor_graph.log %x : tensor<4xf32>
  %s = tensor_graph.softmax %r {axis = 1} : tensor<2x2xf32>
  func.return %l : tensor<4xf32>
}

// Canonicalization makes duplicates that cse then merges: x * 1 and x + (-0.0) are both
// x, so the two exps are one.
// BOTH-LABEL: func.func @canonicalize_then_cse(
// BOTH-SAME:    %[[X:.*]]: tensor<4xf32>
// BOTH-NEXT:    %[[E:.*]] = tensor_graph.exp %[[X]]
// BOTH-NEXT:    func.return %[[E]], %[[E]]
func.func @canonicalize_then_cse(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %one = tensor_graph.constant {value = dense<1.0> : tensor<f32>} : tensor<f32>
  %nz = tensor_graph.constant {value = dense<-0.0> : tensor<f32>} : tensor<f32>
  %a = tensor_graph.mul %x, %one : tensor<4xf32>, tensor<f32> -> tensor<4xf32>
  %b = tensor_graph.add %nz, %x : tensor<f32>, tensor<4xf32> -> tensor<4xf32>
  %ea = tensor_graph.exp %a : tensor<4xf32>
  %eb = tensor_graph.exp %b : tensor<4xf32>
  func.return %ea, %eb : tensor<4xf32>, tensor<4xf32>
}
