// RUN: stepwell-opt %s -p "convert-loops-to-llvm{bind-constants-above=8}" | filecheck %s --check-prefix=BOUND
// RUN: stepwell-opt %s -p convert-loops-to-llvm | filecheck %s --check-prefix=INLINE
// RUN: stepwell-opt %s -p "convert-loops-to-llvm{bind-constants-above=8}" | python -m stepwell.targets.llvm --unoptimized | filecheck %s --check-prefix=LLVM

// A constant of more than bind-constants-above bytes (not a splat) is a declaration:
// its bytes (a dense_resource: a dense one gets a blob named by the symbol, a digest of
// its bytes) are the artifact's, and the loader binds the symbol to them. Smaller ones,
// and every one under the default (64 KiB), are globals holding their elements.
// BOUND:      {kind = "const", type = tensor<2xf32>, symbol = "f_cst0"}, {kind = "const", type = tensor<4xf32>, symbol = "f_cst1_[[H:[0-9a-f]{16}]]"}
// BOUND-DAG:  llvm.mlir.global internal constant @f_cst0(dense<{{.*}}> : tensor<2xf32>) {addr_space = 0 : i32} : !llvm.array<2 x f32>
// BOUND-DAG:  llvm.mlir.global external constant @f_cst1_[[H]]() {addr_space = 0 : i32, alignment = 64 : i64, stepwell.bind = dense_resource<f_cst1_[[H]]> : tensor<4xf32>} : !llvm.array<4 x f32>
// BOUND:      llvm.mlir.addressof @f_cst1_[[H]] : !llvm.ptr
// BOUND:      dialect_resources
// BOUND-NEXT: builtin
// BOUND-NEXT: f_cst1_[[H]]: "0x40000000{{[0-9A-F]+}}"

// INLINE-NOT: stepwell.bind
// INLINE-DAG: llvm.mlir.global internal constant @f_cst0(dense<{{.*}}> : tensor<2xf32>) {addr_space = 0 : i32} : !llvm.array<2 x f32>
// INLINE-DAG: llvm.mlir.global internal constant @f_cst1(dense<{{.*}}> : tensor<4xf32>) {addr_space = 0 : i32} : !llvm.array<4 x f32>
// INLINE-NOT: dialect_resources

// LLVM-DAG: @"f_cst0" = internal constant [8 x i8] c"{{.*}}", align 64
// LLVM-DAG: @"f_cst1_{{[0-9a-f]+}}" = external constant [4 x float], align 64
func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  %small = tensor_graph.constant {value = dense<[1.0, 2.0]> : tensor<2xf32>} : tensor<2xf32>
  %big = tensor_graph.constant {value = dense<[1.0, -2.0, 3.5, 4.0]> : tensor<4xf32>} : tensor<4xf32>
  %splat = tensor_graph.constant {value = dense<2.5> : tensor<4xf32>} : tensor<4xf32>
  %y = loops.pointwise : tensor<4xf32> {
    %a = loops.load %x[d0] : tensor<4xf32>
    %k = loops.load %big[d0] : tensor<4xf32>
    %s = loops.load %splat[d0] : tensor<4xf32>
    %j = loops.load %small[0] : tensor<2xf32>
    %m = arith.mulf %a, %k : f32
    %r = arith.addf %m, %s : f32
    %q = arith.addf %r, %j : f32
    loops.yield %q : f32
  }
  func.return %y : tensor<4xf32>
}
