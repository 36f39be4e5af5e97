// RUN: stepwell-opt %s -p lower-to-ptx | filecheck %s
// RUN: stepwell-opt %s -p lower-to-ptx --emit ptx | filecheck %s --check-prefix=PTX
// RUN: not stepwell-opt %s -p 'lower-to-ptx-gpu_block,convert-gpu_block-to-nvvm{max-shared=49152}' 2>&1 | filecheck %s --check-prefix=LIMIT

// An f64 matmul whose broadcast product [32, 8, 32] is reduced across warps through
// 64 KiB of shared memory: more than the 48 KiB a CTA has without opting in. The
// kernel's shared memory is dynamic (an external zero-length array, `.extern .shared`
// in the PTX), its size recorded on the function for the launch to pass.
// CHECK: llvm.mlir.global external @f_k0_smem() {addr_space = 3 : i32, alignment = 16 : i64} : !llvm.array<0 x i8>
// CHECK: llvm.func @f_k0(
// CHECK-SAME: nvvm.shared_bytes = 65536 : i32
// CHECK: llvm.mlir.addressof @f_k0_smem : !llvm.ptr<3>

// PTX: .extern .shared .align 16 .b8 f_k0_smem[];
// PTX: .visible .entry f_k0(
// PTX: st.shared.{{[bf]}}64

// Above the target's limit (`max-shared`, 227 KiB for sm_90 by default) it is refused,
// placed at the function the kernel was made from (the kernel has no line of its own).
// LIMIT: dynamic_shared.mlir:[[# @LINE + 1]]:1: error: 'gpu_block.kernel' op kernel @f_k0: a kernel needing 65536 bytes of shared memory (more than 49152) is not supported by the PTX path yet
func.func @f(%a: tensor<33x65xf64>, %b: tensor<65x17xf64>) -> (tensor<33x17xf64>) {
  %y = tensor_graph.matmul %a, %b : tensor<33x65xf64>, tensor<65x17xf64> -> tensor<33x17xf64>
  func.return %y : tensor<33x17xf64>
}
