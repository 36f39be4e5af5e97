// RUN: stepwell-opt %s -p convert-tensor_graph-to-loops | filecheck %s

// Views are not copied: their consumers read the source through index expressions.

// CHECK-LABEL: func.func @transpose_add
// CHECK-NEXT:    %y = loops.pointwise : tensor<3x4xf32> {
// CHECK-NEXT:      %[[A:.*]] = loops.load %x[d0, d1] : tensor<3x4xf32>
// CHECK-NEXT:      %[[B:.*]] = loops.load %w[d1, d0] : tensor<4x3xf32>
// CHECK-NEXT:      %[[S:.*]] = arith.addf %[[A]], %[[B]] : f32
// CHECK-NEXT:      loops.yield %[[S]] : f32
// CHECK-NEXT:    }
// CHECK-NEXT:    func.return %y
func.func @transpose_add(%x: tensor<3x4xf32>, %w: tensor<4x3xf32>) -> tensor<3x4xf32> {
  %t = tensor_graph.transpose %w {perm = [1, 0]} : tensor<4x3xf32> -> tensor<3x4xf32>
  %y = tensor_graph.add %x, %t : tensor<3x4xf32>
  func.return %y : tensor<3x4xf32>
}

// Reshape flattens row-major and unflattens with floordiv/mod.
// CHECK-LABEL: func.func @reshape_split
// CHECK:           loops.load %x[3 * d0 + d1] : tensor<6xf32>
func.func @reshape_split(%x: tensor<6xf32>) -> tensor<2x3xf32> {
  %r = tensor_graph.reshape %x : tensor<6xf32> -> tensor<2x3xf32>
  %y = tensor_graph.exp %r : tensor<2x3xf32>
  func.return %y : tensor<2x3xf32>
}

// CHECK-LABEL: func.func @reshape_merge
// CHECK:           loops.load %x[d0 floordiv 3, d0 mod 3] : tensor<2x3xf32>
func.func @reshape_merge(%x: tensor<2x3xf32>) -> tensor<6xf32> {
  %r = tensor_graph.reshape %x : tensor<2x3xf32> -> tensor<6xf32>
  %y = tensor_graph.exp %r : tensor<6xf32>
  func.return %y : tensor<6xf32>
}

// Only the dimensions that split or merge get floordiv/mod; size-1 dimensions read 0.
// CHECK-LABEL: func.func @reshape_groups
// CHECK:           loops.load %x[d0, 0, 3 * d1 + d2, d3] : tensor<4x1x6x5xf32>
func.func @reshape_groups(%x: tensor<4x1x6x5xf32>) -> tensor<4x2x3x5xf32> {
  %r = tensor_graph.reshape %x : tensor<4x1x6x5xf32> -> tensor<4x2x3x5xf32>
  %y = tensor_graph.neg %r : tensor<4x2x3x5xf32>
  func.return %y : tensor<4x2x3x5xf32>
}

// A reshape and its inverse compose back to the identity (the ranges of the
// symbols decide the floordiv and mod).
// CHECK-LABEL: func.func @reshape_roundtrip
// CHECK:           loops.load %x[d0, d1] : tensor<2x3xf32>
func.func @reshape_roundtrip(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %a = tensor_graph.reshape %x : tensor<2x3xf32> -> tensor<6xf32>
  %b = tensor_graph.reshape %a : tensor<6xf32> -> tensor<2x3xf32>
  %y = tensor_graph.neg %b : tensor<2x3xf32>
  func.return %y : tensor<2x3xf32>
}

// Broadcasting drops the new leading dimensions and reads size-1 ones at 0, both
// for broadcast_to and for the implicit broadcasting of binary ops.
// CHECK-LABEL: func.func @broadcasts
// CHECK:           loops.load %row[d2] : tensor<5xf32>
// CHECK:           loops.load %col[d1, 0] : tensor<4x1xf32>
// CHECK:           loops.load %s[] : tensor<f32>
func.func @broadcasts(%row: tensor<5xf32>, %col: tensor<4x1xf32>, %s: tensor<f32>) -> tensor<3x4x5xf32> {
  %b = tensor_graph.broadcast_to %row : tensor<5xf32> -> tensor<3x4x5xf32>
  %a = tensor_graph.add %b, %col : tensor<3x4x5xf32>, tensor<4x1xf32> -> tensor<3x4x5xf32>
  %y = tensor_graph.mul %a, %s : tensor<3x4x5xf32>, tensor<f32> -> tensor<3x4x5xf32>
  func.return %y : tensor<3x4x5xf32>
}

