// Where an op may NOT write over its input: it reads the input at another element
// (a transpose, a shifted slice, a reduction), the input is read again later, it is
// an argument not donated, or a constant; in a kernel, an op after the writer reads it.
// RUN: stepwell-opt %s -p loops-plan-memory | filecheck %s

// (%a, dead before the result is written, borrows its memory.)
// CHECK-LABEL: func.func @transpose
// CHECK:         %a = loops.pointwise {{.*}}memory = #loops.slot<result 0, 0, 4096>
// CHECK:         %t = loops.pointwise {{.*}}memory = #loops.slot<0, 4096>
func.func @transpose(%x: tensor<32x32xf32>) -> tensor<32x32xf32> {
  %a = loops.pointwise : tensor<32x32xf32> {
    %0 = loops.load %x[d0, d1] : tensor<32x32xf32>
    %1 = math.exp %0 : f32
    loops.yield %1 : f32
  }
  %t = loops.pointwise : tensor<32x32xf32> {
    %0 = loops.load %a[d1, d0] : tensor<32x32xf32>
    loops.yield %0 : f32
  }
  %r = loops.pointwise : tensor<32x32xf32> {
    %0 = loops.load %t[d0, d1] : tensor<32x32xf32>
    %1 = math.exp %0 : f32
    loops.yield %1 : f32
  }
  func.return %r : tensor<32x32xf32>
}

// A slice shifted by one element: the point d0 reads element d0 + 1, which the point
// d0 + 1 (maybe another thread) has not read yet.
// CHECK-LABEL: func.func @shifted_slice
// CHECK:         %a = loops.pointwise {{.*}}memory = #loops.slot<0, 4160>
// CHECK:         %s = loops.pointwise {{.*}}memory = #loops.slot<4160, 4096>
func.func @shifted_slice(%x: tensor<1025xf32>) -> tensor<1024xf32> {
  %a = loops.pointwise : tensor<1025xf32> {
    %0 = loops.load %x[d0] : tensor<1025xf32>
    %1 = math.exp %0 : f32
    loops.yield %1 : f32
  }
  %s = loops.pointwise : tensor<1024xf32> {
    %0 = loops.load %a[d0 + 1] : tensor<1025xf32>
    loops.yield %0 : f32
  }
  %r = loops.pointwise : tensor<1024xf32> {
    %0 = loops.load %s[d0] : tensor<1024xf32>
    %1 = math.exp %0 : f32
    loops.yield %1 : f32
  }
  func.return %r : tensor<1024xf32>
}

// %a is read again by %c after %b: %b cannot overwrite it (%c then can; %b borrows
// the result's memory).
// CHECK-LABEL: func.func @read_later
// CHECK:         %a = loops.pointwise {{.*}}memory = #loops.slot<0, 4096>
// CHECK:         %b = loops.pointwise {{.*}}memory = #loops.slot<result 0, 0, 4096>
// CHECK:         %c = loops.pointwise {{.*}}memory = #loops.slot<0, 4096>
func.func @read_later(%x: tensor<1024xf32>) -> tensor<1024xf32> {
  %a = loops.pointwise : tensor<1024xf32> {
    %0 = loops.load %x[d0] : tensor<1024xf32>
    %1 = math.exp %0 : f32
    loops.yield %1 : f32
  }
  %b = loops.pointwise : tensor<1024xf32> {
    %0 = loops.load %a[d0] : tensor<1024xf32>
    %1 = math.exp %0 : f32
    loops.yield %1 : f32
  }
  %c = loops.pointwise : tensor<1024xf32> {
    %0 = loops.load %a[d0] : tensor<1024xf32>
    %1 = loops.load %b[d0] : tensor<1024xf32>
    %2 = arith.addf %0, %1 : f32
    loops.yield %2 : f32
  }
  %r = loops.pointwise : tensor<1024xf32> {
    %0 = loops.load %c[1023 - d0] : tensor<1024xf32>
    loops.yield %0 : f32
  }
  func.return %r : tensor<1024xf32>
}

