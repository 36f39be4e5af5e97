// RUN: stepwell-opt %s -p lower-to-triton | filecheck %s

// A softmax over rows of 1000 is one persistent kernel: one program per row, the row
// loaded once, a max and a sum over the row block, one masked store.
// CHECK:      gpu_block.kernel @softmax_k0(%x_ptr: !gpu_block.ptr<f32> {divisibility = 16}, %s_ptr: !gpu_block.ptr<f32> {divisibility = 16}) grid [64]
// CHECK:        %pid = gpu_block.program_id 0
// CHECK:        gpu_block.arange 0 to 1024 : tensor<1024xi32>
// CHECK:        %rmask, %x_offs, %s_offs = gpu_block.map
// CHECK:        %x = gpu_block.load %x_ptrs mask %rmask
// CHECK-NOT:    gpu_block.load
// CHECK:        gpu_block.reduce max
// CHECK-NOT:    gpu_block.load
// CHECK:        gpu_block.reduce sum
// CHECK-NOT:    gpu_block.load
// CHECK:        %s = gpu_block.map
// CHECK:        gpu_block.store {{.*}}, %s mask %rmask
// CHECK-NOT:    gpu_block.store
// CHECK:        gpu_block.return
// CHECK:      func.func @softmax
// CHECK-NEXT:   %s = gpu_block.launch @softmax_k0(%x)
func.func @softmax(%x: tensor<64x1000xf32>) -> tensor<64x1000xf32> {
  %s = tensor_graph.softmax %x {axis = -1} : tensor<64x1000xf32> -> tensor<64x1000xf32>
  func.return %s : tensor<64x1000xf32>
}
