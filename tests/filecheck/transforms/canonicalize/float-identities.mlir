// Algebraic identities on floats that are exact in IEEE arithmetic fire; the ones that
// change a NaN or a signed zero (x + 0.0, x - (-0.0), 0.0 - x, x * 0.0, x - x, cmp x, x)
// and the ones that change the result type (broadcasting) do not.
// RUN: stepwell-opt %s -p canonicalize | filecheck %s

// CHECK-LABEL: func.func @add_neg_zero(
// CHECK-SAME:    %[[X:.*]]: tensor<4xf32>
// CHECK-NEXT:    func.return %[[X]], %[[X]] : tensor<4xf32>, tensor<4xf32>
func.func @add_neg_zero(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %nz = tensor_graph.constant {value = dense<-0.0> : tensor<f32>} : tensor<f32>
  %a = tensor_graph.add %x, %nz : tensor<4xf32>, tensor<f32> -> tensor<4xf32>
  %b = tensor_graph.add %nz, %x : tensor<f32>, tensor<4xf32> -> tensor<4xf32>
  func.return %a, %b : tensor<4xf32>, tensor<4xf32>
}

// x + 0.0 is not x: -0.0 + 0.0 = +0.0.
// CHECK-LABEL: func.func @add_pos_zero_kept(
// CHECK:         %[[Z:.*]] = tensor_graph.constant {value = dense<0.000000e+00> : tensor<f32>}
// CHECK-NEXT:    %[[A:.*]] = tensor_graph.add %{{.*}}, %[[Z]]
// CHECK-NEXT:    func.return %[[A]]
func.func @add_pos_zero_kept(%x: tensor<4xf32>) -> tensor<4xf32> {
  %z = tensor_graph.constant {value = dense<0.0> : tensor<f32>} : tensor<f32>
  %a = tensor_graph.add %x, %z : tensor<4xf32>, tensor<f32> -> tensor<4xf32>
  func.return %a : tensor<4xf32>
}

// A -0.0 splat that broadcasts x to a bigger shape is not an identity.
// CHECK-LABEL: func.func @add_neg_zero_broadcasting_kept(
// CHECK:         tensor_graph.add %{{.*}}, %{{.*}} : tensor<4xf32>, tensor<3x4xf32> -> tensor<3x4xf32>
func.func @add_neg_zero_broadcasting_kept(%x: tensor<4xf32>) -> tensor<3x4xf32> {
  %nz = tensor_graph.constant {value = dense<-0.0> : tensor<3x4xf32>} : tensor<3x4xf32>
  %a = tensor_graph.add %x, %nz : tensor<4xf32>, tensor<3x4xf32> -> tensor<3x4xf32>
  func.return %a : tensor<3x4xf32>
}

// A constant that is not a splat is never an identity.
// CHECK-LABEL: func.func @add_mixed_zeros_kept(
// CHECK:         tensor_graph.add
func.func @add_mixed_zeros_kept(%x: tensor<2xf32>) -> tensor<2xf32> {
  %c = tensor_graph.constant {value = dense<[-0.0, 1.0]> : tensor<2xf32>} : tensor<2xf32>
  %a = tensor_graph.add %x, %c : tensor<2xf32>
  func.return %a : tensor<2xf32>
}

// CHECK-LABEL: func.func @sub_pos_zero(
// CHECK-SAME:    %[[X:.*]]: tensor<2x3xf16>
// CHECK-NEXT:    func.return %[[X]] : tensor<2x3xf16>
func.func @sub_pos_zero(%x: tensor<2x3xf16>) -> tensor<2x3xf16> {
  %z = tensor_graph.constant {value = dense<0.0> : tensor<3xf16>} : tensor<3xf16>
  %a = tensor_graph.sub %x, %z : tensor<2x3xf16>, tensor<3xf16> -> tensor<2x3xf16>
  func.return %a : tensor<2x3xf16>
}

// x - (-0.0) is x + 0.0: not x.
// CHECK-LABEL: func.func @sub_neg_zero_kept(
// CHECK:         tensor_graph.sub
func.func @sub_neg_zero_kept(%x: tensor<4xf32>) -> tensor<4xf32> {
  %nz = tensor_graph.constant {value = dense<-0.0> : tensor<f32>} : tensor<f32>
  %a = tensor_graph.sub %x, %nz : tensor<4xf32>, tensor<f32> -> tensor<4xf32>
  func.return %a : tensor<4xf32>
}

