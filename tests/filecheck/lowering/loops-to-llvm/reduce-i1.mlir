// RUN: stepwell-opt %s -p convert-loops-to-llvm | filecheck %s

// On i1 the reduction kinds are the semantic table's (stepwell/semantics.py): sum is
// xor (addition modulo 2, as arith.addi on i1), prod and min are and, max is or.
// CHECK-LABEL: llvm.func @sum_k0
// CHECK:         llvm.xor %{{.*}}, %{{.*}} : i1
// CHECK-LABEL: llvm.func @max_k0
// CHECK:         llvm.or %{{.*}}, %{{.*}} : i1
// CHECK-LABEL: llvm.func @prod_k0
// CHECK:         llvm.and %{{.*}}, %{{.*}} : i1
func.func @sum(%x: tensor<3x5xi1>) -> tensor<3xi1> {
  %y = loops.reduce sum over [5] : tensor<3xi1> {
    %a = loops.load %x[d0, r0] : tensor<3x5xi1>
    loops.yield %a : i1
  }
  func.return %y : tensor<3xi1>
}

func.func @max(%x: tensor<3x5xi1>) -> tensor<3xi1> {
  %y = loops.reduce max over [5] : tensor<3xi1> {
    %a = loops.load %x[d0, r0] : tensor<3x5xi1>
    loops.yield %a : i1
  }
  func.return %y : tensor<3xi1>
}

func.func @prod(%x: tensor<3x5xi1>) -> tensor<3xi1> {
  %y = loops.reduce prod over [5] : tensor<3xi1> {
    %a = loops.load %x[d0, r0] : tensor<3x5xi1>
    loops.yield %a : i1
  }
  func.return %y : tensor<3xi1>
}
