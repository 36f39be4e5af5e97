// --verify-diagnostics fails (exit 1) when an annotation is not produced, when a
// diagnostic is not announced, or announced with other text, kind or line; it lists
// each mismatch with FILE:LINE:COL.
// RUN: not stepwell-opt %S/Inputs/bad-annotations.mlir --split-input-file --verify-diagnostics 2>&1 | filecheck %s

// CHECK-NOT:  builtin.module
// CHECK:      bad-annotations.mlir:2:6: error: expected error "never happens" was not produced

// CHECK:      bad-annotations.mlir:10:3: error: unexpected error: 'tensor_graph.neg' op result type tensor<5xf32> does not match the inferred tensor<4xf32>
// CHECK-NEXT:   %y = "tensor_graph.neg"(%x) : (tensor<4xf32>) -> tensor<5xf32>
// CHECK-NEXT:   ^

// CHECK:      bad-annotations.mlir:17:3: error: unexpected error: 'tensor_graph.neg' op result type
// CHECK:      bad-annotations.mlir:17:69: error: expected error "some other message" was not produced

// CHECK:      bad-annotations.mlir:24:69: error: 'error' diagnostic emitted when expecting a 'warning'
// CHECK:      bad-annotations.mlir:24:69: error: expected warning "does not match" was not produced

// CHECK:      bad-annotations.mlir:32:3: error: unexpected error: 'tensor_graph.neg' op result type
// CHECK:      bad-annotations.mlir:31:6: error: expected error "does not match" was not produced

// CHECK:      bad-annotations.mlir:41:4: error: expected-*@below has no line below it
// CHECK-NOT:  Traceback
