// RUN: stepwell-opt %s -p 'loops-schedule-cpu{vector-width=16}' | filecheck %s

// A row softmax (the softmax_rows workload): the rows are the outer loop, one row per
// point, the reduced dim innermost; 2048 rows of 3 x 4096 bodies are 256 chunks.
// CHECK-LABEL: func.func @softmax_rows
// CHECK:         loops.kernel parallel [p0 = 2048] reduction [k0 = 4096] -> tensor<2048x4096xf32> attributes {schedule = #loops.cpu<outer = [p0], chunks = 256, vector = 16>}
func.func @softmax_rows(%x: tensor<2048x4096xf32>) -> tensor<2048x4096xf32> {
  %y = loops.kernel parallel [p0 = 2048] reduction [k0 = 4096] -> tensor<2048x4096xf32> {
    %m = loops.reduce max over [4096] : tensor<2048x1xf32> at (p0, 0 | k0) {
      %a = loops.load %x[d0, r0] : tensor<2048x4096xf32>
      loops.yield %a : f32
    }
    %s = loops.reduce sum over [4096] : tensor<2048x1xf32> at (p0, 0 | k0) {
      %a = loops.load %x[d0, r0] : tensor<2048x4096xf32>
      %b = loops.load %m[d0, 0] : tensor<2048x1xf32>
      %c = arith.subf %a, %b : f32
      %e = math.exp %c : f32
      loops.yield %e : f32
    }
    %o = loops.pointwise : tensor<2048x4096xf32> at (p0, k0) {
      %a = loops.load %x[d0, d1] : tensor<2048x4096xf32>
      %b = loops.load %m[d0, 0] : tensor<2048x1xf32>
      %c = arith.subf %a, %b : f32
      %e = math.exp %c : f32
      %t = loops.load %s[d0, 0] : tensor<2048x1xf32>
      %r = arith.divf %e, %t : f32
      loops.yield %r : f32
    }
    loops.yield %o : tensor<2048x4096xf32>
  }
  func.return %y : tensor<2048x4096xf32>
}

// A column sum (the sum_cols workload): loads contiguous along the output, so the
// output is innermost (inner_output: a row of accumulators per block of columns);
// the blocks of columns are the outer loop, cut down to strips of 64 (MIN_ROW) for
// 64 chunks, with no memory beyond the result (bench/MEMORY.md, sum_cols).
// CHECK-LABEL: func.func @sum_cols
// CHECK:         loops.reduce sum over [2048] : tensor<4096xf32> attributes {schedule = #loops.cpu<outer = [p0 / 64], inner_output = [0], chunks = 64, vector = 16>}
func.func @sum_cols(%x: tensor<2048x4096xf32>) -> tensor<4096xf32> {
  %y = loops.reduce sum over [2048] : tensor<4096xf32> {
    %a = loops.load %x[r0, d0] : tensor<2048x4096xf32>
    loops.yield %a : f32
  }
  func.return %y : tensor<4096xf32>
}

// With few columns the block stays whole (fewer chunks are wanted).
// CHECK-LABEL: func.func @sum_cols_small
// CHECK:         schedule = #loops.cpu<outer = [p0 / 600], inner_output = [0], chunks = 1, vector = 16>
func.func @sum_cols_small(%x: tensor<30x600xf32>) -> tensor<600xf32> {
  %y = loops.reduce sum over [30] : tensor<600xf32> {
    %a = loops.load %x[r0, d0] : tensor<30x600xf32>
    loops.yield %a : f32
  }
  func.return %y : tensor<600xf32>
}

// A softmax over axis 0 as one kernel: its p dim is the ops' trailing dim. The outer
// loop runs over strips of 64 columns (64 chunks); the max and the sum keep a row of
// accumulators (inner_output) and the epilogue reads them at its own column.
// CHECK-LABEL: func.func @softmax_cols
// CHECK:         loops.kernel parallel [p0 = 4096] reduction [k0 = 512] -> tensor<512x4096xf32> attributes {schedule = #loops.cpu<outer = [p0 / 64], inner_output = [0, 1], chunks = 64, vector = 16>}
func.func @softmax_cols(%x: tensor<512x4096xf32>) -> tensor<512x4096xf32> {
  %y = loops.kernel parallel [p0 = 4096] reduction [k0 = 512] -> tensor<512x4096xf32> {
    %m = loops.reduce max over [512] : tensor<1x4096xf32> at (0, p0 | k0) {
      %a = loops.load %x[r0, d1] : tensor<512x4096xf32>
      loops.yield %a : f32
    }
    %s = loops.reduce sum over [512] : tensor<1x4096xf32> at (0, p0 | k0) {
      %a = loops.load %x[r0, d1] : tensor<512x4096xf32>
      %b = loops.load %m[0, d1] : tensor<1x4096xf32>
      %c = arith.subf %a, %b : f32
      %e = math.exp %c : f32
      loops.yield %e : f32
    }
    %o = loops.pointwise : tensor<512x4096xf32> at (k0, p0) {
      %a = loops.load %x[d0, d1] : tensor<512x4096xf32>
      %b = loops.load %m[0, d1] : tensor<1x4096xf32>
      %c = arith.subf %a, %b : f32
      %e = math.exp %c : f32
      %t = loops.load %s[0, d1] : tensor<1x4096xf32>
      %r = arith.divf %e, %t : f32
      loops.yield %r : f32
    }
    loops.yield %o : tensor<512x4096xf32>
  }
  func.return %y : tensor<512x4096xf32>
}

// A whole-tensor reduction has no parallel dim: one point, one chunk (splitting it is
// loops-split-reduction's work).
// CHECK-LABEL: func.func @total
// CHECK:         schedule = #loops.cpu<outer = [], chunks = 1, vector = 16>
func.func @total(%x: tensor<1000xf32>) -> tensor<f32> {
  %y = loops.reduce sum over [1000] : tensor<f32> {
    %a = loops.load %x[r0] : tensor<1000xf32>
    loops.yield %a : f32
  }
  func.return %y : tensor<f32>
}

// A schedule written by hand is kept.
// CHECK-LABEL: func.func @kept
// CHECK:         schedule = #loops.cpu<outer = [p0 / 8], chunks = 2, vector = 4>
func.func @kept(%x: tensor<16xf32>) -> tensor<16xf32> {
  %y = loops.pointwise : tensor<16xf32> attributes {schedule = #loops.cpu<outer = [p0 / 8], chunks = 2, vector = 4>} {
    %a = loops.load %x[d0] : tensor<16xf32>
    loops.yield %a : f32
  }
  func.return %y : tensor<16xf32>
}
