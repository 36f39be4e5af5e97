// RUN: stepwell-opt %s -p 'tensor_graph-decompose,canonicalize,cse,convert-tensor_graph-to-loops,loops-fuse{min-parallelism=1},loops-simplify-index' | filecheck %s

// Normalizations over a leading or middle axis, through the whole loops pipeline:
// one kernel each, parallel over the other axes (min-parallelism=1: small shapes
// standing for large ones).

// Softmax over axis 1 of a 3-D tensor: parallel over axes 0 and 2.
// CHECK-LABEL: func.func @softmax_middle
// CHECK-NEXT:    %y = loops.kernel parallel [p0 = 3, p1 = 10] reduction [k0 = 6] -> tensor<3x6x10xf32> {
// CHECK-NEXT:      %[[M:.*]] = loops.reduce max over [6] : tensor<3x1x10xf32> at (p0, 0, p1 | k0) {
// CHECK-NEXT:        loops.load %x[d0, r0, d2] : tensor<3x6x10xf32>
// CHECK:           %[[S:.*]] = loops.reduce sum over [6] : tensor<3x1x10xf32> at (p0, 0, p1 | k0)
// CHECK:             loops.load %[[M]][d0, 0, d2] : tensor<3x1x10xf32>
// CHECK:           %[[Y:.*]] = loops.pointwise : tensor<3x6x10xf32> at (p0, k0, p1)
// CHECK:             loops.load %[[S]][d0, 0, d2] : tensor<3x1x10xf32>
// CHECK:           loops.yield %[[Y]] : tensor<3x6x10xf32>
// CHECK-NEXT:    }
// CHECK-NEXT:    func.return %y
func.func @softmax_middle(%x: tensor<3x6x10xf32>) -> tensor<3x6x10xf32> {
  %y = "tensor_graph.softmax"(%x) <{axis = 1 : i64}> : (tensor<3x6x10xf32>) -> tensor<3x6x10xf32>
  func.return %y : tensor<3x6x10xf32>
}

// log_softmax over axis 0.
// CHECK-LABEL: func.func @log_softmax_columns
// CHECK-NEXT:    %y = loops.kernel parallel [p0 = 10] reduction [k0 = 6] -> tensor<6x10xf32> {
// CHECK:           loops.reduce max over [6] : tensor<1x10xf32> at (0, p0 | k0)
// CHECK:           loops.reduce sum over [6] : tensor<1x10xf32> at (0, p0 | k0)
// CHECK:           loops.pointwise : tensor<1x10xf32> at (0, p0) {
// CHECK:             math.log
// CHECK:           loops.pointwise : tensor<6x10xf32> at (k0, p0)
// CHECK:           loops.yield %{{.*}} : tensor<6x10xf32>
// CHECK-NEXT:    }
// CHECK-NEXT:    func.return %y
func.func @log_softmax_columns(%x: tensor<6x10xf32>) -> tensor<6x10xf32> {
  %y = "tensor_graph.log_softmax"(%x) <{axis = 0 : i64}> : (tensor<6x10xf32>) -> tensor<6x10xf32>
  func.return %y : tensor<6x10xf32>
}

// A layer norm over axis 0: the mean, the variance and rsqrt per column stay in the
// kernel.
// CHECK-LABEL: func.func @layer_norm_axis0
// CHECK-NEXT:    %y = loops.kernel parallel [p0 = 10] reduction [k0 = 6] -> tensor<6x10xf32> {
// CHECK-NEXT:      %[[SUM:.*]] = loops.reduce sum over [6] : tensor<1x10xf32> at (0, p0 | k0) {
// CHECK:           %mean = loops.pointwise : tensor<1x10xf32> at (0, p0) {
// CHECK:           %[[VAR:.*]] = loops.reduce sum over [6] : tensor<1x10xf32> at (0, p0 | k0)
// CHECK:             loops.load %mean[0, d1]
// CHECK:           %r = loops.pointwise : tensor<1x10xf32> at (0, p0) {
// CHECK:             math.rsqrt
// CHECK:           %[[Y:.*]] = loops.pointwise : tensor<6x10xf32> at (k0, p0)
// CHECK-DAG:         loops.load %r[0, d1]
// CHECK-DAG:         loops.load %w[d0, d1]
// CHECK:           loops.yield %[[Y]] : tensor<6x10xf32>
// CHECK-NEXT:    }
// CHECK-NEXT:    func.return %y
func.func @layer_norm_axis0(%x: tensor<6x10xf32>, %w: tensor<6x10xf32>) -> tensor<6x10xf32> {
  %mean = "tensor_graph.reduce"(%x) <{kind = "mean", dims = array<i64: 0>, keepdim = true}> : (tensor<6x10xf32>) -> tensor<1x10xf32>
  %d = "tensor_graph.sub"(%x, %mean) : (tensor<6x10xf32>, tensor<1x10xf32>) -> tensor<6x10xf32>
  %sq = "tensor_graph.mul"(%d, %d) : (tensor<6x10xf32>, tensor<6x10xf32>) -> tensor<6x10xf32>
  %var = "tensor_graph.reduce"(%sq) <{kind = "mean", dims = array<i64: 0>, keepdim = true}> : (tensor<6x10xf32>) -> tensor<1x10xf32>
  %r = "tensor_graph.rsqrt"(%var) : (tensor<1x10xf32>) -> tensor<1x10xf32>
  %n = "tensor_graph.mul"(%d, %r) : (tensor<6x10xf32>, tensor<1x10xf32>) -> tensor<6x10xf32>
  %y = "tensor_graph.mul"(%n, %w) : (tensor<6x10xf32>, tensor<6x10xf32>) -> tensor<6x10xf32>
  func.return %y : tensor<6x10xf32>
}
