// One test per verifier rule of the loops dialect: each error names the op and what is wrong.
// RUN: stepwell-opt %s --split-input-file --verify-diagnostics

func.func @rank(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %y = loops.pointwise : tensor<4x8xf32> {
    // expected-error@+1 {{'loops.load' op 1 indices for a buffer of rank 2}}
    %a = loops.load %x[d0] : tensor<4x8xf32>
    loops.yield %a : f32
  }
  func.return %y : tensor<4x8xf32>
}

// -----

func.func @dsym(%x: tensor<4x8xf32>) -> tensor<4xf32> {
  %y = loops.pointwise : tensor<4xf32> {
    // expected-error@+1 {{index 'd1' uses d1, but only 1 d-symbol(s) exist here}}
    %a = loops.load %x[d0, d1] : tensor<4x8xf32>
    loops.yield %a : f32
  }
  func.return %y : tensor<4xf32>
}

// -----

func.func @rsym(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %y = loops.pointwise : tensor<4x8xf32> {
    // expected-error@+1 {{index 'r0' uses r0, but only 0 r-symbol(s) exist here}}
    %a = loops.load %x[d0, r0] : tensor<4x8xf32>
    loops.yield %a : f32
  }
  func.return %y : tensor<4x8xf32>
}

// -----

func.func @ssym(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %y = loops.pointwise : tensor<4x8xf32> {
    // expected-error@+1 {{index 's0' uses s0, but only 0 s-symbol(s) exist here}}
    %a = loops.load %x[d0, s0] : tensor<4x8xf32>
    loops.yield %a : f32
  }
  func.return %y : tensor<4x8xf32>
}

// -----

func.func @yieldtype(%x: tensor<4xf16>) -> tensor<4xf16> {
  // expected-error@+1 {{'loops.pointwise' op body yields f32, expected f16}}
  %y = loops.pointwise : tensor<4xf16> {
    %a = loops.load %x[d0] : tensor<4xf16>
    %b = arith.extf %a : f16 to f32
    loops.yield %b : f32
  }
  func.return %y : tensor<4xf16>
}

// -----

func.func @kind(%x: tensor<4xf32>) -> tensor<f32> {
  // expected-error@+1 {{kind must be one of sum, prod, max, min, argmax, argmin, got mean}}
  %y = loops.reduce mean over [4] : tensor<f32> {
    %a = loops.load %x[r0] : tensor<4xf32>
    loops.yield %a : f32
  }
  func.return %y : tensor<f32>
}

// -----

func.func @argtype(%x: tensor<4xf32>) -> tensor<i32> {
  // expected-error@+1 {{'loops.reduce' op argmax gives i64 positions}}
  %y = loops.reduce argmax over [4] (f32) : tensor<i32> {
    %a = loops.load %x[r0] : tensor<4xf32>
    loops.yield %a : f32
  }
  func.return %y : tensor<i32>
}

// -----

func.func @bodytype(%x: tensor<4xf16>) -> tensor<f16> {
  // expected-error@+1 {{the body type of a value reduction is the result element type}}
  %y = loops.reduce sum over [4] (f32) : tensor<f16> {
    %a = loops.load %x[r0] : tensor<4xf16>
    %b = arith.extf %a : f16 to f32
    loops.yield %b : f32
  }
  func.return %y : tensor<f16>
}

// -----

func.func @kernelop(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{'loops.kernel' op a kernel holds compute ops only, found arith.constant}}
  %y = loops.kernel parallel [] -> tensor<4xf32> {
    %c = arith.constant 1.0 : f32
    loops.yield %x : tensor<4xf32>
  }
  func.return %y : tensor<4xf32>
}

// -----

