// RUN: stepwell-opt %s -p convert-tensor_graph-to-loops | filecheck %s

// Reduced dimensions are r0, r1, ... in order; the kept ones d-symbols.
// CHECK-LABEL: func.func @sum_middle
// CHECK-NEXT:    %y = loops.reduce sum over [3] : tensor<2x4xf32> {
// CHECK-NEXT:      %[[X:.*]] = loops.load %x[d0, r0, d1] : tensor<2x3x4xf32>
// CHECK-NEXT:      loops.yield %[[X]] : f32
// CHECK-NEXT:    }
// CHECK-NEXT:    func.return %y
func.func @sum_middle(%x: tensor<2x3x4xf32>) -> tensor<2x4xf32> {
  %y = tensor_graph.reduce %x {kind = "sum", dims = [1], keepdim = false} : tensor<2x3x4xf32> -> tensor<2x4xf32>
  func.return %y : tensor<2x4xf32>
}

// keepdim keeps each dimension at its position (size 1 where reduced).
// CHECK-LABEL: func.func @max_keepdim
// CHECK-NEXT:    %y = loops.reduce max over [2, 4] : tensor<1x3x1xi32> {
// CHECK-NEXT:      %[[X:.*]] = loops.load %x[r0, d1, r1] : tensor<2x3x4xi32>
// CHECK-NEXT:      loops.yield %[[X]] : i32
// CHECK-NEXT:    }
func.func @max_keepdim(%x: tensor<2x3x4xi32>) -> tensor<1x3x1xi32> {
  %y = tensor_graph.reduce %x {kind = "max", dims = [0, -1], keepdim = true} : tensor<2x3x4xi32> -> tensor<1x3x1xi32>
  func.return %y : tensor<1x3x1xi32>
}

// CHECK-LABEL: func.func @prod_min_all
// CHECK:         loops.reduce prod over [5, 2] : tensor<i64>
// CHECK:         loops.load %x[r0, r1] : tensor<5x2xi64>
// CHECK:         loops.reduce min over [5, 2] : tensor<i64>
func.func @prod_min_all(%x: tensor<5x2xi64>) -> (tensor<i64>, tensor<i64>) {
  %p = tensor_graph.reduce %x {kind = "prod", dims = [], keepdim = false} : tensor<5x2xi64> -> tensor<i64>
  %m = tensor_graph.reduce %x {kind = "min", dims = [0, 1], keepdim = false} : tensor<5x2xi64> -> tensor<i64>
  func.return %p, %m : tensor<i64>, tensor<i64>
}

// f16/bf16 accumulate in f32; a pointwise epilogue rounds (loops-fuse merges it).
// CHECK-LABEL: func.func @sum_bf16
// CHECK-NEXT:    %[[S:.*]] = loops.reduce sum over [7] : tensor<3xf32> {
// CHECK-NEXT:      %[[X:.*]] = loops.load %x[d0, r0] : tensor<3x7xbf16>
// CHECK-NEXT:      %[[E:.*]] = arith.extf %[[X]] : bf16 to f32
// CHECK-NEXT:      loops.yield %[[E]] : f32
// CHECK-NEXT:    }
// CHECK-NEXT:    %y = loops.pointwise : tensor<3xbf16> {
// CHECK-NEXT:      %[[L:.*]] = loops.load %[[S]][d0] : tensor<3xf32>
// CHECK-NEXT:      %[[T:.*]] = arith.truncf %[[L]] : f32 to bf16
// CHECK-NEXT:      loops.yield %[[T]] : bf16
// CHECK-NEXT:    }
func.func @sum_bf16(%x: tensor<3x7xbf16>) -> tensor<3xbf16> {
  %y = tensor_graph.reduce %x {kind = "sum", dims = [1], keepdim = false} : tensor<3x7xbf16> -> tensor<3xbf16>
  func.return %y : tensor<3xbf16>
}

// mean = sum, then divide by the count.
// CHECK-LABEL: func.func @mean_f16
// CHECK-NEXT:    %[[S:.*]] = loops.reduce sum over [3, 5] : tensor<2xf32> {
// CHECK-NEXT:      %[[X:.*]] = loops.load %x[r0, d0, r1] : tensor<3x2x5xf16>
// CHECK-NEXT:      %[[E:.*]] = arith.extf %[[X]] : f16 to f32
// CHECK-NEXT:      loops.yield %[[E]] : f32
// CHECK-NEXT:    }
// CHECK-NEXT:    %y = loops.pointwise : tensor<2xf16> {
// CHECK-NEXT:      %[[L:.*]] = loops.load %[[S]][d0] : tensor<2xf32>
// CHECK-NEXT:      %[[N:.*]] = arith.constant 1.500000e+01 : f32
// CHECK-NEXT:      %[[M:.*]] = arith.divf %[[L]], %[[N]] : f32
// CHECK-NEXT:      %[[T:.*]] = arith.truncf %[[M]] : f32 to f16
// CHECK-NEXT:      loops.yield %[[T]] : f16
// CHECK-NEXT:    }
func.func @mean_f16(%x: tensor<3x2x5xf16>) -> tensor<2xf16> {
  %y = tensor_graph.reduce %x {kind = "mean", dims = [0, 2], keepdim = false} : tensor<3x2x5xf16> -> tensor<2xf16>
  func.return %y : tensor<2xf16>
}

