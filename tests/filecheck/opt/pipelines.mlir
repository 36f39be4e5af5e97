// -p takes xDSL's flat form and mlir-opt's nested form (also as --pass-pipeline);
// passes nested in func.func(...) or any(...) run on the whole module. A named
// pipeline (registry.register_pipeline) expands in place. All give the same result.
// RUN: stepwell-opt %s -p cse,canonicalize | filecheck %s
// RUN: stepwell-opt %s -p 'builtin.module(func.func(cse),canonicalize)' | filecheck %s
// RUN: stepwell-opt %s --pass-pipeline='builtin.module(any(cse, canonicalize))' | filecheck %s
// RUN: stepwell-opt %s -p cse -p canonicalize | filecheck %s
// RUN: stepwell-opt %s --load-pass-plugin %S/Inputs/test_passes.py -p test-cleanup | filecheck %s
// RUN: stepwell-opt %s --load-pass-plugin %S/Inputs/test_passes.py -p test-cleanup --print-ir-after-all 2>&1 >/dev/null | filecheck %s --check-prefix NAMED
// RUN: stepwell-opt %s -p 'builtin.module()' | filecheck %s --check-prefix NONE

func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  %a = tensor_graph.neg %x : tensor<4xf32>
  %b = tensor_graph.neg %x : tensor<4xf32>
  %c = tensor_graph.add %a, %b : tensor<4xf32>
  %d = tensor_graph.neg %c : tensor<4xf32>
  %e = tensor_graph.neg %d : tensor<4xf32>
  func.return %e : tensor<4xf32>
}

// CHECK:      func.func @f(%[[X:.*]]: tensor<4xf32>) -> tensor<4xf32> {
// CHECK-NEXT:   %[[A:.*]] = tensor_graph.neg %[[X]] : tensor<4xf32>
// CHECK-NEXT:   %[[C:.*]] = tensor_graph.add %[[A]], %[[A]] : tensor<4xf32>
// CHECK-NEXT:   func.return %[[C]] : tensor<4xf32>

// NAMED: IR Dump After cse (cse)
// NAMED: IR Dump After canonicalize (canonicalize)

// NONE-COUNT-4: tensor_graph.neg
