// RUN: stepwell-opt %s -p lower-to-ptx | filecheck %s

// exp, log, erf, sin and cos stay math ops down to the kernels (lower-to-ptx expands
// only tanh and the powers) and become calls into libdevice: `__nv_NAMEf` on f32,
// `__nv_NAME` on f64, f16/bf16 widened to f32 and rounded once back. Each callee is
// declared once in the module, before the kernels, however many kernels call it.
// CHECK: llvm.func @__nv_cos(f64) -> f64
// CHECK-NEXT: llvm.func @__nv_erf(f64) -> f64
// CHECK-NEXT: llvm.func @__nv_expf(f32) -> f32
// CHECK-NEXT: llvm.func @__nv_logf(f32) -> f32
// CHECK-NEXT: llvm.func @__nv_sinf(f32) -> f32
// CHECK-NOT: llvm.func @__nv_

// CHECK: llvm.func @f32_k0(
// CHECK: llvm.call @__nv_expf(%{{.*}}) : (f32) -> f32
// CHECK: llvm.call @__nv_logf(%{{.*}}) : (f32) -> f32
// CHECK: llvm.return
func.func @f32(%x: tensor<256xf32>) -> tensor<256xf32> {
  %e = tensor_graph.exp %x : tensor<256xf32>
  %l = tensor_graph.log %e : tensor<256xf32>
  func.return %l : tensor<256xf32>
}

// CHECK: llvm.func @f64_k0(
// CHECK: llvm.call @__nv_erf(%{{.*}}) : (f64) -> f64
// CHECK: llvm.call @__nv_cos(%{{.*}}) : (f64) -> f64
// CHECK: llvm.return
func.func @f64(%x: tensor<256xf64>) -> tensor<256xf64> {
  %e = tensor_graph.erf %x : tensor<256xf64>
  %c = tensor_graph.cos %e : tensor<256xf64>
  func.return %c : tensor<256xf64>
}

// bf16 (i16 bits): widened to f32, sin in f32, rounded back to bf16 bits.
// CHECK: llvm.func @bf16_k0(
// CHECK: llvm.shl %{{.*}} : i32
// CHECK: %[[WIDE:.*]] = llvm.bitcast %{{.*}} : i32 to f32
// CHECK: llvm.call @__nv_sinf(%[[WIDE]]) : (f32) -> f32
// CHECK: llvm.return
func.func @bf16(%x: tensor<256xbf16>) -> tensor<256xbf16> {
  %s = tensor_graph.sin %x : tensor<256xbf16>
  func.return %s : tensor<256xbf16>
}

// tanh is expanded into arithmetic (loops-expand-math{ops=tanh,powf,ipowi}): no call.
// CHECK: llvm.func @tanh_k0(
// CHECK-NOT: llvm.call @
// CHECK: llvm.return
func.func @tanh(%x: tensor<256xf32>) -> tensor<256xf32> {
  %t = tensor_graph.tanh %x : tensor<256xf32>
  func.return %t : tensor<256xf32>
}
