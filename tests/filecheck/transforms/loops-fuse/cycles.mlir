// RUN: stepwell-opt %s -p 'loops-fuse{vertical=false}' | filecheck %s

// Two merges that are each acyclic op by op but close a cycle between kernels:
// {a1, a2} share %x and {b1, b2} share %w, but a1 -> b1 and b2 -> a2. Once one pair
// is a kernel, the other must not become one (it used to: "AssertionError: cyclic
// dependences between top-level ops").

// CHECK-LABEL: func.func @crossed
// CHECK:       %b2 = loops.pointwise
// CHECK-NEXT:    loops.load %w
// CHECK:       %a1, %a2 = loops.kernel parallel [p0 = 4, p1 = 4]
// CHECK:       %b1 = loops.pointwise
// CHECK:       func.return %b1, %a2
func.func @crossed(%x: tensor<4x4xf32>, %w: tensor<4x4xf32>) -> (tensor<4x4xf32>, tensor<4x4xf32>) {
  %a1 = loops.pointwise : tensor<4x4xf32> {
    %0 = loops.load %x[d0, d1] : tensor<4x4xf32>
    %1 = math.exp %0 : f32
    loops.yield %1 : f32
  }
  %b1 = loops.pointwise : tensor<4x4xf32> {
    %2 = loops.load %a1[d0, 3 - d1] : tensor<4x4xf32>
    %3 = loops.load %w[d0, d1] : tensor<4x4xf32>
    %4 = arith.mulf %2, %3 : f32
    loops.yield %4 : f32
  }
  %b2 = loops.pointwise : tensor<4x4xf32> {
    %5 = loops.load %w[d0, d1] : tensor<4x4xf32>
    %6 = math.exp %5 : f32
    loops.yield %6 : f32
  }
  %a2 = loops.pointwise : tensor<4x4xf32> {
    %7 = loops.load %b2[d0, 3 - d1] : tensor<4x4xf32>
    %8 = loops.load %x[d0, d1] : tensor<4x4xf32>
    %9 = arith.addf %7, %8 : f32
    loops.yield %9 : f32
  }
  func.return %b1, %a2 : tensor<4x4xf32>, tensor<4x4xf32>
}