// -0.0 - x is -x exactly; 0.0 - x is not (0.0 - 0.0 = +0.0).
// CHECK-LABEL: func.func @sub_from_zero(
// CHECK-SAME:    %[[X:[^:]*]]: tensor<4xbf16>
// CHECK:         %[[N:.*]] = tensor_graph.neg %[[X]] : tensor<4xbf16>
// CHECK:         %[[S:.*]] = tensor_graph.sub %{{.*}}, %[[X]]
// CHECK-NEXT:    func.return %[[N]], %[[S]]
func.func @sub_from_zero(%x: tensor<4xbf16>) -> (tensor<4xbf16>, tensor<4xbf16>) {
  %nz = tensor_graph.constant {value = dense<-0.0> : tensor<bf16>} : tensor<bf16>
  %z = tensor_graph.constant {value = dense<0.0> : tensor<bf16>} : tensor<bf16>
  %a = tensor_graph.sub %nz, %x : tensor<bf16>, tensor<4xbf16> -> tensor<4xbf16>
  %b = tensor_graph.sub %z, %x : tensor<bf16>, tensor<4xbf16> -> tensor<4xbf16>
  func.return %a, %b : tensor<4xbf16>, tensor<4xbf16>
}

// CHECK-LABEL: func.func @mul_one(
// CHECK-SAME:    %[[X:.*]]: tensor<3x1xf64>
// CHECK-NEXT:    func.return %[[X]], %[[X]] : tensor<3x1xf64>, tensor<3x1xf64>
func.func @mul_one(%x: tensor<3x1xf64>) -> (tensor<3x1xf64>, tensor<3x1xf64>) {
  %one = tensor_graph.constant {value = dense<1.0> : tensor<f64>} : tensor<f64>
  %ones = tensor_graph.constant {value = dense<[[1.0], [1.0], [1.0]]> : tensor<3x1xf64>} : tensor<3x1xf64>
  %a = tensor_graph.mul %x, %one : tensor<3x1xf64>, tensor<f64> -> tensor<3x1xf64>
  %b = tensor_graph.mul %ones, %x : tensor<3x1xf64>
  func.return %a, %b : tensor<3x1xf64>, tensor<3x1xf64>
}

// x * 1 that broadcasts x stays: the result type is not x's.
// CHECK-LABEL: func.func @mul_one_broadcasting_kept(
// CHECK:         tensor_graph.mul %{{.*}}, %{{.*}} : tensor<3x1xf32>, tensor<1x5xf32> -> tensor<3x5xf32>
func.func @mul_one_broadcasting_kept(%x: tensor<3x1xf32>) -> tensor<3x5xf32> {
  %one = tensor_graph.constant {value = dense<1.0> : tensor<1x5xf32>} : tensor<1x5xf32>
  %a = tensor_graph.mul %x, %one : tensor<3x1xf32>, tensor<1x5xf32> -> tensor<3x5xf32>
  func.return %a : tensor<3x5xf32>
}

// x * 0.0 is NaN for inf and NaN, -0.0 for negative x: kept.
// CHECK-LABEL: func.func @mul_zero_kept(
// CHECK:         tensor_graph.mul
// CHECK:         tensor_graph.mul
func.func @mul_zero_kept(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %z = tensor_graph.constant {value = dense<0.0> : tensor<f32>} : tensor<f32>
  %nz = tensor_graph.constant {value = dense<-0.0> : tensor<f32>} : tensor<f32>
  %a = tensor_graph.mul %x, %z : tensor<4xf32>, tensor<f32> -> tensor<4xf32>
  %b = tensor_graph.mul %x, %nz : tensor<4xf32>, tensor<f32> -> tensor<4xf32>
  func.return %a, %b : tensor<4xf32>, tensor<4xf32>
}

// CHECK-LABEL: func.func @div_one(
// CHECK-SAME:    %[[X:.*]]: tensor<5xf32>
// CHECK:         %[[D:.*]] = tensor_graph.div %{{.*}}, %[[X]]
// CHECK-NEXT:    func.return %[[X]], %[[D]]
func.func @div_one(%x: tensor<5xf32>) -> (tensor<5xf32>, tensor<5xf32>) {
  %one = tensor_graph.constant {value = dense<1.0> : tensor<1xf32>} : tensor<1xf32>
  %a = tensor_graph.div %x, %one : tensor<5xf32>, tensor<1xf32> -> tensor<5xf32>
  %b = tensor_graph.div %one, %x : tensor<1xf32>, tensor<5xf32> -> tensor<5xf32>
  func.return %a, %b : tensor<5xf32>, tensor<5xf32>
}

// x - x is NaN for inf and NaN; cmp(x, x) is false for NaN: both kept.
// max(x, x) and min(x, x) are x.
// CHECK-LABEL: func.func @self_ops(
// CHECK-SAME:    %[[X:.*]]: tensor<4xf32>
// CHECK:         %[[S:.*]] = tensor_graph.sub %[[X]], %[[X]]
// CHECK:         %[[C:.*]] = tensor_graph.cmp %[[X]], %[[X]] {predicate = "eq"}
// CHECK-NEXT:    func.return %[[S]], %[[X]], %[[X]], %[[C]]
func.func @self_ops(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xi1>) {
  %s = tensor_graph.sub %x, %x : tensor<4xf32>
  %m = tensor_graph.max %x, %x : tensor<4xf32>
  %n = tensor_graph.min %x, %x : tensor<4xf32>
  %c = tensor_graph.cmp %x, %x {predicate = "eq"} : tensor<4xf32>, tensor<4xf32> -> tensor<4xi1>
  func.return %s, %m, %n, %c : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xi1>
}

