// A tiled matmul (bf16 in, f32 accumulator) with a K loop and dot, a relu epilogue fused,
// sizes passed as kernel arguments, the grid over two axes.
// The custom form prints back as written (CHECK), prints the same after a second
// parse, and the generic form round-trips (the diff; last, as lit's built-in diff
// drops the PYTHONPATH of the commands after it).
// RUN: stepwell-opt %s | filecheck %s
// RUN: stepwell-opt %s | stepwell-opt | filecheck %s
// RUN: stepwell-opt %s --mlir-print-op-generic | stepwell-opt | filecheck %s
// RUN: stepwell-opt %s --mlir-print-op-generic > %t.direct
// RUN: stepwell-opt %s | stepwell-opt --mlir-print-op-generic > %t.roundtrip
// RUN: diff %t.direct %t.roundtrip

// CHECK-LABEL: gpu_block.kernel @mm_relu(%a: !gpu_block.ptr<bf16> {divisibility = 16}, %b: !gpu_block.ptr<bf16> {divisibility = 16}, %M: i32, %N: i32 {divisibility = 16}, %K: i32 {divisibility = 16}, %c: !gpu_block.ptr<f32> {divisibility = 16}) grid [(s2 + 63) floordiv 64, (s3 + 63) floordiv 64] num_warps = 4 num_stages = 3 {
// CHECK-NEXT:    %pm = gpu_block.program_id 0
// CHECK-NEXT:    %pn = gpu_block.program_id 1
// CHECK-NEXT:    %c0 = arith.constant 0 : i32
// CHECK-NEXT:    %c32 = arith.constant 32 : i32
// CHECK-NEXT:    %c64 = arith.constant 64 : i32
// CHECK-NEXT:    %m0 = arith.muli %pm, %c64 : i32
// CHECK-NEXT:    %n0 = arith.muli %pn, %c64 : i32
// CHECK-NEXT:    %r64 = gpu_block.arange 0 to 64 : tensor<64xi32>
// CHECK-NEXT:    %r32 = gpu_block.arange 0 to 32 : tensor<32xi32>
// CHECK-NEXT:    %m0b = gpu_block.splat %m0 : i32 -> tensor<64xi32>
// CHECK-NEXT:    %n0b = gpu_block.splat %n0 : i32 -> tensor<64xi32>
// CHECK-NEXT:    %rm, %rn = gpu_block.map(%mm = %m0b, %nn = %n0b, %i = %r64) : tensor<64xi32>, tensor<64xi32>, tensor<64xi32> -> tensor<64xi32>, tensor<64xi32> {
// CHECK-NEXT:      %pi = arith.addi %mm, %i : i32
// CHECK-NEXT:      %qi = arith.addi %nn, %i : i32
// CHECK-NEXT:      gpu_block.yield %pi, %qi : i32, i32
// CHECK-NEXT:    }
// CHECK-NEXT:    %rows = gpu_block.expand_dims %rm axis 1 : tensor<64xi32> -> tensor<64x1xi32>
// CHECK-NEXT:    %cols = gpu_block.expand_dims %rn axis 0 : tensor<64xi32> -> tensor<1x64xi32>
// CHECK-NEXT:    %kcols = gpu_block.expand_dims %r32 axis 0 : tensor<32xi32> -> tensor<1x32xi32>
// CHECK-NEXT:    %krows = gpu_block.expand_dims %r32 axis 1 : tensor<32xi32> -> tensor<32x1xi32>
// CHECK-NEXT:    %zero = arith.constant 0.000000e+00 : f32
// CHECK-NEXT:    %zero16 = arith.constant 0.000000e+00 : bf16
// CHECK-NEXT:    %acc0 = gpu_block.splat %zero : f32 -> tensor<64x64xf32>
// CHECK-NEXT:    %acc = gpu_block.for %k = %c0 to %K step %c32 : i32 iter_args(%acc_in = %acc0) -> (tensor<64x64xf32>) {
// CHECK-NEXT:      %ar = gpu_block.broadcast %rows : tensor<64x1xi32> -> tensor<64x32xi32>
// CHECK-NEXT:      %ac = gpu_block.broadcast %kcols : tensor<1x32xi32> -> tensor<64x32xi32>
// CHECK-NEXT:      %ka = gpu_block.splat %k : i32 -> tensor<64x32xi32>
// CHECK-NEXT:      %Ma = gpu_block.splat %M : i32 -> tensor<64x32xi32>
// CHECK-NEXT:      %Ka = gpu_block.splat %K : i32 -> tensor<64x32xi32>
// CHECK-NEXT:      %aoff, %amask = gpu_block.map(%r = %ar, %cc = %ac, %kk = %ka, %mrows = %Ma, %kn = %Ka) : tensor<64x32xi32>, tensor<64x32xi32>, tensor<64x32xi32>, tensor<64x32xi32>, tensor<64x32xi32> -> tensor<64x32xi32>, tensor<64x32xi1> {
// CHECK-NEXT:        %kc = arith.addi %kk, %cc : i32
// CHECK-NEXT:        %rk = arith.muli %r, %kn : i32
// CHECK-NEXT:        %o = arith.addi %rk, %kc : i32
// CHECK-NEXT:        %in_m = arith.cmpi slt, %r, %mrows : i32
// CHECK-NEXT:        %in_k = arith.cmpi slt, %kc, %kn : i32
// CHECK-NEXT:        %in = arith.andi %in_m, %in_k : i1
// CHECK-NEXT:        gpu_block.yield %o, %in : i32, i1
// CHECK-NEXT:      }
// CHECK-NEXT:      %abase = gpu_block.splat %a : !gpu_block.ptr<bf16> -> tensor<64x32x!gpu_block.ptr<bf16>>
// CHECK-NEXT:      %ap = gpu_block.addptr %abase, %aoff : tensor<64x32x!gpu_block.ptr<bf16>>, tensor<64x32xi32>
// CHECK-NEXT:      %at = gpu_block.load %ap mask %amask other %zero16 : tensor<64x32x!gpu_block.ptr<bf16>>
// CHECK-NEXT:      %br = gpu_block.broadcast %krows : tensor<32x1xi32> -> tensor<32x64xi32>
// CHECK-NEXT:      %bc = gpu_block.broadcast %cols : tensor<1x64xi32> -> tensor<32x64xi32>
// CHECK-NEXT:      %kb = gpu_block.splat %k : i32 -> tensor<32x64xi32>
// CHECK-NEXT:      %Nb = gpu_block.splat %N : i32 -> tensor<32x64xi32>
// CHECK-NEXT:      %Kb = gpu_block.splat %K : i32 -> tensor<32x64xi32>
// CHECK-NEXT:      %boff, %bmask = gpu_block.map(%r2 = %br, %cc2 = %bc, %kk2 = %kb, %nn2 = %Nb, %kn2 = %Kb) : tensor<32x64xi32>, tensor<32x64xi32>, tensor<32x64xi32>, tensor<32x64xi32>, tensor<32x64xi32> -> tensor<32x64xi32>, tensor<32x64xi1> {
// CHECK-NEXT:        %kr = arith.addi %kk2, %r2 : i32
// CHECK-NEXT:        %kn_ = arith.muli %kr, %nn2 : i32
// CHECK-NEXT:        %o2 = arith.addi %kn_, %cc2 : i32
// CHECK-NEXT:        %in_k2 = arith.cmpi slt, %kr, %kn2 : i32
// CHECK-NEXT:        %in_n = arith.cmpi slt, %cc2, %nn2 : i32
// CHECK-NEXT:        %in2 = arith.andi %in_k2, %in_n : i1
// CHECK-NEXT:        gpu_block.yield %o2, %in2 : i32, i1
// CHECK-NEXT:      }
// CHECK-NEXT:      %bbase = gpu_block.splat %b : !gpu_block.ptr<bf16> -> tensor<32x64x!gpu_block.ptr<bf16>>
// CHECK-NEXT:      %bp = gpu_block.addptr %bbase, %boff : tensor<32x64x!gpu_block.ptr<bf16>>, tensor<32x64xi32>
// CHECK-NEXT:      %bt = gpu_block.load %bp mask %bmask other %zero16 : tensor<32x64x!gpu_block.ptr<bf16>>
// CHECK-NEXT:      %acc_out = gpu_block.dot %at, %bt, %acc_in precision ieee : tensor<64x32xbf16>, tensor<32x64xbf16> -> tensor<64x64xf32>
// CHECK-NEXT:      gpu_block.yield %acc_out : tensor<64x64xf32>
// CHECK-NEXT:    }
// CHECK-NEXT:    %cr = gpu_block.broadcast %rows : tensor<64x1xi32> -> tensor<64x64xi32>
// CHECK-NEXT:    %cc3 = gpu_block.broadcast %cols : tensor<1x64xi32> -> tensor<64x64xi32>
// CHECK-NEXT:    %Mc = gpu_block.splat %M : i32 -> tensor<64x64xi32>
// CHECK-NEXT:    %Nc = gpu_block.splat %N : i32 -> tensor<64x64xi32>
// CHECK-NEXT:    %coff, %cmask, %relu = gpu_block.map(%r3 = %cr, %c3 = %cc3, %m3 = %Mc, %n3 = %Nc, %v3 = %acc) : tensor<64x64xi32>, tensor<64x64xi32>, tensor<64x64xi32>, tensor<64x64xi32>, tensor<64x64xf32> -> tensor<64x64xi32>, tensor<64x64xi1>, tensor<64x64xf32> {
// CHECK-NEXT:      %rn3 = arith.muli %r3, %n3 : i32
// CHECK-NEXT:      %o3 = arith.addi %rn3, %c3 : i32
// CHECK-NEXT:      %in_m3 = arith.cmpi slt, %r3, %m3 : i32
// CHECK-NEXT:      %in_n3 = arith.cmpi slt, %c3, %n3 : i32
// CHECK-NEXT:      %in3 = arith.andi %in_m3, %in_n3 : i1
// CHECK-NEXT:      %z3 = arith.constant 0.000000e+00 : f32
// CHECK-NEXT:      %y3 = arith.maximumf %v3, %z3 : f32
// CHECK-NEXT:      gpu_block.yield %o3, %in3, %y3 : i32, i1, f32
// CHECK-NEXT:    }
// CHECK-NEXT:    %cbase = gpu_block.splat %c : !gpu_block.ptr<f32> -> tensor<64x64x!gpu_block.ptr<f32>>
// CHECK-NEXT:    %cp = gpu_block.addptr %cbase, %coff : tensor<64x64x!gpu_block.ptr<f32>>, tensor<64x64xi32>
// CHECK-NEXT:    gpu_block.store %cp, %relu mask %cmask : tensor<64x64x!gpu_block.ptr<f32>>
// CHECK-NEXT:    gpu_block.return
// CHECK-NEXT:  }
gpu_block.kernel @mm_relu(%a: !gpu_block.ptr<bf16> {divisibility = 16}, %b: !gpu_block.ptr<bf16> {divisibility = 16}, %M: i32, %N: i32 {divisibility = 16}, %K: i32 {divisibility = 16}, %c: !gpu_block.ptr<f32> {divisibility = 16}) grid [(s2 + 63) floordiv 64, (s3 + 63) floordiv 64] num_warps = 4 num_stages = 3 {
  %pm = gpu_block.program_id 0
  %pn = gpu_block.program_id 1
  %c0 = arith.constant 0 : i32
  %c32 = arith.constant 32 : i32
  %c64 = arith.constant 64 : i32
  %m0 = arith.muli %pm, %c64 : i32
  %n0 = arith.muli %pn, %c64 : i32
  %r64 = gpu_block.arange 0 to 64 : tensor<64xi32>
  %r32 = gpu_block.arange 0 to 32 : tensor<32xi32>
  %m0b = gpu_block.splat %m0 : i32 -> tensor<64xi32>
  %n0b = gpu_block.splat %n0 : i32 -> tensor<64xi32>
  %rm, %rn = gpu_block.map(%mm = %m0b, %nn = %n0b, %i = %r64) : tensor<64xi32>, tensor<64xi32>, tensor<64xi32> -> tensor<64xi32>, tensor<64xi32> {
    %pi = arith.addi %mm, %i : i32
    %qi = arith.addi %nn, %i : i32
    gpu_block.yield %pi, %qi : i32, i32
  }
  %rows = gpu_block.expand_dims %rm axis 1 : tensor<64xi32> -> tensor<64x1xi32>
  %cols = gpu_block.expand_dims %rn axis 0 : tensor<64xi32> -> tensor<1x64xi32>
  %kcols = gpu_block.expand_dims %r32 axis 0 : tensor<32xi32> -> tensor<1x32xi32>
  %krows = gpu_block.expand_dims %r32 axis 1 : tensor<32xi32> -> tensor<32x1xi32>
  %zero = arith.constant 0.000000e+00 : f32
  %zero16 = arith.constant 0.000000e+00 : bf16
  %acc0 = gpu_block.splat %zero : f32 -> tensor<64x64xf32>
  %acc = gpu_block.for %k = %c0 to %K step %c32 : i32 iter_args(%acc_in = %acc0) -> (tensor<64x64xf32>) {
    %ar = gpu_block.broadcast %rows : tensor<64x1xi32> -> tensor<64x32xi32>
    %ac = gpu_block.broadcast %kcols : tensor<1x32xi32> -> tensor<64x32xi32>
    %ka = gpu_block.splat %k : i32 -> tensor<64x32xi32>
    %Ma = gpu_block.splat %M : i32 -> tensor<64x32xi32>
    %Ka = gpu_block.splat %K : i32 -> tensor<64x32xi32>
    %aoff, %amask = gpu_block.map(%r = %ar, %cc = %ac, %kk = %ka, %mrows = %Ma, %kn = %Ka) : tensor<64x32xi32>, tensor<64x32xi32>, tensor<64x32xi32>, tensor<64x32xi32>, tensor<64x32xi32> -> tensor<64x32xi32>, tensor<64x32xi1> {
      %kc = arith.addi %kk, %cc : i32
      %rk = arith.muli %r, %kn : i32
      %o = arith.addi %rk, %kc : i32
      %in_m = arith.cmpi slt, %r, %mrows : i32
      %in_k = arith.cmpi slt, %kc, %kn : i32
      %in = arith.andi %in_m, %in_k : i1
      gpu_block.yield %o, %in : i32, i1
    }
    %abase = gpu_block.splat %a : !gpu_block.ptr<bf16> -> tensor<64x32x!gpu_block.ptr<bf16>>
    %ap = gpu_block.addptr %abase, %aoff : tensor<64x32x!gpu_block.ptr<bf16>>, tensor<64x32xi32>
    %at = gpu_block.load %ap mask %amask other %zero16 : tensor<64x32x!gpu_block.ptr<bf16>>
    %br = gpu_block.broadcast %krows : tensor<32x1xi32> -> tensor<32x64xi32>
    %bc = gpu_block.broadcast %cols : tensor<1x64xi32> -> tensor<32x64xi32>
    %kb = gpu_block.splat %k : i32 -> tensor<32x64xi32>
    %Nb = gpu_block.splat %N : i32 -> tensor<32x64xi32>
    %Kb = gpu_block.splat %K : i32 -> tensor<32x64xi32>
    %boff, %bmask = gpu_block.map(%r2 = %br, %cc2 = %bc, %kk2 = %kb, %nn2 = %Nb, %kn2 = %Kb) : tensor<32x64xi32>, tensor<32x64xi32>, tensor<32x64xi32>, tensor<32x64xi32>, tensor<32x64xi32> -> tensor<32x64xi32>, tensor<32x64xi1> {
      %kr = arith.addi %kk2, %r2 : i32
      %kn_ = arith.muli %kr, %nn2 : i32
      %o2 = arith.addi %kn_, %cc2 : i32
      %in_k2 = arith.cmpi slt, %kr, %kn2 : i32
      %in_n = arith.cmpi slt, %cc2, %nn2 : i32
      %in2 = arith.andi %in_k2, %in_n : i1
      gpu_block.yield %o2, %in2 : i32, i1
    }
    %bbase = gpu_block.splat %b : !gpu_block.ptr<bf16> -> tensor<32x64x!gpu_block.ptr<bf16>>
    %bp = gpu_block.addptr %bbase, %boff : tensor<32x64x!gpu_block.ptr<bf16>>, tensor<32x64xi32>
    %bt = gpu_block.load %bp mask %bmask other %zero16 : tensor<32x64x!gpu_block.ptr<bf16>>
    %acc_out = gpu_block.dot %at, %bt, %acc_in precision ieee : tensor<64x32xbf16>, tensor<32x64xbf16> -> tensor<64x64xf32>
    gpu_block.yield %acc_out : tensor<64x64xf32>
  }
  %cr = gpu_block.broadcast %rows : tensor<64x1xi32> -> tensor<64x64xi32>
  %cc3 = gpu_block.broadcast %cols : tensor<1x64xi32> -> tensor<64x64xi32>
  %Mc = gpu_block.splat %M : i32 -> tensor<64x64xi32>
  %Nc = gpu_block.splat %N : i32 -> tensor<64x64xi32>
  %coff, %cmask, %relu = gpu_block.map(%r3 = %cr, %c3 = %cc3, %m3 = %Mc, %n3 = %Nc, %v3 = %acc) : tensor<64x64xi32>, tensor<64x64xi32>, tensor<64x64xi32>, tensor<64x64xi32>, tensor<64x64xf32> -> tensor<64x64xi32>, tensor<64x64xi1>, tensor<64x64xf32> {
    %rn3 = arith.muli %r3, %n3 : i32
    %o3 = arith.addi %rn3, %c3 : i32
    %in_m3 = arith.cmpi slt, %r3, %m3 : i32
    %in_n3 = arith.cmpi slt, %c3, %n3 : i32
    %in3 = arith.andi %in_m3, %in_n3 : i1
    %z3 = arith.constant 0.000000e+00 : f32
    %y3 = arith.maximumf %v3, %z3 : f32
    gpu_block.yield %o3, %in3, %y3 : i32, i1, f32
  }
  %cbase = gpu_block.splat %c : !gpu_block.ptr<f32> -> tensor<64x64x!gpu_block.ptr<f32>>
  %cp = gpu_block.addptr %cbase, %coff : tensor<64x64x!gpu_block.ptr<f32>>, tensor<64x64xi32>
  gpu_block.store %cp, %relu mask %cmask : tensor<64x64x!gpu_block.ptr<f32>>
  gpu_block.return
}

// CHECK-LABEL: func.func @main(%a: tensor<500x384xbf16>, %b: tensor<384x256xbf16>) -> tensor<500x256xf32> {
// CHECK-NEXT:    %M = arith.constant 500 : i32
// CHECK-NEXT:    %N = arith.constant 256 : i32
// CHECK-NEXT:    %K = arith.constant 384 : i32
// CHECK-NEXT:    %c = gpu_block.launch @mm_relu(%a, %b, %M, %N, %K) : (tensor<500x384xbf16>, tensor<384x256xbf16>, i32, i32, i32) -> (tensor<500x256xf32>)
// CHECK-NEXT:    func.return %c : tensor<500x256xf32>
// CHECK-NEXT:  }
func.func @main(%a: tensor<500x384xbf16>, %b: tensor<384x256xbf16>) -> tensor<500x256xf32> {
  %M = arith.constant 500 : i32
  %N = arith.constant 256 : i32
  %K = arith.constant 384 : i32
  %c = gpu_block.launch @mm_relu(%a, %b, %M, %N, %K) : (tensor<500x384xbf16>, tensor<384x256xbf16>, i32, i32, i32) -> (tensor<500x256xf32>)
  func.return %c : tensor<500x256xf32>
}
