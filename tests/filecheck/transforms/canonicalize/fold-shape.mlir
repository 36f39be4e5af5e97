// Constant folding of shape ops, gather and the exact reductions (max, min, argmax,
// argmin). Results over 1024 elements fold only when they are splats (up to 65536).
// RUN: stepwell-opt %s -p canonicalize | filecheck %s

// CHECK-LABEL: func.func @moves(
// CHECK-NEXT:    %[[T:.*]] = tensor_graph.constant {value = dense<{{\[}}[1, 4], [2, 5], [3, 6]]> : tensor<3x2xi32>}
// CHECK-NEXT:    %[[R:.*]] = tensor_graph.constant {value = dense<[1, 2, 3, 4, 5, 6]> : tensor<6xi32>}
// CHECK-NEXT:    %[[B:.*]] = tensor_graph.constant {value = dense<{{\[}}[1, 2, 3], [1, 2, 3]]> : tensor<2x3xi32>}
// CHECK-NEXT:    %[[S:.*]] = tensor_graph.constant {value = dense<{{\[}}[1, 3]]> : tensor<1x2xi32>}
// CHECK-NEXT:    %[[C:.*]] = tensor_graph.constant {value = dense<[1, 2, 3, 9]> : tensor<4xi32>}
// CHECK-NEXT:    %[[P:.*]] = tensor_graph.constant {value = dense<[-7, 1, 2, 3, -7, -7]> : tensor<6xi32>}
// CHECK-NEXT:    func.return %[[T]], %[[R]], %[[B]], %[[S]], %[[C]], %[[P]]
func.func @moves() -> (tensor<3x2xi32>, tensor<6xi32>, tensor<2x3xi32>, tensor<1x2xi32>, tensor<4xi32>, tensor<6xi32>) {
  %a = tensor_graph.constant {value = dense<[[1, 2, 3], [4, 5, 6]]> : tensor<2x3xi32>} : tensor<2x3xi32>
  %t = tensor_graph.transpose %a {perm = [1, 0]} : tensor<2x3xi32> -> tensor<3x2xi32>
  %r = tensor_graph.reshape %a : tensor<2x3xi32> -> tensor<6xi32>
  %v = tensor_graph.constant {value = dense<[1, 2, 3]> : tensor<3xi32>} : tensor<3xi32>
  %b = tensor_graph.broadcast_to %v : tensor<3xi32> -> tensor<2x3xi32>
  %s = tensor_graph.slice %a {start = [0, 0], stop = [1, 3], step = [1, 2]} : tensor<2x3xi32> -> tensor<1x2xi32>
  %n = tensor_graph.constant {value = dense<9> : tensor<1xi32>} : tensor<1xi32>
  %c = tensor_graph.concat %v, %n {axis = 0} : tensor<3xi32>, tensor<1xi32> -> tensor<4xi32>
  %p = tensor_graph.pad %v {low = [1], high = [2], value = -7.0} : tensor<3xi32> -> tensor<6xi32>
  func.return %t, %r, %b, %s, %c, %p : tensor<3x2xi32>, tensor<6xi32>, tensor<2x3xi32>, tensor<1x2xi32>, tensor<4xi32>, tensor<6xi32>
}

// gather with negative indices (counting from the end); one out of range is not folded.
// CHECK-LABEL: func.func @gather(
// CHECK-NEXT:    %[[X:.*]] = tensor_graph.constant {value = dense<[1.000000e+01, 2.000000e+01, 3.000000e+01]> : tensor<3xf32>}
// CHECK-NEXT:    %[[G:.*]] = tensor_graph.constant {value = dense<[3.000000e+01, 1.000000e+01]> : tensor<2xf32>}
// CHECK-NEXT:    %[[BAD:.*]] = tensor_graph.constant {value = dense<[0, 3]> : tensor<2xi64>}
// CHECK-NEXT:    %[[H:.*]] = tensor_graph.gather %[[X]], %[[BAD]] {axis = 0}
// CHECK-NEXT:    func.return %[[G]], %[[H]]
func.func @gather() -> (tensor<2xf32>, tensor<2xf32>) {
  %x = tensor_graph.constant {value = dense<[10.0, 20.0, 30.0]> : tensor<3xf32>} : tensor<3xf32>
  %i = tensor_graph.constant {value = dense<[-1, 0]> : tensor<2xi64>} : tensor<2xi64>
  %g = tensor_graph.gather %x, %i {axis = 0} : tensor<3xf32>, tensor<2xi64> -> tensor<2xf32>
  %bad = tensor_graph.constant {value = dense<[0, 3]> : tensor<2xi64>} : tensor<2xi64>
  %h = tensor_graph.gather %x, %bad {axis = 0} : tensor<3xf32>, tensor<2xi64> -> tensor<2xf32>
  func.return %g, %h : tensor<2xf32>, tensor<2xf32>
}