func.func @kerneltypes(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{yielded types differ from the kernel's result types}}
  %y = loops.kernel parallel [] reduction [k0 = 4] -> tensor<4xf32> {
    %e = loops.pointwise : tensor<4xf16> at (k0) {
      %a = loops.load %x[d0] : tensor<4xf32>
      %t = arith.truncf %a : f32 to f16
      loops.yield %t : f16
    }
    loops.yield %e : tensor<4xf16>
  }
  func.return %y : tensor<4xf32>
}

// -----

func.func @outside(%x: tensor<4xf32>) -> i64 {
  // expected-error@+1 {{'loops.index' must be inside loops.pointwise or loops.reduce}}
  %i = loops.index [d0]
  func.return %i : i64
}

// -----

func.func @noyield(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{'loops.pointwise' op body must end in `loops.yield` of one value}}
  %y = loops.pointwise : tensor<4xf32> {
    // expected-error@+1 {{loops.load terminates block in single-block region but is not a terminator}}
    %a = loops.load %x[d0] : tensor<4xf32>
  }
  func.return %y : tensor<4xf32>
}

// -----

func.func @loadtype(%x: tensor<4xf32>) -> tensor<4xf32> {
  %y = loops.pointwise : tensor<4xf32> {
    // expected-error@+1 {{result type f64 is not the element type of tensor<4xf32>}}
    %a = "loops.load"(%x) <{indices = ["d0"]}> : (tensor<4xf32>) -> f64
    %b = arith.truncf %a : f64 to f32
    loops.yield %b : f32
  }
  func.return %y : tensor<4xf32>
}

// -----

func.func @generic_bad_index(%x: tensor<4xf32>) -> tensor<4xf32> {
  %y = loops.pointwise : tensor<4xf32> {
    // expected-error@+1 {{index expression 'd0 / 2' is not an integer expression}}
    %a = "loops.load"(%x) <{indices = ["d0 / 2"]}> : (tensor<4xf32>) -> f32
    loops.yield %a : f32
  }
  func.return %y : tensor<4xf32>
}

// -----

func.func @twoyield(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{body must end in `loops.yield` of one value}}
  %y = loops.pointwise : tensor<4xf32> {
    %a = loops.load %x[d0] : tensor<4xf32>
    loops.yield %a, %a : f32, f32
  }
  func.return %y : tensor<4xf32>
}

// -----

func.func @check_index_floats(%i: tensor<3xf32>) {
  // expected-error@+1 {{'loops.check_index' op indices must be a tensor of integers, got tensor<3xf32>}}
  loops.check_index %i in [-4, 4) for "tensor_graph.gather" axis 0 : tensor<3xf32>
  func.return
}

// -----

// The kernel contract (stepwell/dialects/loops/contract.py).

func.func @kernel_unmapped(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{'loops.kernel' op %e: an op of a kernel maps its dims onto the kernel's (`at (...)`)}}
  %y = loops.kernel parallel [p0 = 4] -> tensor<4xf32> {
    %e = loops.pointwise : tensor<4xf32> {
      %a = loops.load %x[d0] : tensor<4xf32>
      loops.yield %a : f32
    }
    loops.yield %e : tensor<4xf32>
  }
  func.return %y : tensor<4xf32>
}

// -----

func.func @map_outside_kernel(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{'loops.pointwise' op only an op of a loops.kernel maps its dims (`at (...)`)}}
  %e = loops.pointwise : tensor<4xf32> at (p0) {
    %a = loops.load %x[d0] : tensor<4xf32>
    loops.yield %a : f32
  }
  func.return %e : tensor<4xf32>
}

// -----

func.func @kernel_dim_size(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error@+1 {{'loops.kernel' op %e: d1 has size 8 but kernel dim k0 has size 6}}
  %y = loops.kernel parallel [p0 = 4] reduction [k0 = 6] -> tensor<4x8xf32> {
    %e = loops.pointwise : tensor<4x8xf32> at (p0, k0) {
      %a = loops.load %x[d0, d1] : tensor<4x8xf32>
      loops.yield %a : f32
    }
    loops.yield %e : tensor<4x8xf32>
  }
  func.return %y : tensor<4x8xf32>
}

