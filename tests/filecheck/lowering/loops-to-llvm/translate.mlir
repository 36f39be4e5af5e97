// The lowered module holds only llvm and builtin ops: upstream mlir-translate turns it
// into LLVM IR.
// REQUIRES: mlir-translate
// RUN: stepwell-opt %S/kernel.mlir -p convert-loops-to-llvm | %mlir-translate --mlir-to-llvmir | filecheck %s
// RUN: stepwell-opt %S/math.mlir -p convert-loops-to-llvm | %mlir-translate --mlir-to-llvmir | filecheck %s --check-prefix=MATH
// RUN: stepwell-opt %S/constants.mlir -p convert-loops-to-llvm | %mlir-translate --mlir-to-llvmir | filecheck %s --check-prefix=CONST

// CHECK: define void @softmax_k0(i64 %0, i64 %1, ptr noalias %2, ptr noalias %3)
// CHECK:   call reassoc float @llvm.maximum.f32
// CHECK:   fadd reassoc float
// CHECK: define void @center_k0(i64 %0, i64 %1, ptr noalias %2, ptr noalias %3, ptr noalias %4)

// MATH: define void @math_k0(
// MATH:   call float @llvm.roundeven.f32
// MATH:   call float @llvm.fma.f32
// MATH: define void @math64_k0(
// MATH:   call i64 @llvm.fptosi.sat.i64.f64
// MATH-NOT: call double @{{exp|log|pow|sin|cos|tanh|erf}}(

// CONST: @f_cst0 = internal constant [3 x float] [float 1.000000e+00, float -2.000000e+00, float 3.500000e+00]
// CONST: @f_cst1 = constant [2 x i8] c"\01\00"
