// --print-ir-after-all / --print-ir-before-all print the module to stderr around each
// pass, under mlir-opt's headers; stdout still gets only the result.
// RUN: stepwell-opt %s -p cse,canonicalize --print-ir-after-all 2>&1 >/dev/null | filecheck %s --check-prefix AFTER
// RUN: stepwell-opt %s -p cse,canonicalize --mlir-print-ir-before-all 2>&1 >/dev/null | filecheck %s --check-prefix BEFORE
// RUN: stepwell-opt %s -p cse --print-ir-before-all --print-ir-after-all 2>/dev/null | filecheck %s --check-prefix STDOUT

func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  %a = tensor_graph.neg %x : tensor<4xf32>
  %b = tensor_graph.neg %x : tensor<4xf32>
  %c = tensor_graph.add %a, %b : tensor<4xf32>
  func.return %c : tensor<4xf32>
}

// AFTER:      // -----// IR Dump After cse (cse) //----- //
// AFTER-NEXT: builtin.module {
// AFTER:        tensor_graph.neg
// AFTER-NOT:    tensor_graph.neg
// AFTER:      // -----// IR Dump After canonicalize (canonicalize) //----- //
// AFTER-NEXT: builtin.module {
// AFTER-NOT:  IR Dump

// BEFORE:      // -----// IR Dump Before cse (cse) //----- //
// BEFORE-NEXT: builtin.module {
// BEFORE:        tensor_graph.neg
// BEFORE:        tensor_graph.neg
// BEFORE:      // -----// IR Dump Before canonicalize (canonicalize) //----- //
// BEFORE-NOT:  IR Dump

// STDOUT-NOT: IR Dump
// STDOUT:     builtin.module {
// STDOUT-NOT: IR Dump
