// Constant folding of elementwise ops, computed as the reference interpreter computes
// them; ops whose value the spec does not fix exactly are left alone.
// RUN: stepwell-opt %s -p canonicalize | filecheck %s

// CHECK-LABEL: func.func @binary_f32(
// CHECK-NEXT:    %[[R:.*]] = tensor_graph.constant {value = dense<[2.000000e+00, -0.000000e+00, 0x7fc00000, 5.000000e+00]> : tensor<4xf32>} : tensor<4xf32>
// CHECK-NEXT:    func.return %[[R]]
func.func @binary_f32() -> tensor<4xf32> {
  %a = tensor_graph.constant {value = dense<[1.0, -0.0, 0x7FC00000, 2.5]> : tensor<4xf32>} : tensor<4xf32>
  %b = tensor_graph.constant {value = dense<2.0> : tensor<f32>} : tensor<f32>
  %c = tensor_graph.mul %a, %b : tensor<4xf32>, tensor<f32> -> tensor<4xf32>
  func.return %c : tensor<4xf32>
}

// f16 and bf16 compute in f32 and round once, ties to even: 2048 + 3 -> 2052,
// -256 - 1 -> -256.
// CHECK-LABEL: func.func @low_precision(
// CHECK-NEXT:    %[[H:.*]] = tensor_graph.constant {value = dense<[2.052000e+03, 1.000000e+00]> : tensor<2xf16>}
// CHECK-NEXT:    %[[B:.*]] = tensor_graph.constant {value = dense<[-1.500000e+00, -2.560000e+02]> : tensor<2xbf16>}
// CHECK-NEXT:    func.return %[[H]], %[[B]]
func.func @low_precision() -> (tensor<2xf16>, tensor<2xbf16>) {
  %a = tensor_graph.constant {value = dense<[2048.0, 0.5]> : tensor<2xf16>} : tensor<2xf16>
  %b = tensor_graph.constant {value = dense<[3.0, 0.5]> : tensor<2xf16>} : tensor<2xf16>
  %h = tensor_graph.add %a, %b : tensor<2xf16>
  %c = tensor_graph.constant {value = dense<[1.5, 256.0]> : tensor<2xbf16>} : tensor<2xbf16>
  %n = tensor_graph.neg %c : tensor<2xbf16>
  %d = tensor_graph.constant {value = dense<[0.0, 1.0]> : tensor<2xbf16>} : tensor<2xbf16>
  %e = tensor_graph.sub %n, %d : tensor<2xbf16>
  func.return %h, %e : tensor<2xf16>, tensor<2xbf16>
}

// Integers wrap; division rounds toward zero.
// CHECK-LABEL: func.func @integers(
// CHECK-NEXT:    %[[W:.*]] = tensor_graph.constant {value = dense<[-56, -2, 0, 2]> : tensor<4xi8>}
// CHECK-NEXT:    %[[Q:.*]] = tensor_graph.constant {value = dense<[3, -3, -2, 42]> : tensor<4xi8>}
// CHECK-NEXT:    %[[P:.*]] = tensor_graph.constant {value = dense<[1024, 0, -1, 1]> : tensor<4xi32>}
// CHECK-NEXT:    func.return %[[W]], %[[Q]], %[[P]]
func.func @integers() -> (tensor<4xi8>, tensor<4xi8>, tensor<4xi32>) {
  %a = tensor_graph.constant {value = dense<[100, 127, -128, 1]> : tensor<4xi8>} : tensor<4xi8>
  %w = tensor_graph.add %a, %a : tensor<4xi8>
  %n = tensor_graph.constant {value = dense<[7, -7, 5, -128]> : tensor<4xi8>} : tensor<4xi8>
  %d = tensor_graph.constant {value = dense<[2, 2, -2, -3]> : tensor<4xi8>} : tensor<4xi8>
  %q = tensor_graph.div %n, %d : tensor<4xi8>
  %base = tensor_graph.constant {value = dense<[2, 3, -1, 1]> : tensor<4xi32>} : tensor<4xi32>
  %exp = tensor_graph.constant {value = dense<[10, -1, 3, -5]> : tensor<4xi32>} : tensor<4xi32>
  %p = tensor_graph.pow %base, %exp : tensor<4xi32>
  func.return %w, %q, %p : tensor<4xi8>, tensor<4xi8>, tensor<4xi32>
}

