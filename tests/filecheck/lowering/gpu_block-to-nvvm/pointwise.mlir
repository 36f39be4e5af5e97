// RUN: stepwell-opt %s -p lower-to-ptx | filecheck %s

// exp(x) + y with y broadcast along d1 (exp through libdevice: libdevice.mlir): 37000 elements in blocks of 128, one warp, so
// each thread owns one strip of 4 f32. 37000 is a multiple of 4 and strips start at
// multiples of 4, so `offs < 37000` is the same in every lane of a strip: each load
// tests lane 0's mask once; a strip that is in loads x at its aligned start (align 16),
// y lane by lane; one that is out takes 0 without a load (a predicated vector load);
// the strip's lanes join in block arguments. The store of a strip that is in is one
// vector store under the same test. The host function is gone; the grid stays on the
// kernel.
// CHECK-NOT: func.func
// CHECK: llvm.func @bcast_k0(%0: !llvm.ptr<1> {llvm.noalias, llvm.readonly, llvm.align = 16 : i64}, %1: !llvm.ptr<1> {llvm.noalias, llvm.readonly, llvm.align = 16 : i64}, %2: !llvm.ptr<1> {llvm.noalias, llvm.align = 16 : i64}) attributes {nvvm.kernel, nvvm.maxntid = 32 : i32, gpu_block.grid = ["290"]} {
// CHECK: %[[TID:.*]] = llvm.call_intrinsic "llvm.nvvm.read.ptx.sreg.tid.x"() : () -> i32
// CHECK: %[[PID:.*]] = llvm.call_intrinsic "llvm.nvvm.read.ptx.sreg.ctaid.x"() : () -> i32
// CHECK: %[[IN:.*]] = llvm.icmp "slt" %{{.*}}, %{{.*}} : i32
// CHECK: llvm.cond_br %[[IN]], ^[[FULL:bb[0-9]+]], ^[[OUT:bb[0-9]+]]
// CHECK: ^[[FULL]]:
// CHECK-NEXT: llvm.load %{{.*}} {alignment = 16 : i64} : !llvm.ptr<1> -> f32
// CHECK-NEXT: llvm.load %{{.*}} {alignment = 4 : i64} : !llvm.ptr<1> -> f32
// CHECK-NEXT: llvm.load %{{.*}} {alignment = 8 : i64} : !llvm.ptr<1> -> f32
// CHECK: ^[[OUT]]:
// CHECK-NEXT: llvm.br ^{{bb[0-9]+}}(%[[Z:.*]], %[[Z]], %[[Z]], %[[Z]] : f32, f32, f32, f32)
// CHECK-NEXT: ^{{bb[0-9]+}}(%{{.*}}: f32, %{{.*}}: f32, %{{.*}}: f32, %{{.*}}: f32):
// y: contiguous but not aligned to its strip (37 columns), lane by lane.
// CHECK: llvm.cond_br %[[IN]]
// CHECK: llvm.load %{{.*}} {alignment = 4 : i64} : !llvm.ptr<1> -> f32
// CHECK-NEXT: llvm.load %{{.*}} {alignment = 4 : i64} : !llvm.ptr<1> -> f32
// CHECK: llvm.call @__nv_expf
// CHECK: llvm.cond_br %[[IN]]
// CHECK-NEXT: ^{{bb[0-9]+}}:
// CHECK-NEXT: llvm.store %{{.*}}, %{{.*}} {alignment = 16 : i64} : f32, !llvm.ptr<1>
// CHECK-NOT: llvm.cond_br
// CHECK: llvm.return
func.func @bcast(%x: tensor<1000x37xf32>, %y: tensor<37xf32>) -> tensor<1000x37xf32> {
  %e = tensor_graph.exp %x : tensor<1000x37xf32>
  %s = tensor_graph.add %e, %y : tensor<1000x37xf32>, tensor<37xf32> -> tensor<1000x37xf32>
  func.return %s : tensor<1000x37xf32>
}

// bf16 (i16 bits here, widened to f32 for the product): strips of 4 (128 elements, 32 threads).
// CHECK: llvm.func @h_k0(
// CHECK: llvm.load %{{.*}} {alignment = 8 : i64} : !llvm.ptr<1> -> i16
// CHECK: llvm.fmul %{{.*}}, %{{.*}} : f32
// CHECK: llvm.store %{{.*}}, %{{.*}} {alignment = 8 : i64} : i16, !llvm.ptr<1>
func.func @h(%x: tensor<1001xbf16>, %y: tensor<1001xbf16>) -> tensor<1001xbf16> {
  %s = tensor_graph.mul %x, %y : tensor<1001xbf16>, tensor<1001xbf16> -> tensor<1001xbf16>
  func.return %s : tensor<1001xbf16>
}

// 10 elements: a block of 16 over 32 threads, one element each; threads 16.. replicate
// threads 0..15 (tid & 15) and store nothing.
// CHECK: llvm.func @tiny_k0(
// CHECK: %[[T:.*]] = llvm.call_intrinsic "llvm.nvvm.read.ptx.sreg.tid.x"() : () -> i32
// CHECK: llvm.and %[[T]], %{{.*}} : i32
// CHECK: %[[ACTIVE:.*]] = llvm.icmp "ult" %[[T]], %{{.*}} : i32
// CHECK: llvm.cond_br %[[ACTIVE]]
func.func @tiny(%x: tensor<10xf32>) -> tensor<10xf32> {
  %s = tensor_graph.neg %x : tensor<10xf32>
  func.return %s : tensor<10xf32>
}