// An argument that is not donated, a constant (a global), a reduction's input, an
// input of a different element size (f32 -> f16): a slot of their own.
// CHECK-LABEL: func.func @not_writable
// CHECK:         %a = loops.pointwise {{.*}}memory = #loops.slot<0, 4096>
// CHECK:         %b = loops.pointwise {{.*}}memory = #loops.slot<4096, 4096>
// CHECK:         %s = loops.reduce {{.*}}memory = #loops.slot<0, 64>
// CHECK:         %h = loops.pointwise {{.*}}memory = #loops.slot<64, 64>
func.func @not_writable(%x: tensor<1024xf32>) -> tensor<1xf16> {
  %cst = tensor_graph.constant {value = dense<2.0> : tensor<1024xf32>} : tensor<1024xf32>
  %a = loops.pointwise : tensor<1024xf32> {
    %0 = loops.load %x[d0] : tensor<1024xf32>
    loops.yield %0 : f32
  }
  %b = loops.pointwise : tensor<1024xf32> {
    %0 = loops.load %cst[d0] : tensor<1024xf32>
    %1 = loops.load %a[1023 - d0] : tensor<1024xf32>
    %2 = arith.addf %0, %1 : f32
    loops.yield %2 : f32
  }
  %s = loops.reduce sum over [1024] : tensor<1xf32> {
    %0 = loops.load %b[r0] : tensor<1024xf32>
    loops.yield %0 : f32
  }
  %h = loops.pointwise : tensor<1xf16> {
    %0 = loops.load %s[d0] : tensor<1xf32>
    %1 = arith.truncf %0 : f32 to f16
    loops.yield %1 : f16
  }
  %r = loops.pointwise : tensor<1xf16> {
    %0 = loops.load %h[d0] : tensor<1xf16>
    loops.yield %0 : f16
  }
  func.return %r : tensor<1xf16>
}

// In a kernel, %late reads %a after the writer of %y has stored over it.
// CHECK-LABEL: func.func @kernel_reads_after_writer
// CHECK:         %a = loops.pointwise {{.*}}memory = #loops.slot<result 0, 0, 512>
// CHECK:         %y, %{{.*}} = loops.kernel {{.*}}memory = [#loops.slot<0, 512>, #loops.slot<512, 64>]
func.func @kernel_reads_after_writer(%x: tensor<4x32xf32>) -> (tensor<4x32xf32>, tensor<4x1xf32>) {
  %a = loops.pointwise : tensor<4x32xf32> {
    %0 = loops.load %x[d0, d1] : tensor<4x32xf32>
    %1 = math.exp %0 : f32
    loops.yield %1 : f32
  }
  %y:2 = loops.kernel parallel [p0 = 4] reduction [k0 = 32] -> tensor<4x32xf32>, tensor<4x1xf32> {
    %y_1 = loops.pointwise : tensor<4x32xf32> at (p0, k0) {
      %0 = loops.load %a[d0, d1] : tensor<4x32xf32>
      %1 = math.exp %0 : f32
      loops.yield %1 : f32
    }
    %late = loops.reduce max over [32] : tensor<4x1xf32> at (p0, 0 | k0) {
      %0 = loops.load %a[d0, r0] : tensor<4x32xf32>
      loops.yield %0 : f32
    }
    loops.yield %y_1, %late : tensor<4x32xf32>, tensor<4x1xf32>
  }
  %r0 = loops.pointwise : tensor<4x32xf32> {
    %0 = loops.load %y#0[3 - d0, d1] : tensor<4x32xf32>
    loops.yield %0 : f32
  }
  %r1 = loops.pointwise : tensor<4x1xf32> {
    %0 = loops.load %y#1[3 - d0, d1] : tensor<4x1xf32>
    loops.yield %0 : f32
  }
  func.return %r0, %r1 : tensor<4x32xf32>, tensor<4x1xf32>
}
