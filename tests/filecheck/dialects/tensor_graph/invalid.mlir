// One test per verifier rule of tensor_graph: each error names the op and what is wrong.
// RUN: stepwell-opt %s --split-input-file --verify-diagnostics
func.func @case0(%a: tensor<4xf32>, %b: tensor<4xf16>) {
  // expected-error@+1 {{'tensor_graph.add' op operand 'rhs' has element type f16 but operand 'lhs' has f32}}
  %r = "tensor_graph.add"(%a, %b) : (tensor<4xf32>, tensor<4xf16>) -> tensor<4xf32>
  func.return
}

// -----

func.func @case1(%a: tensor<4xi32>) {
  // expected-error@+1 {{operand 'x' has element type i32, expected float}}
  %r = "tensor_graph.exp"(%a) : (tensor<4xi32>) -> tensor<4xi32>
  func.return
}

// -----

func.func @case2(%a: tensor<4xi1>) {
  // expected-error@+1 {{operand 'x' has element type i1, expected numeric}}
  %r = "tensor_graph.neg"(%a) : (tensor<4xi1>) -> tensor<4xi1>
  func.return
}

// -----

func.func @case3(%a: tensor<4xf32>) {
  // expected-error@+1 {{operand 'x' has element type f32, expected i1}}
  %r = "tensor_graph.not"(%a) : (tensor<4xf32>) -> tensor<4xf32>
  func.return
}

// -----

func.func @case4(%a: tensor<4xf32>, %b: tensor<4xf32>) {
  // expected-error@+1 {{expected i1}}
  %r = "tensor_graph.and"(%a, %b) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  func.return
}

// -----

func.func @case5(%a: tensor<3x4xf32>, %b: tensor<3xf32>) {
  // expected-error@+1 {{operand shapes [3, 4], [3] do not broadcast}}
  %r = "tensor_graph.mul"(%a, %b) : (tensor<3x4xf32>, tensor<3xf32>) -> tensor<3x4xf32>
  func.return
}

// -----

func.func @case6(%a: tensor<3x4xf32>, %b: tensor<4xf32>) {
  // expected-error@+1 {{result type tensor<4xf32> does not match the inferred tensor<3x4xf32>}}
  %r = "tensor_graph.sub"(%a, %b) : (tensor<3x4xf32>, tensor<4xf32>) -> tensor<4xf32>
  func.return
}

// -----

func.func @case7(%a: tensor<4xf32>) {
  // expected-error@+1 {{does not match the inferred tensor<4xf32>}}
  %r = "tensor_graph.abs"(%a) : (tensor<4xf32>) -> tensor<4xf64>
  func.return
}

// -----

func.func @case8(%a: tensor<4xf32>, %b: tensor<4xf32>) {
  // expected-error@+1 {{predicate must be one of eq, ne, lt, le, gt, ge, got "lg"}}
  %r = "tensor_graph.cmp"(%a, %b) <{predicate = "lg"}> : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  func.return
}

// -----

func.func @case9(%a: tensor<4xf32>, %b: tensor<4xf32>) {
  // expected-error@+1 {{does not match the inferred tensor<4xi1>}}
  %r = "tensor_graph.cmp"(%a, %b) <{predicate = "lt"}> : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  func.return
}

// -----

func.func @case10(%c: tensor<4xf32>, %a: tensor<4xf32>) {
  // expected-error@+1 {{operand 'cond' must have element type i1, got f32}}
  %r = "tensor_graph.select"(%c, %a, %a) : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  func.return
}

// -----

func.func @case11(%c: tensor<4xi1>, %a: tensor<4xf32>, %b: tensor<4xi32>) {
  // expected-error@+1 {{operand 'b' has element type i32 but operand 'a' has f32}}
  %r = "tensor_graph.select"(%c, %a, %b) : (tensor<4xi1>, tensor<4xf32>, tensor<4xi32>) -> tensor<4xf32>
  func.return
}

// -----

func.func @case12(%a: tensor<4xf32>) {
  // expected-error@+1 {{approximate must be "none" or "tanh", got "fast"}}
  %r = "tensor_graph.gelu"(%a) <{approximate = "fast"}> : (tensor<4xf32>) -> tensor<4xf32>
  func.return
}

// -----

func.func @case14(%a: tensor<4xi32>) {
  // expected-error@+1 {{integer clamp needs integral (or infinite) bounds}}
  %r = "tensor_graph.clamp"(%a) <{min = 0.5 : f64, max = 1.0 : f64}> : (tensor<4xi32>) -> tensor<4xi32>
  func.return
}

