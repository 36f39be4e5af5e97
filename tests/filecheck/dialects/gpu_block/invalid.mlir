// One test per verifier rule of the gpu_block dialect: each error names the op and what
// was expected. Rules the custom syntax cannot break (a mask's or `other`'s type is
// implied by the pointers') are written in the generic form.
// RUN: stepwell-opt %s --split-input-file --verify-diagnostics

gpu_block.kernel @program_id_axis() grid [1] num_warps = 4 {
  // expected-error@+1 {{'gpu_block.program_id' op the grid has axes 0, 1 and 2, got axis 3}}
  %p = gpu_block.program_id 3
  gpu_block.return
}

// -----

func.func @outside_a_kernel() {
  // expected-error@+1 {{'gpu_block.program_id' is an op of a kernel: it must be inside gpu_block.kernel}}
  %p = gpu_block.program_id 0
  func.return
}

// -----

gpu_block.kernel @arange_length() grid [1] num_warps = 4 {
  // expected-error@+1 {{an arange's length is a power of two, got 0 to 1000 (1000 elements)}}
  %r = gpu_block.arange 0 to 1000 : tensor<1000xi32>
  gpu_block.return
}

// -----

gpu_block.kernel @arange_type() grid [1] num_warps = 4 {
  // expected-error@+1 {{the result of arange 0 to 16 is tensor<16xi32>, got tensor<16xi64>}}
  %r = gpu_block.arange 0 to 16 : tensor<16xi64>
  gpu_block.return
}

// -----

gpu_block.kernel @block_dims(%s: f32) grid [1] num_warps = 4 {
  // expected-error@+1 {{the result is a block of power-of-two dims, got tensor<1000xf32> (1000 is not a power of two)}}
  %b = gpu_block.splat %s : f32 -> tensor<1000xf32>
  gpu_block.return
}

// -----

gpu_block.kernel @block_elements(%s: index) grid [1] num_warps = 4 {
  gpu_block.return
}
// expected-error@-3 {{argument 0 is a pointer or a scalar (an integer or a float), got index}}

// -----

gpu_block.kernel @splat_a_block() grid [1] num_warps = 4 {
  %r = gpu_block.arange 0 to 16 : tensor<16xi32>
  // expected-error@+1 {{splat takes a scalar, got tensor<16xi32>}}
  %b = gpu_block.splat %r : tensor<16xi32> -> tensor<16xi32>
  gpu_block.return
}

// -----

gpu_block.kernel @splat_element(%s: f32) grid [1] num_warps = 4 {
  // expected-error@+1 {{the element type stays: f32 in, i32 out}}
  %b = gpu_block.splat %s : f32 -> tensor<16xi32>
  gpu_block.return
}

// -----

gpu_block.kernel @expand_axis() grid [1] num_warps = 4 {
  %r = gpu_block.arange 0 to 16 : tensor<16xi32>
  // expected-error@+1 {{axis 2 is out of range for a block of rank 1 (0 to 1)}}
  %e = gpu_block.expand_dims %r axis 2 : tensor<16xi32> -> tensor<16x1xi32>
  gpu_block.return
}

// -----

gpu_block.kernel @expand_shape() grid [1] num_warps = 4 {
  %r = gpu_block.arange 0 to 16 : tensor<16xi32>
  // expected-error@+1 {{expected a result of shape 1x16, got tensor<16x1xi32>}}
  %e = gpu_block.expand_dims %r axis 0 : tensor<16xi32> -> tensor<16x1xi32>
  gpu_block.return
}

// -----

gpu_block.kernel @broadcast_dims() grid [1] num_warps = 4 {
  %r = gpu_block.arange 0 to 16 : tensor<16xi32>
  %e = gpu_block.expand_dims %r axis 1 : tensor<16xi32> -> tensor<16x1xi32>
  %b = gpu_block.broadcast %e : tensor<16x1xi32> -> tensor<16x8xi32>
  // expected-error@+1 {{broadcast repeats dims of size 1 only: tensor<16x8xi32> cannot become tensor<16x16xi32>}}
  %c = gpu_block.broadcast %b : tensor<16x8xi32> -> tensor<16x16xi32>
  gpu_block.return
}

// -----

