// --split-input-file: each chunk between `// -----` lines is parsed, run and printed
// on its own, and the outputs are separated by `// -----`.
// RUN: stepwell-opt %s --split-input-file -p cse | filecheck %s

func.func @first(%x: tensor<4xf32>) -> tensor<4xf32> {
  %a = tensor_graph.neg %x : tensor<4xf32>
  %b = tensor_graph.neg %x : tensor<4xf32>
  %c = tensor_graph.add %a, %b : tensor<4xf32>
  func.return %c : tensor<4xf32>
}

// -----

func.func @second(%x: tensor<2xi32>) -> tensor<2xi32> {
  func.return %x : tensor<2xi32>
}

// -----

// A chunk of comments only is an empty module.

// CHECK:      builtin.module {
// CHECK-NEXT:   func.func @first(%[[X:.*]]: tensor<4xf32>) -> tensor<4xf32> {
// CHECK-NEXT:     %[[A:.*]] = tensor_graph.neg %[[X]] : tensor<4xf32>
// CHECK-NEXT:     %[[C:.*]] = tensor_graph.add %[[A]], %[[A]] : tensor<4xf32>
// CHECK-NEXT:     func.return %[[C]] : tensor<4xf32>
// CHECK-NEXT:   }
// CHECK-NEXT: }
// CHECK-NEXT: // -----
// CHECK-NEXT: builtin.module {
// CHECK-NEXT:   func.func @second
// CHECK:      // -----
// CHECK-NEXT: builtin.module {
// CHECK-NEXT: }
