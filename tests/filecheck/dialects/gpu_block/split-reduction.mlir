// A split reduction: 64 program instances per row each reduce a chunk of 1024 and
// combine into the output atomically (sum and max); the launch fills the outputs with
// each kind's identity first.
// The custom form prints back as written (CHECK), prints the same after a second
// parse, and the generic form round-trips (the diff; last, as lit's built-in diff
// drops the PYTHONPATH of the commands after it).
// RUN: stepwell-opt %s | filecheck %s
// RUN: stepwell-opt %s | stepwell-opt | filecheck %s
// RUN: stepwell-opt %s --mlir-print-op-generic | stepwell-opt | filecheck %s
// RUN: stepwell-opt %s --mlir-print-op-generic > %t.direct
// RUN: stepwell-opt %s | stepwell-opt --mlir-print-op-generic > %t.roundtrip
// RUN: diff %t.direct %t.roundtrip

// CHECK-LABEL: gpu_block.kernel @split_sum_max(%x: !gpu_block.ptr<f32> {divisibility = 16}, %sum: !gpu_block.ptr<f32>, %max: !gpu_block.ptr<f32>) grid [4, 64] num_warps = 4 {
// CHECK-NEXT:    %row = gpu_block.program_id 0
// CHECK-NEXT:    %chunk = gpu_block.program_id 1
// CHECK-NEXT:    %c65536 = arith.constant 65536 : i32
// CHECK-NEXT:    %c1024 = arith.constant 1024 : i32
// CHECK-NEXT:    %rowbase = arith.muli %row, %c65536 : i32
// CHECK-NEXT:    %chunkbase = arith.muli %chunk, %c1024 : i32
// CHECK-NEXT:    %base = arith.addi %rowbase, %chunkbase : i32
// CHECK-NEXT:    %r = gpu_block.arange 0 to 1024 : tensor<1024xi32>
// CHECK-NEXT:    %baseb = gpu_block.splat %base : i32 -> tensor<1024xi32>
// CHECK-NEXT:    %offs = gpu_block.map(%b = %baseb, %i = %r) : tensor<1024xi32>, tensor<1024xi32> -> tensor<1024xi32> {
// CHECK-NEXT:      %o = arith.addi %b, %i : i32
// CHECK-NEXT:      gpu_block.yield %o : i32
// CHECK-NEXT:    }
// CHECK-NEXT:    %xb = gpu_block.splat %x : !gpu_block.ptr<f32> -> tensor<1024x!gpu_block.ptr<f32>>
// CHECK-NEXT:    %xp = gpu_block.addptr %xb, %offs : tensor<1024x!gpu_block.ptr<f32>>, tensor<1024xi32>
// CHECK-NEXT:    %v = gpu_block.load %xp evict first : tensor<1024x!gpu_block.ptr<f32>>
// CHECK-NEXT:    %s = gpu_block.reduce sum %v axis 0 : tensor<1024xf32> -> f32
// CHECK-NEXT:    %m = gpu_block.reduce max %v axis 0 : tensor<1024xf32> -> f32
// CHECK-NEXT:    %sp = gpu_block.addptr %sum, %row : !gpu_block.ptr<f32>, i32
// CHECK-NEXT:    %mp = gpu_block.addptr %max, %row : !gpu_block.ptr<f32>, i32
// CHECK-NEXT:    %true = arith.constant true
// CHECK-NEXT:    gpu_block.atomic_rmw add %sp, %s mask %true : !gpu_block.ptr<f32>
// CHECK-NEXT:    gpu_block.atomic_rmw max %mp, %m : !gpu_block.ptr<f32>
// CHECK-NEXT:    gpu_block.return
// CHECK-NEXT:  }
gpu_block.kernel @split_sum_max(%x: !gpu_block.ptr<f32> {divisibility = 16}, %sum: !gpu_block.ptr<f32>, %max: !gpu_block.ptr<f32>) grid [4, 64] num_warps = 4 {
  %row = gpu_block.program_id 0
  %chunk = gpu_block.program_id 1
  %c65536 = arith.constant 65536 : i32
  %c1024 = arith.constant 1024 : i32
  %rowbase = arith.muli %row, %c65536 : i32
  %chunkbase = arith.muli %chunk, %c1024 : i32
  %base = arith.addi %rowbase, %chunkbase : i32
  %r = gpu_block.arange 0 to 1024 : tensor<1024xi32>
  %baseb = gpu_block.splat %base : i32 -> tensor<1024xi32>
  %offs = gpu_block.map(%b = %baseb, %i = %r) : tensor<1024xi32>, tensor<1024xi32> -> tensor<1024xi32> {
    %o = arith.addi %b, %i : i32
    gpu_block.yield %o : i32
  }
  %xb = gpu_block.splat %x : !gpu_block.ptr<f32> -> tensor<1024x!gpu_block.ptr<f32>>
  %xp = gpu_block.addptr %xb, %offs : tensor<1024x!gpu_block.ptr<f32>>, tensor<1024xi32>
  %v = gpu_block.load %xp evict first : tensor<1024x!gpu_block.ptr<f32>>
  %s = gpu_block.reduce sum %v axis 0 : tensor<1024xf32> -> f32
  %m = gpu_block.reduce max %v axis 0 : tensor<1024xf32> -> f32
  %sp = gpu_block.addptr %sum, %row : !gpu_block.ptr<f32>, i32
  %mp = gpu_block.addptr %max, %row : !gpu_block.ptr<f32>, i32
  %true = arith.constant true
  gpu_block.atomic_rmw add %sp, %s mask %true : !gpu_block.ptr<f32>
  gpu_block.atomic_rmw max %mp, %m : !gpu_block.ptr<f32>
  gpu_block.return
}

// CHECK-LABEL: func.func @main(%x: tensor<4x65536xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
// CHECK-NEXT:    %sum, %max = gpu_block.launch @split_sum_max(%x) : (tensor<4x65536xf32>) -> (tensor<4xf32> init 0.000000e+00 : f32, tensor<4xf32> init 0xff800000 : f32)
// CHECK-NEXT:    func.return %sum, %max : tensor<4xf32>, tensor<4xf32>
// CHECK-NEXT:  }
func.func @main(%x: tensor<4x65536xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %sum, %max = gpu_block.launch @split_sum_max(%x) : (tensor<4x65536xf32>) -> (tensor<4xf32> init 0.000000e+00 : f32, tensor<4xf32> init 0xff800000 : f32)
  func.return %sum, %max : tensor<4xf32>, tensor<4xf32>
}
