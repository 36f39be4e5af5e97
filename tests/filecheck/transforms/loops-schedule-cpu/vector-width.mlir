// The vector width is an option: the same input prints the same schedule on every
// host when it is given (without it, the host's width is the default).
// RUN: stepwell-opt %s -p 'loops-schedule-cpu{vector-width=16}' | filecheck %s --check-prefix=W16
// RUN: stepwell-opt %s -p 'loops-schedule-cpu{vector-width=8}' | filecheck %s --check-prefix=W8
// RUN: stepwell-opt %s -p 'loops-schedule-cpu{vector-width=8 max-chunks=16 chunk-work=1000000}' | filecheck %s --check-prefix=KNOBS

// The GEMM's micro-kernel: AVX-512 (16 lanes, 32 registers) 8 x 32, AVX2 6 x 16.
// W16:   schedule = #loops.cpu<gemm, outer = [p0 / 64, p1 / 128], kc = 256, mr = 8, nr = 32, chunks = 128, vector = 16>
// W8:    schedule = #loops.cpu<gemm, outer = [p0 / 66, p1 / 128], kc = 256, mr = 6, nr = 16, chunks = 128, vector = 8>
// KNOBS: schedule = #loops.cpu<gemm, outer = [p0 / 66, p1 / 128], kc = 256, mr = 6, nr = 16, chunks = 16, vector = 8>
func.func @mm(%a: tensor<1024x1024xf32>, %w: tensor<1024x1024xf32>) -> tensor<1024x1024xf32> {
  %p = loops.contract over [1024] m = d0, n = d1, k = r0 : tensor<1024x1024xf32> {
    %0 = loops.load %a[d0, r0] : tensor<1024x1024xf32>
    %1 = loops.load %w[r0, d1] : tensor<1024x1024xf32>
    %2 = arith.mulf %0, %1 : f32
    loops.yield %2 : f32
  }
  func.return %p : tensor<1024x1024xf32>
}

// Blocks of the last dim are a multiple of 4 vectors.
// W16:   schedule = #loops.cpu<outer = [p0, p1 / 65536], chunks = 64, vector = 16>
// W8:    schedule = #loops.cpu<outer = [p0, p1 / 65536], chunks = 64, vector = 8>
// KNOBS: schedule = #loops.cpu<outer = [p0, p1 / 1048576], chunks = 4, vector = 8>
func.func @leading_one(%x: tensor<1x4194304xf32>) -> tensor<1x4194304xf32> {
  %y = loops.pointwise : tensor<1x4194304xf32> {
    %a = loops.load %x[d0, d1] : tensor<1x4194304xf32>
    loops.yield %a : f32
  }
  func.return %y : tensor<1x4194304xf32>
}