// -----

func.func @case15(%a: tensor<4xf32>) {
  // expected-error@+1 {{axis}}
  %r = "tensor_graph.softmax"(%a) : (tensor<4xf32>) -> tensor<4xf32>
  func.return
}

// -----

func.func @case16() {
  // expected-error@+1 {{value has type tensor<3xf32>, result has tensor<4xf32>}}
  %r = "tensor_graph.constant"() <{value = dense<1.0> : tensor<3xf32>}> : () -> tensor<4xf32>
  func.return
}

// -----

func.func @case17() {
  // expected-error@+1 {{dim 2 is out of range for rank 2}}
  %r = "tensor_graph.iota"() <{dim = 2 : i64}> : () -> tensor<3x4xi64>
  func.return
}

// -----

func.func @case18() {
  // expected-error@+1 {{iota needs a numeric element type, got i1}}
  %r = "tensor_graph.iota"() <{dim = 0 : i64}> : () -> tensor<3xi1>
  func.return
}

// -----

func.func @case19(%a: tensor<3x4xf32>) {
  // expected-error@+1 {{shape [3, 4] does not broadcast to [2, 4, 4]}}
  %r = "tensor_graph.broadcast_to"(%a) : (tensor<3x4xf32>) -> tensor<2x4x4xf32>
  func.return
}

// -----

func.func @case20(%a: tensor<3x4xf32>) {
  // expected-error@+1 {{does not match the inferred tensor<3x4xf32>}}
  %r = "tensor_graph.broadcast_to"(%a) : (tensor<3x4xf32>) -> tensor<3x4xi32>
  func.return
}

// -----

func.func @case21(%a: tensor<3x4xf32>) {
  // expected-error@+1 {{cannot reshape [3, 4] (12 elements) to [5, 2] (10 elements)}}
  %r = "tensor_graph.reshape"(%a) : (tensor<3x4xf32>) -> tensor<5x2xf32>
  func.return
}

// -----

func.func @case22(%a: tensor<3x4xf32>) {
  // expected-error@+1 {{perm [0, 0] is not a permutation of the 2 dimensions}}
  %r = "tensor_graph.transpose"(%a) <{perm = array<i64: 0, 0>}> : (tensor<3x4xf32>) -> tensor<3x3xf32>
  func.return
}

// -----

func.func @case23(%a: tensor<3x4xf32>) {
  // expected-error@+1 {{perm [1, 0, 2] is not a permutation of the 2 dimensions}}
  %r = "tensor_graph.transpose"(%a) <{perm = array<i64: 1, 0, 2>}> : (tensor<3x4xf32>) -> tensor<4x3xf32>
  func.return
}

// -----

func.func @case24(%a: tensor<3x4xf32>) {
  // expected-error@+1 {{does not match the inferred tensor<4x3xf32>}}
  %r = "tensor_graph.transpose"(%a) <{perm = array<i64: 1, 0>}> : (tensor<3x4xf32>) -> tensor<3x4xf32>
  func.return
}

// -----

func.func @case25(%a: tensor<3x4xf32>) {
  // expected-error@+1 {{start, stop and step need 2 entries each (the rank)}}
  %r = "tensor_graph.slice"(%a) <{start = array<i64: 0>, stop = array<i64: 3>, step = array<i64: 1>}> : (tensor<3x4xf32>) -> tensor<3xf32>
  func.return
}

// -----

func.func @case26(%a: tensor<3x4xf32>) {
  // expected-error@+1 {{dimension 0: need 0 <= start (2) <= stop (1) <= size (3)}}
  %r = "tensor_graph.slice"(%a) <{start = array<i64: 2, 0>, stop = array<i64: 1, 4>, step = array<i64: 1, 1>}> : (tensor<3x4xf32>) -> tensor<0x4xf32>
  func.return
}

// -----

func.func @case27(%a: tensor<3x4xf32>) {
  // expected-error@+1 {{dimension 1: need 0 <= start (0) <= stop (5) <= size (4)}}
  %r = "tensor_graph.slice"(%a) <{start = array<i64: 0, 0>, stop = array<i64: 3, 5>, step = array<i64: 1, 1>}> : (tensor<3x4xf32>) -> tensor<3x5xf32>
  func.return
}

// -----

