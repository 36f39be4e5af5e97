// A hand-written pointwise kernel with masks (y = x + 1 over 1000 elements in blocks of
// 1024, the size a kernel argument) and its launch.
// The custom form prints back as written (CHECK), prints the same after a second
// parse, and the generic form round-trips (the diff; last, as lit's built-in diff
// drops the PYTHONPATH of the commands after it).
// RUN: stepwell-opt %s | filecheck %s
// RUN: stepwell-opt %s | stepwell-opt | filecheck %s
// RUN: stepwell-opt %s --mlir-print-op-generic | stepwell-opt | filecheck %s
// RUN: stepwell-opt %s --mlir-print-op-generic > %t.direct
// RUN: stepwell-opt %s | stepwell-opt --mlir-print-op-generic > %t.roundtrip
// RUN: diff %t.direct %t.roundtrip

// CHECK-LABEL: gpu_block.kernel @add_one(%x: !gpu_block.ptr<f32> {divisibility = 16}, %n: i32, %y: !gpu_block.ptr<f32> {divisibility = 16}) grid [(s1 + 1023) floordiv 1024] num_warps = 4 {
// CHECK-NEXT:    %pid = gpu_block.program_id 0
// CHECK-NEXT:    %c1024 = arith.constant 1024 : i32
// CHECK-NEXT:    %start = arith.muli %pid, %c1024 : i32
// CHECK-NEXT:    %r = gpu_block.arange 0 to 1024 : tensor<1024xi32>
// CHECK-NEXT:    %startb = gpu_block.splat %start : i32 -> tensor<1024xi32>
// CHECK-NEXT:    %nb = gpu_block.splat %n : i32 -> tensor<1024xi32>
// CHECK-NEXT:    %offs, %mask = gpu_block.map(%a = %startb, %b = %r, %c = %nb) : tensor<1024xi32>, tensor<1024xi32>, tensor<1024xi32> -> tensor<1024xi32>, tensor<1024xi1> {
// CHECK-NEXT:      %o = arith.addi %a, %b : i32
// CHECK-NEXT:      %m = arith.cmpi slt, %o, %c : i32
// CHECK-NEXT:      gpu_block.yield %o, %m : i32, i1
// CHECK-NEXT:    }
// CHECK-NEXT:    %xb = gpu_block.splat %x : !gpu_block.ptr<f32> -> tensor<1024x!gpu_block.ptr<f32>>
// CHECK-NEXT:    %xp = gpu_block.addptr %xb, %offs : tensor<1024x!gpu_block.ptr<f32>>, tensor<1024xi32>
// CHECK-NEXT:    %zero = arith.constant 0.000000e+00 : f32
// CHECK-NEXT:    %v = gpu_block.load %xp mask %mask other %zero : tensor<1024x!gpu_block.ptr<f32>>
// CHECK-NEXT:    %w = gpu_block.map(%e = %v) : tensor<1024xf32> -> tensor<1024xf32> {
// CHECK-NEXT:      %one = arith.constant 1.000000e+00 : f32
// CHECK-NEXT:      %s = arith.addf %e, %one : f32
// CHECK-NEXT:      gpu_block.yield %s : f32
// CHECK-NEXT:    }
// CHECK-NEXT:    %yb = gpu_block.splat %y : !gpu_block.ptr<f32> -> tensor<1024x!gpu_block.ptr<f32>>
// CHECK-NEXT:    %yp = gpu_block.addptr %yb, %offs : tensor<1024x!gpu_block.ptr<f32>>, tensor<1024xi32>
// CHECK-NEXT:    gpu_block.store %yp, %w mask %mask : tensor<1024x!gpu_block.ptr<f32>>
// CHECK-NEXT:    gpu_block.return
// CHECK-NEXT:  }
gpu_block.kernel @add_one(%x: !gpu_block.ptr<f32> {divisibility = 16}, %n: i32, %y: !gpu_block.ptr<f32> {divisibility = 16}) grid [(s1 + 1023) floordiv 1024] num_warps = 4 {
  %pid = gpu_block.program_id 0
  %c1024 = arith.constant 1024 : i32
  %start = arith.muli %pid, %c1024 : i32
  %r = gpu_block.arange 0 to 1024 : tensor<1024xi32>
  %startb = gpu_block.splat %start : i32 -> tensor<1024xi32>
  %nb = gpu_block.splat %n : i32 -> tensor<1024xi32>
  %offs, %mask = gpu_block.map(%a = %startb, %b = %r, %c = %nb) : tensor<1024xi32>, tensor<1024xi32>, tensor<1024xi32> -> tensor<1024xi32>, tensor<1024xi1> {
    %o = arith.addi %a, %b : i32
    %m = arith.cmpi slt, %o, %c : i32
    gpu_block.yield %o, %m : i32, i1
  }
  %xb = gpu_block.splat %x : !gpu_block.ptr<f32> -> tensor<1024x!gpu_block.ptr<f32>>
  %xp = gpu_block.addptr %xb, %offs : tensor<1024x!gpu_block.ptr<f32>>, tensor<1024xi32>
  %zero = arith.constant 0.000000e+00 : f32
  %v = gpu_block.load %xp mask %mask other %zero : tensor<1024x!gpu_block.ptr<f32>>
  %w = gpu_block.map(%e = %v) : tensor<1024xf32> -> tensor<1024xf32> {
    %one = arith.constant 1.000000e+00 : f32
    %s = arith.addf %e, %one : f32
    gpu_block.yield %s : f32
  }
  %yb = gpu_block.splat %y : !gpu_block.ptr<f32> -> tensor<1024x!gpu_block.ptr<f32>>
  %yp = gpu_block.addptr %yb, %offs : tensor<1024x!gpu_block.ptr<f32>>, tensor<1024xi32>
  gpu_block.store %yp, %w mask %mask : tensor<1024x!gpu_block.ptr<f32>>
  gpu_block.return
}

// CHECK-LABEL: func.func @main(%x: tensor<1000xf32>) -> tensor<1000xf32> {
// CHECK-NEXT:    %n = arith.constant 1000 : i32
// CHECK-NEXT:    %y = gpu_block.launch @add_one(%x, %n) : (tensor<1000xf32>, i32) -> (tensor<1000xf32>)
// CHECK-NEXT:    func.return %y : tensor<1000xf32>
// CHECK-NEXT:  }
func.func @main(%x: tensor<1000xf32>) -> tensor<1000xf32> {
  %n = arith.constant 1000 : i32
  %y = gpu_block.launch @add_one(%x, %n) : (tensor<1000xf32>, i32) -> (tensor<1000xf32>)
  func.return %y : tensor<1000xf32>
}
