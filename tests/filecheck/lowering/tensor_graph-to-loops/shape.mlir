// RUN: stepwell-opt %s -p convert-tensor_graph-to-loops | filecheck %s

// concat: a select chain on the position along the axis; each load is clamped so
// that none is out of bounds. Empty operands are skipped.
// CHECK-LABEL: func.func @concat
// CHECK-NEXT:    %y = loops.pointwise : tensor<2x9xf32> {
// CHECK-NEXT:      %[[C:.*]] = loops.load %c[d0, max(0, d1 - 5)] : tensor<2x4xf32>
// CHECK-NEXT:      %[[P:.*]] = loops.index [d1]
// CHECK-NEXT:      %[[O2:.*]] = arith.constant 5 : i64
// CHECK-NEXT:      %[[IN2:.*]] = arith.cmpi slt, %[[P]], %[[O2]] : i64
// CHECK-NEXT:      %[[B:.*]] = loops.load %b[d0, min(1, max(0, d1 - 3))] : tensor<2x2xf32>
// CHECK-NEXT:      %[[S2:.*]] = arith.select %[[IN2]], %[[B]], %[[C]] : f32
// CHECK-NEXT:      %[[O1:.*]] = arith.constant 3 : i64
// CHECK-NEXT:      %[[IN1:.*]] = arith.cmpi slt, %[[P]], %[[O1]] : i64
// CHECK-NEXT:      %[[A:.*]] = loops.load %a[d0, min(2, d1)] : tensor<2x3xf32>
// CHECK-NEXT:      %[[S1:.*]] = arith.select %[[IN1]], %[[A]], %[[S2]] : f32
// CHECK-NEXT:      loops.yield %[[S1]] : f32
// CHECK-NEXT:    }
func.func @concat(%a: tensor<2x3xf32>, %e: tensor<2x0xf32>, %b: tensor<2x2xf32>, %c: tensor<2x4xf32>) -> tensor<2x9xf32> {
  %y = tensor_graph.concat %a, %e, %b, %c {axis = 1} : tensor<2x3xf32>, tensor<2x0xf32>, tensor<2x2xf32>, tensor<2x4xf32> -> tensor<2x9xf32>
  func.return %y : tensor<2x9xf32>
}

// A concat of one operand is a copy.
// CHECK-LABEL: func.func @concat_one
// CHECK:         loops.load %a[d0] : tensor<3xi8>
// CHECK-NOT:     arith.select
func.func @concat_one(%a: tensor<3xi8>) -> tensor<3xi8> {
  %y = tensor_graph.concat %a {axis = 0} : tensor<3xi8>
  func.return %y : tensor<3xi8>
}

// pad: in-bounds checks only where padding is, the value converted as `cast` does
// (7.9 -> 7 for i32).
// CHECK-LABEL: func.func @pad
// CHECK-NEXT:    %y = loops.pointwise : tensor<6x8xi32> {
// CHECK-NEXT:      %[[I:.*]] = loops.index [d0]
// CHECK-NEXT:      %[[LO:.*]] = arith.constant 1 : i64
// CHECK-NEXT:      %[[A:.*]] = arith.cmpi sge, %[[I]], %[[LO]] : i64
// CHECK-NEXT:      %[[HI:.*]] = arith.constant 4 : i64
// CHECK-NEXT:      %[[B:.*]] = arith.cmpi slt, %[[I]], %[[HI]] : i64
// CHECK-NEXT:      %[[AB:.*]] = arith.andi %[[A]], %[[B]] : i1
// CHECK-NEXT:      %[[J:.*]] = loops.index [d1]
// CHECK-NEXT:      %[[HJ:.*]] = arith.constant 5 : i64
// CHECK-NEXT:      %[[C:.*]] = arith.cmpi slt, %[[J]], %[[HJ]] : i64
// CHECK-NEXT:      %[[IN:.*]] = arith.andi %[[AB]], %[[C]] : i1
// CHECK-NEXT:      %[[X:.*]] = loops.load %x[min(2, max(0, d0 - 1)), min(4, d1)] : tensor<3x5xi32>
// CHECK-NEXT:      %[[FILL:.*]] = arith.constant 7 : i32
// CHECK-NEXT:      %[[Y:.*]] = arith.select %[[IN]], %[[X]], %[[FILL]] : i32
// CHECK-NEXT:      loops.yield %[[Y]] : i32
// CHECK-NEXT:    }
func.func @pad(%x: tensor<3x5xi32>) -> tensor<6x8xi32> {
  %y = tensor_graph.pad %x {low = [1, 0], high = [2, 3], value = 7.9} : tensor<3x5xi32> -> tensor<6x8xi32>
  func.return %y : tensor<6x8xi32>
}

// Padding an empty tensor gives only the value.
// CHECK-LABEL: func.func @pad_empty
// CHECK-NEXT:    %y = loops.pointwise : tensor<3xf16> {
// CHECK-NEXT:      %[[V:.*]] = arith.constant -2.500000e+00 : f32
// CHECK-NEXT:      %[[T:.*]] = arith.truncf %[[V]] : f32 to f16
// CHECK-NEXT:      loops.yield %[[T]] : f16
func.func @pad_empty(%x: tensor<0xf16>) -> tensor<3xf16> {
  %y = tensor_graph.pad %x {low = [1], high = [2], value = -2.5} : tensor<0xf16> -> tensor<3xf16>
  func.return %y : tensor<3xf16>
}

