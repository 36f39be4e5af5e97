// RUN: stepwell-opt %s -p convert-tensor_graph-to-loops | filecheck %s

// Every elementwise op is one loops.pointwise; f16/bf16 are extended after the
// load, computed in f32 and truncated before the yield.

// CHECK-LABEL: func.func @unary_f16
// CHECK-NEXT:    %y = loops.pointwise : tensor<7xf16> {
// CHECK-NEXT:      %[[L:.*]] = loops.load %x[d0] : tensor<7xf16>
// CHECK-NEXT:      %[[E:.*]] = arith.extf %[[L]] : f16 to f32
// CHECK-NEXT:      %[[R:.*]] = math.exp %[[E]] : f32
// CHECK-NEXT:      %[[T:.*]] = arith.truncf %[[R]] : f32 to f16
// CHECK-NEXT:      loops.yield %[[T]] : f16
// CHECK-NEXT:    }
func.func @unary_f16(%x: tensor<7xf16>) -> tensor<7xf16> {
  %y = tensor_graph.exp %x : tensor<7xf16>
  func.return %y : tensor<7xf16>
}

// CHECK-LABEL: func.func @unary_float
// CHECK:         math.absf
// CHECK:         math.exp2
// CHECK:         math.log
// CHECK:         math.log2
// CHECK:         math.sqrt
// CHECK:         math.rsqrt
// CHECK:         %[[ONE:.*]] = arith.constant 1.000000e+00 : f64
// CHECK-NEXT:    arith.divf %[[ONE]], %{{.*}} : f64
// CHECK:         math.tanh
// CHECK:         math.sin
// CHECK:         math.cos
// CHECK:         math.erf
// CHECK:         math.floor
// CHECK:         math.ceil
// CHECK:         math.roundeven
// CHECK:         arith.negf
func.func @unary_float(%x: tensor<3xf64>) -> tensor<3xf64> {
  %0 = tensor_graph.abs %x : tensor<3xf64>
  %1 = tensor_graph.exp2 %0 : tensor<3xf64>
  %2 = tensor_graph.log %1 : tensor<3xf64>
  %3 = tensor_graph.log2 %2 : tensor<3xf64>
  %4 = tensor_graph.sqrt %3 : tensor<3xf64>
  %5 = tensor_graph.rsqrt %4 : tensor<3xf64>
  %6 = tensor_graph.reciprocal %5 : tensor<3xf64>
  %7 = tensor_graph.tanh %6 : tensor<3xf64>
  %8 = tensor_graph.sin %7 : tensor<3xf64>
  %9 = tensor_graph.cos %8 : tensor<3xf64>
  %10 = tensor_graph.erf %9 : tensor<3xf64>
  %11 = tensor_graph.floor %10 : tensor<3xf64>
  %12 = tensor_graph.ceil %11 : tensor<3xf64>
  %13 = tensor_graph.round %12 : tensor<3xf64>
  %14 = tensor_graph.neg %13 : tensor<3xf64>
  func.return %14 : tensor<3xf64>
}

// sign: 1, -1, +0 for +-0, NaN stays NaN.
// CHECK-LABEL: func.func @sign_f32
// CHECK:         %[[X:.*]] = loops.load %x[d0] : tensor<4xf32>
// CHECK-DAG:     %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-DAG:     %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK-DAG:     %[[MINUS:.*]] = arith.constant -1.000000e+00 : f32
// CHECK:         %[[NAN:.*]] = arith.cmpf uno, %[[X]], %[[X]] : f32
// CHECK-NEXT:    %[[A:.*]] = arith.select %[[NAN]], %[[X]], %[[ZERO]] : f32
// CHECK-NEXT:    %[[LT:.*]] = arith.cmpf olt, %[[X]], %[[ZERO]] : f32
// CHECK-NEXT:    %[[B:.*]] = arith.select %[[LT]], %[[MINUS]], %[[A]] : f32
// CHECK-NEXT:    %[[GT:.*]] = arith.cmpf ogt, %[[X]], %[[ZERO]] : f32
// CHECK-NEXT:    %[[C:.*]] = arith.select %[[GT]], %[[ONE]], %[[B]] : f32
// CHECK-NEXT:    loops.yield %[[C]] : f32
func.func @sign_f32(%x: tensor<4xf32>) -> tensor<4xf32> {
  %y = tensor_graph.sign %x : tensor<4xf32>
  func.return %y : tensor<4xf32>
}

