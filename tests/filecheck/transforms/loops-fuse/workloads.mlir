// RUN: stepwell-opt %s -p 'tensor_graph-decompose,canonicalize,cse,convert-tensor_graph-to-loops,loops-fuse{min-parallelism=1},loops-simplify-index' | filecheck %s

// The workloads of bench/WORKLOADS.md at small shapes, through the whole loops
// pipeline: the kernels each one becomes. (min-parallelism=1: at these shapes the
// default would keep epilogues out of kernels that expose fewer than 64 parallel
// points, which the bench's shapes never do.)

// softmax_rows: one kernel over the rows; max and sum stay in it, x is read three
// times per row (max, sum, output) and the output written once.
// CHECK-LABEL: func.func @softmax_rows
// CHECK-NEXT:    %y = loops.kernel parallel [p0 = 6] reduction [k0 = 10] -> tensor<6x10xf32> {
// CHECK-NEXT:      %[[M:.*]] = loops.reduce max over [10] : tensor<6x1xf32> at (p0, 0 | k0) {
// CHECK-NEXT:        loops.load %x[d0, r0] : tensor<6x10xf32>
// CHECK:           %[[S:.*]] = loops.reduce sum over [10] : tensor<6x1xf32> at (p0, 0 | k0) attributes {recompute = [{{.*}}math.exp{{.*}}]} {
// CHECK-NEXT:        loops.load %x[d0, r0] : tensor<6x10xf32>
// CHECK-NEXT:        loops.load %[[M]][d0, 0] : tensor<6x1xf32>
// CHECK:           %[[Y:.*]] = loops.pointwise : tensor<6x10xf32> at (p0, k0) attributes {recompute = [{{.*}}]} {
// CHECK:             loops.load %[[S]][d0, 0] : tensor<6x1xf32>
// CHECK:             arith.divf
// CHECK:           loops.yield %[[Y]] : tensor<6x10xf32>
// CHECK-NEXT:    }
// CHECK-NEXT:    func.return %y
func.func @softmax_rows(%x: tensor<6x10xf32>) -> tensor<6x10xf32> {
  %y = "tensor_graph.softmax"(%x) <{axis = -1 : i64}> : (tensor<6x10xf32>) -> tensor<6x10xf32>
  func.return %y : tensor<6x10xf32>
}

// layernorm: one kernel: the sum, the mean (per row), the sum of squared
// deviations, rsqrt(var + eps) (per row), the output.
// CHECK-LABEL: func.func @layernorm
// CHECK-NEXT:    %y = loops.kernel parallel [p0 = 6] reduction [k0 = 10] -> tensor<6x10xf32> {
// CHECK-NEXT:      %[[SUM:.*]] = loops.reduce sum over [10] : tensor<6x1xf32> at (p0, 0 | k0) {
// CHECK:           %[[MEAN:.*]] = loops.pointwise : tensor<6x1xf32> at (p0, 0) {
// CHECK:           %[[VAR:.*]] = loops.reduce sum over [10] : tensor<6x1xf32> at (p0, 0 | k0) attributes {recompute = [{{.*}}]} {
// CHECK:             loops.load %[[MEAN]][d0, 0]
// CHECK:           %[[RSTD:.*]] = loops.pointwise : tensor<6x1xf32> at (p0, 0) {
// CHECK:             math.rsqrt
// CHECK:           %[[Y:.*]] = loops.pointwise : tensor<6x10xf32> at (p0, k0) attributes {recompute = [{{.*}}]} {
// CHECK-DAG:         loops.load %w[d1] : tensor<10xf32>
// CHECK-DAG:         loops.load %b[d1] : tensor<10xf32>
// CHECK-DAG:         loops.load %[[RSTD]][d0, 0]
// CHECK:           loops.yield %[[Y]] : tensor<6x10xf32>
// CHECK-NEXT:    }
// CHECK-NEXT:    func.return %y
func.func @layernorm(%x: tensor<6x10xf32>, %w: tensor<10xf32>, %b: tensor<10xf32>) -> tensor<6x10xf32> {
  %y = "tensor_graph.layer_norm"(%x, %w, %b) <{axis = -1 : i64, epsilon = 1.0e-05 : f64}> : (tensor<6x10xf32>, tensor<10xf32>, tensor<10xf32>) -> tensor<6x10xf32>
  func.return %y : tensor<6x10xf32>
}

