// Every loops op and every spelling of index expressions: the custom form parses,
// verifies and prints back as written (CHECK), and the generic form round-trips too
// (the diff of the third and fourth RUN lines; last, as lit's built-in diff drops the
// PYTHONPATH of the commands after it).
// RUN: stepwell-opt %s | filecheck %s
// RUN: stepwell-opt %s --mlir-print-op-generic | stepwell-opt | filecheck %s
// RUN: stepwell-opt %s --mlir-print-op-generic > %t.direct
// RUN: stepwell-opt %s | stepwell-opt --mlir-print-op-generic > %t.roundtrip
// RUN: diff %t.direct %t.roundtrip

// CHECK-LABEL: func.func @pointwise
func.func @pointwise(%x: tensor<4x8xf32>, %b: tensor<8xf32>) -> tensor<4x8xf32> {
  // CHECK-NEXT: %y = loops.pointwise : tensor<4x8xf32> {
  // CHECK-NEXT:   %a = loops.load %x[d0, d1] : tensor<4x8xf32>
  // CHECK-NEXT:   %c = loops.load %b[d1] : tensor<8xf32>
  // CHECK-NEXT:   %s = arith.addf %a, %c : f32
  // CHECK-NEXT:   loops.yield %s : f32
  // CHECK-NEXT: }
  %y = loops.pointwise : tensor<4x8xf32> {
    %a = loops.load %x[d0, d1] : tensor<4x8xf32>
    %c = loops.load %b[d1] : tensor<8xf32>
    %s = arith.addf %a, %c : f32
    loops.yield %s : f32
  }
  func.return %y : tensor<4x8xf32>
}

// CHECK-LABEL: func.func @index_spellings
func.func @index_spellings(%x: tensor<6x6xf16>, %f: tensor<36xf16>) -> tensor<3x4xf16> {
  %y = loops.pointwise : tensor<3x4xf16> {
    // CHECK:      loops.load %x[0, 5] : tensor<6x6xf16>
    // CHECK-NEXT: loops.load %x[d1, d0] : tensor<6x6xf16>
    // CHECK-NEXT: loops.load %x[2 * d0 + 1, d1 + 2] : tensor<6x6xf16>
    // CHECK-NEXT: loops.load %f[12 * d0 + 3 * d1] : tensor<36xf16>
    // CHECK-NEXT: loops.load %x[d1 floordiv 2, d1 mod 2] : tensor<6x6xf16>
    // CHECK-NEXT: loops.load %x[(d0 + d1) floordiv 2, (3 * d0 + d1) mod 6] : tensor<6x6xf16>
    // CHECK-NEXT: loops.load %x[2 * (d1 floordiv 2), 5 - d1] : tensor<6x6xf16>
    // CHECK-NEXT: loops.load %x[max(0, d0 - 1), min(5, d1 + 3)] : tensor<6x6xf16>
    // CHECK-NEXT: loops.load %x[max(0, min(5, d0 + d1 - 2)), (d1 floordiv 2) mod 3] : tensor<6x6xf16>
    %0 = loops.load %x[0, 5] : tensor<6x6xf16>
    %1 = loops.load %x[d1, d0] : tensor<6x6xf16>
    %2 = loops.load %x[d0 * 2 + 1, d1 + 2] : tensor<6x6xf16>
    %3 = loops.load %f[d0 * 12 + d1 * 3] : tensor<36xf16>
    %4 = loops.load %x[d1 floordiv 2, d1 mod 2] : tensor<6x6xf16>
    %5 = loops.load %x[(d0 + d1) floordiv 2, (d0 * 3 + d1) mod 6] : tensor<6x6xf16>
    %6 = loops.load %x[(d1 floordiv 2) * 2, 5 - d1] : tensor<6x6xf16>
    %7 = loops.load %x[max(d0 - 1, 0), min(d1 + 3, 5)] : tensor<6x6xf16>
    %8 = loops.load %x[max(min(d0 + d1 - 2, 5), 0), (d1 floordiv 2) mod 3] : tensor<6x6xf16>
    // CHECK-NEXT: loops.index [d0]
    // CHECK-NEXT: loops.index [4 * d0 + d1 mod 4]
    %i = loops.index [d0]
    %j = loops.index [d0 * 4 + d1 mod 4]
    %e = arith.extf %0 : f16 to f32
    %t = arith.truncf %e : f32 to f16
    loops.yield %t : f16
  }
  func.return %y : tensor<3x4xf16>
}

