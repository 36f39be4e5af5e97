// Parse errors of the loops custom forms: each names what is wrong, at the op's line.
// RUN: stepwell-opt %s --split-input-file --verify-diagnostics

func.func @dangling_operator(%x: tensor<4xf32>) -> tensor<4xf32> {
  %y = loops.pointwise : tensor<4xf32> {
    // expected-error@+1 {{bad index expression 'd0 +'}}
    %a = loops.load %x[d0 +] : tensor<4xf32>
    loops.yield %a : f32
  }
  func.return %y : tensor<4xf32>
}

// -----

func.func @unknown_symbol(%x: tensor<4xf32>) -> tensor<4xf32> {
  %y = loops.pointwise : tensor<4xf32> {
    // expected-error@+1 {{unknown index symbol(s) ['k0'] in 'k0' (use d*, r*, s*)}}
    %a = loops.load %x[k0] : tensor<4xf32>
    loops.yield %a : f32
  }
  func.return %y : tensor<4xf32>
}

// -----

func.func @true_division(%x: tensor<4xf32>) -> tensor<4xf32> {
  %y = loops.pointwise : tensor<4xf32> {
    // expected-error@+1 {{index expression 'd0 floordiv 2 + d0 / 3' is not an integer expression}}
    %a = loops.load %x[d0 floordiv 2 + d0 / 3] : tensor<4xf32>
    loops.yield %a : f32
  }
  func.return %y : tensor<4xf32>
}

// -----

func.func @reduce_kind(%x: tensor<4xf32>) -> tensor<f32> {
  // expected-error@+1 {{kind must be one of sum, prod, max, min, argmax, argmin, got average}}
  %y = loops.reduce average over [4] : tensor<f32> {
    %a = loops.load %x[r0] : tensor<4xf32>
    loops.yield %a : f32
  }
  func.return %y : tensor<f32>
}

// -----

func.func @check_index_range(%i: tensor<3xi64>) {
  // expected-error@+1 {{the range of a check_index is [-size, size), got [0, 4)}}
  loops.check_index %i in [0, 4) for "tensor_graph.gather" axis 0 : tensor<3xi64>
  func.return
}

// -----

func.func @kernel_dim_name(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{expected kernel dim 'p0', got 'p1'}}
  %y = loops.kernel parallel [p1 = 4] -> tensor<4xf32> {
    loops.yield %x : tensor<4xf32>
  }
  func.return %y : tensor<4xf32>
}

// -----

func.func @map_bar(%x: tensor<4x8xf32>) -> tensor<4xf32> {
  %y = loops.kernel parallel [p0 = 4] reduction [k0 = 8] -> tensor<4xf32> {
    // expected-error@+1 {{expected `|` after the 1 d-dim(s) of the op}}
    %s = loops.reduce sum over [8] : tensor<4xf32> at (p0, k0) {
      %a = loops.load %x[d0, r0] : tensor<4x8xf32>
      loops.yield %a : f32
    }
    loops.yield %s : tensor<4xf32>
  }
  func.return %y : tensor<4xf32>
}

// -----

func.func @contract_roles(%a: tensor<2x3x4xf32>, %b: tensor<4x5xf32>) -> tensor<2x3x5xf32> {
  // expected-error@+1 {{the roles of a contraction of rank 3 are batch = [d0], m = d1, n = d2, k = r0}}
  %y = loops.contract over [4] m = d0, n = d1, k = r0 : tensor<2x3x5xf32> {
    %x = loops.load %a[d0, d1, r0] : tensor<2x3x4xf32>
    %w = loops.load %b[r0, d2] : tensor<4x5xf32>
    %p = arith.mulf %x, %w : f32
    loops.yield %p : f32
  }
  func.return %y : tensor<2x3x5xf32>
}

// -----

func.func @contract_rank(%a: tensor<4xf32>) -> tensor<3xf32> {
  // expected-error@+1 {{a contraction has an M x N result (after any batch dims), got tensor<3xf32>}}
  %y = loops.contract over [4] m = d0, n = d1, k = r0 : tensor<3xf32> {
    %x = loops.load %a[r0] : tensor<4xf32>
    %p = arith.mulf %x, %x : f32
    loops.yield %p : f32
  }
  func.return %y : tensor<3xf32>
}
