// RUN: stepwell-opt %s -p convert-loops-to-llvm | filecheck %s

// A fused softmax: one function; at each outer point (a row) the max and the sum are
// kernel-local scalars (one-element stack slots, promoted to registers by LLVM), read
// by the later ops at that point; only the yielded buffer is stored to memory.
// CHECK:      calls = [{kernel = "softmax_k0", buffers = array<i64: 1, 0>, extent = 4 : i64, grain = 3000 : i64, chunks = 1 : i64}]
// CHECK:      llvm.func @softmax_k0(%{{.*}}: i64, %{{.*}}: i64, %[[OUT:.*]]: !llvm.ptr {llvm.noalias}, %[[X:.*]]: !llvm.ptr {llvm.noalias})
// CHECK-DAG:    %[[MAX:.*]] = llvm.alloca %[[ONE:.*]] x f32
// CHECK-DAG:    %[[SUM:.*]] = llvm.alloca %[[ONE]] x f32
// CHECK:        llvm.call_intrinsic "llvm.maximum.f32"
// CHECK:        llvm.store %{{.*}}, %{{.*}} : f32, !llvm.ptr
// CHECK:        llvm.fadd {{.*}}fastmathFlags = #llvm.fastmath<reassoc>
// CHECK:        llvm.fdiv
// CHECK:        llvm.getelementptr inbounds %[[OUT]]
// CHECK-NOT:    llvm.call
// CHECK:        llvm.return
func.func @softmax(%x: tensor<4x1000xf32>) -> tensor<4x1000xf32> {
  %y = loops.kernel parallel [p0 = 4] reduction [k0 = 1000] -> tensor<4x1000xf32> {
    %m = loops.reduce max over [1000] : tensor<4x1xf32> at (p0, 0 | k0) {
      %a = loops.load %x[d0, r0] : tensor<4x1000xf32>
      loops.yield %a : f32
    }
    %s = loops.reduce sum over [1000] : tensor<4x1xf32> at (p0, 0 | k0) {
      %a = loops.load %x[d0, r0] : tensor<4x1000xf32>
      %b = loops.load %m[d0, 0] : tensor<4x1xf32>
      %c = arith.subf %a, %b : f32
      %e = math.exp %c : f32
      loops.yield %e : f32
    }
    %o = loops.pointwise : tensor<4x1000xf32> at (p0, k0) {
      %a = loops.load %x[d0, d1] : tensor<4x1000xf32>
      %b = loops.load %m[d0, 0] : tensor<4x1xf32>
      %c = arith.subf %a, %b : f32
      %e = math.exp %c : f32
      %t = loops.load %s[d0, 0] : tensor<4x1xf32>
      %r = arith.divf %e, %t : f32
      loops.yield %r : f32
    }
    loops.yield %o : tensor<4x1000xf32>
  }
  func.return %y : tensor<4x1000xf32>
}

// A kernel with two outputs, one of them also read inside (from memory, at the
// current point): both are params, the mean is a stack slot.
// CHECK-LABEL: llvm.func @center_k0
// CHECK-SAME:    (%{{.*}}: i64, %{{.*}}: i64, %{{.*}}: !llvm.ptr {llvm.noalias}, %{{.*}}: !llvm.ptr {llvm.noalias}, %{{.*}}: !llvm.ptr {llvm.noalias})
func.func @center(%x: tensor<3x8xf64>) -> (tensor<3xf64>, tensor<3x8xf64>) {
  %y:2 = loops.kernel parallel [p0 = 3] reduction [k0 = 8] -> tensor<3xf64>, tensor<3x8xf64> {
    %s = loops.reduce sum over [8] : tensor<3xf64> at (p0 | k0) {
      %a = loops.load %x[d0, r0] : tensor<3x8xf64>
      loops.yield %a : f64
    }
    %m = loops.pointwise : tensor<3xf64> at (p0) {
      %a = loops.load %s[d0] : tensor<3xf64>
      %n = arith.constant 8.0 : f64
      %b = arith.divf %a, %n : f64
      loops.yield %b : f64
    }
    %c = loops.pointwise : tensor<3x8xf64> at (p0, k0) {
      %a = loops.load %x[d0, d1] : tensor<3x8xf64>
      %b = loops.load %m[d0] : tensor<3xf64>
      %d = arith.subf %a, %b : f64
      loops.yield %d : f64
    }
    loops.yield %s, %c : tensor<3xf64>, tensor<3x8xf64>
  }
  func.return %y#0, %y#1 : tensor<3xf64>, tensor<3x8xf64>
}

// A kernel of one outer point (P = ()) has no loop over [begin, end), only a test that
// the range is not empty: LLVM's loop vectorizer never returned on such a loop whose body
// did not depend on its index (two log-softmaxes over 2 elements, issue 6 point 10).
// CHECK-LABEL: llvm.func @one_point_k0
// CHECK-SAME:    (%[[BEGIN:.*]]: i64, %[[END:.*]]: i64, %[[OUT:.*]]: !llvm.ptr {llvm.noalias}, %{{.*}}: !llvm.ptr {llvm.noalias})
// CHECK-NOT:     (%[[BEGIN]] : i64)
// CHECK:         %[[ANY:.*]] = llvm.icmp "slt" %[[BEGIN]], %[[END]] : i64
// CHECK-NEXT:    llvm.cond_br %[[ANY]], ^{{.*}}, ^[[DONE:.*]]
// CHECK-NOT:     (%[[BEGIN]] : i64)
// CHECK:         llvm.getelementptr inbounds %[[OUT]]
// CHECK:       ^[[DONE]]:
// CHECK-NEXT:    llvm.return
func.func @one_point(%x: tensor<2xf32>) -> tensor<f32> {
  %y = loops.kernel parallel [] reduction [k0 = 2] -> tensor<f32> {
    %s = loops.reduce sum over [2] : tensor<f32> at ( | k0) {
      %a = loops.load %x[r0] : tensor<2xf32>
      loops.yield %a : f32
    }
    loops.yield %s : tensor<f32>
  }
  func.return %y : tensor<f32>
}