// cmp with NaN is false except "ne"; select and the i1 ops fold too.
// CHECK-LABEL: func.func @compare_select(
// CHECK-NEXT:    %[[K:.*]] = tensor_graph.constant {value = dense<[true, false, false]> : tensor<3xi1>}
// CHECK-NEXT:    %[[N:.*]] = tensor_graph.constant {value = dense<[false, true, true]> : tensor<3xi1>}
// CHECK-NEXT:    %[[S:.*]] = tensor_graph.constant {value = dense<[1.000000e+00, 5.000000e+00, 5.000000e+00]> : tensor<3xf32>}
// CHECK-NEXT:    func.return %[[K]], %[[N]], %[[S]]
func.func @compare_select() -> (tensor<3xi1>, tensor<3xi1>, tensor<3xf32>) {
  %a = tensor_graph.constant {value = dense<[1.0, 0x7FC00000, 3.0]> : tensor<3xf32>} : tensor<3xf32>
  %b = tensor_graph.constant {value = dense<2.0> : tensor<f32>} : tensor<f32>
  %k = tensor_graph.cmp %a, %b {predicate = "lt"} : tensor<3xf32>, tensor<f32> -> tensor<3xi1>
  %n = tensor_graph.not %k : tensor<3xi1>
  %five = tensor_graph.constant {value = dense<5.0> : tensor<3xf32>} : tensor<3xf32>
  %s = tensor_graph.select %k, %a, %five : tensor<3xi1>, tensor<3xf32>, tensor<3xf32> -> tensor<3xf32>
  func.return %k, %n, %s : tensor<3xi1>, tensor<3xi1>, tensor<3xf32>
}

// Casts: to float rounds to nearest (even), to i1 is x != 0 (NaN too), float -> int
// truncates when the value fits.
// CHECK-LABEL: func.func @casts(
// CHECK-NEXT:    %[[H:.*]] = tensor_graph.constant {value = dense<[2.048000e+03, 2.052000e+03]> : tensor<2xf16>}
// CHECK-NEXT:    %[[B:.*]] = tensor_graph.constant {value = dense<[false, true, true]> : tensor<3xi1>}
// CHECK-NEXT:    %[[I:.*]] = tensor_graph.constant {value = dense<[1, -2, 0]> : tensor<3xi8>}
// CHECK-NEXT:    func.return %[[H]], %[[B]], %[[I]]
func.func @casts() -> (tensor<2xf16>, tensor<3xi1>, tensor<3xi8>) {
  %a = tensor_graph.constant {value = dense<[2049, 2051]> : tensor<2xi32>} : tensor<2xi32>
  %h = tensor_graph.cast %a : tensor<2xi32> -> tensor<2xf16>
  %f = tensor_graph.constant {value = dense<[-0.0, 0x7FC00000, -2.7]> : tensor<3xf32>} : tensor<3xf32>
  %b = tensor_graph.cast %f : tensor<3xf32> -> tensor<3xi1>
  %g = tensor_graph.constant {value = dense<[1.9, -2.7, -0.5]> : tensor<3xf32>} : tensor<3xf32>
  %i = tensor_graph.cast %g : tensor<3xf32> -> tensor<3xi8>
  func.return %h, %b, %i : tensor<2xf16>, tensor<3xi1>, tensor<3xi8>
}

// Unary ops with an exact result fold: sqrt, floor, round (half to even), abs, sign,
// reciprocal, relu, clamp.
// CHECK-LABEL: func.func @unary(
// CHECK-NEXT:    tensor_graph.constant {value = dense<[2.000000e+00, -0.000000e+00, 0x{{[7f]}}fc00000]> : tensor<3xf32>}
// CHECK-NEXT:    tensor_graph.constant {value = dense<[2.000000e+00, -2.000000e+00, -0.000000e+00]> : tensor<3xf32>}
// CHECK-NEXT:    tensor_graph.constant {value = dense<[5.000000e-01, -1.000000e+00, 0x7ff0000000000000]> : tensor<3xf64>}
// CHECK-NEXT:    tensor_graph.constant {value = dense<[0, 0, 3]> : tensor<3xi32>}
// CHECK-NEXT:    tensor_graph.constant {value = dense<[-1, 0, 2]> : tensor<3xi32>}
// CHECK-NEXT:    func.return
func.func @unary() -> (tensor<3xf32>, tensor<3xf32>, tensor<3xf64>, tensor<3xi32>, tensor<3xi32>) {
  %a = tensor_graph.constant {value = dense<[4.0, -0.0, -1.0]> : tensor<3xf32>} : tensor<3xf32>
  %s = tensor_graph.sqrt %a : tensor<3xf32>
  %b = tensor_graph.constant {value = dense<[2.5, -1.5, -0.5]> : tensor<3xf32>} : tensor<3xf32>
  %r = tensor_graph.round %b : tensor<3xf32>
  %c = tensor_graph.constant {value = dense<[2.0, -1.0, 0.0]> : tensor<3xf64>} : tensor<3xf64>
  %q = tensor_graph.reciprocal %c : tensor<3xf64>
  %i = tensor_graph.constant {value = dense<[-5, 0, 3]> : tensor<3xi32>} : tensor<3xi32>
  %l = tensor_graph.relu %i : tensor<3xi32>
  %m = tensor_graph.clamp %i {min = -1.0, max = 2.0} : tensor<3xi32>
  func.return %s, %r, %q, %l, %m : tensor<3xf32>, tensor<3xf32>, tensor<3xf64>, tensor<3xi32>, tensor<3xi32>
}

