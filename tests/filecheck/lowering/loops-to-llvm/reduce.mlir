// RUN: stepwell-opt %s -p convert-loops-to-llvm | filecheck %s

// A row reduction keeps the reduced dim innermost; the combine alone carries `reassoc`
// (so LLVM may vectorize it), the body does not.
// CHECK-LABEL: llvm.func @rows_k0
// CHECK:         llvm.fmul %{{.*}}, %{{.*}} : f32
// CHECK:         llvm.fadd %{{.*}}, %{{.*}} {fastmathFlags = #llvm.fastmath<reassoc>} : f32
func.func @rows(%x: tensor<6x100xf32>) -> tensor<6xf32> {
  %y = loops.reduce sum over [100] : tensor<6xf32> {
    %a = loops.load %x[d0, r0] : tensor<6x100xf32>
    %b = arith.mulf %a, %a : f32
    loops.yield %b : f32
  }
  func.return %y : tensor<6xf32>
}

// A column reduction (reads contiguous along the output) puts the output innermost: a
// row of accumulators on the stack, the outer range walked in blocks of columns (the
// last one shorter: the block's end is clamped to the size).
// CHECK-LABEL: llvm.func @cols_k0
// CHECK:         %[[ROW:.*]] = llvm.alloca %{{.*}} x f32 {alignment = 64 : i64} : (i64) -> !llvm.ptr
// CHECK:         llvm.call_intrinsic "llvm.smin.i64"
// CHECK:         llvm.getelementptr inbounds %[[ROW]]
// CHECK:         llvm.fadd %{{.*}}, %{{.*}} {fastmathFlags = #llvm.fastmath<reassoc>} : f32
func.func @cols(%x: tensor<100x2000xf32>) -> tensor<2000xf32> {
  %y = loops.reduce sum over [100] : tensor<2000xf32> {
    %a = loops.load %x[r0, d0] : tensor<100x2000xf32>
    loops.yield %a : f32
  }
  func.return %y : tensor<2000xf32>
}

// max / min propagate NaN (llvm.maximum); integer ones are smax / smin.
// CHECK-LABEL: llvm.func @maxes_k0
// CHECK:         llvm.call_intrinsic "llvm.maximum.f64"({{.*}}) {fastmathFlags = #llvm.fastmath<reassoc>} : (f64, f64) -> f64
// CHECK-LABEL: llvm.func @maxes_k1
// CHECK:         llvm.call_intrinsic "llvm.smin.i32"
func.func @maxes(%x: tensor<3x4xf64>, %y: tensor<3x4xi32>) -> (tensor<3xf64>, tensor<3xi32>) {
  %m = loops.reduce max over [4] : tensor<3xf64> {
    %a = loops.load %x[d0, r0] : tensor<3x4xf64>
    loops.yield %a : f64
  }
  %n = loops.reduce min over [4] : tensor<3xi32> {
    %a = loops.load %y[d0, r0] : tensor<3x4xi32>
    loops.yield %a : i32
  }
  func.return %m, %n : tensor<3xf64>, tensor<3xi32>
}

// argmax keeps (best, position): a later value wins if strictly greater or the first
// NaN; the position is the flat index over the reduced space.
// CHECK-LABEL: llvm.func @arg_k0
// CHECK:         llvm.fcmp "ogt"
// CHECK:         llvm.fcmp "uno"
// CHECK:         llvm.fcmp "ord"
// CHECK:         llvm.select
// CHECK:         llvm.store %{{.*}} : i64, !llvm.ptr
func.func @arg(%x: tensor<3x4x5xf32>) -> tensor<3xi64> {
  %y = loops.reduce argmax over [4, 5] (f32) : tensor<3xi64> {
    %a = loops.load %x[d0, r0, r1] : tensor<3x4x5xf32>
    loops.yield %a : f32
  }
  func.return %y : tensor<3xi64>
}

// bf16 accumulates in f32 and rounds once when stored.
// CHECK-LABEL: llvm.func @half_sum_k0
// CHECK:         llvm.load %{{.*}} : !llvm.ptr -> i16
// CHECK:         llvm.shl
// CHECK:         llvm.bitcast %{{.*}} : i32 to f32
// CHECK:         llvm.fadd %{{.*}}, %{{.*}} {fastmathFlags = #llvm.fastmath<reassoc>} : f32
// CHECK:         llvm.lshr
// CHECK:         llvm.store %{{.*}} : i16, !llvm.ptr
func.func @half_sum(%x: tensor<2x9xbf16>) -> tensor<2xbf16> {
  %y = loops.reduce sum over [9] : tensor<2xbf16> {
    %a = loops.load %x[d0, r0] : tensor<2x9xbf16>
    loops.yield %a : bf16
  }
  func.return %y : tensor<2xbf16>
}
