// Ops of unknown dialects are an error unless --allow-unregistered-dialect, which keeps
// them (in the generic form) through passes.
// RUN: stepwell-opt %s --allow-unregistered-dialect -p cse | filecheck %s
// RUN: not stepwell-opt %s 2>&1 | filecheck %s --check-prefix ERR

func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  %y = "mine.op"(%x) {k = 1 : i64} : (tensor<4xf32>) -> tensor<4xf32>
  %z = tensor_graph.neg %y : tensor<4xf32>
  func.return %z : tensor<4xf32>
}

// CHECK:      %y = "mine.op"(%x) {k = 1 : i64} : (tensor<4xf32>) -> tensor<4xf32>
// CHECK-NEXT: %z = tensor_graph.neg %y : tensor<4xf32>

// ERR:      allow-unregistered-dialect.mlir:7:9: error: Operation mine.op is not registered (load the plugin that defines it, or pass --allow-unregistered-dialect to keep it as is)
// ERR-NEXT:   %y = "mine.op"(%x) {k = 1 : i64} : (tensor<4xf32>) -> tensor<4xf32>
// ERR-NEXT: {{^}}        ^
// ERR-NOT:  Traceback