// CHECK-LABEL: func.func @unary_int
// CHECK:         %[[ZERO:.*]] = arith.constant 0 : i8
// CHECK-NEXT:    arith.subi %[[ZERO]], %{{.*}} : i8
// CHECK:         math.absi %{{.*}} : i8
// CHECK:         arith.cmpi slt
// CHECK:         arith.cmpi sgt
// CHECK:         %[[TRUE:.*]] = arith.constant true
// CHECK-NEXT:    arith.xori %{{.*}}, %[[TRUE]] : i1
func.func @unary_int(%x: tensor<5xi8>, %b: tensor<5xi1>) -> (tensor<5xi8>, tensor<5xi1>) {
  %n = tensor_graph.neg %x : tensor<5xi8>
  %a = tensor_graph.abs %n : tensor<5xi8>
  %s = tensor_graph.sign %a : tensor<5xi8>
  %nb = tensor_graph.not %b : tensor<5xi1>
  func.return %s, %nb : tensor<5xi8>, tensor<5xi1>
}

// Binary ops broadcast through their loads.
// CHECK-LABEL: func.func @binary_float
// CHECK:         %[[A:.*]] = loops.load %a[d0, d1] : tensor<3x5xf32>
// CHECK-NEXT:    %[[B:.*]] = loops.load %b[d1] : tensor<5xf32>
// CHECK-NEXT:    arith.addf %[[A]], %[[B]] : f32
// CHECK:         arith.subf
// CHECK:         arith.mulf
// CHECK:         arith.divf
// CHECK:         math.powf
// CHECK:         arith.maximumf
// CHECK:         arith.minimumf
func.func @binary_float(%a: tensor<3x5xf32>, %b: tensor<5xf32>) -> tensor<3x5xf32> {
  %0 = tensor_graph.add %a, %b : tensor<3x5xf32>, tensor<5xf32> -> tensor<3x5xf32>
  %1 = tensor_graph.sub %0, %b : tensor<3x5xf32>, tensor<5xf32> -> tensor<3x5xf32>
  %2 = tensor_graph.mul %1, %b : tensor<3x5xf32>, tensor<5xf32> -> tensor<3x5xf32>
  %3 = tensor_graph.div %2, %b : tensor<3x5xf32>, tensor<5xf32> -> tensor<3x5xf32>
  %4 = tensor_graph.pow %3, %b : tensor<3x5xf32>, tensor<5xf32> -> tensor<3x5xf32>
  %5 = tensor_graph.max %4, %b : tensor<3x5xf32>, tensor<5xf32> -> tensor<3x5xf32>
  %6 = tensor_graph.min %5, %b : tensor<3x5xf32>, tensor<5xf32> -> tensor<3x5xf32>
  func.return %6 : tensor<3x5xf32>
}

// CHECK-LABEL: func.func @binary_int
// CHECK:         arith.addi
// CHECK:         arith.subi
// CHECK:         arith.muli
// CHECK:         arith.maxsi
// CHECK:         arith.minsi
func.func @binary_int(%a: tensor<4x1xi64>, %b: tensor<1x3xi64>) -> tensor<4x3xi64> {
  %0 = tensor_graph.add %a, %b : tensor<4x1xi64>, tensor<1x3xi64> -> tensor<4x3xi64>
  %1 = tensor_graph.sub %0, %b : tensor<4x3xi64>, tensor<1x3xi64> -> tensor<4x3xi64>
  %2 = tensor_graph.mul %1, %a : tensor<4x3xi64>, tensor<4x1xi64> -> tensor<4x3xi64>
  %3 = tensor_graph.max %2, %a : tensor<4x3xi64>, tensor<4x1xi64> -> tensor<4x3xi64>
  %4 = tensor_graph.min %3, %b : tensor<4x3xi64>, tensor<1x3xi64> -> tensor<4x3xi64>
  func.return %4 : tensor<4x3xi64>
}

