// Remarks of merges rejected for a cycle and for the size cap.
// RUN: stepwell-opt %s --split-input-file --verify-diagnostics -p 'loops-fuse{vertical=false remarks=true}'
// RUN: stepwell-opt %s -p 'loops-fuse{vertical=false max-kernel-ops=8}' --remarks=loops-fuse 2>&1 >/dev/null | filecheck %s --check-prefix=CAP

// CAP: remark: 'loops.pointwise' op not fused %b1 into the kernel of %a1: the kernel would hold 11 ops (max-kernel-ops=8) (would save 128 bytes)

// {a1, a2} share %x and {b1, b2} share %w, but a1 -> b1 and b2 -> a2 (read at a
// reversed index: not fusable); once {a1, a2} is a kernel, {b1, b2} would close a cycle.
func.func @crossed(%x: tensor<4x4xf32>, %w: tensor<4x4xf32>) -> (tensor<4x4xf32>, tensor<4x4xf32>) {
  %a1 = loops.pointwise : tensor<4x4xf32> {
    %0 = loops.load %x[d0, d1] : tensor<4x4xf32>
    %1 = math.exp %0 : f32
    loops.yield %1 : f32
  }
  // expected-remark@+1 {{not fused %b1 into the kernel of %a1: %b1 reads %a1 at [d0, 3 - d1], not at the current parallel point (would save 128 bytes)}}
  %b1 = loops.pointwise : tensor<4x4xf32> {
    %2 = loops.load %a1[d0, 3 - d1] : tensor<4x4xf32>
    %3 = loops.load %w[d0, d1] : tensor<4x4xf32>
    %4 = arith.mulf %2, %3 : f32
    loops.yield %4 : f32
  }
  // expected-remark@+2 {{not fused %b2 into the kernel of %a1: %a2 reads %b2 at [d0, 3 - d1], not at the current parallel point (would save 128 bytes)}}
  // expected-remark@+1 {{not fused %b2 into the kernel of %b1: another op both uses the kernel and is used by it (a cycle) (would save 64 bytes)}}
  %b2 = loops.pointwise : tensor<4x4xf32> {
    %5 = loops.load %w[d0, d1] : tensor<4x4xf32>
    %6 = math.exp %5 : f32
    loops.yield %6 : f32
  }
  // expected-remark@+2 {{fused %a2 into the kernel of %a1 (parallel [4, 4]): saves 64 bytes}}
  // expected-remark@+1 {{not fused %a2 into the kernel of %b2: %a2 reads %b2 at [d0, 3 - d1], not at the current parallel point (would save 128 bytes)}}
  %a2 = loops.pointwise : tensor<4x4xf32> {
    %7 = loops.load %b2[d0, 3 - d1] : tensor<4x4xf32>
    %8 = loops.load %x[d0, d1] : tensor<4x4xf32>
    %9 = arith.addf %7, %8 : f32
    loops.yield %9 : f32
  }
  func.return %b1, %a2 : tensor<4x4xf32>, tensor<4x4xf32>
}