// A splat stays a splat, past the 1024-element limit for other constants.
// CHECK-LABEL: func.func @splats(
// CHECK-NEXT:    %[[A:.*]] = tensor_graph.constant {value = dense<1.73205078> : tensor<64x64xf32>}
// CHECK-NEXT:    %[[B:.*]] = tensor_graph.constant {value = dense<-2.000000e+00> : tensor<64x64xf32>}
// CHECK-NEXT:    func.return %[[A]], %[[B]]
func.func @splats() -> (tensor<64x64xf32>, tensor<64x64xf32>) {
  %s = tensor_graph.constant {value = dense<3.0> : tensor<64x64xf32>} : tensor<64x64xf32>
  %a = tensor_graph.sqrt %s : tensor<64x64xf32>
  %c = tensor_graph.constant {value = dense<-1.0> : tensor<f32>} : tensor<f32>
  %t = tensor_graph.constant {value = dense<2.0> : tensor<64x1xf32>} : tensor<64x1xf32>
  %b = tensor_graph.mul %c, %t : tensor<f32>, tensor<64x1xf32> -> tensor<64x1xf32>
  %d = tensor_graph.broadcast_to %b : tensor<64x1xf32> -> tensor<64x64xf32>
  func.return %a, %d : tensor<64x64xf32>, tensor<64x64xf32>
}

// Not folded: transcendental functions and float pow (libm-dependent), float sums and
// matmuls (order-dependent), integer division by zero and INT_MIN / -1, float -> int
// casts of NaN or out of range (the spec leaves them open), and non-splat results over
// 1024 elements.
// CHECK-LABEL: func.func @not_folded(
// CHECK:         tensor_graph.exp
// CHECK:         tensor_graph.tanh
// CHECK:         tensor_graph.pow
// CHECK:         tensor_graph.reduce
// CHECK:         tensor_graph.matmul
// CHECK:         tensor_graph.div
// CHECK:         tensor_graph.div
// CHECK:         tensor_graph.cast
// CHECK:         tensor_graph.cast
// CHECK:         tensor_graph.broadcast_to
// CHECK-NEXT:    func.return
func.func @not_folded() -> (tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<f32>, tensor<2x2xf32>, tensor<2xi32>, tensor<2xi8>, tensor<2xi32>, tensor<2xi8>, tensor<2000x2xi32>) {
  %a = tensor_graph.constant {value = dense<[1.0, 2.0]> : tensor<2xf32>} : tensor<2xf32>
  %e = tensor_graph.exp %a : tensor<2xf32>
  %t = tensor_graph.tanh %a : tensor<2xf32>
  %p = tensor_graph.pow %a, %a : tensor<2xf32>
  %s = tensor_graph.reduce %a {kind = "sum", dims = [], keepdim = false} : tensor<2xf32> -> tensor<f32>
  %m2 = tensor_graph.constant {value = dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>} : tensor<2x2xf32>
  %mm = tensor_graph.matmul %m2, %m2 : tensor<2x2xf32>
  %i = tensor_graph.constant {value = dense<[7, 8]> : tensor<2xi32>} : tensor<2xi32>
  %z = tensor_graph.constant {value = dense<[1, 0]> : tensor<2xi32>} : tensor<2xi32>
  %d = tensor_graph.div %i, %z : tensor<2xi32>
  %lo = tensor_graph.constant {value = dense<[-128, 4]> : tensor<2xi8>} : tensor<2xi8>
  %m1 = tensor_graph.constant {value = dense<[-1, 2]> : tensor<2xi8>} : tensor<2xi8>
  %o = tensor_graph.div %lo, %m1 : tensor<2xi8>
  %n = tensor_graph.constant {value = dense<[0x7FC00000, 1.0]> : tensor<2xf32>} : tensor<2xf32>
  %c1 = tensor_graph.cast %n : tensor<2xf32> -> tensor<2xi32>
  %big = tensor_graph.constant {value = dense<[300.0, 1.0]> : tensor<2xf32>} : tensor<2xf32>
  %c2 = tensor_graph.cast %big : tensor<2xf32> -> tensor<2xi8>
  %b = tensor_graph.broadcast_to %i : tensor<2xi32> -> tensor<2000x2xi32>
  func.return %e, %t, %p, %s, %mm, %d, %o, %c1, %c2, %b : tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<f32>, tensor<2x2xf32>, tensor<2xi32>, tensor<2xi8>, tensor<2xi32>, tensor<2xi8>, tensor<2000x2xi32>
}