gpu_block.kernel @addptr_shapes(%x: !gpu_block.ptr<f32>) grid [1] num_warps = 4 {
  %r = gpu_block.arange 0 to 16 : tensor<16xi32>
  %xb = gpu_block.splat %x : !gpu_block.ptr<f32> -> tensor<32x!gpu_block.ptr<f32>>
  // expected-error@+1 {{pointers tensor<32x!gpu_block.ptr<f32>> and offsets tensor<16xi32> differ in shape}}
  %p = gpu_block.addptr %xb, %r : tensor<32x!gpu_block.ptr<f32>>, tensor<16xi32>
  gpu_block.return
}

// -----

gpu_block.kernel @addptr_base(%n: i32) grid [1] num_warps = 4 {
  // expected-error@+1 {{the base is a pointer or a block of pointers, got i32}}
  %p = gpu_block.addptr %n, %n : i32, i32
  gpu_block.return
}

// -----

gpu_block.kernel @addptr_offsets(%x: !gpu_block.ptr<f32>, %f: f32) grid [1] num_warps = 4 {
  // expected-error@+1 {{the offsets are integers, got f32}}
  %p = gpu_block.addptr %x, %f : !gpu_block.ptr<f32>, f32
  gpu_block.return
}

// -----

gpu_block.kernel @load_mask_shape(%x: !gpu_block.ptr<f32>) grid [1] num_warps = 4 {
  %xb = gpu_block.splat %x : !gpu_block.ptr<f32> -> tensor<16x!gpu_block.ptr<f32>>
  %t = arith.constant true
  %m = gpu_block.splat %t : i1 -> tensor<32xi1>
  // expected-error@+1 {{the mask is tensor<16xi1> (i1 in the shape of the pointers), got tensor<32xi1>}}
  %v = "gpu_block.load"(%xb, %m) <{operandSegmentSizes = array<i32: 1, 1, 0>}> : (tensor<16x!gpu_block.ptr<f32>>, tensor<32xi1>) -> tensor<16xf32>
  gpu_block.return
}

// -----

gpu_block.kernel @load_mask_element(%x: !gpu_block.ptr<f32>) grid [1] num_warps = 4 {
  %xb = gpu_block.splat %x : !gpu_block.ptr<f32> -> tensor<16x!gpu_block.ptr<f32>>
  %m = gpu_block.arange 0 to 16 : tensor<16xi32>
  // expected-error@+1 {{the mask is tensor<16xi1> (i1 in the shape of the pointers), got tensor<16xi32>}}
  %v = "gpu_block.load"(%xb, %m) <{operandSegmentSizes = array<i32: 1, 1, 0>}> : (tensor<16x!gpu_block.ptr<f32>>, tensor<16xi32>) -> tensor<16xf32>
  gpu_block.return
}

// -----

gpu_block.kernel @load_other_type(%x: !gpu_block.ptr<f32>) grid [1] num_warps = 4 {
  %xb = gpu_block.splat %x : !gpu_block.ptr<f32> -> tensor<16x!gpu_block.ptr<f32>>
  %t = arith.constant true
  %m = gpu_block.splat %t : i1 -> tensor<16xi1>
  %z = arith.constant 0 : i32
  // expected-error@+1 {{`other` is a scalar of the element type f32, got i32}}
  %v = "gpu_block.load"(%xb, %m, %z) <{operandSegmentSizes = array<i32: 1, 1, 1>}> : (tensor<16x!gpu_block.ptr<f32>>, tensor<16xi1>, i32) -> tensor<16xf32>
  gpu_block.return
}

// -----

gpu_block.kernel @load_other_without_mask(%x: !gpu_block.ptr<f32>) grid [1] num_warps = 4 {
  %z = arith.constant 0.0 : f32
  // expected-error@+1 {{`other` is the value of masked-off lanes: it needs a mask}}
  %v = "gpu_block.load"(%x, %z) <{operandSegmentSizes = array<i32: 1, 0, 1>}> : (!gpu_block.ptr<f32>, f32) -> f32
  gpu_block.return
}

// -----

gpu_block.kernel @load_result(%x: !gpu_block.ptr<f32>) grid [1] num_warps = 4 {
  // expected-error@+1 {{loading !gpu_block.ptr<f32> gives f32, not f16}}
  %v = "gpu_block.load"(%x) <{operandSegmentSizes = array<i32: 1, 0, 0>}> : (!gpu_block.ptr<f32>) -> f16
  gpu_block.return
}

// -----

gpu_block.kernel @load_of_a_value(%n: i32) grid [1] num_warps = 4 {
  // expected-error@+1 {{expected a pointer or a block of pointers, got i32}}
  %v = gpu_block.load %n : i32
  gpu_block.return
}

