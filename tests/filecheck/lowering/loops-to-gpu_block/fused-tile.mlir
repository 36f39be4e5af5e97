// RUN: stepwell-opt %s -p 'loops-tile,convert-loops-to-gpu_block' | filecheck %s
// RUN: stepwell-opt %s -p 'convert-loops-to-gpu_block{sizes=args}' | filecheck %s --check-prefix=ARGS

// A user's tile on a column kernel wins: 2 columns of 64 rows a program instance, 2 warps,
// 3 program instances for 5 columns. With sizes=args the extents are arguments and the
// grid an expression over them.
// CHECK: gpu_block.kernel @columns_k0({{.*}}) grid [3] num_warps = 2 {
// CHECK: gpu_block.arange 0 to 2 : tensor<2xi32>
// CHECK: gpu_block.arange 0 to 64 : tensor<64xi32>
// CHECK: gpu_block.load {{.*}} : tensor<2x64x!gpu_block.ptr<f32>>
// ARGS: gpu_block.kernel @columns_k0(%x_ptr: !gpu_block.ptr<f32> {divisibility = 16}, %n5: i32, %n33: i32, {{.*}}) grid [(s1 + 1) floordiv 2] num_warps = 2 {
// ARGS: gpu_block.launch @columns_k0(%x, %n5, %n33)
func.func @columns(%x: tensor<33x5xf32>) -> (tensor<1x5xf32>, tensor<1x5xf32>) {
  %0, %1 = loops.kernel parallel [p0 = 1, p1 = 5] reduction [k0 = 33] -> tensor<1x5xf32>, tensor<1x5xf32> attributes {tile = #loops.gpu<persistent, block = [64, 2], warps = 2>} {
    %2 = loops.reduce max over [33] : tensor<1x5xf32> at (p0, p1 | k0) {
      %3 = loops.load %x[r0, d1] : tensor<33x5xf32>
      loops.yield %3 : f32
    }
    %4 = loops.reduce sum over [33] : tensor<1x5xf32> at (p0, p1 | k0) {
      %5 = loops.load %x[r0, d1] : tensor<33x5xf32>
      %6 = loops.load %2[0, d1] : tensor<1x5xf32>
      %7 = arith.subf %5, %6 : f32
      %8 = math.exp %7 : f32
      loops.yield %8 : f32
    }
    %9 = loops.pointwise : tensor<1x5xf32> at (p0, p1) {
      %10 = loops.load %4[0, d1] : tensor<1x5xf32>
      %11 = math.log %10 : f32
      loops.yield %11 : f32
    }
    loops.yield %2, %9 : tensor<1x5xf32>, tensor<1x5xf32>
  }
  func.return %0, %1 : tensor<1x5xf32>, tensor<1x5xf32>
}
