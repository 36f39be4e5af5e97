// RUN: stepwell-opt %s -p convert-tensor_graph-to-loops | filecheck %s

// cast: each conversion rounds once, straight into the result type where that
// is not f32 already.

// CHECK-LABEL: func.func @float_to_float
// CHECK:         %[[D:.*]] = loops.load %d[d0] : tensor<4xf64>
// CHECK-NEXT:    %[[T:.*]] = arith.truncf %[[D]] : f64 to bf16
// CHECK-NEXT:    loops.yield %[[T]] : bf16
// CHECK:         %[[H:.*]] = loops.load %h[d0] : tensor<4xf16>
// CHECK-NEXT:    %[[HE:.*]] = arith.extf %[[H]] : f16 to f32
// CHECK-NEXT:    %[[HT:.*]] = arith.truncf %[[HE]] : f32 to bf16
// CHECK-NEXT:    loops.yield %[[HT]] : bf16
// CHECK:         %[[F:.*]] = loops.load %f[d0] : tensor<4xf32>
// CHECK-NEXT:    %[[FE:.*]] = arith.extf %[[F]] : f32 to f64
// CHECK-NEXT:    loops.yield %[[FE]] : f64
// CHECK:         %[[H2:.*]] = loops.load %h[d0] : tensor<4xf16>
// CHECK-NEXT:    %[[H2E:.*]] = arith.extf %[[H2]] : f16 to f32
// CHECK-NEXT:    loops.yield %[[H2E]] : f32
func.func @float_to_float(%d: tensor<4xf64>, %h: tensor<4xf16>, %f: tensor<4xf32>) -> (tensor<4xbf16>, tensor<4xbf16>, tensor<4xf64>, tensor<4xf32>) {
  %0 = tensor_graph.cast %d : tensor<4xf64> -> tensor<4xbf16>
  %1 = tensor_graph.cast %h : tensor<4xf16> -> tensor<4xbf16>
  %2 = tensor_graph.cast %f : tensor<4xf32> -> tensor<4xf64>
  %3 = tensor_graph.cast %h : tensor<4xf16> -> tensor<4xf32>
  func.return %0, %1, %2, %3 : tensor<4xbf16>, tensor<4xbf16>, tensor<4xf64>, tensor<4xf32>
}

// CHECK-LABEL: func.func @int_float
// CHECK:         arith.sitofp %{{.*}} : i64 to f16
// CHECK:         arith.uitofp %{{.*}} : i1 to f32
// CHECK:         %[[E:.*]] = arith.extf %{{.*}} : bf16 to f32
// CHECK-NEXT:    arith.fptosi %[[E]] : f32 to i8
// CHECK:         %[[ZERO:.*]] = arith.constant 0.000000e+00 : f64
// CHECK-NEXT:    arith.cmpf une, %{{.*}}, %[[ZERO]] : f64
func.func @int_float(%l: tensor<4xi64>, %b: tensor<4xi1>, %bf: tensor<4xbf16>, %d: tensor<4xf64>) -> (tensor<4xf16>, tensor<4xf32>, tensor<4xi8>, tensor<4xi1>) {
  %0 = tensor_graph.cast %l : tensor<4xi64> -> tensor<4xf16>
  %1 = tensor_graph.cast %b : tensor<4xi1> -> tensor<4xf32>
  %2 = tensor_graph.cast %bf : tensor<4xbf16> -> tensor<4xi8>
  %3 = tensor_graph.cast %d : tensor<4xf64> -> tensor<4xi1>
  func.return %0, %1, %2, %3 : tensor<4xf16>, tensor<4xf32>, tensor<4xi8>, tensor<4xi1>
}

// CHECK-LABEL: func.func @int_int
// CHECK:         arith.extsi %{{.*}} : i8 to i64
// CHECK:         arith.trunci %{{.*}} : i64 to i32
// CHECK:         arith.extui %{{.*}} : i1 to i32
// CHECK:         %[[ZERO:.*]] = arith.constant 0 : i32
// CHECK-NEXT:    arith.cmpi ne, %{{.*}}, %[[ZERO]] : i32
// CHECK:         %same = loops.pointwise : tensor<4xi8> {
// CHECK-NEXT:      %[[S:.*]] = loops.load %c[d0] : tensor<4xi8>
// CHECK-NEXT:      loops.yield %[[S]] : i8
func.func @int_int(%c: tensor<4xi8>, %l: tensor<4xi64>, %b: tensor<4xi1>, %i: tensor<4xi32>) -> (tensor<4xi64>, tensor<4xi32>, tensor<4xi32>, tensor<4xi1>, tensor<4xi8>) {
  %0 = tensor_graph.cast %c : tensor<4xi8> -> tensor<4xi64>
  %1 = tensor_graph.cast %l : tensor<4xi64> -> tensor<4xi32>
  %2 = tensor_graph.cast %b : tensor<4xi1> -> tensor<4xi32>
  %3 = tensor_graph.cast %i : tensor<4xi32> -> tensor<4xi1>
  %same = tensor_graph.cast %c : tensor<4xi8> -> tensor<4xi8>
  func.return %0, %1, %2, %3, %same : tensor<4xi64>, tensor<4xi32>, tensor<4xi32>, tensor<4xi1>, tensor<4xi8>
}

// iota: the index as i64, converted to the element type.
// CHECK-LABEL: func.func @iota
// CHECK-NEXT:    %a = loops.pointwise : tensor<3x4xi32> {
// CHECK-NEXT:      %[[I:.*]] = loops.index [d1]
// CHECK-NEXT:      %[[T:.*]] = arith.trunci %[[I]] : i64 to i32
// CHECK-NEXT:      loops.yield %[[T]] : i32
// CHECK-NEXT:    }
// CHECK-NEXT:    %b = loops.pointwise : tensor<5xbf16> {
// CHECK-NEXT:      %[[J:.*]] = loops.index [d0]
// CHECK-NEXT:      %[[F:.*]] = arith.sitofp %[[J]] : i64 to bf16
// CHECK-NEXT:      loops.yield %[[F]] : bf16
// CHECK-NEXT:    }
// CHECK-NEXT:    %c = loops.pointwise : tensor<2x2xi64> {
// CHECK-NEXT:      %[[K:.*]] = loops.index [d0]
// CHECK-NEXT:      loops.yield %[[K]] : i64
// CHECK-NEXT:    }
func.func @iota() -> (tensor<3x4xi32>, tensor<5xbf16>, tensor<2x2xi64>) {
  %a = tensor_graph.iota {dim = -1} : tensor<3x4xi32>
  %b = tensor_graph.iota {dim = 0} : tensor<5xbf16>
  %c = tensor_graph.iota {dim = 0} : tensor<2x2xi64>
  func.return %a, %b, %c : tensor<3x4xi32>, tensor<5xbf16>, tensor<2x2xi64>
}