// -----

gpu_block.kernel @load_cache(%x: !gpu_block.ptr<f32>) grid [1] num_warps = 4 {
  // expected-error@+1 {{cache is one of ca, cg, cv, got 'wb'}}
  %v = gpu_block.load %x cache wb : !gpu_block.ptr<f32>
  gpu_block.return
}

// -----

gpu_block.kernel @store_evict(%x: !gpu_block.ptr<f32>, %v: f32) grid [1] num_warps = 4 {
  // expected-error@+1 {{evict is one of first, last, normal, got 'often'}}
  gpu_block.store %x, %v evict often : !gpu_block.ptr<f32>
  gpu_block.return
}

// -----

gpu_block.kernel @store_value(%x: !gpu_block.ptr<f32>, %v: f16) grid [1] num_warps = 4 {
  // expected-error@+1 {{storing through !gpu_block.ptr<f32> takes f32, got f16}}
  "gpu_block.store"(%x, %v) <{operandSegmentSizes = array<i32: 1, 0, 1>}> : (!gpu_block.ptr<f32>, f16) -> ()
  gpu_block.return
}

// -----

gpu_block.kernel @atomic_kind(%x: !gpu_block.ptr<f32>, %v: f32) grid [1] num_warps = 4 {
  // expected-error@+1 {{an atomic is one of add, max, min, got 'mul'}}
  gpu_block.atomic_rmw mul %x, %v : !gpu_block.ptr<f32>
  gpu_block.return
}

// -----

gpu_block.kernel @map_shapes() grid [1] num_warps = 4 {
  %a = gpu_block.arange 0 to 16 : tensor<16xi32>
  %b = gpu_block.arange 0 to 32 : tensor<32xi32>
  // expected-error@+1 {{a map's blocks have one shape: operand 1 is tensor<32xi32>, operand 0 is tensor<16xi32> (broadcast first)}}
  %c = gpu_block.map(%x = %a, %y = %b) : tensor<16xi32>, tensor<32xi32> -> tensor<16xi32> {
    gpu_block.yield %x : i32
  }
  gpu_block.return
}

// -----

gpu_block.kernel @map_scalar(%n: i32) grid [1] num_warps = 4 {
  // expected-error@+1 {{a map works on blocks; operand 0 is the scalar i32 (splat it)}}
  %c = gpu_block.map(%x = %n) : i32 -> tensor<16xi32> {
    gpu_block.yield %x : i32
  }
  gpu_block.return
}

// -----

gpu_block.kernel @map_no_result() grid [1] num_warps = 4 {
  %a = gpu_block.arange 0 to 16 : tensor<16xi32>
  // expected-error@+1 {{a map has at least one result}}
  "gpu_block.map"(%a) ({
  ^bb0(%x: i32):
    gpu_block.yield
  }) : (tensor<16xi32>) -> ()
  gpu_block.return
}

// -----

gpu_block.kernel @map_yield() grid [1] num_warps = 4 {
  %a = gpu_block.arange 0 to 16 : tensor<16xi32>
  // expected-error@+1 {{the body yields i32, the results' elements are f32}}
  %c = gpu_block.map(%x = %a) : tensor<16xi32> -> tensor<16xf32> {
    gpu_block.yield %x : i32
  }
  gpu_block.return
}

// -----

gpu_block.kernel @map_arguments() grid [1] num_warps = 4 {
  %a = gpu_block.arange 0 to 16 : tensor<16xi32>
  // expected-error@+1 {{the body's arguments are the operands' elements (i32), got i64}}
  %c = "gpu_block.map"(%a) ({
  ^bb0(%x: i64):
    %t = arith.trunci %x : i64 to i32
    gpu_block.yield %t : i32
  }) : (tensor<16xi32>) -> tensor<16xi32>
  gpu_block.return
}

// -----

gpu_block.kernel @map_body(%x: !gpu_block.ptr<i32>) grid [1] num_warps = 4 {
  %a = gpu_block.arange 0 to 16 : tensor<16xi32>
  // expected-error@+1 {{a map's body is scalar arith/math code; 'gpu_block.load' cannot be in it}}
  %c = gpu_block.map(%i = %a) : tensor<16xi32> -> tensor<16xi32> {
    %v = gpu_block.load %x : !gpu_block.ptr<i32>
    gpu_block.yield %v : i32
  }
  gpu_block.return
}

// -----

