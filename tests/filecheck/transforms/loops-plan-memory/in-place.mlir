// In place: an op writes its result over an input it is the last to read, when every
// read of that input is at the element it writes (same offset, same element size).
// RUN: stepwell-opt %s -p loops-plan-memory | filecheck %s

// exp, then add, then mul: each writes over the one before; %x is an argument (not
// donated), so %a takes a slot of its own and the chain stays in it.
// CHECK-LABEL: func.func @chain
// CHECK-SAME:    arena = 4096 : i64
// CHECK:         %a = loops.pointwise {{.*}}memory = #loops.slot<0, 4096>
// CHECK:         %b = loops.pointwise {{.*}}memory = #loops.slot<0, 4096>
// CHECK:         %c = loops.pointwise {{.*}}memory = #loops.slot<0, 4096>
// CHECK:         %d = loops.pointwise {{.*}}memory = #loops.slot<result 0>
func.func @chain(%x: tensor<32x32xf32>, %y: tensor<32x32xf32>) -> tensor<32x32xf32> {
  %a = loops.pointwise : tensor<32x32xf32> {
    %0 = loops.load %x[d0, d1] : tensor<32x32xf32>
    %1 = math.exp %0 : f32
    loops.yield %1 : f32
  }
  %b = loops.pointwise : tensor<32x32xf32> {
    %0 = loops.load %a[d0, d1] : tensor<32x32xf32>
    %1 = loops.load %y[d0, d1] : tensor<32x32xf32>
    %2 = arith.addf %0, %1 : f32
    loops.yield %2 : f32
  }
  %c = loops.pointwise : tensor<32x32xf32> {
    %0 = loops.load %b[d0, d1] : tensor<32x32xf32>
    %1 = arith.mulf %0, %0 : f32
    loops.yield %1 : f32
  }
  %d = loops.pointwise : tensor<32x32xf32> {
    %0 = loops.load %c[d0, d1] : tensor<32x32xf32>
    %1 = math.tanh %0 : f32
    loops.yield %1 : f32
  }
  func.return %d : tensor<32x32xf32>
}

// The same element under another spelling: a reshape's flat index, and f32 -> i32
// (same size); a smaller result (a prefix slice) fits in the input's slot.
// CHECK-LABEL: func.func @same_element
// CHECK-SAME:    arena = 4096 : i64
// CHECK:         %a = loops.pointwise {{.*}}memory = #loops.slot<0, 4096>
// CHECK:         %flat = loops.pointwise {{.*}}memory = #loops.slot<0, 4096>
// CHECK:         %int = loops.pointwise {{.*}}memory = #loops.slot<0, 4096>
// CHECK:         %head = loops.pointwise {{.*}}memory = #loops.slot<0, 64>
func.func @same_element(%x: tensor<32x32xf32>) -> tensor<16xi32> {
  %a = loops.pointwise : tensor<32x32xf32> {
    %0 = loops.load %x[d0, d1] : tensor<32x32xf32>
    %1 = math.exp %0 : f32
    loops.yield %1 : f32
  }
  %flat = loops.pointwise : tensor<1024xf32> {
    %0 = loops.load %a[d0 floordiv 32, d0 mod 32] : tensor<32x32xf32>
    loops.yield %0 : f32
  }
  %int = loops.pointwise : tensor<1024xi32> {
    %0 = loops.load %flat[d0] : tensor<1024xf32>
    %1 = arith.fptosi %0 : f32 to i32
    loops.yield %1 : i32
  }
  %head = loops.pointwise : tensor<16xi32> {
    %0 = loops.load %int[d0] : tensor<1024xi32>
    loops.yield %0 : i32
  }
  %r = loops.pointwise : tensor<16xi32> {
    %0 = loops.load %head[15 - d0] : tensor<16xi32>
    loops.yield %0 : i32
  }
  func.return %r : tensor<16xi32>
}

// In a kernel: a softmax-like kernel reads %a in its reduction (before the writer) and
// at the writer's own point: %y goes over %a.
// CHECK-LABEL: func.func @kernel
// CHECK-SAME:    arena = 512 : i64
// CHECK:         %a = loops.pointwise {{.*}}memory = #loops.slot<0, 512>
// CHECK:         %y = loops.kernel {{.*}}memory = #loops.slot<0, 512>
func.func @kernel(%x: tensor<4x32xf32>) -> tensor<4x32xf32> {
  %a = loops.pointwise : tensor<4x32xf32> {
    %0 = loops.load %x[d0, d1] : tensor<4x32xf32>
    %1 = math.exp %0 : f32
    loops.yield %1 : f32
  }
  %y = loops.kernel parallel [p0 = 4] reduction [k0 = 32] -> tensor<4x32xf32> {
    %m = loops.reduce max over [32] : tensor<4x1xf32> at (p0, 0 | k0) {
      %0 = loops.load %a[d0, r0] : tensor<4x32xf32>
      loops.yield %0 : f32
    }
    %y_1 = loops.pointwise : tensor<4x32xf32> at (p0, k0) {
      %0 = loops.load %a[d0, d1] : tensor<4x32xf32>
      %1 = loops.load %m[d0, 0] : tensor<4x1xf32>
      %2 = arith.subf %0, %1 : f32
      loops.yield %2 : f32
    }
    loops.yield %y_1 : tensor<4x32xf32>
  }
  %r = loops.pointwise : tensor<4x32xf32> {
    %0 = loops.load %y[3 - d0, d1] : tensor<4x32xf32>
    loops.yield %0 : f32
  }
  func.return %r : tensor<4x32xf32>
}
