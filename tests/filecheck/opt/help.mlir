// --help names every built-in --emit format, not only mlir.
// RUN: env COLUMNS=200 stepwell-opt --help | filecheck %s

// CHECK: --emit FORMAT {{ +}}what to write: mlir, llvm, llvm-unoptimized, triton, ptx (default: mlir)
