// RUN: stepwell-opt %s -p lower-to-ptx | filecheck %s

// A bf16 matmul (64x64x64 tiles, K = 96: a masked tail), its K loop pipelined
// (pipeline.py; dot_pipeline.mlir has the loop's whole shape): a strip of 8 elements
// whose mask holds in every lane is one 16-byte cp.async, another is read lane by lane
// (masked lanes zero) and stored to shared memory as 16-bit values; the fragments come
// from ldmatrix, then m16n8k16 mmas on the f32 accumulator (4 warps as 2x2, each 2x4
// tiles of 16x8: 8 mmas of 4 steps).
// CHECK: llvm.mlir.global external @mm_k0_smem() {addr_space = 3 : i32, alignment = 16 : i64} : !llvm.array<0 x i8>
// CHECK: llvm.func @mm_k0(
// CHECK-SAME: nvvm.shared_bytes = 65536 : i32
// CHECK: llvm.call_intrinsic "llvm.nvvm.barrier0"() : () -> ()
// CHECK: llvm.call_intrinsic "llvm.nvvm.cp.async.cg.shared.global.16"
// CHECK: llvm.store %{{.*}}, %{{.*}} {alignment = 2 : i64} : i16, !llvm.ptr<3>
// CHECK: llvm.call_intrinsic "llvm.nvvm.cp.async.commit.group"() : () -> ()
// CHECK: llvm.call_intrinsic "llvm.nvvm.ldmatrix.sync.aligned.m8n8.x4.b16"
// CHECK-COUNT-32: llvm.call_intrinsic "llvm.nvvm.mma.m16n8k16.row.col.bf16"(%{{.*}}) : (i32, i32, i32, i32, i32, i32, f32, f32, f32, f32) -> !llvm.struct<(f32, f32, f32, f32)>
// CHECK-NOT: llvm.nvvm.mma
// CHECK: llvm.call_intrinsic "llvm.nvvm.barrier0"() : () -> ()
// CHECK: llvm.return
func.func @mm(%a: tensor<64x96xbf16>, %b: tensor<96x64xbf16>) -> tensor<64x64xbf16> {
  %c = tensor_graph.matmul %a, %b : tensor<64x96xbf16>, tensor<96x64xbf16> -> tensor<64x64xbf16>
  func.return %c : tensor<64x64xbf16>
}

// f32 (precision ieee): no tensor cores; A and B staged in shared memory (A's rows
// padded), each thread's 32 accumulator elements updated by fma over the 32 K of a step.
// CHECK: llvm.func @mf_k0(
// CHECK: llvm.store %{{.*}}, %{{.*}} : f32, !llvm.ptr<3>
// CHECK: llvm.call_intrinsic "llvm.nvvm.barrier0"() : () -> ()
// CHECK: llvm.load %{{.*}} : !llvm.ptr<3> -> f32
// CHECK-COUNT-1024: llvm.call_intrinsic "llvm.fma.f32"
// CHECK-NOT: llvm.fma.f32
// CHECK: llvm.call_intrinsic "llvm.nvvm.barrier0"() : () -> ()
// CHECK-NOT: mma
func.func @mf(%a: tensor<64x96xf32>, %b: tensor<96x64xf32>) -> tensor<64x64xf32> {
  %c = tensor_graph.matmul %a, %b : tensor<64x96xf32>, tensor<96x64xf32> -> tensor<64x64xf32>
  func.return %c : tensor<64x64xf32>
}