// -----

func.func @kernel_unit_map(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error@+1 {{'loops.kernel' op %e: d1 has size 8; only a dim of size 1 maps to 0}}
  %y = loops.kernel parallel [p0 = 4] -> tensor<4x8xf32> {
    %e = loops.pointwise : tensor<4x8xf32> at (p0, 0) {
      %a = loops.load %x[d0, d1] : tensor<4x8xf32>
      loops.yield %a : f32
    }
    loops.yield %e : tensor<4x8xf32>
  }
  func.return %y : tensor<4x8xf32>
}

// -----

func.func @kernel_parallel_uncovered(%x: tensor<4x8xf32>) -> tensor<8xf32> {
  // expected-error@+1 {{'loops.kernel' op %s: every op covers every parallel dim; p0 is not mapped}}
  %y = loops.kernel parallel [p0 = 4] reduction [k0 = 8, k1 = 4] -> tensor<8xf32> {
    %s = loops.reduce sum over [4] : tensor<8xf32> at (k0 | k1) {
      %a = loops.load %x[r0, d0] : tensor<4x8xf32>
      loops.yield %a : f32
    }
    loops.yield %s : tensor<8xf32>
  }
  func.return %y : tensor<8xf32>
}

// -----

func.func @kernel_reduced_parallel(%x: tensor<4x8xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{'loops.kernel' op %s: r0 is reduced, so it cannot map to the parallel dim p1}}
  %y = loops.kernel parallel [p0 = 4, p1 = 8] -> tensor<4xf32> {
    %s = loops.reduce sum over [8] : tensor<4xf32> at (p0 | p1) {
      %a = loops.load %x[d0, r0] : tensor<4x8xf32>
      loops.yield %a : f32
    }
    loops.yield %s : tensor<4xf32>
  }
  func.return %y : tensor<4xf32>
}

// -----

// A kernel-local row value read at another row: not the current parallel point.
func.func @kernel_other_point(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error@+1 {{'loops.kernel' op %e reads %m at [3 - d0, 0], not at the current parallel point (a kernel-local value is read only at its own p dims)}}
  %y = loops.kernel parallel [p0 = 4] reduction [k0 = 8] -> tensor<4x8xf32> {
    %m = loops.reduce max over [8] : tensor<4x1xf32> at (p0, 0 | k0) {
      %a = loops.load %x[d0, r0] : tensor<4x8xf32>
      loops.yield %a : f32
    }
    %e = loops.pointwise : tensor<4x8xf32> at (p0, k0) {
      %b = loops.load %m[3 - d0, 0] : tensor<4x1xf32>
      loops.yield %b : f32
    }
    loops.yield %e : tensor<4x8xf32>
  }
  func.return %y : tensor<4x8xf32>
}

// -----

// A kernel-local buffer with more than one element per parallel point (its d1 is k0).
func.func @kernel_local_row(%x: tensor<4x8xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{'loops.kernel' op %s reads %e at [d0, r0], not at the current parallel point}}
  %y = loops.kernel parallel [p0 = 4] reduction [k0 = 8] -> tensor<4xf32> {
    %e = loops.pointwise : tensor<4x8xf32> at (p0, k0) {
      %a = loops.load %x[d0, d1] : tensor<4x8xf32>
      loops.yield %a : f32
    }
    %s = loops.reduce sum over [8] : tensor<4xf32> at (p0 | k0) {
      %b = loops.load %e[d0, r0] : tensor<4x8xf32>
      loops.yield %b : f32
    }
    loops.yield %s : tensor<4xf32>
  }
  func.return %y : tensor<4xf32>
}

// -----