// CHECK-LABEL: func.func @gather
func.func @gather(%x: tensor<10x4xbf16>, %idx: tensor<3xi32>) -> tensor<3x4xbf16> {
  // CHECK:      %k = loops.load %idx[d0] : tensor<3xi32>
  // CHECK-NEXT: %w = arith.extsi %k : i32 to i64
  // CHECK-NEXT: %v = loops.load %x[s0, d1] syms(%w) : tensor<10x4xbf16>
  // CHECK-NEXT: %u = loops.load %x[s1 mod 10, s0 floordiv 2] syms(%w, %w) : tensor<10x4xbf16>
  %y = loops.pointwise : tensor<3x4xbf16> {
    %k = loops.load %idx[d0] : tensor<3xi32>
    %w = arith.extsi %k : i32 to i64
    %v = loops.load %x[s0, d1] syms(%w) : tensor<10x4xbf16>
    %u = loops.load %x[s1 mod 10, s0 floordiv 2] syms(%w, %w) : tensor<10x4xbf16>
    loops.yield %v : bf16
  }
  func.return %y : tensor<3x4xbf16>
}

// CHECK-LABEL: func.func @reductions
func.func @reductions(%x: tensor<4x5x6xf32>, %i: tensor<7xi1>, %h: tensor<3x9xf16>) {
  // CHECK:      loops.reduce sum over [5] : tensor<4x6xf32> {
  // CHECK-NEXT:   loops.load %x[d0, r0, d1] : tensor<4x5x6xf32>
  // CHECK:      loops.reduce prod over [4, 6] : tensor<5xf32> {
  // CHECK-NEXT:   loops.load %x[r0, d0, r1] : tensor<4x5x6xf32>
  // CHECK:      loops.reduce max over [4, 5, 6] : tensor<f32> {
  // CHECK-NEXT:   loops.load %x[r0, r1, r2] : tensor<4x5x6xf32>
  // CHECK:      loops.reduce min over [0] : tensor<4x1x6xf32> {
  // CHECK:      loops.reduce max over [7] : tensor<i1> {
  // CHECK:      loops.reduce argmax over [6] (f32) : tensor<4x5xi64> {
  // CHECK:      loops.reduce argmin over [9] (f16) : tensor<3xi64> {
  // CHECK:      loops.reduce argmax over [5, 6] (f32) : tensor<4xi64> {
  %s = loops.reduce sum over [5] : tensor<4x6xf32> {
    %a = loops.load %x[d0, r0, d1] : tensor<4x5x6xf32>
    loops.yield %a : f32
  }
  %p = loops.reduce prod over [4, 6] : tensor<5xf32> {
    %a = loops.load %x[r0, d0, r1] : tensor<4x5x6xf32>
    loops.yield %a : f32
  }
  %m = loops.reduce max over [4, 5, 6] : tensor<f32> {
    %a = loops.load %x[r0, r1, r2] : tensor<4x5x6xf32>
    loops.yield %a : f32
  }
  %n = loops.reduce min over [0] : tensor<4x1x6xf32> {
    %a = loops.load %x[d0, r0, d2] : tensor<4x5x6xf32>
    loops.yield %a : f32
  }
  %any = loops.reduce max over [7] : tensor<i1> {
    %a = loops.load %i[r0] : tensor<7xi1>
    loops.yield %a : i1
  }
  %am = loops.reduce argmax over [6] (f32) : tensor<4x5xi64> {
    %a = loops.load %x[d0, d1, r0] : tensor<4x5x6xf32>
    loops.yield %a : f32
  }
  %an = loops.reduce argmin over [9] (f16) : tensor<3xi64> {
    %a = loops.load %h[d0, r0] : tensor<3x9xf16>
    loops.yield %a : f16
  }
  %a2 = loops.reduce argmax over [5, 6] (f32) : tensor<4xi64> {
    %a = loops.load %x[d0, r0, r1] : tensor<4x5x6xf32>
    loops.yield %a : f32
  }
  func.return
}

// A kernel declares its parallel and reduction dims; each op maps its d-dims (and,
// after `|`, its r-dims) onto them: the sum's r0 and the division's d1 are both k0.
// CHECK-LABEL: func.func @kernel
func.func @kernel(%x: tensor<4x8xf32>) -> (tensor<4xf32>, tensor<4x8xf32>) {
  // CHECK-NEXT: %m, %y = loops.kernel parallel [p0 = 4] reduction [k0 = 8] -> tensor<4xf32>, tensor<4x8xf32> {
  // CHECK-NEXT:   %s = loops.reduce sum over [8] : tensor<4xf32> at (p0 | k0) {
  // CHECK:        %e = loops.pointwise : tensor<4x8xf32> at (p0, k0) {
  // CHECK:        loops.yield %s, %e : tensor<4xf32>, tensor<4x8xf32>
  // CHECK-NEXT: }
  // CHECK-NEXT: func.return %m, %y : tensor<4xf32>, tensor<4x8xf32>
  %m, %y = loops.kernel parallel [p0 = 4] reduction [k0 = 8] -> tensor<4xf32>, tensor<4x8xf32> {
    %s = loops.reduce sum over [8] : tensor<4xf32> at (p0 | k0) {
      %a = loops.load %x[d0, r0] : tensor<4x8xf32>
      loops.yield %a : f32
    }
    %e = loops.pointwise : tensor<4x8xf32> at (p0, k0) {
      %a = loops.load %x[d0, d1] : tensor<4x8xf32>
      %b = loops.load %s[d0] : tensor<4xf32>
      %c = arith.divf %a, %b : f32
      loops.yield %c : f32
    }
    loops.yield %s, %e : tensor<4xf32>, tensor<4x8xf32>
  }
  func.return %m, %y : tensor<4xf32>, tensor<4x8xf32>
}

