// LLVM (O3 and code generation) runs in a worker process with a time limit,
// STEPWELL_COMPILE_TIMEOUT seconds: past it, a clear error naming the step and the limit.
// RUN: env STEPWELL_COMPILE_TIMEOUT=0.001 not stepwell-opt %s -p lower-to-cpu --emit llvm 2>&1 | filecheck %s
// RUN: env STEPWELL_COMPILE_TIMEOUT=60 stepwell-opt %s -p lower-to-cpu --emit llvm | filecheck %s --check-prefix=OK

// CHECK: compile-timeout.mlir: error: cannot emit llvm: LLVM O3 did not finish within 0.001 s (the limit; set STEPWELL_COMPILE_TIMEOUT to a number of seconds to change it, 0 for none)
// CHECK-NOT: Traceback
// OK: define void @f_k0(

func.func @f(%x: tensor<3x5xf32>) -> tensor<3x5xf32> {
  %y = tensor_graph.exp %x : tensor<3x5xf32>
  func.return %y : tensor<3x5xf32>
}