gpu_block.kernel @arith_on_blocks() grid [1] num_warps = 4 {
  %a = gpu_block.arange 0 to 16 : tensor<16xi32>
  %b = arith.addi %a, %a : tensor<16xi32>
  gpu_block.return
}
// expected-error@-5 {{'arith.addi' on blocks: elementwise computation on blocks is a gpu_block.map of scalar ops}}

// -----

gpu_block.kernel @reduce_kind(%x: !gpu_block.ptr<f32>) grid [1] num_warps = 4 {
  %xb = gpu_block.splat %x : !gpu_block.ptr<f32> -> tensor<16x!gpu_block.ptr<f32>>
  %v = gpu_block.load %xb : tensor<16x!gpu_block.ptr<f32>>
  // expected-error@+1 {{kind is one of sum, prod, max, min, argmax, argmin, got 'mean'}}
  %s = gpu_block.reduce mean %v axis 0 : tensor<16xf32> -> f32
  gpu_block.return
}

// -----

gpu_block.kernel @reduce_axis(%x: !gpu_block.ptr<f32>) grid [1] num_warps = 4 {
  %xb = gpu_block.splat %x : !gpu_block.ptr<f32> -> tensor<16x!gpu_block.ptr<f32>>
  %v = gpu_block.load %xb : tensor<16x!gpu_block.ptr<f32>>
  // expected-error@+1 {{axis 1 is out of range for a block of rank 1}}
  %s = gpu_block.reduce sum %v axis 1 : tensor<16xf32> -> f32
  gpu_block.return
}

// -----

gpu_block.kernel @reduce_result(%x: !gpu_block.ptr<f32>) grid [1] num_warps = 4 {
  %xb = gpu_block.splat %x : !gpu_block.ptr<f32> -> tensor<16x32x!gpu_block.ptr<f32>>
  %v = gpu_block.load %xb : tensor<16x32x!gpu_block.ptr<f32>>
  // expected-error@+1 {{reducing tensor<16x32xf32> along axis 1 gives tensor<16xf32>, not tensor<32xf32>}}
  %s = gpu_block.reduce max %v axis 1 : tensor<16x32xf32> -> tensor<32xf32>
  gpu_block.return
}

// -----

gpu_block.kernel @argmax_positions(%x: !gpu_block.ptr<f32>) grid [1] num_warps = 4 {
  %xb = gpu_block.splat %x : !gpu_block.ptr<f32> -> tensor<16x!gpu_block.ptr<f32>>
  %v = gpu_block.load %xb : tensor<16x!gpu_block.ptr<f32>>
  // expected-error@+1 {{argmax gives i32 or i64 positions, got f32}}
  %s = gpu_block.reduce argmax %v axis 0 : tensor<16xf32> -> f32
  gpu_block.return
}

// -----

gpu_block.kernel @indices_of_a_sum(%x: !gpu_block.ptr<f32>) grid [1] num_warps = 4 {
  %xb = gpu_block.splat %x : !gpu_block.ptr<f32> -> tensor<16x!gpu_block.ptr<f32>>
  %v = gpu_block.load %xb : tensor<16x!gpu_block.ptr<f32>>
  %i = gpu_block.arange 0 to 16 : tensor<16xi32>
  // expected-error@+1 {{only argmax and argmin take indices, not sum}}
  %s = gpu_block.reduce sum %v, %i axis 0 : tensor<16xf32>, tensor<16xi32> -> f32
  gpu_block.return
}

// -----

gpu_block.kernel @indices_shape(%x: !gpu_block.ptr<f32>) grid [1] num_warps = 4 {
  %xb = gpu_block.splat %x : !gpu_block.ptr<f32> -> tensor<16x!gpu_block.ptr<f32>>
  %v = gpu_block.load %xb : tensor<16x!gpu_block.ptr<f32>>
  %i = gpu_block.arange 0 to 32 : tensor<32xi32>
  // expected-error@+1 {{the indices are an integer block of the source's shape, got tensor<32xi32>}}
  %s = gpu_block.reduce argmin %v, %i axis 0 : tensor<16xf32>, tensor<32xi32> -> i32
  gpu_block.return
}

// -----

