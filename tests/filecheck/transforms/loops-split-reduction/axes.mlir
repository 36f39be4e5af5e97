// RUN: stepwell-opt %s -p loops-split-reduction | filecheck %s

// Reductions with fewer than 64 outputs get a leading dim of C chunks, C x outputs
// reaching 64: the op's own dims follow it (d0 -> d1).

// Rows: 8 outputs, 8 chunks of 8192.
// CHECK-LABEL: func.func @rows
// CHECK-NEXT:    %s_part = loops.reduce sum over [8192] : tensor<8x8xf32> {
// CHECK-NEXT:      loops.load %x[d1, 8192 * d0 + r0] : tensor<8x65536xf32>
// CHECK:         %s = loops.reduce sum over [8] : tensor<8xf32> {
// CHECK-NEXT:      loops.load %s_part[r0, d0] : tensor<8x8xf32>
func.func @rows(%x: tensor<8x65536xf32>) -> tensor<8xf32> {
  %s = loops.reduce sum over [65536] : tensor<8xf32> {
    %a = loops.load %x[d0, r0] : tensor<8x65536xf32>
    loops.yield %a : f32
  }
  func.return %s : tensor<8xf32>
}

// Over axis 0 of [65536, 4]: its loads walk along its 4 outputs, so a core sums
// whole rows of 4 and its parallel points are its rows (one): 64 chunks of rows.
// CHECK-LABEL: func.func @cols
// CHECK-NEXT:    %s_part = loops.reduce sum over [1024] : tensor<64x4xf32> {
// CHECK-NEXT:      loops.load %x[1024 * d0 + r0, d1] : tensor<65536x4xf32>
// CHECK:         %s = loops.reduce sum over [64] : tensor<4xf32> {
// CHECK-NEXT:      loops.load %s_part[r0, d0] : tensor<64x4xf32>
func.func @cols(%x: tensor<65536x4xf32>) -> tensor<4xf32> {
  %s = loops.reduce sum over [65536] : tensor<4xf32> {
    %a = loops.load %x[r0, d0] : tensor<65536x4xf32>
    loops.yield %a : f32
  }
  func.return %s : tensor<4xf32>
}

// max and min combine with their own kind (exact).
// CHECK-LABEL: func.func @max_min
// CHECK:         %hi_part = loops.reduce max over [2048] : tensor<32x2xi32>
// CHECK:         %hi = loops.reduce max over [32] : tensor<2xi32>
// CHECK:         %lo_part = loops.reduce min over [2048] : tensor<32x2xf32>
// CHECK:         %lo = loops.reduce min over [32] : tensor<2xf32>
func.func @max_min(%x: tensor<2x65536xi32>, %y: tensor<2x65536xf32>) -> (tensor<2xi32>, tensor<2xf32>) {
  %hi = loops.reduce max over [65536] : tensor<2xi32> {
    %a = loops.load %x[d0, r0] : tensor<2x65536xi32>
    loops.yield %a : i32
  }
  %lo = loops.reduce min over [65536] : tensor<2xf32> {
    %b = loops.load %y[d0, r0] : tensor<2x65536xf32>
    loops.yield %b : f32
  }
  func.return %hi, %lo : tensor<2xi32>, tensor<2xf32>
}

// i1: the sum is xor, per chunk and over the chunks.
// CHECK-LABEL: func.func @parity
// CHECK:         %p_part = loops.reduce sum over [1024] : tensor<64xi1>
// CHECK:         %p = loops.reduce sum over [64] : tensor<i1>
func.func @parity(%x: tensor<65536xi1>) -> tensor<i1> {
  %p = loops.reduce sum over [65536] : tensor<i1> {
    %a = loops.load %x[r0] : tensor<65536xi1>
    loops.yield %a : i1
  }
  func.return %p : tensor<i1>
}