// Integer division rounds toward zero with no undefined arith.divsi: x / 0 = 0,
// MIN / -1 = MIN.
// CHECK-LABEL: func.func @div_int
// CHECK:         %[[A:.*]] = loops.load %a[d0] : tensor<6xi32>
// CHECK-NEXT:    %[[B:.*]] = loops.load %b[d0] : tensor<6xi32>
// CHECK-NEXT:    %[[ZERO:.*]] = arith.constant 0 : i32
// CHECK-NEXT:    %[[ONE:.*]] = arith.constant 1 : i32
// CHECK-NEXT:    %[[MINUS:.*]] = arith.constant -1 : i32
// CHECK-NEXT:    %[[BYZERO:.*]] = arith.cmpi eq, %[[B]], %[[ZERO]] : i32
// CHECK-NEXT:    %[[BYMINUS:.*]] = arith.cmpi eq, %[[B]], %[[MINUS]] : i32
// CHECK-NEXT:    %[[BAD:.*]] = arith.ori %[[BYZERO]], %[[BYMINUS]] : i1
// CHECK-NEXT:    %[[SAFE:.*]] = arith.select %[[BAD]], %[[ONE]], %[[B]] : i32
// CHECK-NEXT:    %[[Q:.*]] = arith.divsi %[[A]], %[[SAFE]] : i32
// CHECK-NEXT:    %[[NEG:.*]] = arith.subi %[[ZERO]], %[[A]] : i32
// CHECK-NEXT:    %[[Q2:.*]] = arith.select %[[BYMINUS]], %[[NEG]], %[[Q]] : i32
// CHECK-NEXT:    %[[Q3:.*]] = arith.select %[[BYZERO]], %[[ZERO]], %[[Q2]] : i32
// CHECK-NEXT:    loops.yield %[[Q3]] : i32
func.func @div_int(%a: tensor<6xi32>, %b: tensor<6xi32>) -> tensor<6xi32> {
  %y = tensor_graph.div %a, %b : tensor<6xi32>
  func.return %y : tensor<6xi32>
}

// Integer pow: math.ipowi with a non-negative exponent; a negative one gives the
// power rounded toward zero (1 for base 1, +-1 for base -1, else 0).
// CHECK-LABEL: func.func @pow_int
// CHECK:         %[[X:.*]] = loops.load %x[d0] : tensor<6xi8>
// CHECK-NEXT:    %[[E:.*]] = loops.load %e[d0] : tensor<6xi8>
// CHECK-NEXT:    %[[ZERO:.*]] = arith.constant 0 : i8
// CHECK-NEXT:    %[[ONE:.*]] = arith.constant 1 : i8
// CHECK-NEXT:    %[[MINUS:.*]] = arith.constant -1 : i8
// CHECK-NEXT:    %[[EPOS:.*]] = arith.maxsi %[[E]], %[[ZERO]] : i8
// CHECK-NEXT:    %[[P:.*]] = math.ipowi %[[X]], %[[EPOS]] : i8
// CHECK-NEXT:    %[[BIT:.*]] = arith.andi %[[E]], %[[ONE]] : i8
// CHECK-NEXT:    %[[ODD:.*]] = arith.cmpi ne, %[[BIT]], %[[ZERO]] : i8
// CHECK-NEXT:    %[[PM:.*]] = arith.select %[[ODD]], %[[MINUS]], %[[ONE]] : i8
// CHECK-NEXT:    %[[ISM:.*]] = arith.cmpi eq, %[[X]], %[[MINUS]] : i8
// CHECK-NEXT:    %[[N1:.*]] = arith.select %[[ISM]], %[[PM]], %[[ZERO]] : i8
// CHECK-NEXT:    %[[IS1:.*]] = arith.cmpi eq, %[[X]], %[[ONE]] : i8
// CHECK-NEXT:    %[[N2:.*]] = arith.select %[[IS1]], %[[ONE]], %[[N1]] : i8
// CHECK-NEXT:    %[[NEG:.*]] = arith.cmpi slt, %[[E]], %[[ZERO]] : i8
// CHECK-NEXT:    %[[R:.*]] = arith.select %[[NEG]], %[[N2]], %[[P]] : i8
// CHECK-NEXT:    loops.yield %[[R]] : i8
func.func @pow_int(%x: tensor<6xi8>, %e: tensor<6xi8>) -> tensor<6xi8> {
  %y = tensor_graph.pow %x, %e : tensor<6xi8>
  func.return %y : tensor<6xi8>
}