// max/min reductions and argmax/argmin are exact (NaN wins, as in numpy); sum is not.
// CHECK-LABEL: func.func @reductions(
// CHECK:         %[[M:.*]] = tensor_graph.constant {value = dense<[3.000000e+00, 0x7fc00000]> : tensor<2xf32>}
// CHECK-NEXT:    %[[N:.*]] = tensor_graph.constant {value = dense<{{\[}}[-1.000000e+00], [0x7fc00000]]> : tensor<2x1xf32>}
// CHECK-NEXT:    %[[A:.*]] = tensor_graph.constant {value = dense<[2, 1]> : tensor<2xi64>}
// CHECK-NEXT:    %[[S:.*]] = tensor_graph.reduce
// CHECK-NEXT:    func.return %[[M]], %[[N]], %[[A]], %[[S]]
func.func @reductions() -> (tensor<2xf32>, tensor<2x1xf32>, tensor<2xi64>, tensor<2xf32>) {
  %x = tensor_graph.constant {value = dense<[[1.0, -1.0, 3.0], [2.0, 0x7FC00000, 5.0]]> : tensor<2x3xf32>} : tensor<2x3xf32>
  %m = tensor_graph.reduce %x {kind = "max", dims = [1], keepdim = false} : tensor<2x3xf32> -> tensor<2xf32>
  %n = tensor_graph.reduce %x {kind = "min", dims = [-1], keepdim = true} : tensor<2x3xf32> -> tensor<2x1xf32>
  %a = tensor_graph.argmax %x {axis = 1, keepdim = false} : tensor<2x3xf32> -> tensor<2xi64>
  %s = tensor_graph.reduce %x {kind = "sum", dims = [1], keepdim = false} : tensor<2x3xf32> -> tensor<2xf32>
  func.return %m, %n, %a, %s : tensor<2xf32>, tensor<2x1xf32>, tensor<2xi64>, tensor<2xf32>
}

// Shape ops of a splat give a splat, whatever the size (up to 65536 elements); above
// that the broadcast of the scalar stays.
// CHECK-LABEL: func.func @splats(
// CHECK-NEXT:    %[[S:.*]] = tensor_graph.constant {value = dense<-0.000000e+00> : tensor<f32>}
// CHECK-NEXT:    %[[B:.*]] = tensor_graph.constant {value = dense<-0.000000e+00> : tensor<128x512xf32>}
// CHECK-NEXT:    %[[T:.*]] = tensor_graph.constant {value = dense<true> : tensor<40x30xi1>}
// CHECK-NEXT:    %[[L:.*]] = tensor_graph.broadcast_to %[[S]] : tensor<f32> -> tensor<256x512xf32>
// CHECK-NEXT:    func.return %[[B]], %[[T]], %[[L]]
func.func @splats() -> (tensor<128x512xf32>, tensor<40x30xi1>, tensor<256x512xf32>) {
  %s = tensor_graph.constant {value = dense<-0.0> : tensor<f32>} : tensor<f32>
  %b = tensor_graph.broadcast_to %s : tensor<f32> -> tensor<128x512xf32>
  %t = tensor_graph.constant {value = dense<true> : tensor<30x40xi1>} : tensor<30x40xi1>
  %tt = tensor_graph.transpose %t {perm = [1, 0]} : tensor<30x40xi1> -> tensor<40x30xi1>
  %l = tensor_graph.broadcast_to %s : tensor<f32> -> tensor<256x512xf32>
  func.return %b, %tt, %l : tensor<128x512xf32>, tensor<40x30xi1>, tensor<256x512xf32>
}

// A non-splat result over 1024 elements stays unfolded.
// CHECK-LABEL: func.func @too_big(
// CHECK:         tensor_graph.broadcast_to %{{.*}} : tensor<2xi32> -> tensor<600x2xi32>
func.func @too_big() -> tensor<600x2xi32> {
  %v = tensor_graph.constant {value = dense<[1, 2]> : tensor<2xi32>} : tensor<2xi32>
  %b = tensor_graph.broadcast_to %v : tensor<2xi32> -> tensor<600x2xi32>
  func.return %b : tensor<600x2xi32>
}