// The size-1 parallel dim read at 0 is the current point (the attention softmax of
// bench/: parallel [1, 2, 6]); a size-1 dim of size > 1 in the reader is not.
func.func @kernel_unit_parallel(%x: tensor<1x4x8xf32>) -> tensor<1x4x8xf32> {
  // expected-error@+1 {{'loops.kernel' op %e reads %m at [0, 0, 0], not at the current parallel point}}
  %y = loops.kernel parallel [p0 = 1, p1 = 4] reduction [k0 = 8] -> tensor<1x4x8xf32> {
    %m = loops.reduce max over [8] : tensor<1x4x1xf32> at (p0, p1, 0 | k0) {
      %a = loops.load %x[0, d1, r0] : tensor<1x4x8xf32>
      loops.yield %a : f32
    }
    %e = loops.pointwise : tensor<1x4x8xf32> at (p0, p1, k0) {
      %b = loops.load %m[0, 0, 0] : tensor<1x4x1xf32>
      loops.yield %b : f32
    }
    loops.yield %e : tensor<1x4x8xf32>
  }
  func.return %y : tensor<1x4x8xf32>
}

// -----

func.func @contract_not_a_product(%a: tensor<3x4xf32>, %b: tensor<4x5xf32>) -> tensor<3x5xf32> {
  // expected-error@+1 {{'loops.contract' op the body of a contraction must yield a product (arith.mulf or arith.muli)}}
  %y = loops.contract over [4] m = d0, n = d1, k = r0 : tensor<3x5xf32> {
    %x = loops.load %a[d0, r0] : tensor<3x4xf32>
    %w = loops.load %b[r0, d1] : tensor<4x5xf32>
    %s = arith.addf %x, %w : f32
    loops.yield %s : f32
  }
  func.return %y : tensor<3x5xf32>
}

// -----

// Both sides vary along N: not an M x K by K x N product.
func.func @contract_sides(%a: tensor<3x4xf32>, %b: tensor<4x5xf32>) -> tensor<3x5xf32> {
  // expected-error@+1 {{'loops.contract' op one side of a contraction's product must not vary along n = d1 and the other not along m = d0 (sides of an M x K by K x N product)}}
  %y = loops.contract over [4] m = d0, n = d1, k = r0 : tensor<3x5xf32> {
    %x = loops.load %a[d0, r0] : tensor<3x4xf32>
    %w = loops.load %b[r0, d1] : tensor<4x5xf32>
    %xw = arith.addf %x, %w : f32
    %p = arith.mulf %xw, %w : f32
    loops.yield %p : f32
  }
  func.return %y : tensor<3x5xf32>
}

// -----

// A prologue that reads the other side's dim (a loops.index of d1 on the M x K side).
func.func @contract_index_in_prologue(%a: tensor<3x4xi64>, %b: tensor<4x5xi64>) -> tensor<3x5xi64> {
  // expected-error@+1 {{'loops.contract' op one side of a contraction's product must not vary along n = d1}}
  %y = loops.contract over [4] m = d0, n = d1, k = r0 : tensor<3x5xi64> {
    %x = loops.load %a[d0, r0] : tensor<3x4xi64>
    %j = loops.index [d1]
    %xj = arith.addi %x, %j : i64
    %w = loops.load %b[r0, d1] : tensor<4x5xi64>
    %p = arith.muli %xj, %w : i64
    loops.yield %p : i64
  }
  func.return %y : tensor<3x5xi64>
}

// -----

func.func @contract_two_k(%a: tensor<3x4x2xf32>, %b: tensor<4x2x5xf32>) -> tensor<3x5xf32> {
  // expected-error@+1 {{'loops.contract' op a contraction has an M x N result (after any batch dims) and reduces over one K dim}}
  %y = loops.contract over [4, 2] m = d0, n = d1, k = r0 : tensor<3x5xf32> {
    %x = loops.load %a[d0, r0, r1] : tensor<3x4x2xf32>
    %w = loops.load %b[r0, r1, d1] : tensor<4x2x5xf32>
    %p = arith.mulf %x, %w : f32
    loops.yield %p : f32
  }
  func.return %y : tensor<3x5xf32>
}
