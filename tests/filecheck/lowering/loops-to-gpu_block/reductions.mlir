// RUN: stepwell-opt %s -p lower-to-triton | filecheck %s

// Rows of 8192 are persistent: one program per row, the whole row in one 1x8192 block
// over 16 warps, no loop; sum_rows of 8192x8192 is not split (8192 outputs are enough).
// CHECK:      gpu_block.kernel @rows_k0({{.*}}) grid [8192] num_warps = 16 {
// CHECK:        gpu_block.arange 0 to 8192 : tensor<8192xi32>
// CHECK-NOT:    gpu_block.for
// CHECK:        %s = gpu_block.reduce sum %vals axis 1 : tensor<1x8192xf32> -> tensor<1xf32>
// CHECK:      func.func @rows
// CHECK-NEXT:   gpu_block.launch @rows_k0(%x)
// CHECK-NEXT:   func.return
func.func @rows(%x: tensor<8192x8192xf32>) -> tensor<8192xf32> {
  %s = tensor_graph.reduce %x {kind = "sum", dims = [1], keepdim = false} : tensor<8192x8192xf32> -> tensor<8192xf32>
  func.return %s : tensor<8192xf32>
}

// Rows above 8192 are looped: a 1x4096 accumulator carried through gpu_block.for, then
// one reduce; argmax carries (value, position) pairs.
// CHECK:      gpu_block.kernel @long_k0({{.*}}) grid [512] num_warps = 8 {
// CHECK:        gpu_block.for %roff = %{{.*}} to %{{.*}} step %{{.*}} : i32 iter_args(%acc = %{{.*}}, %acc_index = %{{.*}}) -> (tensor<1x4096xf32>, tensor<1x4096xi32>)
// CHECK:        gpu_block.reduce argmax %{{.*}}, %{{.*}} axis 1 : tensor<1x4096xf32>, tensor<1x4096xi32> -> tensor<1xi32>
func.func @long(%x: tensor<512x16385xf32>) -> tensor<512xi64> {
  %s = tensor_graph.argmax %x {axis = 1, keepdim = false} : tensor<512x16385xf32> -> tensor<512xi64>
  func.return %s : tensor<512xi64>
}

// A column sum too small to split (30000 iterations): 64 consecutive outputs x 32 rows a step, looped.
// CHECK:      gpu_block.kernel @cols_k0({{.*}}) grid [5] num_warps = 4 {
// CHECK:        gpu_block.for {{.*}} -> (tensor<64x32xf32>)
// CHECK:        gpu_block.reduce sum %{{.*}} axis 1 : tensor<64x32xf32> -> tensor<64xf32>
func.func @cols(%x: tensor<100x300xf32>) -> tensor<300xf32> {
  %s = tensor_graph.reduce %x {kind = "sum", dims = [0], keepdim = false} : tensor<100x300xf32> -> tensor<300xf32>
  func.return %s : tensor<300xf32>
}

// A column sum of one row of outputs (8192x8192 over axis 0) is split into 4 chunks of
// 2048 rows (128 blocks of 64 columns x 4 chunks: 512 program instances; 128 KiB of
// partial sums for 256 MiB read): a looped partial kernel (64 outputs x 32 rows a
// step), then a combine over the 4 chunks with no loop (64 outputs x 4 a block).
// CHECK:      gpu_block.kernel @split_k0({{.*}}) grid [512]
// CHECK:        gpu_block.for
// CHECK:        gpu_block.reduce sum %{{.*}} axis 1 : tensor<64x32xf32> -> tensor<64xf32>
// CHECK:      gpu_block.kernel @split_k1({{.*}}) grid [128]
// CHECK-NOT:    gpu_block.for
// CHECK:        gpu_block.reduce sum %vals axis 1 : tensor<64x4xf32> -> tensor<64xf32>
// CHECK:      func.func @split
// CHECK-NEXT:   %s_part = gpu_block.launch @split_k0(%x) : (tensor<8192x8192xf32>) -> (tensor<4x8192xf32>)
// CHECK-NEXT:   %s = gpu_block.launch @split_k1(%s_part)
func.func @split(%x: tensor<8192x8192xf32>) -> tensor<8192xf32> {
  %s = tensor_graph.reduce %x {kind = "sum", dims = [0], keepdim = false} : tensor<8192x8192xf32> -> tensor<8192xf32>
  func.return %s : tensor<8192xf32>
}

// Short rows share a program (8 rows of 37 in an 8x64 block); an f16 sum accumulates
// in f32 and its epilogue rounds once, in the same kernel.
// CHECK:      gpu_block.kernel @short_k0({{.*}}) grid [1]
// CHECK:        arith.extf %{{.*}} : f16 to f32
// CHECK:        gpu_block.reduce sum %{{.*}} axis 1 : tensor<8x64xf32> -> tensor<8xf32>
// CHECK:        arith.truncf %{{.*}} : f32 to f16
func.func @short(%x: tensor<5x37xf16>) -> tensor<5xf16> {
  %s = tensor_graph.reduce %x {kind = "sum", dims = [1], keepdim = false} : tensor<5x37xf16> -> tensor<5xf16>
  func.return %s : tensor<5xf16>
}
