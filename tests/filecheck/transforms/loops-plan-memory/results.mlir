// Results: each its own allocation (#loops.slot<result i>), never in the arena, never
// shared with another result nor written over, even when read again after.
// RUN: stepwell-opt %s -p loops-plan-memory | filecheck %s

// %a is result 1 and read by %b (result 0) at its own element: %b does not write over
// it. %b returned twice: result 0 (the runtime copies the second). %t, an
// intermediate dead before %b is written, borrows result 0's memory.
// CHECK-LABEL: func.func @results
// CHECK-SAME:    arena = 0 : i64
// CHECK:         %t = loops.pointwise {{.*}}memory = #loops.slot<result 0, 0, 4096>
// CHECK:         %a = loops.pointwise {{.*}}memory = #loops.slot<result 1>
// CHECK:         %b = loops.pointwise {{.*}}memory = #loops.slot<result 0>
func.func @results(%x: tensor<1024xf32>) -> (tensor<1024xf32>, tensor<1024xf32>, tensor<1024xf32>) {
  %t = loops.pointwise : tensor<1024xf32> {
    %0 = loops.load %x[d0] : tensor<1024xf32>
    %1 = math.exp %0 : f32
    loops.yield %1 : f32
  }
  %a = loops.pointwise : tensor<1024xf32> {
    %0 = loops.load %t[d0] : tensor<1024xf32>
    %1 = math.exp %0 : f32
    loops.yield %1 : f32
  }
  %b = loops.pointwise : tensor<1024xf32> {
    %0 = loops.load %a[d0] : tensor<1024xf32>
    %1 = math.exp %0 : f32
    loops.yield %1 : f32
  }
  func.return %b, %a, %b : tensor<1024xf32>, tensor<1024xf32>, tensor<1024xf32>
}

// A kernel of two results, one a function result and one a temp: one slot each, in
// an array.
// CHECK-LABEL: func.func @kernel_results
// CHECK-SAME:    arena = 64 : i64
// CHECK:         %{{.*}}, %{{.*}} = loops.kernel {{.*}}memory = [#loops.slot<0, 64>, #loops.slot<result 0>]
// CHECK:         %r = loops.pointwise {{.*}}memory = #loops.slot<result 1>
func.func @kernel_results(%x: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  %m, %y = loops.kernel parallel [p0 = 4] reduction [k0 = 8] -> tensor<4x1xf32>, tensor<4x8xf32> {
    %m_1 = loops.reduce max over [8] : tensor<4x1xf32> at (p0, 0 | k0) {
      %0 = loops.load %x[d0, r0] : tensor<4x8xf32>
      loops.yield %0 : f32
    }
    %y_1 = loops.pointwise : tensor<4x8xf32> at (p0, k0) {
      %0 = loops.load %x[d0, d1] : tensor<4x8xf32>
      %1 = loops.load %m_1[d0, 0] : tensor<4x1xf32>
      %2 = arith.subf %0, %1 : f32
      loops.yield %2 : f32
    }
    loops.yield %m_1, %y_1 : tensor<4x1xf32>, tensor<4x8xf32>
  }
  %r = loops.pointwise : tensor<4x8xf32> {
    %0 = loops.load %y[d0, d1] : tensor<4x8xf32>
    %1 = loops.load %m[d0, 0] : tensor<4x1xf32>
    %2 = arith.addf %0, %1 : f32
    loops.yield %2 : f32
  }
  func.return %y, %r : tensor<4x8xf32>, tensor<4x8xf32>
}