// CHECK-LABEL: func.func @slice
// CHECK:           loops.load %x[d0 + 1, 3 * d1 + 2] : tensor<4x10xf32>
func.func @slice(%x: tensor<4x10xf32>) -> tensor<2x3xf32> {
  %s = tensor_graph.slice %x {start = [1, 2], stop = [3, 10], step = [1, 3]} : tensor<4x10xf32> -> tensor<2x3xf32>
  %y = tensor_graph.abs %s : tensor<2x3xf32>
  func.return %y : tensor<2x3xf32>
}

// Views of views compose: slice of a transpose of a reshape.
// CHECK-LABEL: func.func @composed
// CHECK:           loops.load %x[2 * d0 + 4 * d1 + 1] : tensor<12xf32>
func.func @composed(%x: tensor<12xf32>) -> tensor<2x3xf32> {
  %r = tensor_graph.reshape %x : tensor<12xf32> -> tensor<3x4xf32>
  %t = tensor_graph.transpose %r {perm = [1, 0]} : tensor<3x4xf32> -> tensor<4x3xf32>
  %s = tensor_graph.slice %t {start = [1, 0], stop = [4, 3], step = [2, 1]} : tensor<4x3xf32> -> tensor<2x3xf32>
  %y = tensor_graph.neg %s : tensor<2x3xf32>
  func.return %y : tensor<2x3xf32>
}

// A view that is a function result is materialized by a pointwise copy (once).
// CHECK-LABEL: func.func @view_result
// CHECK-NEXT:    %t = loops.pointwise : tensor<3x2xf16> {
// CHECK-NEXT:      %[[V:.*]] = loops.load %x[d1, d0] : tensor<2x3xf16>
// CHECK-NEXT:      %[[E:.*]] = arith.extf %[[V]] : f16 to f32
// CHECK-NEXT:      %[[T:.*]] = arith.truncf %[[E]] : f32 to f16
// CHECK-NEXT:      loops.yield %[[T]] : f16
// CHECK-NEXT:    }
// CHECK-NEXT:    func.return %t, %t, %x
func.func @view_result(%x: tensor<2x3xf16>) -> (tensor<3x2xf16>, tensor<3x2xf16>, tensor<2x3xf16>) {
  %t = tensor_graph.transpose %x {perm = [1, 0]} : tensor<2x3xf16> -> tensor<3x2xf16>
  func.return %t, %t, %x : tensor<3x2xf16>, tensor<3x2xf16>, tensor<2x3xf16>
}

// Constants stay as the buffers they are; a splat one read in a body becomes an
// arith.constant (and the tensor_graph.constant goes away when nothing else reads it).
// CHECK-LABEL: func.func @constants
// CHECK-NEXT:    %table = tensor_graph.constant {value = dense<[1.000000e+00, 2.000000e+00, 3.000000e+00]> : tensor<3xf32>} : tensor<3xf32>
// CHECK-NEXT:    %m = loops.pointwise : tensor<4x3xf32> {
// CHECK-NEXT:      %[[X:.*]] = loops.load %x[d0, d1] : tensor<4x3xf32>
// CHECK-NEXT:      %[[T:.*]] = loops.load %table[d1] : tensor<3xf32>
// CHECK-NEXT:      %[[A:.*]] = arith.mulf %[[X]], %[[T]] : f32
// CHECK-NEXT:      loops.yield %[[A]] : f32
// CHECK-NEXT:    }
// CHECK-NEXT:    %y = loops.pointwise : tensor<4x3xf32> {
// CHECK-NEXT:      %[[M:.*]] = loops.load %m[d0, d1] : tensor<4x3xf32>
// CHECK-NEXT:      %[[H:.*]] = arith.constant 5.000000e-01 : f32
// CHECK-NEXT:      %[[B:.*]] = arith.addf %[[M]], %[[H]] : f32
// CHECK-NEXT:      loops.yield %[[B]] : f32
// CHECK-NEXT:    }
// CHECK-NEXT:    func.return %y, %table
func.func @constants(%x: tensor<4x3xf32>) -> (tensor<4x3xf32>, tensor<3xf32>) {
  %table = tensor_graph.constant {value = dense<[1.0, 2.0, 3.0]> : tensor<3xf32>} : tensor<3xf32>
  %half = tensor_graph.constant {value = dense<0.5> : tensor<f32>} : tensor<f32>
  %m = tensor_graph.mul %x, %table : tensor<4x3xf32>, tensor<3xf32> -> tensor<4x3xf32>
  %y = tensor_graph.add %m, %half : tensor<4x3xf32>, tensor<f32> -> tensor<4x3xf32>
  func.return %y, %table : tensor<4x3xf32>, tensor<3xf32>
}