gpu_block.kernel @dot_shapes(%a: !gpu_block.ptr<f16>) grid [1] num_warps = 4 {
  %ab = gpu_block.splat %a : !gpu_block.ptr<f16> -> tensor<32x16x!gpu_block.ptr<f16>>
  %bb = gpu_block.splat %a : !gpu_block.ptr<f16> -> tensor<32x64x!gpu_block.ptr<f16>>
  %x = gpu_block.load %ab : tensor<32x16x!gpu_block.ptr<f16>>
  %y = gpu_block.load %bb : tensor<32x64x!gpu_block.ptr<f16>>
  %z = arith.constant 0.0 : f32
  %acc = gpu_block.splat %z : f32 -> tensor<32x64xf32>
  // expected-error@+1 {{dot needs MxK, KxN and an MxN accumulator; got 32x16, 32x64 and 32x64}}
  %c = gpu_block.dot %x, %y, %acc precision ieee : tensor<32x16xf16>, tensor<32x64xf16> -> tensor<32x64xf32>
  gpu_block.return
}

// -----

gpu_block.kernel @dot_small(%a: !gpu_block.ptr<f16>) grid [1] num_warps = 4 {
  %ab = gpu_block.splat %a : !gpu_block.ptr<f16> -> tensor<8x16x!gpu_block.ptr<f16>>
  %bb = gpu_block.splat %a : !gpu_block.ptr<f16> -> tensor<16x16x!gpu_block.ptr<f16>>
  %x = gpu_block.load %ab : tensor<8x16x!gpu_block.ptr<f16>>
  %y = gpu_block.load %bb : tensor<16x16x!gpu_block.ptr<f16>>
  %z = arith.constant 0.0 : f32
  %acc = gpu_block.splat %z : f32 -> tensor<8x16xf32>
  // expected-error@+1 {{dot needs M, N and K of at least 16, got 8x16x16}}
  %c = gpu_block.dot %x, %y, %acc precision ieee : tensor<8x16xf16>, tensor<16x16xf16> -> tensor<8x16xf32>
  gpu_block.return
}

// -----

gpu_block.kernel @dot_tf32(%a: !gpu_block.ptr<f16>) grid [1] num_warps = 4 {
  %ab = gpu_block.splat %a : !gpu_block.ptr<f16> -> tensor<16x16x!gpu_block.ptr<f16>>
  %x = gpu_block.load %ab : tensor<16x16x!gpu_block.ptr<f16>>
  %z = arith.constant 0.0 : f32
  %acc = gpu_block.splat %z : f32 -> tensor<16x16xf32>
  // expected-error@+1 {{tf32 precision is for f32 factors, got f16}}
  %c = gpu_block.dot %x, %x, %acc precision tf32 : tensor<16x16xf16>, tensor<16x16xf16> -> tensor<16x16xf32>
  gpu_block.return
}

// -----

gpu_block.kernel @dot_precision(%a: !gpu_block.ptr<f32>) grid [1] num_warps = 4 {
  %ab = gpu_block.splat %a : !gpu_block.ptr<f32> -> tensor<16x16x!gpu_block.ptr<f32>>
  %x = gpu_block.load %ab : tensor<16x16x!gpu_block.ptr<f32>>
  // expected-error@+1 {{precision is one of ieee, tf32, got 'tf32x3'}}
  %c = gpu_block.dot %x, %x, %x precision tf32x3 : tensor<16x16xf32>, tensor<16x16xf32> -> tensor<16x16xf32>
  gpu_block.return
}

// -----

gpu_block.kernel @for_bounds(%n: i32) grid [1] num_warps = 4 {
  %c0 = arith.constant 0 : i64
  %c1 = arith.constant 1 : i32
  // expected-error@+1 {{bounds and step have one integer type, got i64, i32, i32}}
  "gpu_block.for"(%c0, %n, %c1) ({
  ^bb0(%k: i64):
    gpu_block.yield
  }) : (i64, i32, i32) -> ()
  gpu_block.return
}

// -----

gpu_block.kernel @for_yield(%n: i32) grid [1] num_warps = 4 {
  %c0 = arith.constant 0 : i32
  %c16 = arith.constant 16 : i32
  %z = arith.constant 0.0 : f32
  %acc0 = gpu_block.splat %z : f32 -> tensor<16xf32>
  // expected-error@+1 {{the body ends in gpu_block.yield of the carried values' types (tensor<16xf32>)}}
  %acc = gpu_block.for %k = %c0 to %n step %c16 : i32 iter_args(%a = %acc0) -> (tensor<16xf32>) {
    gpu_block.yield %z : f32
  }
  gpu_block.return
}

// -----

// expected-error@+1 {{argument 0 is a pointer or a scalar (an integer or a float), got tensor<16xf32>}}
gpu_block.kernel @tensor_argument(%x: tensor<16xf32>) grid [1] num_warps = 4 {
  gpu_block.return
}