// No padding: a copy, no select.
// CHECK-LABEL: func.func @pad_nothing
// CHECK-NEXT:    %y = loops.pointwise : tensor<2x3xi1> {
// CHECK-NEXT:      %[[X:.*]] = loops.load %x[d0, d1] : tensor<2x3xi1>
// CHECK-NEXT:      loops.yield %[[X]] : i1
// CHECK-NEXT:    }
func.func @pad_nothing(%x: tensor<2x3xi1>) -> tensor<2x3xi1> {
  %y = tensor_graph.pad %x {low = [0, 0], high = [0, 0], value = 1.0} : tensor<2x3xi1> -> tensor<2x3xi1>
  func.return %y : tensor<2x3xi1>
}

// gather: check every index first (outside [-7, 7) the call fails, naming the op);
// then load the index (i32 -> i64), wrap a negative one, clamp (no load out of
// bounds, whatever runs first), then load through syms(...).
// CHECK-LABEL: func.func @gather
// CHECK-NEXT:    loops.check_index %idx in [-7, 7) for "tensor_graph.gather" axis 1 : tensor<4x3xi32>
// CHECK-NEXT:    %y = loops.pointwise : tensor<2x4x3x5xf32> {
// CHECK-NEXT:      %[[I:.*]] = loops.load %idx[d1, d2] : tensor<4x3xi32>
// CHECK-NEXT:      %[[I64:.*]] = arith.extsi %[[I]] : i32 to i64
// CHECK-NEXT:      %[[ZERO:.*]] = arith.constant 0 : i64
// CHECK-NEXT:      %[[NEG:.*]] = arith.cmpi slt, %[[I64]], %[[ZERO]] : i64
// CHECK-NEXT:      %[[N:.*]] = arith.constant 7 : i64
// CHECK-NEXT:      %[[UP:.*]] = arith.addi %[[I64]], %[[N]] : i64
// CHECK-NEXT:      %[[W:.*]] = arith.select %[[NEG]], %[[UP]], %[[I64]] : i64
// CHECK-NEXT:      %[[LO:.*]] = arith.maxsi %[[W]], %[[ZERO]] : i64
// CHECK-NEXT:      %[[LAST:.*]] = arith.constant 6 : i64
// CHECK-NEXT:      %[[C:.*]] = arith.minsi %[[LO]], %[[LAST]] : i64
// CHECK-NEXT:      %[[V:.*]] = loops.load %x[d0, s0, d3] syms(%[[C]]) : tensor<2x7x5xf32>
// CHECK-NEXT:      loops.yield %[[V]] : f32
// CHECK-NEXT:    }
func.func @gather(%x: tensor<2x7x5xf32>, %idx: tensor<4x3xi32>) -> tensor<2x4x3x5xf32> {
  %y = tensor_graph.gather %x, %idx {axis = 1} : tensor<2x7x5xf32>, tensor<4x3xi32> -> tensor<2x4x3x5xf32>
  func.return %y : tensor<2x4x3x5xf32>
}

// Constant indices are checked while lowering: in range, no check at run time; one
// outside the range keeps the check (every call fails).
// CHECK-LABEL: func.func @gather_constant_indices
// CHECK-NOT:     loops.check_index
// CHECK:         func.return
// CHECK-LABEL: func.func @gather_constant_index_out_of_range
// CHECK:         loops.check_index %{{.*}} in [-3, 3) for "tensor_graph.gather" axis 0 : tensor<2xi64>
func.func @gather_constant_indices(%x: tensor<3x2xf32>) -> tensor<2x2xf32> {
  %i = tensor_graph.constant {value = dense<[2, -3]> : tensor<2xi64>} : tensor<2xi64>
  %y = tensor_graph.gather %x, %i {axis = 0} : tensor<3x2xf32>, tensor<2xi64> -> tensor<2x2xf32>
  func.return %y : tensor<2x2xf32>
}
func.func @gather_constant_index_out_of_range(%x: tensor<3x2xf32>) -> tensor<2x2xf32> {
  %i = tensor_graph.constant {value = dense<[2, 3]> : tensor<2xi64>} : tensor<2xi64>
  %y = tensor_graph.gather %x, %i {axis = 0} : tensor<3x2xf32>, tensor<2xi64> -> tensor<2x2xf32>
  func.return %y : tensor<2x2xf32>
}

// Gathering from a view reads the view's source at the gathered index.
// CHECK-LABEL: func.func @gather_transposed
// CHECK:         loops.load %x[s0, d0] syms(%{{.*}}) : tensor<6x3xf32>
func.func @gather_transposed(%x: tensor<6x3xf32>, %idx: tensor<2xi64>) -> tensor<3x2xf32> {
  %t = tensor_graph.transpose %x {perm = [1, 0]} : tensor<6x3xf32> -> tensor<3x6xf32>
  %y = tensor_graph.gather %t, %idx {axis = 1} : tensor<3x6xf32>, tensor<2xi64> -> tensor<3x2xf32>
  func.return %y : tensor<3x2xf32>
}
