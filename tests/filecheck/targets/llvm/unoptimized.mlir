// --unoptimized prints the translation before LLVM's passes: one basic block per
// block of the llvm.func, the loop headers as phis.
// RUN: stepwell-opt %S/vectorize-reduction.mlir -p convert-loops-to-llvm | %python -m stepwell.targets.llvm --unoptimized | filecheck %s

// CHECK: define void @"rows_k0"(i64 %".1", i64 %".2", ptr noalias %".3", ptr noalias %".4") nounwind
// CHECK:   phi i64
// CHECK:   icmp slt i64
// CHECK:   getelementptr inbounds float, ptr
// CHECK:   fadd reassoc float