// rms_norm (not in the table, but a row normalization too): one kernel.
// CHECK-LABEL: func.func @rms_norm
// CHECK-NEXT:    %y = loops.kernel parallel [p0 = 6] reduction [k0 = 10] -> tensor<6x10xf32> {
// CHECK-NEXT:      loops.reduce sum over [10] : tensor<6x1xf32> at (p0, 0 | k0) {
// CHECK:           loops.pointwise : tensor<6x1xf32> at (p0, 0) {
// CHECK:             math.rsqrt
// CHECK:           loops.pointwise : tensor<6x10xf32> at (p0, k0) {
// CHECK:           loops.yield %{{.*}} : tensor<6x10xf32>
// CHECK-NEXT:    }
// CHECK-NEXT:    func.return %y
func.func @rms_norm(%x: tensor<6x10xf32>, %w: tensor<10xf32>) -> tensor<6x10xf32> {
  %y = "tensor_graph.rms_norm"(%x, %w) <{axis = -1 : i64, epsilon = 1.0e-06 : f64}> : (tensor<6x10xf32>, tensor<10xf32>) -> tensor<6x10xf32>
  func.return %y : tensor<6x10xf32>
}

// log_softmax: one kernel; log(sum) is a per-row op of it.
// CHECK-LABEL: func.func @log_softmax
// CHECK-NEXT:    %y = loops.kernel parallel [p0 = 6] reduction [k0 = 10] -> tensor<6x10xf32> {
// CHECK-NEXT:      loops.reduce max over [10]
// CHECK:           loops.reduce sum over [10]
// CHECK:           loops.pointwise : tensor<6x1xf32> at (p0, 0) {
// CHECK:             math.log
// CHECK:           loops.pointwise : tensor<6x10xf32>
// CHECK:           loops.yield %{{.*}} : tensor<6x10xf32>
// CHECK-NEXT:    }
// CHECK-NEXT:    func.return %y
func.func @log_softmax(%x: tensor<6x10xf32>) -> tensor<6x10xf32> {
  %y = "tensor_graph.log_softmax"(%x) <{axis = 1 : i64}> : (tensor<6x10xf32>) -> tensor<6x10xf32>
  func.return %y : tensor<6x10xf32>
}

// gelu_bias: one pointwise op reading x and b once each.
// CHECK-LABEL: func.func @gelu_bias
// CHECK-NEXT:    %y = loops.pointwise : tensor<6x10xf32> {
// CHECK-NEXT:      %[[X:.*]] = loops.load %x[d0, d1] : tensor<6x10xf32>
// CHECK-NEXT:      %[[B:.*]] = loops.load %b[d1] : tensor<10xf32>
// CHECK-NEXT:      arith.addf %[[X]], %[[B]] : f32
// CHECK-NOT:       loops.load
// CHECK:           math.erf
// CHECK-NOT:       loops.load
// CHECK:         func.return %y
func.func @gelu_bias(%x: tensor<6x10xf32>, %b: tensor<10xf32>) -> tensor<6x10xf32> {
  %t = "tensor_graph.add"(%x, %b) : (tensor<6x10xf32>, tensor<10xf32>) -> tensor<6x10xf32>
  %y = "tensor_graph.gelu"(%t) <{approximate = "none"}> : (tensor<6x10xf32>) -> tensor<6x10xf32>
  func.return %y : tensor<6x10xf32>
}

