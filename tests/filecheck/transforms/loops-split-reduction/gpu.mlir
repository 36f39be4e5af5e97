// RUN: stepwell-opt %s -p 'loops-split-reduction{min-parallelism=264 column-width=64 split-args=false split-chains=false remarks=true}' 2>&1 | filecheck %s
// RUN: stepwell-opt %s -p 'loops-split-reduction{min-parallelism=264}' | filecheck %s --check-prefix=CPU

// lower-to-triton's rules. A column sum's points are its 64-wide pieces of outputs (a GPU
// column kernel's block): [8192, 8192] over axis 0 has 128, so 4 chunks reach 264
// (128 KiB of partial sums). The CPU rule counts its one row of outputs: 512 chunks.
// CHECK: remark: {{.*}}split reduction %s into 4 chunks of 2048 iterations (r0: 4 x 2048): 4 x 8192 partial results, then a combine over 4
// CPU-LABEL: func.func @sum_cols
// CPU-NEXT:    %s_part = loops.reduce sum over [16] : tensor<512x8192xf32> {
// CPU:         %s = loops.reduce sum over [512] : tensor<8192xf32> {
func.func @sum_cols(%x: tensor<8192x8192xf32>) -> tensor<8192xf32> {
  %s = loops.reduce sum over [8192] : tensor<8192xf32> {
    %a = loops.load %x[r0, d0] : tensor<8192x8192xf32>
    loops.yield %a : f32
  }
  func.return %s : tensor<8192xf32>
}

// argmax/argmin stay whole (their combine would read at positions known at run time).
// CHECK: remark: {{.*}}reduction %i not split: argmax (split-args=false)
// CPU-LABEL: func.func @arg
// CPU:         %i_part = loops.reduce argmax
func.func @arg(%x: tensor<2x65536xf32>) -> tensor<2xi64> {
  %i = loops.reduce argmax over [65536] (f32) : tensor<2xi64> {
    %a = loops.load %x[d0, r0] : tensor<2x65536xf32>
    loops.yield %a : f32
  }
  func.return %i : tensor<2xi64>
}

// A chain of reductions (softmax's max, then the sum of exp(x - max) that reads it) stays
// whole: a row kernel computes both in one program instance per row. A lone sum is split.
// CHECK: remark: {{.*}}reduction %m not split: it reads, or is read by, another reduction (split-chains=false)
// CHECK: remark: {{.*}}reduction %e not split: it reads, or is read by, another reduction (split-chains=false)
// CHECK: remark: {{.*}}split reduction %t into 128 chunks
// CPU-LABEL: func.func @chain
// CPU:         %m_part = loops.reduce max
// CPU:         %e_part = loops.reduce sum
func.func @chain(%x: tensor<4x65536xf32>, %y: tensor<4x65536xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %m = loops.reduce max over [65536] : tensor<4xf32> {
    %a = loops.load %x[d0, r0] : tensor<4x65536xf32>
    loops.yield %a : f32
  }
  %e = loops.reduce sum over [65536] : tensor<4xf32> {
    %b = loops.load %x[d0, r0] : tensor<4x65536xf32>
    %c = loops.load %m[d0] : tensor<4xf32>
    %d = arith.subf %b, %c : f32
    %f = math.exp %d : f32
    loops.yield %f : f32
  }
  %t = loops.reduce sum over [65536] : tensor<4xf32> {
    %g = loops.load %y[d0, r0] : tensor<4x65536xf32>
    loops.yield %g : f32
  }
  func.return %e, %t : tensor<4xf32>, tensor<4xf32>
}
