// RUN: stepwell-opt %s -p 'loops-tile,convert-loops-to-gpu_block' | filecheck %s
// RUN: stepwell-opt %s -p 'convert-loops-to-gpu_block{sizes=args}' | filecheck %s --check-prefix=ARGS
// RUN: not stepwell-opt %s -p 'convert-loops-to-gpu_block{sizes=dynamic}' 2>&1 | filecheck %s --check-prefix=BAD

// A user's tile wins over loops-tile's decision: blocks of 64 elements, 2 warps, 16 program instances.
// CHECK: gpu_block.kernel @user_k0({{.*}}) grid [16] num_warps = 2 {
// CHECK: gpu_block.arange 0 to 64 : tensor<64xi32>
// ARGS: gpu_block.kernel @user_k0(%x_ptr: !gpu_block.ptr<f32> {divisibility = 16}, %n1000: i32, %y_ptr: !gpu_block.ptr<f32> {divisibility = 16}) grid [(s1 + 63) floordiv 64] num_warps = 2 {
// ARGS: arith.cmpi slt, %{{.*}}, %n1000 : i32
// ARGS: func.func @user
// ARGS-NEXT: %n1000 = arith.constant 1000 : i32
// ARGS-NEXT: gpu_block.launch @user_k0(%x, %n1000) : (tensor<1000xf32>, i32) -> (tensor<1000xf32>)
func.func @user(%x: tensor<1000xf32>) -> tensor<1000xf32> {
  %y = loops.pointwise : tensor<1000xf32> attributes {tile = #loops.gpu<pointwise, block = [64], warps = 2>} {
    %a = loops.load %x[d0] : tensor<1000xf32>
    loops.yield %a : f32
  }
  func.return %y : tensor<1000xf32>
}

// A user's 2-D tile on a transpose: 16 x 32 tiles, 1 warp, 4 x 2 tiles. With sizes=args every
// extent, stride and tile count the kernel uses is an argument, and the grid is over them.
// CHECK: gpu_block.kernel @user_tile_k0({{.*}}) grid [8] num_warps = 1 {
// CHECK: gpu_block.arange 0 to 16
// CHECK: gpu_block.arange 0 to 32
// ARGS: gpu_block.kernel @user_tile_k0(%x_ptr: {{.*}}, %n50: i32, %n60: i32, %n2: i32, %n4: i32, %y_ptr: {{.*}}) grid [((s1 + 15) floordiv 16) * ((s2 + 31) floordiv 32)] num_warps = 1 {
// ARGS: gpu_block.launch @user_tile_k0(%x, %n50, %n60, %n2, %n4)
func.func @user_tile(%x: tensor<60x50xf32>) -> tensor<50x60xf32> {
  %y = loops.pointwise : tensor<50x60xf32> attributes {tile = #loops.gpu<tile, block = [16, 32], warps = 1>} {
    %a = loops.load %x[d1, d0] : tensor<60x50xf32>
    loops.yield %a : f32
  }
  func.return %y : tensor<50x60xf32>
}

// Offsets past 2**31 elements need 64-bit index arithmetic.
// CHECK: gpu_block.kernel @wide_k0
// CHECK: arith.extsi %pid : i32 to i64
// CHECK: arith.constant 3000000000 : i64
func.func @wide(%x: tensor<3000000000xi8>) -> tensor<3000000000xi8> {
  %y = loops.pointwise : tensor<3000000000xi8> {
    %a = loops.load %x[d0] : tensor<3000000000xi8>
    loops.yield %a : i8
  }
  func.return %y : tensor<3000000000xi8>
}

// BAD: sizes is one of literal, args, got 'dynamic'