func.func @case28(%a: tensor<3x4xf32>) {
  // expected-error@+1 {{dimension 1: step 0 must be >= 1}}
  %r = "tensor_graph.slice"(%a) <{start = array<i64: 0, 0>, stop = array<i64: 3, 4>, step = array<i64: 1, 0>}> : (tensor<3x4xf32>) -> tensor<3x4xf32>
  func.return
}

// -----

func.func @case29(%a: tensor<3x4xf32>) {
  // expected-error@+1 {{does not match the inferred tensor<2x2xf32>}}
  %r = "tensor_graph.slice"(%a) <{start = array<i64: 0, 1>, stop = array<i64: 3, 4>, step = array<i64: 2, 2>}> : (tensor<3x4xf32>) -> tensor<2x1xf32>
  func.return
}

// -----

func.func @case30(%a: tensor<3x4xf32>, %b: tensor<3x5xf32>) {
  // expected-error@+1 {{operand 'inputs#1' has shape [3, 5], which does not match [3, 4] outside axis 0}}
  %r = "tensor_graph.concat"(%a, %b) <{axis = 0 : i64}> : (tensor<3x4xf32>, tensor<3x5xf32>) -> tensor<6x4xf32>
  func.return
}

// -----

func.func @case31(%a: tensor<3x4xf32>, %b: tensor<3x4xf16>) {
  // expected-error@+1 {{operand 'inputs#1' has element type f16 but operand 'inputs#0' has f32}}
  %r = "tensor_graph.concat"(%a, %b) <{axis = 0 : i64}> : (tensor<3x4xf32>, tensor<3x4xf16>) -> tensor<6x4xf32>
  func.return
}

// -----

func.func @case32(%a: tensor<f32>) {
  // expected-error@+1 {{cannot concatenate rank-0 tensors}}
  %r = "tensor_graph.concat"(%a) <{axis = 0 : i64}> : (tensor<f32>) -> tensor<f32>
  func.return
}

// -----

func.func @case33(%a: tensor<3x4xf32>) {
  // expected-error@+1 {{axis 2 is out of range for rank 2}}
  %r = "tensor_graph.concat"(%a) <{axis = 2 : i64}> : (tensor<3x4xf32>) -> tensor<3x4xf32>
  func.return
}

// -----

func.func @case34(%a: tensor<3x4xf32>) {
  // expected-error@+1 {{low and high need 2 entries each (the rank)}}
  %r = "tensor_graph.pad"(%a) <{low = array<i64: 1>, high = array<i64: 1>, value = 0.0 : f64}> : (tensor<3x4xf32>) -> tensor<5x4xf32>
  func.return
}

// -----

func.func @case35(%a: tensor<3x4xf32>) {
  // expected-error@+1 {{low and high must be >= 0}}
  %r = "tensor_graph.pad"(%a) <{low = array<i64: -1, 0>, high = array<i64: 1, 0>, value = 0.0 : f64}> : (tensor<3x4xf32>) -> tensor<3x4xf32>
  func.return
}

// -----

func.func @case36(%a: tensor<3x4xf32>, %i: tensor<2xf32>) {
  // expected-error@+1 {{operand 'indices' must have element type i32 or i64, got f32}}
  %r = "tensor_graph.gather"(%a, %i) <{axis = 0 : i64}> : (tensor<3x4xf32>, tensor<2xf32>) -> tensor<2x4xf32>
  func.return
}

// -----

func.func @case37(%a: tensor<3x4xf32>, %i: tensor<2xi64>) {
  // expected-error@+1 {{axis -3 is out of range for rank 2}}
  %r = "tensor_graph.gather"(%a, %i) <{axis = -3 : i64}> : (tensor<3x4xf32>, tensor<2xi64>) -> tensor<2x4xf32>
  func.return
}

// -----

func.func @case38(%a: tensor<3x4xf32>) {
  // expected-error@+1 {{kind must be one of sum, prod, max, min, mean, got "avg"}}
  %r = "tensor_graph.reduce"(%a) <{kind = "avg", dims = array<i64: 1>, keepdim = false}> : (tensor<3x4xf32>) -> tensor<3xf32>
  func.return
}

// -----

func.func @case39(%a: tensor<3x4xf32>) {
  // expected-error@+1 {{dimension 2 is out of range for rank 2}}
  %r = "tensor_graph.reduce"(%a) <{kind = "sum", dims = array<i64: 2>, keepdim = false}> : (tensor<3x4xf32>) -> tensor<3xf32>
  func.return
}

// -----

