// `--remarks=PASS,...` (MLIR's -Rpass): the remarks of those passes ('all': of every
// pass) are reported, without editing the pipeline; a pass name must exist.
// RUN: not stepwell-opt %s -p loops-fuse --remarks=loops-fuse,no-such-pass 2>&1 | filecheck %s --check-prefix=UNKNOWN
// RUN: stepwell-opt --help | filecheck %s --check-prefix=HELP
// RUN: stepwell-opt %s -p loops-fuse --remarks=all 2>&1 >/dev/null | filecheck %s

// UNKNOWN: error: --remarks: unknown pass 'no-such-pass' (a comma list of pass names, or 'all'; see --list-passes)
// HELP: --remarks PASSES
// HELP: report the remarks of these passes

// CHECK: remark: 'loops.reduce' op fused %z into the kernel of %m (parallel [4]): saves 128 bytes
func.func @f(%x: tensor<4x8xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %m = loops.reduce max over [8] : tensor<4xf32> {
    %0 = loops.load %x[d0, r0] : tensor<4x8xf32>
    loops.yield %0 : f32
  }
  %z = loops.reduce sum over [8] : tensor<4xf32> {
    %0 = loops.load %x[d0, r0] : tensor<4x8xf32>
    loops.yield %0 : f32
  }
  func.return %m, %z : tensor<4xf32>, tensor<4xf32>
}