// i1: max/min are or/and, comparisons are unsigned (false < true).
// CHECK-LABEL: func.func @bool_ops
// CHECK:         arith.andi %{{.*}}, %{{.*}} : i1
// CHECK:         arith.ori %{{.*}}, %{{.*}} : i1
// CHECK:         arith.xori %{{.*}}, %{{.*}} : i1
// CHECK:         arith.ori %{{.*}}, %{{.*}} : i1
// CHECK:         arith.andi %{{.*}}, %{{.*}} : i1
// CHECK:         arith.cmpi ult, %{{.*}}, %{{.*}} : i1
// CHECK:         arith.cmpi uge, %{{.*}}, %{{.*}} : i1
func.func @bool_ops(%p: tensor<4xi1>, %q: tensor<4xi1>) -> tensor<4xi1> {
  %0 = tensor_graph.and %p, %q : tensor<4xi1>
  %1 = tensor_graph.or %0, %q : tensor<4xi1>
  %2 = tensor_graph.xor %1, %q : tensor<4xi1>
  %3 = tensor_graph.max %2, %q : tensor<4xi1>
  %4 = tensor_graph.min %3, %q : tensor<4xi1>
  %5 = tensor_graph.cmp %4, %q {predicate = "lt"} : tensor<4xi1>, tensor<4xi1> -> tensor<4xi1>
  %6 = tensor_graph.cmp %5, %q {predicate = "ge"} : tensor<4xi1>, tensor<4xi1> -> tensor<4xi1>
  func.return %6 : tensor<4xi1>
}

// Float comparisons are ordered, except "ne" (true for NaN, as numpy).
// CHECK-LABEL: func.func @cmp
// CHECK:         arith.cmpf oeq
// CHECK:         arith.cmpf une
// CHECK:         arith.cmpf olt
// CHECK:         arith.cmpf ole
// CHECK:         arith.cmpf ogt
// CHECK:         arith.cmpf oge
// CHECK:         arith.cmpi sle, %{{.*}}, %{{.*}} : i32
func.func @cmp(%a: tensor<3xbf16>, %b: tensor<3xbf16>, %i: tensor<3xi32>) -> tensor<3xi1> {
  %0 = tensor_graph.cmp %a, %b {predicate = "eq"} : tensor<3xbf16>, tensor<3xbf16> -> tensor<3xi1>
  %1 = tensor_graph.cmp %a, %b {predicate = "ne"} : tensor<3xbf16>, tensor<3xbf16> -> tensor<3xi1>
  %2 = tensor_graph.cmp %a, %b {predicate = "lt"} : tensor<3xbf16>, tensor<3xbf16> -> tensor<3xi1>
  %3 = tensor_graph.cmp %a, %b {predicate = "le"} : tensor<3xbf16>, tensor<3xbf16> -> tensor<3xi1>
  %4 = tensor_graph.cmp %a, %b {predicate = "gt"} : tensor<3xbf16>, tensor<3xbf16> -> tensor<3xi1>
  %5 = tensor_graph.cmp %a, %b {predicate = "ge"} : tensor<3xbf16>, tensor<3xbf16> -> tensor<3xi1>
  %6 = tensor_graph.cmp %i, %i {predicate = "le"} : tensor<3xi32>, tensor<3xi32> -> tensor<3xi1>
  func.return %6 : tensor<3xi1>
}

// select broadcasts all three operands.
// CHECK-LABEL: func.func @select
// CHECK-NEXT:    %y = loops.pointwise : tensor<2x3xf16> {
// CHECK-NEXT:      %[[C:.*]] = loops.load %c[d1] : tensor<3xi1>
// CHECK-NEXT:      %[[A:.*]] = loops.load %a[d0, d1] : tensor<2x3xf16>
// CHECK-NEXT:      %[[AE:.*]] = arith.extf %[[A]] : f16 to f32
// CHECK-NEXT:      %[[B:.*]] = loops.load %b[d0, 0] : tensor<2x1xf16>
// CHECK-NEXT:      %[[BE:.*]] = arith.extf %[[B]] : f16 to f32
// CHECK-NEXT:      %[[S:.*]] = arith.select %[[C]], %[[AE]], %[[BE]] : f32
// CHECK-NEXT:      %[[T:.*]] = arith.truncf %[[S]] : f32 to f16
// CHECK-NEXT:      loops.yield %[[T]] : f16
func.func @select(%c: tensor<3xi1>, %a: tensor<2x3xf16>, %b: tensor<2x1xf16>) -> tensor<2x3xf16> {
  %y = tensor_graph.select %c, %a, %b : tensor<3xi1>, tensor<2x3xf16>, tensor<2x1xf16> -> tensor<2x3xf16>
  func.return %y : tensor<2x3xf16>
}
