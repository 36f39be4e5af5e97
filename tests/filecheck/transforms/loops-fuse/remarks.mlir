// Fusion remarks (`loops-fuse{remarks=true}`, or `stepwell-opt --remarks=loops-fuse`):
// every merge, rejected merge, inlining and recompute, with the bytes of memory
// traffic it saves (or would have saved).
// RUN: stepwell-opt %s --split-input-file --verify-diagnostics -p 'loops-fuse{remarks=true}'
// RUN: stepwell-opt %s --split-input-file --verify-diagnostics -p loops-fuse --remarks=loops-fuse
// RUN: stepwell-opt %s --split-input-file --verify-diagnostics -p loops-fuse --remarks=canonicalize,all
// RUN: stepwell-opt %s --split-input-file -p loops-fuse --remarks=loops-fuse 2>&1 >/dev/null | filecheck %s --check-prefix=TEXT
// RUN: stepwell-opt %s --split-input-file -p loops-fuse --remarks=canonicalize 2>&1 | filecheck %s --check-prefix=QUIET
// RUN: stepwell-opt %s --split-input-file -p loops-fuse 2>&1 | filecheck %s --check-prefix=QUIET

// QUIET-NOT: remark

// The wording, in order (merges and recomputes as they happen, rejections at the end).
// TEXT:      remarks.mlir:[[# @LINE + 17]]:3: remark: 'loops.pointwise' op recomputed %e in %y, %z (x2: arith.subf, math.exp): saves 3199984 bytes
// TEXT-NEXT:   %e = loops.pointwise
// TEXT:      remark: 'loops.reduce' op fused %z into the kernel of %m (parallel [4, 1]): saves 1600016 bytes
// TEXT:      remark: 'loops.pointwise' op not fused %y into the kernel of %m: the kernel would expose 4 parallel points, %y alone 400000 (min-parallelism=64) (would save 1600064 bytes)
// TEXT:      remark: 'loops.pointwise' op inlined %a into %m: saves 528 bytes
// TEXT:      remark: 'loops.pointwise' op not fused %y into the kernel of %m: %y reads %m at [0, d1 + 1], not at the current parallel point (would save 88 bytes)
// TEXT:      remark: 'loops.pointwise' op not fused %y into the kernel of %s: the kernel would read %x in two orders (along p0 by different strides) (would save 32 bytes)

// Softmax over 4 rows of 100000: exp(x - max) recomputed in the sum and the
// division; the sum joins the max (x is read once); the division stays out at the
// default min-parallelism.
func.func @softmax_wide(%x: tensor<4x100000xf32>) -> tensor<4x100000xf32> {
  %m = loops.reduce max over [100000] : tensor<4x1xf32> {
    %0 = loops.load %x[d0, r0] : tensor<4x100000xf32>
    loops.yield %0 : f32
  }
  // expected-remark@+1 {{recomputed %e in %y, %z (x2: arith.subf, math.exp): saves 3199984 bytes}}
  %e = loops.pointwise : tensor<4x100000xf32> {
    %0 = loops.load %x[d0, d1] : tensor<4x100000xf32>
    %1 = loops.load %m[d0, 0] : tensor<4x1xf32>
    %2 = arith.subf %0, %1 : f32
    %3 = math.exp %2 : f32
    loops.yield %3 : f32
  }
  // expected-remark@+1 {{fused %z into the kernel of %m (parallel [4, 1]): saves 1600016 bytes}}
  %z = loops.reduce sum over [100000] : tensor<4x1xf32> {
    %0 = loops.load %e[d0, r0] : tensor<4x100000xf32>
    loops.yield %0 : f32
  }
  // expected-remark@+1 {{not fused %y into the kernel of %m: the kernel would expose 4 parallel points, %y alone 400000 (min-parallelism=64) (would save 1600064 bytes)}}
  %y = loops.pointwise : tensor<4x100000xf32> {
    %0 = loops.load %e[d0, d1] : tensor<4x100000xf32>
    %1 = loops.load %z[d0, 0] : tensor<4x1xf32>
    %2 = arith.divf %0, %1 : f32
    loops.yield %2 : f32
  }
  func.return %y : tensor<4x100000xf32>
}

// -----

// A chain inlined; a max read at the next column not fused.
func.func @chain_and_shift(%x: tensor<6x11xf32>) -> tensor<6x10xf32> {
  // expected-remark@+1 {{inlined %a into %m: saves 528 bytes}}
  %a = loops.pointwise : tensor<6x11xf32> {
    %0 = loops.load %x[d0, d1] : tensor<6x11xf32>
    %1 = arith.mulf %0, %0 : f32
    loops.yield %1 : f32
  }
  %m = loops.reduce max over [6] : tensor<1x11xf32> {
    %0 = loops.load %a[r0, d1] : tensor<6x11xf32>
    loops.yield %0 : f32
  }
  // expected-remark@+1 {{not fused %y into the kernel of %m: %y reads %m at [0, d1 + 1], not at the current parallel point (would save 88 bytes)}}
  %y = loops.pointwise : tensor<6x10xf32> {
    %0 = loops.load %x[d0, d1] : tensor<6x11xf32>
    %1 = loops.load %m[0, d1 + 1] : tensor<1x11xf32>
    %2 = arith.subf %0, %1 : f32
    loops.yield %2 : f32
  }
  func.return %y : tensor<6x10xf32>
}

// -----

// A row sum read by column, x read by row and by column: not fused.
func.func @two_orders(%x: tensor<4x4xf32>) -> tensor<4x4xf32> {
  %s = loops.reduce sum over [4] : tensor<4xf32> {
    %0 = loops.load %x[d0, r0] : tensor<4x4xf32>
    loops.yield %0 : f32
  }
  // expected-remark@+1 {{not fused %y into the kernel of %s: the kernel would read %x in two orders (along p0 by different strides) (would save 32 bytes)}}
  %y = loops.pointwise : tensor<4x4xf32> {
    %0 = loops.load %x[d0, d1] : tensor<4x4xf32>
    %1 = loops.load %s[d1] : tensor<4xf32>
    %2 = arith.mulf %0, %1 : f32
    loops.yield %2 : f32
  }
  func.return %y : tensor<4x4xf32>
}