func.func @case40(%a: tensor<3x4xf32>) {
  // expected-error@+1 {{dims [1, -1] repeat a dimension}}
  %r = "tensor_graph.reduce"(%a) <{kind = "sum", dims = array<i64: 1, -1>, keepdim = false}> : (tensor<3x4xf32>) -> tensor<3xf32>
  func.return
}

// -----

func.func @case41(%a: tensor<3x4xi32>) {
  // expected-error@+1 {{mean needs a float element type, got i32}}
  %r = "tensor_graph.reduce"(%a) <{kind = "mean", dims = array<i64: 1>, keepdim = false}> : (tensor<3x4xi32>) -> tensor<3xi32>
  func.return
}

// -----

func.func @case42(%a: tensor<3x4xi1>) {
  // expected-error@+1 {{sum of i1 is not defined}}
  %r = "tensor_graph.reduce"(%a) <{kind = "sum", dims = array<i64: 1>, keepdim = false}> : (tensor<3x4xi1>) -> tensor<3xi1>
  func.return
}

// -----

func.func @case43(%a: tensor<3x4xf32>) {
  // expected-error@+1 {{does not match the inferred tensor<3x1xf32>}}
  %r = "tensor_graph.reduce"(%a) <{kind = "sum", dims = array<i64: 1>, keepdim = true}> : (tensor<3x4xf32>) -> tensor<3xf32>
  func.return
}

// -----

func.func @case44(%a: tensor<3x4xf32>) {
  // expected-error@+1 {{axis 2 is out of range for rank 2}}
  %r = "tensor_graph.argmax"(%a) <{axis = 2 : i64, keepdim = false}> : (tensor<3x4xf32>) -> tensor<3xi64>
  func.return
}

// -----

func.func @case45(%a: tensor<3x0xf32>) {
  // expected-error@+1 {{over an empty axis 1 has no answer}}
  %r = "tensor_graph.argmin"(%a) <{axis = 1 : i64, keepdim = false}> : (tensor<3x0xf32>) -> tensor<3xi64>
  func.return
}

// -----

func.func @case46(%a: tensor<3x4xf32>) {
  // expected-error@+1 {{does not match the inferred tensor<3xi64>}}
  %r = "tensor_graph.argmax"(%a) <{axis = 1 : i64, keepdim = false}> : (tensor<3x4xf32>) -> tensor<3xi32>
  func.return
}

// -----

func.func @case47(%a: tensor<3x4xf32>) {
  // expected-error@+1 {{correction must be >= 0}}
  %r = "tensor_graph.var"(%a) <{dims = array<i64: 1>, correction = -1 : i64, keepdim = false}> : (tensor<3x4xf32>) -> tensor<3xf32>
  func.return
}

// -----

func.func @case48(%a: tensor<3x4xi32>) {
  // expected-error@+1 {{expected float}}
  %r = "tensor_graph.var"(%a) <{dims = array<i64: 1>, correction = 0 : i64, keepdim = false}> : (tensor<3x4xi32>) -> tensor<3xi32>
  func.return
}

// -----

func.func @case49(%a: tensor<4xf32>, %b: tensor<4x2xf32>) {
  // expected-error@+1 {{matmul needs rank >= 2 operands, got [4] and [4, 2]}}
  %r = "tensor_graph.matmul"(%a, %b) : (tensor<4xf32>, tensor<4x2xf32>) -> tensor<2xf32>
  func.return
}

// -----

func.func @case50(%a: tensor<3x4xf32>, %b: tensor<5x2xf32>) {
  // expected-error@+1 {{contracted dimensions differ: lhs [3, 4] has 4, rhs [5, 2] has 5}}
  %r = "tensor_graph.matmul"(%a, %b) : (tensor<3x4xf32>, tensor<5x2xf32>) -> tensor<3x2xf32>
  func.return
}

// -----

func.func @case51(%a: tensor<2x3x4xf32>, %b: tensor<3x4x2xf32>) {
  // expected-error@+1 {{batch dimensions [2] and [3] do not broadcast}}
  %r = "tensor_graph.matmul"(%a, %b) : (tensor<2x3x4xf32>, tensor<3x4x2xf32>) -> tensor<2x3x2xf32>
  func.return
}

// -----

func.func @case52(%a: tensor<3x4xi1>, %b: tensor<4x2xi1>) {
  // expected-error@+1 {{expected numeric}}
  %r = "tensor_graph.matmul"(%a, %b) : (tensor<3x4xi1>, tensor<4x2xi1>) -> tensor<3x2xi1>
  func.return
}

// -----

