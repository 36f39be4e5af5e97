// RUN: stepwell-opt %s -p 'tensor_graph-decompose{expand-log2-exp2=true},canonicalize,cse,convert-tensor_graph-to-loops,loops-split-reduction{min-parallelism=264},loops-fuse,loops-simplify-index,loops-tile' | filecheck %s --check-prefix=TILE
// RUN: stepwell-opt %s -p lower-to-triton | filecheck %s
// RUN: stepwell-opt %s -p lower-to-triton --emit triton | filecheck %s --check-prefix=PY

// Fused kernels whose reduction is not along the contiguous dim of their loads, or spans
// several dims, are persistent over a [XBLOCK, RBLOCK] block (fused.py): XBLOCK parallel
// points and the whole flat reduced extent of each, read once.

// A column log_softmax (33 x 5, over axis 0): 8 columns x 64 rows a program instance, one
// load of x at offsets x + 5 * r (contiguous along the parallel points), a max and a sum
// along the R axis, the results stored as [XBLOCK] vectors.
// TILE-LABEL: func.func @columns
// TILE:       loops.kernel parallel [p0 = 1, p1 = 5] reduction [k0 = 33] {{.*}}tile = #loops.gpu<persistent, block = [64, 8], warps = 4>
// CHECK-LABEL: gpu_block.kernel @columns_k0(%x_ptr: !gpu_block.ptr<f32> {divisibility = 16}, {{.*}}) grid [1] num_warps = 4 {
// CHECK:        %xindex, %xmask{{.*}} = gpu_block.map
// CHECK:        gpu_block.arange 0 to 64 : tensor<64xi32>
// CHECK:        %mask, %x_offs = gpu_block.map({{.*}}) : tensor<8x64xi32>, tensor<8x64xi32> -> tensor<8x64xi1>, tensor<8x64xi32>
// CHECK:        %x = gpu_block.load %x_ptrs mask %mask other {{.*}} : tensor<8x64x!gpu_block.ptr<f32>>
// CHECK-NOT:    gpu_block.load
// CHECK:        gpu_block.reduce max %acc_block axis 1 : tensor<8x64xf32> -> tensor<8xf32>
// CHECK:        gpu_block.expand_dims {{.*}} axis 1 : tensor<8xf32> -> tensor<8x1xf32>
// CHECK:        gpu_block.broadcast {{.*}} : tensor<8x1xf32> -> tensor<8x64xf32>
// CHECK:        gpu_block.reduce sum %acc_block_1 axis 1 : tensor<8x64xf32> -> tensor<8xf32>
// CHECK-NOT:    gpu_block.load
// CHECK:        gpu_block.store {{.*}} mask %xmask : tensor<8x!gpu_block.ptr<f32>>
// CHECK:        gpu_block.store {{.*}} mask %xmask : tensor<8x!gpu_block.ptr<f32>>
// CHECK-NEXT:   gpu_block.return
// PY-LABEL: def columns_k0(x_ptr, buf_ptr, buf_ptr_1):
// PY:         xmask = xindex < 5
// PY:         mask = t_6 & t_7
// PY:         t_8 = 5 * t_5
// PY-NEXT:    x_offs = t_2 + t_8
// PY:         x = tl.load(x_ptrs, mask=mask, other=0.0)
// PY-NOT:     tl.load
// PY:         acc_block = tl.where(mask, x, float("-inf"))
// PY-NEXT:    t_9 = tl.reduce(acc_block, 1, _max_nan)
// PY:         tl.sum(acc_block_1, axis=1)
// PY:         tl.store({{.*}}, mask=xmask)
func.func @columns(%x: tensor<33x5xf32>) -> tensor<33x5xf32> {
  %y = tensor_graph.log_softmax %x {axis = 0} : tensor<33x5xf32>
  func.return %y : tensor<33x5xf32>
}

// A softmax over the middle axis of 4 x 9 x 6: the parallel points are (p0, p2), numbered
// flat; the offset p0 * 54 + 6 * r + p2 over that flat x is x + 6 * r + 48 * (x // 6).
// TILE-LABEL: func.func @middle
// TILE:       tile = #loops.gpu<persistent, block = [16, 32], warps = 4>
// CHECK-LABEL: gpu_block.kernel @middle_k0
// CHECK:        gpu_block.load %x_ptrs mask %mask {{.*}} : tensor<32x16x!gpu_block.ptr<f32>>
// PY-LABEL: def middle_k0(
// PY:         t_8 = 6 * t_5
// PY-NEXT:    t_9 = t_2 + t_8
// PY-NEXT:    t_10 = t_2 // 6
// PY-NEXT:    t_11 = 48 * t_10
// PY-NEXT:    x_offs = t_9 + t_11
func.func @middle(%x: tensor<4x9x6xf32>) -> tensor<4x9x6xf32> {
  %y = tensor_graph.softmax %x {axis = 1} : tensor<4x9x6xf32>
  func.return %y : tensor<4x9x6xf32>
}

// A variance over dims [1, 2]: the two reduced dims are one flat R of 20 (offsets r + 20 * x,
// contiguous along R); the mean, a vector, is broadcast back over the block for the second
// sum; the result is a vector stored with the parallel mask.
// TILE-LABEL: func.func @var
// TILE:       loops.kernel parallel [p0 = 3] reduction [k0 = 5, k1 = 4] {{.*}}tile = #loops.gpu<persistent, block = [32, 4], warps = 4>
// CHECK-LABEL: gpu_block.kernel @var_k0
// CHECK:        gpu_block.reduce sum {{.*}} axis 1 : tensor<4x32xf32> -> tensor<4xf32>
// CHECK:        gpu_block.broadcast {{.*}} : tensor<4x1xf32> -> tensor<4x32xf32>
// CHECK:        gpu_block.reduce sum {{.*}} axis 1 : tensor<4x32xf32> -> tensor<4xf32>
// CHECK:        gpu_block.store {{.*}}, %y mask %xmask : tensor<4x!gpu_block.ptr<f32>>
// PY-LABEL: def var_k0(
// PY:         t_8 = 20 * t_2
// PY-NEXT:    x_offs = t_5 + t_8
func.func @var(%x: tensor<3x5x4xf32>) -> tensor<3xf32> {
  %y = tensor_graph.var %x {dims = [1, 2], correction = 1, keepdim = false} : tensor<3x5x4xf32> -> tensor<3xf32>
  func.return %y : tensor<3xf32>
}

// Where it must not fire: a softmax over contiguous rows stays rows.py's persistent kernel
// (one row a program instance, a 1-D block).
// TILE-LABEL: func.func @rows
// TILE:       tile = #loops.gpu<persistent, block = [1024], warps = 4>
// CHECK-LABEL: gpu_block.kernel @rows_k0
// CHECK:        %rmask, %x_offs, %s_offs = gpu_block.map
// CHECK:        gpu_block.reduce max {{.*}} axis 0 : tensor<1024xf32> -> f32
// CHECK-NOT:    tensor<{{[0-9]+}}x{{[0-9]+}}x
// CHECK:        gpu_block.return
func.func @rows(%x: tensor<64x1000xf32>) -> tensor<64x1000xf32> {
  %s = tensor_graph.softmax %x {axis = -1} : tensor<64x1000xf32>
  func.return %s : tensor<64x1000xf32>
}
