// RUN: stepwell-opt %s -p convert-loops-to-llvm | filecheck %s

// A dense constant is a global the kernel addresses; a splat one folds into the loads;
// a returned one is an external global the runtime reads by name.
// CHECK:      results = array<i64: 3, 2>
// CHECK-SAME: buffers = [{kind = "arg", type = tensor<2x3xf32>, index = 0 : i64}, {kind = "const", type = tensor<3xf32>, symbol = "f_cst0"}, {kind = "const", type = tensor<2xi1>, symbol = "f_cst1"}, {kind = "temp", type = tensor<2x3xf32>}]
// CHECK-DAG:  llvm.mlir.global internal constant @f_cst0(dense<{{.*}}> : tensor<3xf32>) {addr_space = 0 : i32} : !llvm.array<3 x f32>
// CHECK-DAG:  llvm.mlir.global external constant @f_cst1(dense<{{.*}}> : tensor<2xi8>) {addr_space = 0 : i32} : !llvm.array<2 x i8>
// CHECK:      llvm.func @f_k0
// CHECK:        llvm.mlir.addressof @f_cst0 : !llvm.ptr
// CHECK:        llvm.mlir.constant(2.500000e+00 : f32) : f32
func.func @f(%x: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2xi1>) {
  %c = tensor_graph.constant {value = dense<[1.0, -2.0, 3.5]> : tensor<3xf32>} : tensor<3xf32>
  %s = tensor_graph.constant {value = dense<2.5> : tensor<2x3xf32>} : tensor<2x3xf32>
  %b = tensor_graph.constant {value = dense<[true, false]> : tensor<2xi1>} : tensor<2xi1>
  %y = loops.pointwise : tensor<2x3xf32> {
    %a = loops.load %x[d0, d1] : tensor<2x3xf32>
    %k = loops.load %c[d1] : tensor<3xf32>
    %t = loops.load %s[d0, d1] : tensor<2x3xf32>
    %m = arith.mulf %a, %k : f32
    %r = arith.addf %m, %t : f32
    loops.yield %r : f32
  }
  func.return %y, %b : tensor<2x3xf32>, tensor<2xi1>
}