// -----

// expected-error@+1 {{argument 0: unknown fact 'aligned' (expected one of divisibility)}}
gpu_block.kernel @unknown_fact(%x: !gpu_block.ptr<f32> {aligned = 16}) grid [1] num_warps = 4 {
  gpu_block.return
}

// -----

// expected-error@+1 {{argument 0: divisibility is a power of two, got 12 : i64}}
gpu_block.kernel @divisibility(%x: !gpu_block.ptr<f32> {divisibility = 12}) grid [1] num_warps = 4 {
  gpu_block.return
}

// -----

// expected-error@+1 {{argument 0: only a pointer or an integer has a divisibility, not f32}}
gpu_block.kernel @float_divisibility(%x: f32 {divisibility = 16}) grid [1] num_warps = 4 {
  gpu_block.return
}

// -----

// expected-error@+1 {{the grid has 1 to 3 axes, got 4}}
gpu_block.kernel @grid_axes() grid [1, 1, 1, 1] num_warps = 4 {
  gpu_block.return
}

// -----

// expected-error@+1 {{grid symbol s1 names argument 1, which is not an integer argument of the kernel}}
gpu_block.kernel @grid_symbol(%x: !gpu_block.ptr<f32>, %f: f32) grid [s1 floordiv 16] num_warps = 4 {
  gpu_block.return
}

// -----

// expected-error@+1 {{a grid expression reads kernel arguments (s0, s1, ...) only, got 'd0'}}
gpu_block.kernel @grid_dims(%n: i32) grid [d0] num_warps = 4 {
  gpu_block.return
}

// -----

// expected-error@+1 {{unknown index symbol(s) ['n'] in 'n floordiv 16' (use d*, r*, s*)}}
gpu_block.kernel @grid_names(%n: i32) grid [n floordiv 16] num_warps = 4 {
  gpu_block.return
}

// -----

// expected-error@+1 {{num_warps is a power of two, got 3}}
gpu_block.kernel @num_warps() grid [1] num_warps = 3 {
  gpu_block.return
}

// -----

// expected-error@+1 {{a pointer points to a scalar (an integer or a float), got index}}
gpu_block.kernel @pointee(%x: !gpu_block.ptr<index>) grid [1] num_warps = 4 {
  gpu_block.return
}

// -----

func.func @launch_unknown(%x: tensor<16xf32>) -> tensor<16xf32> {
  // expected-error@+1 {{'@nowhere' is not a gpu_block.kernel of this module}}
  %y = gpu_block.launch @nowhere(%x) : (tensor<16xf32>) -> (tensor<16xf32>)
  func.return %y : tensor<16xf32>
}

// -----

gpu_block.kernel @two(%x: !gpu_block.ptr<f32>, %y: !gpu_block.ptr<f32>) grid [1] num_warps = 4 {
  gpu_block.return
}
func.func @launch_count(%x: tensor<16xf32>, %n: i32) -> tensor<16xf32> {
  // expected-error@+1 {{kernel @two takes 2 arguments, the launch passes 2 operands and 1 results}}
  %y = gpu_block.launch @two(%x, %n) : (tensor<16xf32>, i32) -> (tensor<16xf32>)
  func.return %y : tensor<16xf32>
}

// -----

gpu_block.kernel @two(%x: !gpu_block.ptr<f32>, %y: !gpu_block.ptr<f32>) grid [1] num_warps = 4 {
  gpu_block.return
}
func.func @launch_types(%x: tensor<16xf16>) -> tensor<16xf32> {
  // expected-error@+1 {{argument 0 of @two is !gpu_block.ptr<f32>, but the launch binds tensor<16xf16> to it}}
  %y = gpu_block.launch @two(%x) : (tensor<16xf16>) -> (tensor<16xf32>)
  func.return %y : tensor<16xf32>
}

// -----

gpu_block.kernel @two(%x: !gpu_block.ptr<f32>, %y: !gpu_block.ptr<f32>) grid [1] num_warps = 4 {
  gpu_block.return
}
func.func @launch_init(%x: tensor<16xf32>) -> tensor<16xf32> {
  // expected-error@+1 {{the init value of result 0 is a constant of type f32, got 0 : i32}}
  %y = gpu_block.launch @two(%x) : (tensor<16xf32>) -> (tensor<16xf32> init 0 : i32)
  func.return %y : tensor<16xf32>
}