// A size-1 parallel dim is read at 0 (as loops-simplify-index writes it); a whole
// reduction has no parallel dims, and its epilogue reads it at [].
// CHECK-LABEL: func.func @kernel_unit_dims
func.func @kernel_unit_dims(%x: tensor<1x6xf32>) -> tensor<1x6xf32> {
  // CHECK-NEXT: %y = loops.kernel parallel [p0 = 1] reduction [k0 = 6] -> tensor<1x6xf32> {
  // CHECK-NEXT:   %m = loops.reduce max over [6] : tensor<1x1xf32> at (p0, 0 | k0) {
  // CHECK:        %d = loops.pointwise : tensor<1x6xf32> at (p0, k0) {
  // CHECK-NEXT:     loops.load %m[0, 0] : tensor<1x1xf32>
  %y = loops.kernel parallel [p0 = 1] reduction [k0 = 6] -> tensor<1x6xf32> {
    %m = loops.reduce max over [6] : tensor<1x1xf32> at (p0, 0 | k0) {
      %a = loops.load %x[0, r0] : tensor<1x6xf32>
      loops.yield %a : f32
    }
    %d = loops.pointwise : tensor<1x6xf32> at (p0, k0) {
      %b = loops.load %m[0, 0] : tensor<1x1xf32>
      loops.yield %b : f32
    }
    loops.yield %d : tensor<1x6xf32>
  }
  func.return %y : tensor<1x6xf32>
}

// CHECK-LABEL: func.func @kernel_whole
func.func @kernel_whole(%x: tensor<3x4xf32>) -> tensor<3x4xf32> {
  // CHECK-NEXT: %y = loops.kernel parallel [] reduction [k0 = 3, k1 = 4] -> tensor<3x4xf32> {
  // CHECK-NEXT:   %t = loops.reduce sum over [3, 4] : tensor<f32> at (| k0, k1) {
  // CHECK:        %d = loops.pointwise : tensor<3x4xf32> at (k0, k1) {
  %y = loops.kernel parallel [] reduction [k0 = 3, k1 = 4] -> tensor<3x4xf32> {
    %t = loops.reduce sum over [3, 4] : tensor<f32> at (| k0, k1) {
      %a = loops.load %x[r0, r1] : tensor<3x4xf32>
      loops.yield %a : f32
    }
    %d = loops.pointwise : tensor<3x4xf32> at (k0, k1) {
      %a = loops.load %x[d0, d1] : tensor<3x4xf32>
      %b = loops.load %t[] : tensor<f32>
      %c = arith.divf %a, %b : f32
      loops.yield %c : f32
    }
    loops.yield %d : tensor<3x4xf32>
  }
  func.return %y : tensor<3x4xf32>
}

// CHECK-LABEL: func.func @constants
func.func @constants() -> tensor<2x3xi8> {
  // CHECK-NEXT: %c = tensor_graph.constant {{.*}}dense<{{\[\[}}1, 2, 3], [4, 5, 6]]> : tensor<2x3xi8>
  // CHECK-NEXT: %y = loops.pointwise : tensor<2x3xi8> {
  // CHECK-NEXT:   %v = loops.load %c[d0, 2 - d1] : tensor<2x3xi8>
  // CHECK-NEXT:   %k = arith.constant -128 : i8
  // CHECK-NEXT:   %r = arith.addi %v, %k : i8
  %c = "tensor_graph.constant"() <{value = dense<[[1, 2, 3], [4, 5, 6]]> : tensor<2x3xi8>}> : () -> tensor<2x3xi8>
  %y = loops.pointwise : tensor<2x3xi8> {
    %v = loops.load %c[d0, 2 - d1] : tensor<2x3xi8>
    %k = arith.constant -128 : i8
    %r = arith.addi %v, %k : i8
    loops.yield %r : i8
  }
  func.return %y : tensor<2x3xi8>
}

