// RUN: stepwell-opt %s -p loops-fuse | filecheck %s

// How kernels are built: members keep program order, results needed outside are
// yielded, and the function is put back in an order where every use follows its
// definition.

// An op between two members that uses the first and feeds nothing of the kernel
// moves after the kernel; an op that feeds the kernel (%w, read in reverse row
// order, so not a member) moves before it.
// CHECK-LABEL: func.func @placement
// CHECK-NEXT:    %w = loops.pointwise : tensor<4xf32> {
// CHECK:         %m, %y = loops.kernel parallel [p0 = 4] reduction [k0 = 8] -> tensor<4x1xf32>, tensor<4x8xf32> {
// CHECK:         %u = loops.pointwise : tensor<8xf32> {
// CHECK:           loops.load %m[d0 floordiv 2, 0]
// CHECK:         func.return %y, %u
func.func @placement(%x: tensor<4x8xf32>, %c: tensor<4xf32>) -> (tensor<4x8xf32>, tensor<8xf32>) {
  %m = loops.reduce max over [8] : tensor<4x1xf32> {
    %0 = loops.load %x[d0, r0] : tensor<4x8xf32>
    loops.yield %0 : f32
  }
  %u = loops.pointwise : tensor<8xf32> {
    %0 = loops.load %m[d0 floordiv 2, 0] : tensor<4x1xf32>
    %1 = math.exp %0 : f32
    loops.yield %1 : f32
  }
  %w = loops.pointwise : tensor<4xf32> {
    %0 = loops.load %c[d0] : tensor<4xf32>
    %1 = math.exp %0 : f32
    %2 = math.log %1 : f32
    %3 = math.tanh %2 : f32
    %4 = math.erf %3 : f32
    loops.yield %4 : f32
  }
  %y = loops.pointwise : tensor<4x8xf32> {
    %0 = loops.load %x[d0, d1] : tensor<4x8xf32>
    %1 = loops.load %m[d0, 0] : tensor<4x1xf32>
    %2 = loops.load %w[3 - d0] : tensor<4xf32>
    %3 = arith.subf %0, %1 : f32
    %4 = arith.mulf %3, %2 : f32
    loops.yield %4 : f32
  }
  func.return %y, %u : tensor<4x8xf32>, tensor<8xf32>
}

// A kernel already in the input is left as it is, and nothing joins it.
// CHECK-LABEL: func.func @existing_kernel
// CHECK-NEXT:    %k = loops.kernel parallel [p0 = 4] reduction [k0 = 8] -> tensor<4x1xf32> {
// CHECK-NEXT:      %s = loops.reduce sum over [8] : tensor<4x1xf32> at (p0, 0 | k0) {
// CHECK:           loops.yield %s
// CHECK-NEXT:    }
// CHECK-NEXT:    %y = loops.pointwise
// CHECK:         func.return
func.func @existing_kernel(%x: tensor<4x8xf32>) -> (tensor<4x1xf32>, tensor<4x8xf32>) {
  %k = loops.kernel parallel [p0 = 4] reduction [k0 = 8] -> tensor<4x1xf32> {
    %s = loops.reduce sum over [8] : tensor<4x1xf32> at (p0, 0 | k0) {
      %0 = loops.load %x[d0, r0] : tensor<4x8xf32>
      loops.yield %0 : f32
    }
    loops.yield %s : tensor<4x1xf32>
  }
  %y = loops.pointwise : tensor<4x8xf32> {
    %0 = loops.load %x[d0, d1] : tensor<4x8xf32>
    %1 = loops.load %k[d0, 0] : tensor<4x1xf32>
    %2 = arith.divf %0, %1 : f32
    loops.yield %2 : f32
  }
  func.return %k, %y : tensor<4x1xf32>, tensor<4x8xf32>
}

// A full reduction and its epilogue: one kernel with no outer dimension.
// CHECK-LABEL: func.func @full_reduction
// CHECK-NEXT:    %y = loops.kernel parallel [] reduction [k0 = 3, k1 = 4] -> tensor<3x4xf32> {
// CHECK-NEXT:      %t = loops.reduce sum over [3, 4] : tensor<f32> at (| k0, k1) {
// CHECK:             loops.load %t[] : tensor<f32>
func.func @full_reduction(%x: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %t = loops.reduce sum over [3, 4] : tensor<f32> {
    %0 = loops.load %x[r0, r1] : tensor<3x4xf32>
    loops.yield %0 : f32
  }
  %y = loops.pointwise : tensor<3x4xf32> {
    %0 = loops.load %x[d0, d1] : tensor<3x4xf32>
    %1 = loops.load %t[] : tensor<f32>
    %2 = arith.divf %0, %1 : f32
    loops.yield %2 : f32
  }
  func.return %y : tensor<3x4xf32>
}

// Constants are buffers like arguments.
// CHECK-LABEL: func.func @constant_buffer
// CHECK:         %c = tensor_graph.constant
// CHECK:         loops.pointwise : tensor<4xf32> {
// CHECK:           loops.load %c[d0]
// CHECK:           math.exp
// CHECK-NOT:     loops.pointwise
func.func @constant_buffer(%x: tensor<4xf32>) -> tensor<4xf32> {
  %c = "tensor_graph.constant"() <{value = dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>}> : () -> tensor<4xf32>
  %a = loops.pointwise : tensor<4xf32> {
    %0 = loops.load %c[d0] : tensor<4xf32>
    %1 = math.exp %0 : f32
    loops.yield %1 : f32
  }
  %b = loops.pointwise : tensor<4xf32> {
    %0 = loops.load %a[d0] : tensor<4xf32>
    %1 = loops.load %x[d0] : tensor<4xf32>
    %2 = arith.addf %0, %1 : f32
    loops.yield %2 : f32
  }
  func.return %b : tensor<4xf32>
}
