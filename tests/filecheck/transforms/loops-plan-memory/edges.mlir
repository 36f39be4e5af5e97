// Zero-size buffers, a gather's index check, a function already planned, a kernel the
// pass does not plan.
// RUN: stepwell-opt %s --split-input-file -p loops-plan-memory | filecheck %s

// A buffer of no bytes takes no room: #loops.slot<0, 0>, and never hosts another.
// CHECK-LABEL: func.func @zero_size
// CHECK-SAME:    arena = 0 : i64
// CHECK:         %a = loops.pointwise {{.*}}memory = #loops.slot<0, 0>
// CHECK:         %b = loops.pointwise {{.*}}memory = #loops.slot<0, 0>
// CHECK:         %c = loops.pointwise {{.*}}memory = #loops.slot<result 0>
func.func @zero_size(%x: tensor<0x4xf32>) -> tensor<0x4xf32> {
  %a = loops.pointwise : tensor<0x4xf32> {
    %0 = loops.load %x[d0, d1] : tensor<0x4xf32>
    loops.yield %0 : f32
  }
  %b = loops.pointwise : tensor<0x4xf32> {
    %0 = loops.load %a[d0, d1] : tensor<0x4xf32>
    loops.yield %0 : f32
  }
  %c = loops.pointwise : tensor<0x4xf32> {
    %0 = loops.load %b[d0, d1] : tensor<0x4xf32>
    loops.yield %0 : f32
  }
  func.return %c : tensor<0x4xf32>
}

// -----

// loops.check_index reads its indices: %j lives until the check, so %k (which reads %j
// at its own element) may not write over it. The check's two-word status buffer is not
// planned (convert-loops-to-llvm gives it a temp of its own).
// CHECK-LABEL: func.func @gather_check
// CHECK-SAME:    arena = 128 : i64
// CHECK:         %j = loops.pointwise {{.*}}memory = #loops.slot<0, 64>
// CHECK:         %k = loops.pointwise {{.*}}memory = #loops.slot<64, 64>
// CHECK:         loops.check_index %j
// CHECK:         %y = loops.pointwise {{.*}}memory = #loops.slot<result 0>
func.func @gather_check(%x: tensor<5xf32>, %i: tensor<4xi64>) -> tensor<4xf32> {
  %j = loops.pointwise : tensor<4xi64> {
    %0 = loops.load %i[d0] : tensor<4xi64>
    %1 = arith.addi %0, %0 : i64
    loops.yield %1 : i64
  }
  %k = loops.pointwise : tensor<4xi64> {
    %0 = loops.load %j[d0] : tensor<4xi64>
    %1 = arith.constant 4 : i64
    %2 = arith.minsi %0, %1 : i64
    loops.yield %2 : i64
  }
  loops.check_index %j in [-5, 5) for "tensor_graph.gather" axis 0 : tensor<4xi64>
  %y = loops.pointwise : tensor<4xf32> {
    %0 = loops.load %k[d0] : tensor<4xi64>
    %1 = loops.load %x[s0] syms(%0) : tensor<5xf32>
    loops.yield %1 : f32
  }
  func.return %y : tensor<4xf32>
}

// -----

// A function that already has an arena keeps its plan (one written by hand).
// CHECK-LABEL: func.func @planned
// CHECK-SAME:    arena = 4096 : i64
// CHECK:         %a = loops.pointwise {{.*}}memory = #loops.slot<0, 4096>
// CHECK:         %b = loops.pointwise : tensor<1024xf32> {
func.func @planned(%x: tensor<1024xf32>) -> tensor<1024xf32> attributes {arena = 4096 : i64} {
  %a = loops.pointwise : tensor<1024xf32> attributes {memory = #loops.slot<0, 4096>} {
    %0 = loops.load %x[d0] : tensor<1024xf32>
    loops.yield %0 : f32
  }
  %b = loops.pointwise : tensor<1024xf32> {
    %0 = loops.load %a[d0] : tensor<1024xf32>
    loops.yield %0 : f32
  }
  func.return %b : tensor<1024xf32>
}

// -----

// A kernel that yields a buffer it does not compute leaves its function unplanned.
// CHECK-LABEL: func.func @pass_through
// CHECK-NOT:     arena
// CHECK-NOT:     memory
func.func @pass_through(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %a, %b = loops.kernel parallel [p0 = 4] -> tensor<4xf32>, tensor<4xf32> {
    %a_1 = loops.pointwise : tensor<4xf32> at (p0) {
      %0 = loops.load %x[d0] : tensor<4xf32>
      loops.yield %0 : f32
    }
    loops.yield %a_1, %x : tensor<4xf32>, tensor<4xf32>
  }
  func.return %a, %b : tensor<4xf32>, tensor<4xf32>
}
