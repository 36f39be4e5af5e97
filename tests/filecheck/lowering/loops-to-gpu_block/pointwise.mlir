// RUN: stepwell-opt %s -p lower-to-triton | filecheck %s

// A broadcast read (y along d1 only) and the tail mask of 37000 elements in blocks of 128
// (two program instances per SM at least; loops-tile's decision).
// CHECK: gpu_block.kernel @bcast_k0(%x_ptr: !gpu_block.ptr<f32> {divisibility = 16}, %y_ptr: !gpu_block.ptr<f32> {divisibility = 16}, %s_ptr: !gpu_block.ptr<f32> {divisibility = 16}) grid [290] num_warps = 1 {
// CHECK: %offs, %mask, %x_offs, %y_offs = gpu_block.map
// CHECK: %[[FLAT:.*]] = arith.addi
// CHECK: %[[N:.*]] = arith.constant 37000 : i32
// CHECK: %[[M:.*]] = arith.cmpi slt, %[[FLAT]], %[[N]] : i32
// CHECK: %[[C:.*]] = arith.constant 37 : i32
// CHECK: %[[D1:.*]] = arith.remsi %[[FLAT]], %[[C]] : i32
// CHECK: gpu_block.yield %[[FLAT]], %[[M]], %[[FLAT]], %[[D1]] : i32, i1, i32, i32
// CHECK: gpu_block.load %x_ptrs mask %mask other
// CHECK: gpu_block.load %y_ptrs mask %mask other
// CHECK: gpu_block.store {{.*}} mask %mask
// CHECK: func.func @bcast
// CHECK-NEXT: gpu_block.launch @bcast_k0(%x, %y) : (tensor<1000x37xf32>, tensor<37xf32>) -> (tensor<1000x37xf32>)
func.func @bcast(%x: tensor<1000x37xf32>, %y: tensor<37xf32>) -> tensor<1000x37xf32> {
  %e = tensor_graph.exp %x : tensor<1000x37xf32>
  %s = tensor_graph.add %e, %y : tensor<1000x37xf32>, tensor<37xf32> -> tensor<1000x37xf32>
  func.return %s : tensor<1000x37xf32>
}

// A transposed read: x[d1, d0] of a 37x1000 buffer is at 1000 * d1 + d0; 2-D tiles of 64 x 64
// (16 row tiles, one column tile), rows and columns masked, each load a 64 x 64 block.
// CHECK: gpu_block.kernel @transposed_k0({{.*}}) grid [16] num_warps = 4 {
// CHECK: gpu_block.expand_dims %{{.*}} axis 1 : tensor<64xi32> -> tensor<64x1xi32>
// CHECK: gpu_block.expand_dims %{{.*}} axis 0 : tensor<64xi32> -> tensor<1x64xi32>
// CHECK: %offs, %mask, %x_offs, %y_offs = gpu_block.map
// CHECK: %[[R:.*]] = arith.addi
// CHECK: %[[C:.*]] = arith.addi
// CHECK: %[[C1000:.*]] = arith.constant 1000 : i32
// CHECK: %[[MR:.*]] = arith.cmpi slt, %[[R]], %[[C1000]] : i32
// CHECK: %[[C37:.*]] = arith.constant 37 : i32
// CHECK: %[[MC:.*]] = arith.cmpi slt, %[[C]], %[[C37]] : i32
// CHECK: %[[M:.*]] = arith.andi %[[MR]], %[[MC]] : i1
// CHECK: %[[T:.*]] = arith.muli %[[C1000]], %[[C]] : i32
// CHECK: %[[X:.*]] = arith.addi %[[R]], %[[T]] : i32
// CHECK: gpu_block.yield %[[O:.*]], %[[M]], %[[X]], %[[O]] : i32, i1, i32, i32
// CHECK: gpu_block.load %x_ptrs mask %mask other %{{.*}} : tensor<64x64x!gpu_block.ptr<f32>>
func.func @transposed(%x: tensor<37x1000xf32>, %y: tensor<1000x37xf32>) -> tensor<1000x37xf32> {
  %t = tensor_graph.transpose %x {perm = [1, 0]} : tensor<37x1000xf32> -> tensor<1000x37xf32>
  %s = tensor_graph.add %t, %y : tensor<1000x37xf32>, tensor<1000x37xf32> -> tensor<1000x37xf32>
  func.return %s : tensor<1000x37xf32>
}

// A row reduction of short rows: several rows per program (4 rows of 300 in a 4x512
// block, no loop), masked lanes the identity, one reduce along the rows.
// CHECK: gpu_block.kernel @rowsum_k0({{.*}}) grid [25] num_warps = 4 {
// CHECK: gpu_block.arange 0 to 512 : tensor<512xi32>
// CHECK: %mask, %rindex, %x_offs = gpu_block.map
// CHECK: gpu_block.load %x_ptrs mask %mask other
// CHECK: arith.select
// CHECK-NOT: gpu_block.for
// CHECK: %s = gpu_block.reduce sum %vals axis 1 : tensor<4x512xf32> -> tensor<4xf32>
func.func @rowsum(%x: tensor<100x300xf32>) -> tensor<100xf32> {
  %s = tensor_graph.reduce %x {kind = "sum", dims = [1], keepdim = false} : tensor<100x300xf32> -> tensor<100xf32>
  func.return %s : tensor<100xf32>
}
