// The llvm-dialect stage of a whole program (the MLP block example: layer_norm, two
// linears, gelu, a residual) is real MLIR: upstream mlir-translate turns it into LLVM IR.
// REQUIRES: mlir-translate
// RUN: stepwell-opt %examples/mlp_block.mlir -p lower-to-cpu | %mlir-translate --mlir-to-llvmir | filecheck %s

// CHECK: define void @mlp_block_k0(
// CHECK: fadd
