// RUN: stepwell-opt %s -p convert-loops-to-gpu_block --split-input-file 2>&1 | filecheck %s

// A contraction with a `tile` attribute follows it: 16x16 tiles (2 x 3 of them), a K
// loop of steps of 16 carrying an f32 accumulator; B read transposed (b[n, k]: its
// offsets move by 64 along n). Every size is a multiple of its block: no masks.
// CHECK-LABEL: gpu_block.kernel @mm_k0(%a_ptr: !gpu_block.ptr<f32> {divisibility = 16}, %b_ptr: !gpu_block.ptr<f32> {divisibility = 16}, %c_ptr: !gpu_block.ptr<f32> {divisibility = 16}) grid [6] num_warps = 4 num_stages = 2
// CHECK:         %pid_m = arith.remsi %pid
// CHECK:         %pid_n = arith.divsi %pid
// CHECK:         %b_offs = gpu_block.map
// CHECK-NEXT:      arith.addi
// CHECK-NEXT:      %[[N:.+]] = arith.addi
// CHECK-NEXT:      %[[S:.+]] = arith.constant 64 : i32
// CHECK-NEXT:      arith.muli %[[S]], %[[N]] : i32
// CHECK:         %c = gpu_block.for %k = %{{.+}} to %{{.+}} step %{{.+}} : i32 iter_args(%acc_1 = %acc) -> (tensor<16x16xf32>)
// CHECK-NOT:       mask
// CHECK:           %acc_2 = gpu_block.dot %a, %b, %acc_1 precision ieee : tensor<16x16xf32>, tensor<16x16xf32> -> tensor<16x16xf32>
// CHECK-NEXT:      gpu_block.yield %acc_2
// CHECK:         gpu_block.store %{{.+}}, %c : tensor<16x16x!gpu_block.ptr<f32>>
func.func @mm(%a: tensor<64x64xf32>, %b: tensor<48x64xf32>) -> tensor<32x48xf32> {
  %c = loops.contract over [64] m = d0, n = d1, k = r0 : tensor<32x48xf32> attributes {tile = #loops.gpu<dot, block = [16, 16, 16], warps = 4, stages = 2>} {
    %0 = loops.load %a[d0, r0] : tensor<64x64xf32>
    %1 = loops.load %b[d1, r0] : tensor<48x64xf32>
    %2 = arith.mulf %0, %1 : f32
    loops.yield %2 : f32
  }
  func.return %c : tensor<32x48xf32>
}

// -----

// mm_bias_relu (bf16) is one kernel: the bf16 tiles go to tl.dot as they are (f32
// accumulator); K = 70 is no multiple of 64, so the loads are masked on K; rows and
// columns past M and N wrap (remsi) instead; then the epilogue, the kernel's
// pointwise ops in order with the loops IR's roundings (the product rounded to bf16
// before the bias is added), and one store masked on M and N.
// CHECK-LABEL: gpu_block.kernel @f_k0(%a_ptr: !gpu_block.ptr<bf16> {divisibility = 16}, %w_ptr: !gpu_block.ptr<bf16> {divisibility = 16}, %b_ptr: !gpu_block.ptr<bf16> {divisibility = 16}, %r_ptr: !gpu_block.ptr<bf16> {divisibility = 16}) grid [2] num_warps = 4 num_stages = 4
// CHECK:         %a_offs = gpu_block.map
// CHECK:           %[[M:.+]] = arith.constant 100 : i32
// CHECK:           arith.remsi %{{.+}}, %[[M]] : i32
// CHECK:         %acc_1 = gpu_block.for %k
// CHECK:           %a = gpu_block.load %{{.+}} mask %mask other %{{.+}} : tensor<64x64x!gpu_block.ptr<bf16>>
// CHECK:           %w = gpu_block.load %{{.+}} mask %mask_1 other %{{.+}} : tensor<64x64x!gpu_block.ptr<bf16>>
// CHECK:           gpu_block.dot %a, %w, %{{.+}} precision ieee : tensor<64x64xbf16>, tensor<64x64xbf16> -> tensor<64x64xf32>
// CHECK:         %b_offs, %offs, %[[MASK:.+]] = gpu_block.map
// CHECK:         %b = gpu_block.load %{{.+}} mask %[[MASK]]
// CHECK:         %r = gpu_block.map(%[[ACC:.+]] = %acc_1, %[[B:.+]] = %b) : tensor<64x64xf32>, tensor<64x64xbf16> -> tensor<64x64xbf16> {
// CHECK-NEXT:      %[[P:.+]] = arith.truncf %[[ACC]] : f32 to bf16
// CHECK-NEXT:      %[[P32:.+]] = arith.extf %[[P]] : bf16 to f32
// CHECK-NEXT:      %[[B32:.+]] = arith.extf %[[B]] : bf16 to f32
// CHECK-NEXT:      arith.addf %[[P32]], %[[B32]] : f32
// CHECK:           arith.maximumf
// CHECK:         gpu_block.store %{{.+}}, %r mask %[[MASK]] : tensor<64x64x!gpu_block.ptr<bf16>>
// CHECK-NOT:   gpu_block.kernel
// CHECK:       %r = gpu_block.launch @f_k0(%a, %w, %b)
func.func @f(%a: tensor<100x70xbf16>, %w: tensor<70x50xbf16>, %b: tensor<50xbf16>) -> tensor<100x50xbf16> {
  %r = loops.kernel parallel [p0 = 100, p1 = 50] reduction [k0 = 70] -> tensor<100x50xbf16> {
    %0 = loops.contract over [70] m = d0, n = d1, k = r0 : tensor<100x50xf32> at (p0, p1 | k0) {
      %1 = loops.load %a[d0, r0] : tensor<100x70xbf16>
      %2 = arith.extf %1 : bf16 to f32
      %3 = loops.load %w[r0, d1] : tensor<70x50xbf16>
      %4 = arith.extf %3 : bf16 to f32
      %5 = arith.mulf %2, %4 : f32
      loops.yield %5 : f32
    }
    %r_1 = loops.pointwise : tensor<100x50xbf16> at (p0, p1) {
      %6 = loops.load %0[d0, d1] : tensor<100x50xf32>
      %7 = arith.truncf %6 : f32 to bf16
      %8 = arith.extf %7 : bf16 to f32
      %9 = loops.load %b[d1] : tensor<50xbf16>
      %10 = arith.extf %9 : bf16 to f32
      %11 = arith.addf %8, %10 : f32
      %12 = arith.truncf %11 : f32 to bf16
      %13 = arith.extf %12 : bf16 to f32
      %14 = arith.constant 0.000000e+00 : f32
      %15 = arith.maximumf %13, %14 : f32
      %16 = arith.truncf %15 : f32 to bf16
      loops.yield %16 : bf16
    }
    loops.yield %r_1 : tensor<100x50xbf16>
  }
  func.return %r : tensor<100x50xbf16>
}
