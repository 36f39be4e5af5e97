// --mlir-timing reports the wall time of parsing, verifying, each pass and printing
// on stderr, as mlir-opt's "Execution time report".
// RUN: stepwell-opt %s -p cse,canonicalize,cse --mlir-timing 2>&1 >/dev/null | filecheck %s

func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  func.return %x : tensor<4xf32>
}

// CHECK:      ... Execution time report ...
// CHECK:        Total Execution Time: {{[0-9.]+}} seconds
// CHECK:        ----Wall Time----  ----Name----
// CHECK-NEXT:     {{[0-9.]+}} ({{ *[0-9.]+}}%)  Parser
// CHECK-NEXT:     {{[0-9.]+}} ({{ *[0-9.]+}}%)  Verifier
// CHECK-NEXT:     {{[0-9.]+}} ({{ *[0-9.]+}}%)  cse
// CHECK-NEXT:     {{[0-9.]+}} ({{ *[0-9.]+}}%)  canonicalize
// CHECK-NEXT:     {{[0-9.]+}} ({{ *[0-9.]+}}%)  cse
// CHECK-NEXT:     {{[0-9.]+}} ({{ *[0-9.]+}}%)  Output
// CHECK-NEXT:     {{[0-9.]+}} ({{ *[0-9.]+}}%)  Rest
// CHECK-NEXT:     {{[0-9.]+}} (100.0%)  Total
