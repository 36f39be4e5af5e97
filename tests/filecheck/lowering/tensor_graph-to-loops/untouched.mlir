// RUN: stepwell-opt %s -p convert-tensor_graph-to-loops | filecheck %s

// Loops-level IR, functions without tensor_graph ops, and constants pass through.

// CHECK-LABEL: func.func @already_loops
// CHECK-NEXT:    %k = tensor_graph.constant {value = dense<[1, 2]> : tensor<2xi32>} : tensor<2xi32>
// CHECK-NEXT:    %y = loops.pointwise : tensor<2xi32> {
// CHECK-NEXT:      %a = loops.load %x[d0] : tensor<2xi32>
// CHECK-NEXT:      %b = loops.load %k[d0] : tensor<2xi32>
// CHECK-NEXT:      %s = arith.addi %a, %b : i32
// CHECK-NEXT:      loops.yield %s : i32
// CHECK-NEXT:    }
// CHECK-NEXT:    %m = loops.kernel parallel [] reduction [k0 = 2] -> tensor<i32> {
// CHECK-NEXT:      %r = loops.reduce max over [2] : tensor<i32> at (| k0) {
// CHECK-NEXT:        %v = loops.load %y[r0] : tensor<2xi32>
// CHECK-NEXT:        loops.yield %v : i32
// CHECK-NEXT:      }
// CHECK-NEXT:      loops.yield %r : tensor<i32>
// CHECK-NEXT:    }
// CHECK-NEXT:    func.return %m, %k : tensor<i32>, tensor<2xi32>
func.func @already_loops(%x: tensor<2xi32>) -> (tensor<i32>, tensor<2xi32>) {
  %k = tensor_graph.constant {value = dense<[1, 2]> : tensor<2xi32>} : tensor<2xi32>
  %y = loops.pointwise : tensor<2xi32> {
    %a = loops.load %x[d0] : tensor<2xi32>
    %b = loops.load %k[d0] : tensor<2xi32>
    %s = arith.addi %a, %b : i32
    loops.yield %s : i32
  }
  %m = loops.kernel parallel [] reduction [k0 = 2] -> tensor<i32> {
    %r = loops.reduce max over [2] : tensor<i32> at (| k0) {
      %v = loops.load %y[r0] : tensor<2xi32>
      loops.yield %v : i32
    }
    loops.yield %r : tensor<i32>
  }
  func.return %m, %k : tensor<i32>, tensor<2xi32>
}

// CHECK-LABEL: func.func @identity
// CHECK-NEXT:    func.return %x : tensor<3xf32>
func.func @identity(%x: tensor<3xf32>) -> tensor<3xf32> {
  func.return %x : tensor<3xf32>
}

// A splat constant returned as it is stays.
// CHECK-LABEL: func.func @splat_result
// CHECK-NEXT:    %c = tensor_graph.constant {value = dense<2.500000e+00> : tensor<4xf32>} : tensor<4xf32>
// CHECK-NEXT:    func.return %c
func.func @splat_result() -> tensor<4xf32> {
  %c = tensor_graph.constant {value = dense<2.5> : tensor<4xf32>} : tensor<4xf32>
  func.return %c : tensor<4xf32>
}