// ew_chain: one pointwise op reading each input once.
// CHECK-LABEL: func.func @ew_chain
// CHECK-NEXT:    %y = loops.pointwise : tensor<6x10xf32> {
// CHECK-DAG:       loops.load %a[d0, d1]
// CHECK-DAG:       loops.load %b[d0, d1]
// CHECK-DAG:       loops.load %c[d0, d1]
// CHECK-DAG:       loops.load %d[d0, d1]
// CHECK:           math.exp
// CHECK:           loops.yield
// CHECK-NEXT:    }
// CHECK-NEXT:    func.return %y
func.func @ew_chain(%a: tensor<6x10xf32>, %b: tensor<6x10xf32>, %c: tensor<6x10xf32>, %d: tensor<6x10xf32>) -> tensor<6x10xf32> {
  %0 = "tensor_graph.mul"(%a, %b) : (tensor<6x10xf32>, tensor<6x10xf32>) -> tensor<6x10xf32>
  %1 = "tensor_graph.add"(%0, %c) : (tensor<6x10xf32>, tensor<6x10xf32>) -> tensor<6x10xf32>
  %2 = "tensor_graph.relu"(%1) : (tensor<6x10xf32>) -> tensor<6x10xf32>
  %3 = "tensor_graph.sigmoid"(%d) : (tensor<6x10xf32>) -> tensor<6x10xf32>
  %y = "tensor_graph.mul"(%2, %3) : (tensor<6x10xf32>, tensor<6x10xf32>) -> tensor<6x10xf32>
  func.return %y : tensor<6x10xf32>
}

// sum_rows and sum_cols: one reduction each, nothing to fuse.
// CHECK-LABEL: func.func @sum_rows
// CHECK-NEXT:    %y = loops.reduce sum over [10] : tensor<6xf32> {
// CHECK-NEXT:      loops.load %x[d0, r0] : tensor<6x10xf32>
// CHECK-LABEL: func.func @sum_cols
// CHECK-NEXT:    %y = loops.reduce sum over [6] : tensor<10xf32> {
// CHECK-NEXT:      loops.load %x[r0, d0] : tensor<6x10xf32>
func.func @sum_rows(%x: tensor<6x10xf32>) -> tensor<6xf32> {
  %y = "tensor_graph.reduce"(%x) <{kind = "sum", dims = array<i64: 1>, keepdim = false}> : (tensor<6x10xf32>) -> tensor<6xf32>
  func.return %y : tensor<6xf32>
}
func.func @sum_cols(%x: tensor<6x10xf32>) -> tensor<10xf32> {
  %y = "tensor_graph.reduce"(%x) <{kind = "sum", dims = array<i64: 0>, keepdim = false}> : (tensor<6x10xf32>) -> tensor<10xf32>
  func.return %y : tensor<10xf32>
}

// transpose_add: one pointwise op reading x transposed.
// CHECK-LABEL: func.func @transpose_add
// CHECK-NEXT:    %y = loops.pointwise : tensor<6x10xf32> {
// CHECK-NEXT:      loops.load %x[d1, d0] : tensor<10x6xf32>
// CHECK-NEXT:      loops.load %z[d0, d1] : tensor<6x10xf32>
// CHECK-NEXT:      arith.addf
// CHECK-NEXT:      loops.yield
func.func @transpose_add(%x: tensor<10x6xf32>, %z: tensor<6x10xf32>) -> tensor<6x10xf32> {
  %t = "tensor_graph.transpose"(%x) <{perm = array<i64: 1, 0>}> : (tensor<10x6xf32>) -> tensor<6x10xf32>
  %y = "tensor_graph.add"(%t, %z) : (tensor<6x10xf32>, tensor<6x10xf32>) -> tensor<6x10xf32>
  func.return %y : tensor<6x10xf32>
}

