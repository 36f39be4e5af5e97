// A persistent row softmax: each program instance loads its row of 1000 once (a block of
// 1024, masked, -inf in the masked-off lanes), takes the max, exp, the sum, and stores.
// Sizes are literals here (the grid too).
// The custom form prints back as written (CHECK), prints the same after a second
// parse, and the generic form round-trips (the diff; last, as lit's built-in diff
// drops the PYTHONPATH of the commands after it).
// RUN: stepwell-opt %s | filecheck %s
// RUN: stepwell-opt %s | stepwell-opt | filecheck %s
// RUN: stepwell-opt %s --mlir-print-op-generic | stepwell-opt | filecheck %s
// RUN: stepwell-opt %s --mlir-print-op-generic > %t.direct
// RUN: stepwell-opt %s | stepwell-opt --mlir-print-op-generic > %t.roundtrip
// RUN: diff %t.direct %t.roundtrip

// CHECK-LABEL: gpu_block.kernel @softmax(%x: !gpu_block.ptr<f32> {divisibility = 16}, %y: !gpu_block.ptr<f32> {divisibility = 16}) grid [4096] num_warps = 8 {
// CHECK-NEXT:    %row = gpu_block.program_id 0
// CHECK-NEXT:    %n = arith.constant 1000 : i32
// CHECK-NEXT:    %base = arith.muli %row, %n : i32
// CHECK-NEXT:    %cols = gpu_block.arange 0 to 1024 : tensor<1024xi32>
// CHECK-NEXT:    %baseb = gpu_block.splat %base : i32 -> tensor<1024xi32>
// CHECK-NEXT:    %nb = gpu_block.splat %n : i32 -> tensor<1024xi32>
// CHECK-NEXT:    %offs, %mask = gpu_block.map(%b = %baseb, %c = %cols, %m = %nb) : tensor<1024xi32>, tensor<1024xi32>, tensor<1024xi32> -> tensor<1024xi32>, tensor<1024xi1> {
// CHECK-NEXT:      %o = arith.addi %b, %c : i32
// CHECK-NEXT:      %in = arith.cmpi slt, %c, %m : i32
// CHECK-NEXT:      gpu_block.yield %o, %in : i32, i1
// CHECK-NEXT:    }
// CHECK-NEXT:    %xb = gpu_block.splat %x : !gpu_block.ptr<f32> -> tensor<1024x!gpu_block.ptr<f32>>
// CHECK-NEXT:    %xp = gpu_block.addptr %xb, %offs : tensor<1024x!gpu_block.ptr<f32>>, tensor<1024xi32>
// CHECK-NEXT:    %ninf = arith.constant 0xff800000 : f32
// CHECK-NEXT:    %v = gpu_block.load %xp mask %mask other %ninf evict first : tensor<1024x!gpu_block.ptr<f32>>
// CHECK-NEXT:    %max = gpu_block.reduce max %v axis 0 : tensor<1024xf32> -> f32
// CHECK-NEXT:    %maxb = gpu_block.splat %max : f32 -> tensor<1024xf32>
// CHECK-NEXT:    %e = gpu_block.map(%a = %v, %mx = %maxb) : tensor<1024xf32>, tensor<1024xf32> -> tensor<1024xf32> {
// CHECK-NEXT:      %d = arith.subf %a, %mx : f32
// CHECK-NEXT:      %ex = math.exp %d : f32
// CHECK-NEXT:      gpu_block.yield %ex : f32
// CHECK-NEXT:    }
// CHECK-NEXT:    %sum = gpu_block.reduce sum %e axis 0 : tensor<1024xf32> -> f32
// CHECK-NEXT:    %sumb = gpu_block.splat %sum : f32 -> tensor<1024xf32>
// CHECK-NEXT:    %out = gpu_block.map(%p = %e, %s = %sumb) : tensor<1024xf32>, tensor<1024xf32> -> tensor<1024xf32> {
// CHECK-NEXT:      %q = arith.divf %p, %s : f32
// CHECK-NEXT:      gpu_block.yield %q : f32
// CHECK-NEXT:    }
// CHECK-NEXT:    %yb = gpu_block.splat %y : !gpu_block.ptr<f32> -> tensor<1024x!gpu_block.ptr<f32>>
// CHECK-NEXT:    %yp = gpu_block.addptr %yb, %offs : tensor<1024x!gpu_block.ptr<f32>>, tensor<1024xi32>
// CHECK-NEXT:    gpu_block.store %yp, %out mask %mask cache cs : tensor<1024x!gpu_block.ptr<f32>>
// CHECK-NEXT:    gpu_block.return
// CHECK-NEXT:  }
gpu_block.kernel @softmax(%x: !gpu_block.ptr<f32> {divisibility = 16}, %y: !gpu_block.ptr<f32> {divisibility = 16}) grid [4096] num_warps = 8 {
  %row = gpu_block.program_id 0
  %n = arith.constant 1000 : i32
  %base = arith.muli %row, %n : i32
  %cols = gpu_block.arange 0 to 1024 : tensor<1024xi32>
  %baseb = gpu_block.splat %base : i32 -> tensor<1024xi32>
  %nb = gpu_block.splat %n : i32 -> tensor<1024xi32>
  %offs, %mask = gpu_block.map(%b = %baseb, %c = %cols, %m = %nb) : tensor<1024xi32>, tensor<1024xi32>, tensor<1024xi32> -> tensor<1024xi32>, tensor<1024xi1> {
    %o = arith.addi %b, %c : i32
    %in = arith.cmpi slt, %c, %m : i32
    gpu_block.yield %o, %in : i32, i1
  }
  %xb = gpu_block.splat %x : !gpu_block.ptr<f32> -> tensor<1024x!gpu_block.ptr<f32>>
  %xp = gpu_block.addptr %xb, %offs : tensor<1024x!gpu_block.ptr<f32>>, tensor<1024xi32>
  %ninf = arith.constant 0xff800000 : f32
  %v = gpu_block.load %xp mask %mask other %ninf evict first : tensor<1024x!gpu_block.ptr<f32>>
  %max = gpu_block.reduce max %v axis 0 : tensor<1024xf32> -> f32
  %maxb = gpu_block.splat %max : f32 -> tensor<1024xf32>
  %e = gpu_block.map(%a = %v, %mx = %maxb) : tensor<1024xf32>, tensor<1024xf32> -> tensor<1024xf32> {
    %d = arith.subf %a, %mx : f32
    %ex = math.exp %d : f32
    gpu_block.yield %ex : f32
  }
  %sum = gpu_block.reduce sum %e axis 0 : tensor<1024xf32> -> f32
  %sumb = gpu_block.splat %sum : f32 -> tensor<1024xf32>
  %out = gpu_block.map(%p = %e, %s = %sumb) : tensor<1024xf32>, tensor<1024xf32> -> tensor<1024xf32> {
    %q = arith.divf %p, %s : f32
    gpu_block.yield %q : f32
  }
  %yb = gpu_block.splat %y : !gpu_block.ptr<f32> -> tensor<1024x!gpu_block.ptr<f32>>
  %yp = gpu_block.addptr %yb, %offs : tensor<1024x!gpu_block.ptr<f32>>, tensor<1024xi32>
  gpu_block.store %yp, %out mask %mask cache cs : tensor<1024x!gpu_block.ptr<f32>>
  gpu_block.return
}

// CHECK-LABEL: func.func @main(%x: tensor<4096x1000xf32>) -> tensor<4096x1000xf32> {
// CHECK-NEXT:    %y = gpu_block.launch @softmax(%x) : (tensor<4096x1000xf32>) -> (tensor<4096x1000xf32>)
// CHECK-NEXT:    func.return %y : tensor<4096x1000xf32>
// CHECK-NEXT:  }
func.func @main(%x: tensor<4096x1000xf32>) -> tensor<4096x1000xf32> {
  %y = gpu_block.launch @softmax(%x) : (tensor<4096x1000xf32>) -> (tensor<4096x1000xf32>)
  func.return %y : tensor<4096x1000xf32>
}
