// A looped reduction: argmax over rows longer than one block, in chunks of 2048 with the
// best value and its index carried (the first NaN wins, then the larger value; ties keep
// the earlier, lower index), and a final argmax that takes the carried indices.
// The custom form prints back as written (CHECK), prints the same after a second
// parse, and the generic form round-trips (the diff; last, as lit's built-in diff
// drops the PYTHONPATH of the commands after it).
// RUN: stepwell-opt %s | filecheck %s
// RUN: stepwell-opt %s | stepwell-opt | filecheck %s
// RUN: stepwell-opt %s --mlir-print-op-generic | stepwell-opt | filecheck %s
// RUN: stepwell-opt %s --mlir-print-op-generic > %t.direct
// RUN: stepwell-opt %s | stepwell-opt --mlir-print-op-generic > %t.roundtrip
// RUN: diff %t.direct %t.roundtrip

// CHECK-LABEL: gpu_block.kernel @row_argmax(%x: !gpu_block.ptr<f32> {divisibility = 16}, %n: i32, %out: !gpu_block.ptr<i64>) grid [64] num_warps = 16 {
// CHECK-NEXT:    %row = gpu_block.program_id 0
// CHECK-NEXT:    %base = arith.muli %row, %n : i32
// CHECK-NEXT:    %c0 = arith.constant 0 : i32
// CHECK-NEXT:    %c2048 = arith.constant 2048 : i32
// CHECK-NEXT:    %cols = gpu_block.arange 0 to 2048 : tensor<2048xi32>
// CHECK-NEXT:    %ninf = arith.constant 0xff800000 : f32
// CHECK-NEXT:    %big = arith.constant 2147483647 : i32
// CHECK-NEXT:    %v0 = gpu_block.splat %ninf : f32 -> tensor<2048xf32>
// CHECK-NEXT:    %i0 = gpu_block.splat %big : i32 -> tensor<2048xi32>
// CHECK-NEXT:    %bestv, %besti = gpu_block.for %k = %c0 to %n step %c2048 : i32 iter_args(%bv = %v0, %bi = %i0) -> (tensor<2048xf32>, tensor<2048xi32>) {
// CHECK-NEXT:      %kb = gpu_block.splat %k : i32 -> tensor<2048xi32>
// CHECK-NEXT:      %nb = gpu_block.splat %n : i32 -> tensor<2048xi32>
// CHECK-NEXT:      %baseb = gpu_block.splat %base : i32 -> tensor<2048xi32>
// CHECK-NEXT:      %idx, %offs, %mask = gpu_block.map(%kk = %kb, %c = %cols, %nn = %nb, %b = %baseb) : tensor<2048xi32>, tensor<2048xi32>, tensor<2048xi32>, tensor<2048xi32> -> tensor<2048xi32>, tensor<2048xi32>, tensor<2048xi1> {
// CHECK-NEXT:        %i = arith.addi %kk, %c : i32
// CHECK-NEXT:        %o = arith.addi %b, %i : i32
// CHECK-NEXT:        %m = arith.cmpi slt, %i, %nn : i32
// CHECK-NEXT:        gpu_block.yield %i, %o, %m : i32, i32, i1
// CHECK-NEXT:      }
// CHECK-NEXT:      %xb = gpu_block.splat %x : !gpu_block.ptr<f32> -> tensor<2048x!gpu_block.ptr<f32>>
// CHECK-NEXT:      %xp = gpu_block.addptr %xb, %offs : tensor<2048x!gpu_block.ptr<f32>>, tensor<2048xi32>
// CHECK-NEXT:      %v = gpu_block.load %xp mask %mask other %ninf cache cg evict first : tensor<2048x!gpu_block.ptr<f32>>
// CHECK-NEXT:      %nv, %ni = gpu_block.map(%a = %bv, %ai = %bi, %xv = %v, %bi2 = %idx, %on = %mask) : tensor<2048xf32>, tensor<2048xi32>, tensor<2048xf32>, tensor<2048xi32>, tensor<2048xi1> -> tensor<2048xf32>, tensor<2048xi32> {
// CHECK-NEXT:        %true = arith.constant true
// CHECK-NEXT:        %gt = arith.cmpf ogt, %xv, %a : f32
// CHECK-NEXT:        %bnan = arith.cmpf uno, %xv, %xv : f32
// CHECK-NEXT:        %anan = arith.cmpf uno, %a, %a : f32
// CHECK-NEXT:        %nota = arith.xori %anan, %true : i1
// CHECK-NEXT:        %newnan = arith.andi %bnan, %nota : i1
// CHECK-NEXT:        %better = arith.ori %gt, %newnan : i1
// CHECK-NEXT:        %take = arith.andi %better, %on : i1
// CHECK-NEXT:        %v2 = arith.select %take, %xv, %a : f32
// CHECK-NEXT:        %i2 = arith.select %take, %bi2, %ai : i32
// CHECK-NEXT:        gpu_block.yield %v2, %i2 : f32, i32
// CHECK-NEXT:      }
// CHECK-NEXT:      gpu_block.yield %nv, %ni : tensor<2048xf32>, tensor<2048xi32>
// CHECK-NEXT:    }
// CHECK-NEXT:    %r = gpu_block.reduce argmax %bestv, %besti axis 0 : tensor<2048xf32>, tensor<2048xi32> -> i32
// CHECK-NEXT:    %r64 = arith.extsi %r : i32 to i64
// CHECK-NEXT:    %op = gpu_block.addptr %out, %row : !gpu_block.ptr<i64>, i32
// CHECK-NEXT:    gpu_block.store %op, %r64 : !gpu_block.ptr<i64>
// CHECK-NEXT:    gpu_block.return
// CHECK-NEXT:  }
gpu_block.kernel @row_argmax(%x: !gpu_block.ptr<f32> {divisibility = 16}, %n: i32, %out: !gpu_block.ptr<i64>) grid [64] num_warps = 16 {
  %row = gpu_block.program_id 0
  %base = arith.muli %row, %n : i32
  %c0 = arith.constant 0 : i32
  %c2048 = arith.constant 2048 : i32
  %cols = gpu_block.arange 0 to 2048 : tensor<2048xi32>
  %ninf = arith.constant 0xff800000 : f32
  %big = arith.constant 2147483647 : i32
  %v0 = gpu_block.splat %ninf : f32 -> tensor<2048xf32>
  %i0 = gpu_block.splat %big : i32 -> tensor<2048xi32>
  %bestv, %besti = gpu_block.for %k = %c0 to %n step %c2048 : i32 iter_args(%bv = %v0, %bi = %i0) -> (tensor<2048xf32>, tensor<2048xi32>) {
    %kb = gpu_block.splat %k : i32 -> tensor<2048xi32>
    %nb = gpu_block.splat %n : i32 -> tensor<2048xi32>
    %baseb = gpu_block.splat %base : i32 -> tensor<2048xi32>
    %idx, %offs, %mask = gpu_block.map(%kk = %kb, %c = %cols, %nn = %nb, %b = %baseb) : tensor<2048xi32>, tensor<2048xi32>, tensor<2048xi32>, tensor<2048xi32> -> tensor<2048xi32>, tensor<2048xi32>, tensor<2048xi1> {
      %i = arith.addi %kk, %c : i32
      %o = arith.addi %b, %i : i32
      %m = arith.cmpi slt, %i, %nn : i32
      gpu_block.yield %i, %o, %m : i32, i32, i1
    }
    %xb = gpu_block.splat %x : !gpu_block.ptr<f32> -> tensor<2048x!gpu_block.ptr<f32>>
    %xp = gpu_block.addptr %xb, %offs : tensor<2048x!gpu_block.ptr<f32>>, tensor<2048xi32>
    %v = gpu_block.load %xp mask %mask other %ninf cache cg evict first : tensor<2048x!gpu_block.ptr<f32>>
    %nv, %ni = gpu_block.map(%a = %bv, %ai = %bi, %xv = %v, %bi2 = %idx, %on = %mask) : tensor<2048xf32>, tensor<2048xi32>, tensor<2048xf32>, tensor<2048xi32>, tensor<2048xi1> -> tensor<2048xf32>, tensor<2048xi32> {
      %true = arith.constant true
      %gt = arith.cmpf ogt, %xv, %a : f32
      %bnan = arith.cmpf uno, %xv, %xv : f32
      %anan = arith.cmpf uno, %a, %a : f32
      %nota = arith.xori %anan, %true : i1
      %newnan = arith.andi %bnan, %nota : i1
      %better = arith.ori %gt, %newnan : i1
      %take = arith.andi %better, %on : i1
      %v2 = arith.select %take, %xv, %a : f32
      %i2 = arith.select %take, %bi2, %ai : i32
      gpu_block.yield %v2, %i2 : f32, i32
    }
    gpu_block.yield %nv, %ni : tensor<2048xf32>, tensor<2048xi32>
  }
  %r = gpu_block.reduce argmax %bestv, %besti axis 0 : tensor<2048xf32>, tensor<2048xi32> -> i32
  %r64 = arith.extsi %r : i32 to i64
  %op = gpu_block.addptr %out, %row : !gpu_block.ptr<i64>, i32
  gpu_block.store %op, %r64 : !gpu_block.ptr<i64>
  gpu_block.return
}

// CHECK-LABEL: func.func @main(%x: tensor<64x10000xf32>) -> tensor<64xi64> {
// CHECK-NEXT:    %n = arith.constant 10000 : i32
// CHECK-NEXT:    %y = gpu_block.launch @row_argmax(%x, %n) : (tensor<64x10000xf32>, i32) -> (tensor<64xi64>)
// CHECK-NEXT:    func.return %y : tensor<64xi64>
// CHECK-NEXT:  }
func.func @main(%x: tensor<64x10000xf32>) -> tensor<64xi64> {
  %n = arith.constant 10000 : i32
  %y = gpu_block.launch @row_argmax(%x, %n) : (tensor<64x10000xf32>, i32) -> (tensor<64xi64>)
  func.return %y : tensor<64xi64>
}
