// SSA dominance: a value must be defined before it is used (issue 6, point 1). Each
// use-before-definition is one error at the using op, naming the operand.
// RUN: stepwell-opt %s --split-input-file --verify-diagnostics
// RUN: not stepwell-opt %s --split-input-file -p lower-to-cpu 2>&1 | filecheck %s

// CHECK: invalid-dominance.mlir:[[# @LINE + 3]]:3: error: 'tensor_graph.add' op operand #1 (%a) is this op's own result
func.func @own_result(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{'tensor_graph.add' op operand #1 (%a) is this op's own result}}
  %a = tensor_graph.add %x, %a : tensor<4xf32>
  func.return %a : tensor<4xf32>
}

// -----

// A cycle: each op uses the other's result (it used to fail in loops-fuse with
// "AssertionError: cyclic dependences").
// CHECK: invalid-dominance.mlir:[[# @LINE + 3]]:3: error: 'tensor_graph.add' op operand #1 (%b) is used before its definition (line [[# @LINE + 4]])
func.func @cycle(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{'tensor_graph.add' op operand #1 (%b) is used before its definition}}
  %a = tensor_graph.add %x, %b : tensor<4xf32>
  %b = tensor_graph.mul %a, %x : tensor<4xf32>
  func.return %b : tensor<4xf32>
}

// -----

// A use in a nested region of a value the enclosing block defines later.
func.func @nested_use(%x: tensor<4xf32>) -> tensor<4xf32> {
  %y = loops.pointwise : tensor<4xf32> {
    // expected-error@+1 {{'loops.load' op operand #0 (%w) is used before its definition}}
    %a = loops.load %w[d0] : tensor<4xf32>
    loops.yield %a : f32
  }
  %w = tensor_graph.neg %x : tensor<4xf32>
  func.return %y : tensor<4xf32>
}

// -----

// An op's result used inside the op's own region.
func.func @used_in_own_region(%x: tensor<4xf32>) -> tensor<4xf32> {
  %y = loops.pointwise : tensor<4xf32> {
    // expected-error@+1 {{'loops.load' op operand #0 (%y) is the result of an enclosing op}}
    %a = loops.load %y[d0] : tensor<4xf32>
    loops.yield %a : f32
  }
  func.return %y : tensor<4xf32>
}

// -----

// Between blocks: %y is defined on one path to ^join only.
llvm.func @branches(%c: i1, %x: i64) -> i64 {
  llvm.cond_br %c, ^then, ^else
^then:
  %y = llvm.add %x, %x : i64
  llvm.br ^join
^else:
  llvm.br ^join
^join:
  // expected-error@+1 {{'llvm.return' op operand #0 (%y) is defined in a block that does not dominate this op}}
  llvm.return %y : i64
}

// -----

// Fine: the entry block dominates every block it reaches, and an unreachable block
// may use anything (as in MLIR).
llvm.func @dominated(%c: i1, %x: i64) -> i64 {
  llvm.cond_br %c, ^then, ^join
^then:
  llvm.br ^join
^join:
  llvm.return %x : i64
^unreachable:
  %z = llvm.add %x, %x : i64
  llvm.return %z : i64
}
