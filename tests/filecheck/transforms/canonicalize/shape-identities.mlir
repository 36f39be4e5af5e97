// Shape and type ops: chains compose, identities go away, and a transpose that keeps
// row-major order becomes a reshape.
// RUN: stepwell-opt %s -p canonicalize | filecheck %s

// CHECK-LABEL: func.func @same_type(
// CHECK-SAME:    %[[X:.*]]: tensor<2x3xf32>
// CHECK-NEXT:    func.return %[[X]], %[[X]], %[[X]], %[[X]], %[[X]], %[[X]], %[[X]]
func.func @same_type(%x: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>) {
  %a = tensor_graph.cast %x : tensor<2x3xf32>
  %b = tensor_graph.reshape %x : tensor<2x3xf32>
  %c = tensor_graph.broadcast_to %x : tensor<2x3xf32>
  %d = tensor_graph.transpose %x {perm = [0, 1]} : tensor<2x3xf32>
  %e = tensor_graph.slice %x {start = [0, 0], stop = [2, 3], step = [1, 1]} : tensor<2x3xf32>
  %f = tensor_graph.pad %x {low = [0, 0], high = [0, 0], value = 1.0} : tensor<2x3xf32>
  %g = tensor_graph.concat %x {axis = 1} : tensor<2x3xf32>
  func.return %a, %b, %c, %d, %e, %f, %g : tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>
}

// A slice with a step past the end of a size-1 dimension still takes every element.
// CHECK-LABEL: func.func @slice_step_size_one(
// CHECK-SAME:    %[[X:.*]]: tensor<1x4xf32>
// CHECK-NEXT:    func.return %[[X]]
func.func @slice_step_size_one(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %e = tensor_graph.slice %x {start = [0, 0], stop = [1, 4], step = [3, 1]} : tensor<1x4xf32>
  func.return %e : tensor<1x4xf32>
}

// A transpose of a square matrix keeps the type but is not the identity.
// CHECK-LABEL: func.func @square_transpose_kept(
// CHECK:         tensor_graph.transpose %{{.*}} {perm = [1, 0]} : tensor<3x3xf32>
func.func @square_transpose_kept(%x: tensor<3x3xf32>) -> tensor<3x3xf32> {
  %t = tensor_graph.transpose %x {perm = [1, 0]} : tensor<3x3xf32>
  func.return %t : tensor<3x3xf32>
}

// cast f32 -> f16 -> f32 rounds: not an identity.
// CHECK-LABEL: func.func @cast_chain_kept(
// CHECK:         tensor_graph.cast %{{.*}} : tensor<4xf32> -> tensor<4xf16>
// CHECK:         tensor_graph.cast %{{.*}} : tensor<4xf16> -> tensor<4xf32>
func.func @cast_chain_kept(%x: tensor<4xf32>) -> tensor<4xf32> {
  %h = tensor_graph.cast %x : tensor<4xf32> -> tensor<4xf16>
  %f = tensor_graph.cast %h : tensor<4xf16> -> tensor<4xf32>
  func.return %f : tensor<4xf32>
}

// CHECK-LABEL: func.func @reshape_chain(
// CHECK-SAME:    %[[X:.*]]: tensor<2x3x4xf32>
// CHECK-NEXT:    %[[R:.*]] = tensor_graph.reshape %[[X]] : tensor<2x3x4xf32> -> tensor<4x6xf32>
// CHECK-NEXT:    func.return %[[R]], %[[X]]
func.func @reshape_chain(%x: tensor<2x3x4xf32>) -> (tensor<4x6xf32>, tensor<2x3x4xf32>) {
  %a = tensor_graph.reshape %x : tensor<2x3x4xf32> -> tensor<24xf32>
  %b = tensor_graph.reshape %a : tensor<24xf32> -> tensor<6x4xf32>
  %c = tensor_graph.reshape %b : tensor<6x4xf32> -> tensor<4x6xf32>
  %d = tensor_graph.reshape %a : tensor<24xf32> -> tensor<2x3x4xf32>
  func.return %c, %d : tensor<4x6xf32>, tensor<2x3x4xf32>
}