// CHECK-LABEL: func.func @neg_abs(
// CHECK-SAME:    %[[X:.*]]: tensor<4xf32>
// CHECK-NEXT:    %[[A:.*]] = tensor_graph.abs %[[X]] : tensor<4xf32>
// CHECK-NEXT:    %[[B:.*]] = tensor_graph.abs %[[X]] : tensor<4xf32>
// CHECK-NEXT:    func.return %[[X]], %[[A]], %[[B]]
func.func @neg_abs(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %n1 = tensor_graph.neg %x : tensor<4xf32>
  %n2 = tensor_graph.neg %n1 : tensor<4xf32>
  %a1 = tensor_graph.abs %x : tensor<4xf32>
  %a2 = tensor_graph.abs %a1 : tensor<4xf32>
  %n3 = tensor_graph.neg %x : tensor<4xf32>
  %a3 = tensor_graph.abs %n3 : tensor<4xf32>
  func.return %n2, %a2, %a3 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}

// A condition that makes the result bigger leaves a broadcast of the chosen operand.
// CHECK-LABEL: func.func @select(
// CHECK-SAME:    %[[C:[^:]*]]: tensor<4xi1>, %[[A:[^:]*]]: tensor<4xf32>, %[[B:[^:]*]]: tensor<4xf32>
// CHECK-NEXT:    %[[K:.*]] = tensor_graph.broadcast_to %[[A]] : tensor<4xf32> -> tensor<2x4xf32>
// CHECK-NEXT:    %[[L:.*]] = tensor_graph.broadcast_to %[[B]] : tensor<4xf32> -> tensor<2x4xf32>
// CHECK-NEXT:    func.return %[[A]], %[[A]], %[[B]], %[[K]], %[[L]]
func.func @select(%c: tensor<4xi1>, %a: tensor<4xf32>, %b: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<2x4xf32>, tensor<2x4xf32>) {
  %t = tensor_graph.constant {value = dense<true> : tensor<i1>} : tensor<i1>
  %f = tensor_graph.constant {value = dense<false> : tensor<4xi1>} : tensor<4xi1>
  %t2 = tensor_graph.constant {value = dense<true> : tensor<2x4xi1>} : tensor<2x4xi1>
  %s0 = tensor_graph.select %c, %a, %a : tensor<4xi1>, tensor<4xf32>, tensor<4xf32> -> tensor<4xf32>
  %s1 = tensor_graph.select %t, %a, %b : tensor<i1>, tensor<4xf32>, tensor<4xf32> -> tensor<4xf32>
  %s2 = tensor_graph.select %f, %a, %b : tensor<4xi1>, tensor<4xf32>, tensor<4xf32> -> tensor<4xf32>
  %s3 = tensor_graph.select %t2, %a, %b : tensor<2x4xi1>, tensor<4xf32>, tensor<4xf32> -> tensor<2x4xf32>
  %c2 = tensor_graph.constant {value = dense<[[true, false, true, true], [false, false, true, false]]> : tensor<2x4xi1>} : tensor<2x4xi1>
  %s4 = tensor_graph.select %c2, %b, %b : tensor<2x4xi1>, tensor<4xf32>, tensor<4xf32> -> tensor<2x4xf32>
  func.return %s0, %s1, %s2, %s3, %s4 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<2x4xf32>, tensor<2x4xf32>
}

// Constants go to the right of commutative add and mul (then x * 1 folds); max and min
// keep their order: numpy's maximum(-0.0, 0.0) is its first operand.
// CHECK-LABEL: func.func @commute(
// CHECK-SAME:    %[[X:.*]]: tensor<4xf32>
// CHECK:         %[[C:.*]] = tensor_graph.constant {value = dense<2.000000e+00> : tensor<f32>}
// CHECK-NEXT:    %[[A:.*]] = tensor_graph.add %[[X]], %[[C]] : tensor<4xf32>, tensor<f32> -> tensor<4xf32>
// CHECK-NEXT:    %[[M:.*]] = tensor_graph.mul %[[X]], %[[C]] : tensor<4xf32>, tensor<f32> -> tensor<4xf32>
// CHECK-NEXT:    %[[N:.*]] = tensor_graph.max %[[C]], %[[X]] : tensor<f32>, tensor<4xf32> -> tensor<4xf32>
// CHECK-NEXT:    func.return %[[A]], %[[M]], %[[N]]
func.func @commute(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %c = tensor_graph.constant {value = dense<2.0> : tensor<f32>} : tensor<f32>
  %a = tensor_graph.add %c, %x : tensor<f32>, tensor<4xf32> -> tensor<4xf32>
  %m = tensor_graph.mul %c, %x : tensor<f32>, tensor<4xf32> -> tensor<4xf32>
  %n = tensor_graph.max %c, %x : tensor<f32>, tensor<4xf32> -> tensor<4xf32>
  func.return %a, %m, %n : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}