// CHECK-LABEL: func.func @empty_and_rank0
func.func @empty_and_rank0(%x: tensor<0x3xf64>, %s: tensor<f64>) -> (tensor<0x3xf64>, tensor<3xf64>) {
  // CHECK:      loops.pointwise : tensor<0x3xf64> {
  // CHECK-NEXT:   loops.load %s[] : tensor<f64>
  // CHECK:      loops.reduce sum over [0] : tensor<3xf64> {
  %y = loops.pointwise : tensor<0x3xf64> {
    %a = loops.load %s[] : tensor<f64>
    loops.yield %a : f64
  }
  %z = loops.reduce sum over [0] : tensor<3xf64> {
    %a = loops.load %x[r0, d0] : tensor<0x3xf64>
    loops.yield %a : f64
  }
  func.return %y, %z : tensor<0x3xf64>, tensor<3xf64>
}

// A contraction states its roles: batch dims, then M and N (the last two output dims),
// K (the one reduced dim). A transposed operand, f16 sides widened to the f32
// accumulator, and a prologue (a cast inlined by vertical fusion) on one side.
// CHECK-LABEL: func.func @contract
func.func @contract(%a: tensor<2x3x4xf16>, %b: tensor<5x4xf16>, %c: tensor<4x5xf64>) -> (tensor<2x3x5xf32>, tensor<3x5xf32>) {
  // CHECK-NEXT: %y = loops.contract over [4] batch = [d0], m = d1, n = d2, k = r0 : tensor<2x3x5xf32> {
  // CHECK-NEXT:   %x = loops.load %a[d0, d1, r0] : tensor<2x3x4xf16>
  // CHECK-NEXT:   %xe = arith.extf %x : f16 to f32
  // CHECK-NEXT:   %w = loops.load %b[d2, r0] : tensor<5x4xf16>
  // CHECK-NEXT:   %we = arith.extf %w : f16 to f32
  // CHECK-NEXT:   %p = arith.mulf %xe, %we : f32
  // CHECK-NEXT:   loops.yield %p : f32
  // CHECK-NEXT: }
  %y = loops.contract over [4] batch = [d0], m = d1, n = d2, k = r0 : tensor<2x3x5xf32> {
    %x = loops.load %a[d0, d1, r0] : tensor<2x3x4xf16>
    %xe = arith.extf %x : f16 to f32
    %w = loops.load %b[d2, r0] : tensor<5x4xf16>
    %we = arith.extf %w : f16 to f32
    %p = arith.mulf %xe, %we : f32
    loops.yield %p : f32
  }
  // CHECK:      %z = loops.contract over [4] m = d0, n = d1, k = r0 : tensor<3x5xf32> {
  // CHECK-NEXT:   %v = loops.load %c[r0, d1] : tensor<4x5xf64>
  // CHECK-NEXT:   %vt = arith.truncf %v : f64 to f32
  // CHECK-NEXT:   %u = loops.load %a[1, d0, r0] : tensor<2x3x4xf16>
  // CHECK-NEXT:   %ue = arith.extf %u : f16 to f32
  // CHECK-NEXT:   %q = arith.mulf %vt, %ue : f32
  %z = loops.contract over [4] m = d0, n = d1, k = r0 : tensor<3x5xf32> {
    %v = loops.load %c[r0, d1] : tensor<4x5xf64>
    %vt = arith.truncf %v : f64 to f32
    %u = loops.load %a[1, d0, r0] : tensor<2x3x4xf16>
    %ue = arith.extf %u : f16 to f32
    %q = arith.mulf %vt, %ue : f32
    loops.yield %q : f32
  }
  func.return %y, %z : tensor<2x3x5xf32>, tensor<3x5xf32>
}

// In a kernel, with an epilogue.
// CHECK-LABEL: func.func @contract_kernel
func.func @contract_kernel(%a: tensor<3x4xi32>, %b: tensor<4x5xi32>) -> tensor<3x5xi32> {
  // CHECK-NEXT: %y = loops.kernel parallel [p0 = 3, p1 = 5] reduction [k0 = 4] -> tensor<3x5xi32> {
  // CHECK-NEXT:   %m = loops.contract over [4] m = d0, n = d1, k = r0 : tensor<3x5xi32> at (p0, p1 | k0) {
  %y = loops.kernel parallel [p0 = 3, p1 = 5] reduction [k0 = 4] -> tensor<3x5xi32> {
    %m = loops.contract over [4] m = d0, n = d1, k = r0 : tensor<3x5xi32> at (p0, p1 | k0) {
      %x = loops.load %a[d0, r0] : tensor<3x4xi32>
      %w = loops.load %b[r0, d1] : tensor<4x5xi32>
      %p = arith.muli %x, %w : i32
      loops.yield %p : i32
    }
    %r = loops.pointwise : tensor<3x5xi32> at (p0, p1) {
      %v = loops.load %m[d0, d1] : tensor<3x5xi32>
      %n = arith.subi %v, %v : i32
      loops.yield %n : i32
    }
    loops.yield %r : tensor<3x5xi32>
  }
  func.return %y : tensor<3x5xi32>
}