func.func @case53(%x: tensor<3x4xf32>, %w: tensor<5x3xf32>, %b: tensor<5xf32>) {
  // expected-error@+1 {{linear shapes disagree: x [3, 4], w [5, 3], b [5]}}
  %r = "tensor_graph.linear"(%x, %w, %b) : (tensor<3x4xf32>, tensor<5x3xf32>, tensor<5xf32>) -> tensor<3x5xf32>
  func.return
}

// -----

func.func @case54(%x: tensor<3x4xf32>, %w: tensor<5x4xf32>, %b: tensor<5x1xf32>) {
  // expected-error@+1 {{linear needs x [..., K], w [N, K], b [N]}}
  %r = "tensor_graph.linear"(%x, %w, %b) : (tensor<3x4xf32>, tensor<5x4xf32>, tensor<5x1xf32>) -> tensor<3x5xf32>
  func.return
}

// -----

func.func @case55(%a: tensor<3x4xf32>) {
  // expected-error@+1 {{axis 2 is out of range for rank 2}}
  %r = "tensor_graph.softmax"(%a) <{axis = 2 : i64}> : (tensor<3x4xf32>) -> tensor<3x4xf32>
  func.return
}

// -----

func.func @case56(%a: tensor<3x4xi32>) {
  // expected-error@+1 {{operand 'x' has element type i32, expected float}}
  %r = "tensor_graph.log_softmax"(%a) <{axis = 1 : i64}> : (tensor<3x4xi32>) -> tensor<3x4xi32>
  func.return
}

// -----

func.func @case57(%a: tensor<2x3x4xf32>, %s: tensor<4xf32>) {
  // expected-error@+1 {{operand 'scale' has shape [4], expected the normalized dimensions [3, 4]}}
  %r = "tensor_graph.layer_norm"(%a, %s, %s) <{axis = 1 : i64, epsilon = 1.0e-05 : f64}> : (tensor<2x3x4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<2x3x4xf32>
  func.return
}

// -----

func.func @case58(%a: tensor<2x3x4xf32>, %s: tensor<4xf32>, %b: tensor<3xf32>) {
  // expected-error@+1 {{operand 'bias' has shape [3], expected the normalized dimensions [4]}}
  %r = "tensor_graph.layer_norm"(%a, %s, %b) <{axis = -1 : i64, epsilon = 1.0e-05 : f64}> : (tensor<2x3x4xf32>, tensor<4xf32>, tensor<3xf32>) -> tensor<2x3x4xf32>
  func.return
}

// -----

func.func @case59(%a: tensor<2x3x4xf32>, %s: tensor<4xf16>) {
  // expected-error@+1 {{operand 'scale' has element type f16 but operand 'x' has f32}}
  %r = "tensor_graph.rms_norm"(%a, %s) <{axis = -1 : i64, epsilon = 1.0e-05 : f64}> : (tensor<2x3x4xf32>, tensor<4xf16>) -> tensor<2x3x4xf32>
  func.return
}

// -----

func.func @case60(%q: tensor<2x7x8xf32>, %k: tensor<2x9x4xf32>, %v: tensor<2x9x3xf32>) {
  // expected-error@+1 {{q [2, 7, 8] and k [2, 9, 4] differ in the last dimension}}
  %r = "tensor_graph.attention"(%q, %k, %v) <{scale = 1.0 : f64, causal = false}> : (tensor<2x7x8xf32>, tensor<2x9x4xf32>, tensor<2x9x3xf32>) -> tensor<2x7x3xf32>
  func.return
}

// -----

func.func @case61(%q: tensor<2x7x8xf32>, %k: tensor<2x9x8xf32>, %v: tensor<2x5x3xf32>) {
  // expected-error@+1 {{k [2, 9, 8] and v [2, 5, 3] differ in the key dimension}}
  %r = "tensor_graph.attention"(%q, %k, %v) <{scale = 1.0 : f64, causal = true}> : (tensor<2x7x8xf32>, tensor<2x9x8xf32>, tensor<2x5x3xf32>) -> tensor<2x7x3xf32>
  func.return
}

// -----

func.func @case62(%q: tensor<2x7x8xf32>, %k: tensor<3x9x8xf32>, %v: tensor<3x9x3xf32>) {
  // expected-error@+1 {{batch dimensions of q, k, v do not broadcast}}
  %r = "tensor_graph.attention"(%q, %k, %v) <{scale = 1.0 : f64, causal = true}> : (tensor<2x7x8xf32>, tensor<3x9x8xf32>, tensor<3x9x3xf32>) -> tensor<2x7x3xf32>
  func.return
}