// mm_bias_relu (bf16): the f32 accumulation and the bf16 epilogue in one kernel over
// every output point; the f32 product is never written.
// CHECK-LABEL: func.func @mm_bias_relu
// CHECK-NEXT:    %y = loops.kernel parallel [p0 = 6, p1 = 10] reduction [k0 = 8] -> tensor<6x10xbf16> {
// CHECK-NEXT:      %[[MM:.*]] = loops.contract over [8] m = d0, n = d1, k = r0 : tensor<6x10xf32> at (p0, p1 | k0) {
// CHECK-NEXT:        loops.load %a[d0, r0] : tensor<6x8xbf16>
// CHECK-NEXT:        arith.extf
// CHECK-NEXT:        loops.load %w[r0, d1] : tensor<8x10xbf16>
// CHECK:           %[[Y:.*]] = loops.pointwise : tensor<6x10xbf16> at (p0, p1) {
// CHECK-NEXT:        loops.load %[[MM]][d0, d1] : tensor<6x10xf32>
// CHECK:             loops.load %b[d1] : tensor<10xbf16>
// CHECK:             arith.maximumf
// CHECK:           loops.yield %[[Y]] : tensor<6x10xbf16>
// CHECK-NEXT:    }
// CHECK-NEXT:    func.return %y
func.func @mm_bias_relu(%a: tensor<6x8xbf16>, %w: tensor<8x10xbf16>, %b: tensor<10xbf16>) -> tensor<6x10xbf16> {
  %m = "tensor_graph.matmul"(%a, %w) : (tensor<6x8xbf16>, tensor<8x10xbf16>) -> tensor<6x10xbf16>
  %t = "tensor_graph.add"(%m, %b) : (tensor<6x10xbf16>, tensor<10xbf16>) -> tensor<6x10xbf16>
  %y = "tensor_graph.relu"(%t) : (tensor<6x10xbf16>) -> tensor<6x10xbf16>
  func.return %y : tensor<6x10xbf16>
}

// attention (bf16, computed in f32 and rounded once, as the spec says for a composite):
// q @ k^T in f32 over every score; the softmax over the rows of scores in one kernel
// (scale folded in, exp recomputed, max and sum kernel-local); p @ v with the single
// rounding to bf16. Four reductions.
// CHECK-LABEL: func.func @attention
// CHECK-NEXT:    %[[QK:.*]] = loops.contract over [4] batch = [d0, d1], m = d2, n = d3, k = r0 : tensor<1x2x6x6xf32>
// CHECK-NEXT:      loops.load %q[0, d1, d2, r0]
// CHECK:           loops.load %k[0, d1, d3, r0]
// CHECK:         %[[P:.*]] = loops.kernel parallel [p0 = 1, p1 = 2, p2 = 6] reduction [k0 = 6] -> tensor<1x2x6x6xf32> {
// CHECK-NEXT:      loops.reduce max over [6] : tensor<1x2x6x1xf32>
// CHECK:             loops.load %[[QK]][0, d1, d2, r0]
// CHECK:           loops.reduce sum over [6] : tensor<1x2x6x1xf32>
// CHECK:             math.exp
// CHECK:           loops.pointwise : tensor<1x2x6x6xf32>
// CHECK:             math.exp
// CHECK:             arith.divf
// CHECK:         %y = loops.kernel parallel [p0 = 1, p1 = 2, p2 = 6, p3 = 4] reduction [k0 = 6] -> tensor<1x2x6x4xbf16> {
// CHECK-NEXT:      loops.contract over [6] batch = [d0, d1], m = d2, n = d3, k = r0 : tensor<1x2x6x4xf32> at (p0, p1, p2, p3 | k0)
// CHECK-NEXT:        loops.load %[[P]][0, d1, d2, r0]
// CHECK:             loops.load %v[0, d1, r0, d3]
// CHECK:           loops.pointwise : tensor<1x2x6x4xbf16> at (p0, p1, p2, p3) {
// CHECK:             arith.truncf
// CHECK:         func.return %y
// CHECK-NOT:     loops.reduce
func.func @attention(%q: tensor<1x2x6x4xbf16>, %k: tensor<1x2x6x4xbf16>, %v: tensor<1x2x6x4xbf16>) -> tensor<1x2x6x4xbf16> {
  %y = "tensor_graph.attention"(%q, %k, %v) <{scale = 0.125 : f64, causal = false}> : (tensor<1x2x6x4xbf16>, tensor<1x2x6x4xbf16>, tensor<1x2x6x4xbf16>) -> tensor<1x2x6x4xbf16>
  func.return %y : tensor<1x2x6x4xbf16>
}
