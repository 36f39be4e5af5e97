// A float intrinsic used at f32 and at f64 in one module is declared once per type,
// under its mangled name (not once under the bare name, the first type winning).
// RUN: stepwell-opt %s -p lower-to-cpu | %python -m stepwell.targets.llvm --unoptimized | filecheck %s
// RUN: stepwell-opt %s -p lower-to-cpu | %python -m stepwell.targets.llvm --unoptimized | filecheck %s --check-prefix=BARE

// CHECK-DAG: declare float @"llvm.sqrt.f32"(float
// CHECK-DAG: declare double @"llvm.sqrt.f64"(double
// CHECK-DAG: declare float @"llvm.floor.f32"(float
// CHECK-DAG: declare double @"llvm.floor.f64"(double
// CHECK-DAG: declare float @"llvm.ceil.f32"(float
// CHECK-DAG: declare double @"llvm.ceil.f64"(double
// CHECK-DAG: declare float @"llvm.fabs.f32"(float
// CHECK-DAG: declare double @"llvm.fabs.f64"(double
// BARE-NOT: @"llvm.{{sqrt|floor|ceil|fabs|copysign|minnum|maxnum}}"(

func.func @both(%x: tensor<8xf32>, %y: tensor<8xf64>) -> (tensor<8xf32>, tensor<8xf64>) {
  %a = tensor_graph.sqrt %x : tensor<8xf32>
  %b = tensor_graph.floor %a : tensor<8xf32>
  %c = tensor_graph.ceil %b : tensor<8xf32>
  %d = tensor_graph.abs %c : tensor<8xf32>
  %e = tensor_graph.tanh %d : tensor<8xf32>
  %p = tensor_graph.sqrt %y : tensor<8xf64>
  %q = tensor_graph.floor %p : tensor<8xf64>
  %r = tensor_graph.ceil %q : tensor<8xf64>
  %s = tensor_graph.abs %r : tensor<8xf64>
  %t = tensor_graph.tanh %s : tensor<8xf64>
  func.return %e, %t : tensor<8xf32>, tensor<8xf64>
}
