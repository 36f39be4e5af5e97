// RUN: stepwell-opt %s -p 'tensor_graph-decompose,convert-tensor_graph-to-loops,loops-fuse,loops-simplify-index,loops-schedule-cpu{vector-width=16}' | filecheck %s

// A contraction of loads (with a pointwise epilogue) is a GEMM: the outer loop is
// (batch, blocks of MC rows, blocks of NC columns); MR x NR = 8 x 2 vectors of 16
// lanes, KC = 256. mm 1024^3 (the mm_bias_relu workload): 16 x 8 blocks of 64 x 128.
// CHECK-LABEL: func.func @mm_bias_relu
// CHECK:         loops.kernel parallel [p0 = 1024, p1 = 1024] reduction [k0 = 1024] -> tensor<1024x1024xf32> attributes {schedule = #loops.cpu<gemm, outer = [p0 / 64, p1 / 128], kc = 256, mr = 8, nr = 32, chunks = 128, vector = 16>}
func.func @mm_bias_relu(%a: tensor<1024x1024xf32>, %w: tensor<1024x1024xf32>, %b: tensor<1024xf32>) -> tensor<1024x1024xf32> {
  %p = tensor_graph.matmul %a, %w : tensor<1024x1024xf32>, tensor<1024x1024xf32> -> tensor<1024x1024xf32>
  %s = tensor_graph.add %p, %b : tensor<1024x1024xf32>, tensor<1024xf32> -> tensor<1024x1024xf32>
  %r = tensor_graph.relu %s : tensor<1024x1024xf32>
  func.return %r : tensor<1024x1024xf32>
}

// Small M: one block of rows, so N is cut into blocks of NR columns, then M into two
// blocks, for 64 chunks.
// CHECK-LABEL: func.func @mm_m64
// CHECK:         schedule = #loops.cpu<gemm, outer = [p0 / 32, p1 / 32], kc = 256, mr = 8, nr = 32, chunks = 64, vector = 16>
func.func @mm_m64(%a: tensor<64x1024xf32>, %w: tensor<1024x1024xf32>) -> tensor<64x1024xf32> {
  %p = tensor_graph.matmul %a, %w : tensor<64x1024xf32>, tensor<1024x1024xf32> -> tensor<64x1024xf32>
  func.return %p : tensor<64x1024xf32>
}

// M = 16 (two micro-tiles of rows) is not cut further: 32 blocks of 32 columns.
// CHECK-LABEL: func.func @mm_m16
// CHECK:         schedule = #loops.cpu<gemm, outer = [p0 / 16, p1 / 32], kc = 256, mr = 8, nr = 32, chunks = 32, vector = 16>
func.func @mm_m16(%a: tensor<16x1024xf32>, %w: tensor<1024x1024xf32>) -> tensor<16x1024xf32> {
  %p = tensor_graph.matmul %a, %w : tensor<16x1024xf32>, tensor<1024x1024xf32> -> tensor<16x1024xf32>
  func.return %p : tensor<16x1024xf32>
}

// Batched: the batch dims lead the outer loop (the attention workload's Q K^T).
// CHECK-LABEL: func.func @bmm
// CHECK:         schedule = #loops.cpu<gemm, outer = [p0, p1, p2 / 64, p3 / 128], kc = 64, mr = 8, nr = 32, chunks = 128, vector = 16>
func.func @bmm(%q: tensor<1x4x512x64xf32>, %k: tensor<1x4x64x512xf32>) -> tensor<1x4x512x512xf32> {
  %p = tensor_graph.matmul %q, %k : tensor<1x4x512x64xf32>, tensor<1x4x64x512xf32> -> tensor<1x4x512x512xf32>
  func.return %p : tensor<1x4x512x512xf32>
}

// f64 accumulates in vectors of 8 lanes: NR = 16 (2 x 32 blocks of 64 x 16).
// CHECK-LABEL: func.func @mm_f64
// CHECK:         schedule = #loops.cpu<gemm, outer = [p0 / 64, p1 / 16], kc = 256, mr = 8, nr = 16, chunks = 64, vector = 16>
func.func @mm_f64(%a: tensor<128x256xf64>, %w: tensor<256x512xf64>) -> tensor<128x512xf64> {
  %p = tensor_graph.matmul %a, %w : tensor<128x256xf64>, tensor<256x512xf64> -> tensor<128x512xf64>
  func.return %p : tensor<128x512xf64>
}
