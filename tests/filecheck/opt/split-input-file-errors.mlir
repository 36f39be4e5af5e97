// With --split-input-file every chunk is checked, each error names its line in the
// whole file, and the run fails (exit 1) without writing any output.
// RUN: not stepwell-opt %S/Inputs/split-errors.mlir --split-input-file 2>&1 | filecheck %s

// CHECK-NOT:  builtin.module
// CHECK:      split-errors.mlir:8:3: error: 'tensor_graph.add' op result type tensor<5xf32> does not match the inferred tensor<4xf32>
// CHECK-NEXT:   %y = tensor_graph.add %x, %x : tensor<4xf32>, tensor<4xf32> -> tensor<5xf32>
// CHECK-NEXT:   ^
// CHECK-NEXT: split-errors.mlir:15:29: error:
// CHECK-NEXT:   %y = tensor_graph.add %x, : tensor<4xf32>
// CHECK-NEXT:                             ^
// CHECK-NOT:  builtin.module
// CHECK-NOT:  Traceback