// CHECK-LABEL: func.func @mean_f64
// CHECK:         loops.reduce sum over [4] : tensor<3xf64>
// CHECK:         %[[N:.*]] = arith.constant 4.000000e+00 : f64
// CHECK-NEXT:    arith.divf %{{.*}}, %[[N]] : f64
func.func @mean_f64(%x: tensor<3x4xf64>) -> tensor<3xf64> {
  %y = tensor_graph.reduce %x {kind = "mean", dims = [1], keepdim = false} : tensor<3x4xf64> -> tensor<3xf64>
  func.return %y : tensor<3xf64>
}

// i1 max (any) and min (all): reduce the bits as i8, truncate back.
// CHECK-LABEL: func.func @any
// CHECK-NEXT:    %[[R:.*]] = loops.reduce max over [4] : tensor<3xi8> {
// CHECK-NEXT:      %[[B:.*]] = loops.load %b[d0, r0] : tensor<3x4xi1>
// CHECK-NEXT:      %[[E:.*]] = arith.extui %[[B]] : i1 to i8
// CHECK-NEXT:      loops.yield %[[E]] : i8
// CHECK-NEXT:    }
// CHECK-NEXT:    %y = loops.pointwise : tensor<3xi1> {
// CHECK-NEXT:      %[[L:.*]] = loops.load %[[R]][d0] : tensor<3xi8>
// CHECK-NEXT:      %[[T:.*]] = arith.trunci %[[L]] : i8 to i1
// CHECK-NEXT:      loops.yield %[[T]] : i1
// CHECK-NEXT:    }
func.func @any(%b: tensor<3x4xi1>) -> tensor<3xi1> {
  %y = tensor_graph.reduce %b {kind = "max", dims = [1], keepdim = false} : tensor<3x4xi1> -> tensor<3xi1>
  func.return %y : tensor<3xi1>
}

// Reducing a rank-0 tensor (over no dimension) is the value itself.
// CHECK-LABEL: func.func @rank0
// CHECK-NEXT:    %y = loops.pointwise : tensor<f32> {
// CHECK-NEXT:      %[[X:.*]] = loops.load %x[] : tensor<f32>
// CHECK-NEXT:      loops.yield %[[X]] : f32
// CHECK-NEXT:    }
func.func @rank0(%x: tensor<f32>) -> tensor<f32> {
  %y = tensor_graph.reduce %x {kind = "mean", dims = [], keepdim = false} : tensor<f32> -> tensor<f32>
  func.return %y : tensor<f32>
}

// argmax/argmin: the body type is the input's compute type; i1 compares as i8.
// CHECK-LABEL: func.func @args
// CHECK-NEXT:    %a = loops.reduce argmax over [3] (f32) : tensor<5xi64> {
// CHECK-NEXT:      %[[X:.*]] = loops.load %x[r0, d0] : tensor<3x5xf16>
// CHECK-NEXT:      %[[E:.*]] = arith.extf %[[X]] : f16 to f32
// CHECK-NEXT:      loops.yield %[[E]] : f32
// CHECK-NEXT:    }
// CHECK-NEXT:    %b = loops.reduce argmin over [5] (i32) : tensor<3x1xi64> {
// CHECK-NEXT:      %[[I:.*]] = loops.load %i[d0, r0] : tensor<3x5xi32>
// CHECK-NEXT:      loops.yield %[[I]] : i32
// CHECK-NEXT:    }
// CHECK-NEXT:    %c = loops.reduce argmax over [5] (i8) : tensor<3xi64> {
// CHECK-NEXT:      %[[P:.*]] = loops.load %p[d0, r0] : tensor<3x5xi1>
// CHECK-NEXT:      %[[PE:.*]] = arith.extui %[[P]] : i1 to i8
// CHECK-NEXT:      loops.yield %[[PE]] : i8
// CHECK-NEXT:    }
func.func @args(%x: tensor<3x5xf16>, %i: tensor<3x5xi32>, %p: tensor<3x5xi1>) -> (tensor<5xi64>, tensor<3x1xi64>, tensor<3xi64>) {
  %a = tensor_graph.argmax %x {axis = 0, keepdim = false} : tensor<3x5xf16> -> tensor<5xi64>
  %b = tensor_graph.argmin %i {axis = -1, keepdim = true} : tensor<3x5xi32> -> tensor<3x1xi64>
  %c = tensor_graph.argmax %p {axis = 1, keepdim = false} : tensor<3x5xi1> -> tensor<3xi64>
  func.return %a, %b, %c : tensor<5xi64>, tensor<3x1xi64>, tensor<3xi64>
}
