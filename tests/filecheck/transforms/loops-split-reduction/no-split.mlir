// RUN: stepwell-opt %s -p loops-split-reduction | filecheck %s
// RUN: stepwell-opt %s --verify-diagnostics -p 'loops-split-reduction{remarks=true}'

// Where the pass must leave a reduction as it is.

// 64 outputs are enough parallelism already.
// CHECK-LABEL: func.func @enough_outputs
// CHECK-NEXT:    %s = loops.reduce sum over [65536] : tensor<64xf32>
func.func @enough_outputs(%x: tensor<64x65536xf32>) -> tensor<64xf32> {
  %s = loops.reduce sum over [65536] : tensor<64xf32> {
    %a = loops.load %x[d0, r0] : tensor<64x65536xf32>
    loops.yield %a : f32
  }
  func.return %s : tensor<64xf32>
}

// A small whole-tensor sum stays one op (65535 iterations < min-split-work).
// CHECK-LABEL: func.func @small
// CHECK-NEXT:    %s = loops.reduce sum over [3, 21845] : tensor<f32>
func.func @small(%x: tensor<3x21845xf32>) -> tensor<f32> {
  %s = loops.reduce sum over [3, 21845] : tensor<f32> {
    %a = loops.load %x[r0, r1] : tensor<3x21845xf32>
    loops.yield %a : f32
  }
  func.return %s : tensor<f32>
}

// Inside a kernel: loops-fuse has already decided that kernel.
// CHECK-LABEL: func.func @in_kernel
// CHECK-NEXT:    loops.kernel parallel [p0 = 1] reduction [k0 = 65536]
// CHECK-NEXT:      %s = loops.reduce sum over [65536] : tensor<1xf32> at (p0 | k0)
func.func @in_kernel(%x: tensor<1x65536xf32>) -> tensor<1xf32> {
  %y = loops.kernel parallel [p0 = 1] reduction [k0 = 65536] -> tensor<1xf32> {
    %s = loops.reduce sum over [65536] : tensor<1xf32> at (p0 | k0) {
      %a = loops.load %x[d0, r0] : tensor<1x65536xf32>
      loops.yield %a : f32
    }
    %t = loops.pointwise : tensor<1xf32> at (p0) {
      %b = loops.load %s[d0] : tensor<1xf32>
      loops.yield %b : f32
    }
    loops.yield %t : tensor<1xf32>
  }
  func.return %y : tensor<1xf32>
}

// A prime size has no divisor to cut it by (no masking).
// CHECK-LABEL: func.func @prime
// CHECK-NEXT:    %s = loops.reduce sum over [65537] : tensor<f32>
func.func @prime(%x: tensor<65537xf32>) -> tensor<f32> {
  // expected-remark@+1 {{reduction %s not split: no divisor >= 2 of a dim of its reduced space [65537] leaves chunks of at least 1024 iterations}}
  %s = loops.reduce sum over [65537] : tensor<f32> {
    %a = loops.load %x[r0] : tensor<65537xf32>
    loops.yield %a : f32
  }
  func.return %s : tensor<f32>
}

// An arg reduction is cut only along its outermost reduced dim (so that chunks are
// in the order of positions): a prime outermost dim leaves it alone.
// CHECK-LABEL: func.func @arg_prime
// CHECK-NEXT:    %s = loops.reduce argmin over [65537, 2] (f32) : tensor<i64>
func.func @arg_prime(%x: tensor<65537x2xf32>) -> tensor<i64> {
  // expected-remark@+1 {{reduction %s not split: no divisor >= 2 of its outermost reduced dim (65537; an arg reduction is cut only there) leaves chunks of at least 1024 iterations}}
  %s = loops.reduce argmin over [65537, 2] (f32) : tensor<i64> {
    %a = loops.load %x[r0, r1] : tensor<65537x2xf32>
    loops.yield %a : f32
  }
  func.return %s : tensor<i64>
}

// An arg reduction whose body reads a reduced index cannot be evaluated again at a
// position read at run time.
// CHECK-LABEL: func.func @arg_index
// CHECK-NEXT:    %s = loops.reduce argmax over [65536] : tensor<i64>
func.func @arg_index(%x: tensor<65536xi64>) -> tensor<i64> {
  // expected-remark@+1 {{reduction %s not split: argmax of a body that reads a reduced index (loops.index)}}
  %s = loops.reduce argmax over [65536] (i64) : tensor<i64> {
    %a = loops.load %x[r0] : tensor<65536xi64>
    %i = loops.index [r0]
    %b = arith.addi %a, %i : i64
    loops.yield %b : i64
  }
  func.return %s : tensor<i64>
}

// A contraction is the GEMM's (split-K is not this pass's).
// CHECK-LABEL: func.func @dot
// CHECK-NEXT:    %c = loops.contract over [65536]
func.func @dot(%a: tensor<1x65536xf32>, %b: tensor<65536x1xf32>) -> tensor<1x1xf32> {
  %c = loops.contract over [65536] m = d0, n = d1, k = r0 : tensor<1x1xf32> {
    %x = loops.load %a[d0, r0] : tensor<1x65536xf32>
    %y = loops.load %b[r0, d1] : tensor<65536x1xf32>
    %p = arith.mulf %x, %y : f32
    loops.yield %p : f32
  }
  func.return %c : tensor<1x1xf32>
}

// Zero outputs or zero reduced points: no work.
// CHECK-LABEL: func.func @empty
// CHECK-NEXT:    %s = loops.reduce sum over [65536] : tensor<0xf32>
// CHECK:         %t = loops.reduce sum over [0, 65536] : tensor<f32>
func.func @empty(%x: tensor<0x65536xf32>) -> (tensor<0xf32>, tensor<f32>) {
  %s = loops.reduce sum over [65536] : tensor<0xf32> {
    %a = loops.load %x[d0, r0] : tensor<0x65536xf32>
    loops.yield %a : f32
  }
  %t = loops.reduce sum over [0, 65536] : tensor<f32> {
    %b = loops.load %x[r0, r1] : tensor<0x65536xf32>
    loops.yield %b : f32
  }
  func.return %s, %t : tensor<0xf32>, tensor<f32>
}