// CHECK-LABEL: func.func @broadcast_chain(
// CHECK-SAME:    %[[X:.*]]: tensor<3x1xi32>
// CHECK-NEXT:    %[[B:.*]] = tensor_graph.broadcast_to %[[X]] : tensor<3x1xi32> -> tensor<2x3x5xi32>
// CHECK-NEXT:    func.return %[[B]]
func.func @broadcast_chain(%x: tensor<3x1xi32>) -> tensor<2x3x5xi32> {
  %a = tensor_graph.broadcast_to %x : tensor<3x1xi32> -> tensor<1x3x5xi32>
  %b = tensor_graph.broadcast_to %a : tensor<1x3x5xi32> -> tensor<2x3x5xi32>
  func.return %b : tensor<2x3x5xi32>
}

// Inverse transposes cancel; others compose: transpose(transpose(x, p), q) is
// transpose(x, [p[q[0]], p[q[1]], ...]).
// CHECK-LABEL: func.func @transpose_chain(
// CHECK-SAME:    %[[X:.*]]: tensor<2x3x5xf32>
// CHECK-NEXT:    %[[T:.*]] = tensor_graph.transpose %[[X]] {perm = [1, 2, 0]} : tensor<2x3x5xf32> -> tensor<3x5x2xf32>
// CHECK-NEXT:    func.return %[[X]], %[[T]]
func.func @transpose_chain(%x: tensor<2x3x5xf32>) -> (tensor<2x3x5xf32>, tensor<3x5x2xf32>) {
  %a = tensor_graph.transpose %x {perm = [1, 2, 0]} : tensor<2x3x5xf32> -> tensor<3x5x2xf32>
  %b = tensor_graph.transpose %a {perm = [2, 0, 1]} : tensor<3x5x2xf32> -> tensor<2x3x5xf32>
  %c = tensor_graph.transpose %x {perm = [1, 0, 2]} : tensor<2x3x5xf32> -> tensor<3x2x5xf32>
  %d = tensor_graph.transpose %c {perm = [0, 2, 1]} : tensor<3x2x5xf32> -> tensor<3x5x2xf32>
  func.return %b, %d : tensor<2x3x5xf32>, tensor<3x5x2xf32>
}

// Moving only size-1 dimensions keeps row-major order: a reshape. Moving a bigger one
// does not.
// CHECK-LABEL: func.func @transpose_as_reshape(
// CHECK-SAME:    %[[X:.*]]: tensor<1x4x1x3xf32>
// CHECK-NEXT:    %[[R:.*]] = tensor_graph.reshape %[[X]] : tensor<1x4x1x3xf32> -> tensor<4x1x3x1xf32>
// CHECK-NEXT:    %[[T:.*]] = tensor_graph.transpose %[[X]] {perm = [0, 3, 2, 1]}
// CHECK-NEXT:    func.return %[[R]], %[[T]]
func.func @transpose_as_reshape(%x: tensor<1x4x1x3xf32>) -> (tensor<4x1x3x1xf32>, tensor<1x3x1x4xf32>) {
  %a = tensor_graph.transpose %x {perm = [1, 2, 3, 0]} : tensor<1x4x1x3xf32> -> tensor<4x1x3x1xf32>
  %b = tensor_graph.transpose %x {perm = [0, 3, 2, 1]} : tensor<1x4x1x3xf32> -> tensor<1x3x1x4xf32>
  func.return %a, %b : tensor<4x1x3x1xf32>, tensor<1x3x1x4xf32>
}

// A dead chain goes away with canonicalize (ops are Pure).
// CHECK-LABEL: func.func @dead(
// CHECK-NEXT:    func.return
func.func @dead(%x: tensor<4xf32>) {
  %a = tensor_graph.exp %x : tensor<4xf32>
  %b = tensor_graph.reshape %a : tensor<4xf32> -> tensor<2x2xf32>
  func.return
}
