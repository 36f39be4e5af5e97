// RUN: stepwell-opt %s -p convert-tensor_graph-to-loops --verify-diagnostics
// RUN: stepwell-opt %s -p tensor_graph-decompose,convert-tensor_graph-to-loops | filecheck %s

// Composites must be decomposed first: each is reported where it is written.

// CHECK-LABEL: func.func @composites
// CHECK-NOT:     tensor_graph.softmax
// CHECK-NOT:     tensor_graph.relu
// CHECK:         loops.reduce max
// CHECK:         loops.reduce sum
// CHECK:         func.return
func.func @composites(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error@+1 {{is a composite op: run tensor_graph-decompose first}}
  %s = tensor_graph.softmax %x {axis = -1} : tensor<4x8xf32>
  // expected-error@+1 {{is a composite op: run tensor_graph-decompose first}}
  %r = tensor_graph.relu %s : tensor<4x8xf32>
  func.return %r : tensor<4x8xf32>
}
// expected-error@unknown {{2 composite op(s) left (tensor_graph.relu, tensor_graph.softmax): run tensor_graph-decompose first}}