// f16 accumulates in f32: the partial sums stay f32, and the f32 total is rounded
// once to f16.
// CHECK-LABEL: func.func @half
// CHECK-NEXT:    %s_part = loops.reduce sum over [1024] : tensor<64xf32> {
// CHECK-NEXT:      %a = loops.load %x[1024 * d0 + r0] : tensor<65536xf16>
// CHECK-NEXT:      %[[W:.*]] = arith.extf %a : f16 to f32
// CHECK-NEXT:      loops.yield %[[W]] : f32
// CHECK:         %s_combined = loops.reduce sum over [64] : tensor<f32>
// CHECK:         %s = loops.pointwise : tensor<f16> {
// CHECK-NEXT:      %[[T:.*]] = loops.load %s_combined[] : tensor<f32>
// CHECK-NEXT:      %[[R:.*]] = arith.truncf %[[T]] : f32 to f16
// CHECK-NEXT:      loops.yield %[[R]] : f16
func.func @half(%x: tensor<65536xf16>) -> tensor<f16> {
  %s = loops.reduce sum over [65536] : tensor<f16> {
    %a = loops.load %x[r0] : tensor<65536xf16>
    loops.yield %a : f16
  }
  func.return %s : tensor<f16>
}

// The outermost reduced dim (7) has no divisor near 64: the next one is cut.
// CHECK-LABEL: func.func @inner
// CHECK-NEXT:    %s_part = loops.reduce sum over [7, 1024] : tensor<64xi32> {
// CHECK-NEXT:      loops.load %x[r0, 1024 * d0 + r1] : tensor<7x65536xi32>
// CHECK:         %s = loops.reduce sum over [64] : tensor<i32>
func.func @inner(%x: tensor<7x65536xi32>) -> tensor<i32> {
  %s = loops.reduce sum over [7, 65536] : tensor<i32> {
    %a = loops.load %x[r0, r1] : tensor<7x65536xi32>
    loops.yield %a : i32
  }
  func.return %s : tensor<i32>
}

// Options: more parallelism wanted, less work needed.
// RUN: stepwell-opt %s -p 'loops-split-reduction{min-parallelism=256 min-split-work=1024}' | filecheck %s --check-prefix=OPT
// OPT-LABEL: func.func @rows
// OPT:         %s_part = loops.reduce sum over [2048] : tensor<32x8xf32>
// OPT-LABEL: func.func @cols
// OPT:         %s_part = loops.reduce sum over [256] : tensor<256x4xf32>

// 131074 = 2 x 65537: cutting it into 65537 chunks would leave 2 iterations a chunk
// (fewer than min-split-work / min-parallelism = 1024), so it is cut in 2.
// CHECK-LABEL: func.func @two
// CHECK-NEXT:    %s_part = loops.reduce sum over [65537] : tensor<2xi64>
// CHECK:         %s = loops.reduce sum over [2] : tensor<i64>
func.func @two(%x: tensor<131074xi64>) -> tensor<i64> {
  %s = loops.reduce sum over [131074] : tensor<i64> {
    %a = loops.load %x[r0] : tensor<131074xi64>
    loops.yield %a : i64
  }
  func.return %s : tensor<i64>
}

// A column sum with many outputs (sum_cols of bench/: [2048, 4096] over axis 0) is
// one row of 4096 for the cores: it is split into 64 chunks of 32 rows, each a row of
// partial sums, then a combine over 64.
// CHECK-LABEL: func.func @sum_cols
// CHECK-NEXT:    %s_part = loops.reduce sum over [32] : tensor<64x4096xf32> {
// CHECK-NEXT:      loops.load %x[32 * d0 + r0, d1] : tensor<2048x4096xf32>
// CHECK:         %s = loops.reduce sum over [64] : tensor<4096xf32> {
func.func @sum_cols(%x: tensor<2048x4096xf32>) -> tensor<4096xf32> {
  %s = loops.reduce sum over [2048] : tensor<4096xf32> {
    %a = loops.load %x[r0, d0] : tensor<2048x4096xf32>
    loops.yield %a : f32
  }
  func.return %s : tensor<4096xf32>
}

// Rows of a row sum are its parallel points: 2048 of them, no split.
// CHECK-LABEL: func.func @sum_rows
// CHECK-NOT:     _part
// CHECK:         func.return
func.func @sum_rows(%x: tensor<2048x4096xf32>) -> tensor<2048xf32> {
  %s = loops.reduce sum over [4096] : tensor<2048xf32> {
    %a = loops.load %x[d0, r0] : tensor<2048x4096xf32>
    loops.yield %a : f32
  }
  func.return %s : tensor<2048xf32>
}
