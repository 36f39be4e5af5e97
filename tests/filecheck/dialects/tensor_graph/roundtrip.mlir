// Every tensor_graph op, written in the spec's generic form: it parses, verifies,
// prints in the custom form (CHECK), and the custom form parses back to the same
// generic form (the diff in the second RUN line).
// RUN: stepwell-opt %s | filecheck %s
// RUN: stepwell-opt %s --mlir-print-op-generic > %t.direct
// RUN: stepwell-opt %s | stepwell-opt --mlir-print-op-generic > %t.roundtrip
// RUN: diff %t.direct %t.roundtrip

// CHECK-LABEL: func.func @unary
func.func @unary(%x: tensor<3x5xf32>, %i: tensor<3x5xi32>, %b: tensor<3x5xi1>, %h: tensor<3x5xf16>, %bf: tensor<3x5xbf16>, %d: tensor<3x5xf64>, %i8: tensor<3x5xi8>, %l: tensor<3x5xi64>) -> tensor<3x5xf32> {
  %neg = "tensor_graph.neg"(%x) : (tensor<3x5xf32>) -> tensor<3x5xf32>
  // CHECK-NEXT: %neg = tensor_graph.neg %x : tensor<3x5xf32>
  %abs = "tensor_graph.abs"(%x) : (tensor<3x5xf32>) -> tensor<3x5xf32>
  // CHECK-NEXT: %abs = tensor_graph.abs %x : tensor<3x5xf32>
  %exp = "tensor_graph.exp"(%x) : (tensor<3x5xf32>) -> tensor<3x5xf32>
  // CHECK-NEXT: %exp = tensor_graph.exp %x : tensor<3x5xf32>
  %exp2 = "tensor_graph.exp2"(%x) : (tensor<3x5xf32>) -> tensor<3x5xf32>
  // CHECK-NEXT: %exp2 = tensor_graph.exp2 %x : tensor<3x5xf32>
  %log = "tensor_graph.log"(%x) : (tensor<3x5xf32>) -> tensor<3x5xf32>
  // CHECK-NEXT: %log = tensor_graph.log %x : tensor<3x5xf32>
  %log2 = "tensor_graph.log2"(%x) : (tensor<3x5xf32>) -> tensor<3x5xf32>
  // CHECK-NEXT: %log2 = tensor_graph.log2 %x : tensor<3x5xf32>
  %sqrt = "tensor_graph.sqrt"(%x) : (tensor<3x5xf32>) -> tensor<3x5xf32>
  // CHECK-NEXT: %sqrt = tensor_graph.sqrt %x : tensor<3x5xf32>
  %rsqrt = "tensor_graph.rsqrt"(%x) : (tensor<3x5xf32>) -> tensor<3x5xf32>
  // CHECK-NEXT: %rsqrt = tensor_graph.rsqrt %x : tensor<3x5xf32>
  %reciprocal = "tensor_graph.reciprocal"(%x) : (tensor<3x5xf32>) -> tensor<3x5xf32>
  // CHECK-NEXT: %reciprocal = tensor_graph.reciprocal %x : tensor<3x5xf32>
  %tanh = "tensor_graph.tanh"(%x) : (tensor<3x5xf32>) -> tensor<3x5xf32>
  // CHECK-NEXT: %tanh = tensor_graph.tanh %x : tensor<3x5xf32>
  %sin = "tensor_graph.sin"(%x) : (tensor<3x5xf32>) -> tensor<3x5xf32>
  // CHECK-NEXT: %sin = tensor_graph.sin %x : tensor<3x5xf32>
  %cos = "tensor_graph.cos"(%x) : (tensor<3x5xf32>) -> tensor<3x5xf32>
  // CHECK-NEXT: %cos = tensor_graph.cos %x : tensor<3x5xf32>
  %erf = "tensor_graph.erf"(%x) : (tensor<3x5xf32>) -> tensor<3x5xf32>
  // CHECK-NEXT: %erf = tensor_graph.erf %x : tensor<3x5xf32>
  %floor = "tensor_graph.floor"(%x) : (tensor<3x5xf32>) -> tensor<3x5xf32>
  // CHECK-NEXT: %floor = tensor_graph.floor %x : tensor<3x5xf32>
  %ceil = "tensor_graph.ceil"(%x) : (tensor<3x5xf32>) -> tensor<3x5xf32>
  // CHECK-NEXT: %ceil = tensor_graph.ceil %x : tensor<3x5xf32>
  %sign = "tensor_graph.sign"(%x) : (tensor<3x5xf32>) -> tensor<3x5xf32>
  // CHECK-NEXT: %sign = tensor_graph.sign %x : tensor<3x5xf32>
  %round = "tensor_graph.round"(%x) : (tensor<3x5xf32>) -> tensor<3x5xf32>
  // CHECK-NEXT: %round = tensor_graph.round %x : tensor<3x5xf32>
  %sigmoid = "tensor_graph.sigmoid"(%x) : (tensor<3x5xf32>) -> tensor<3x5xf32>
  // CHECK-NEXT: %sigmoid = tensor_graph.sigmoid %x : tensor<3x5xf32>
  %relu = "tensor_graph.relu"(%x) : (tensor<3x5xf32>) -> tensor<3x5xf32>
  // CHECK-NEXT: %relu = tensor_graph.relu %x : tensor<3x5xf32>
  %silu = "tensor_graph.silu"(%x) : (tensor<3x5xf32>) -> tensor<3x5xf32>
  // CHECK-NEXT: %silu = tensor_graph.silu %x : tensor<3x5xf32>
  %negi = "tensor_graph.neg"(%i) : (tensor<3x5xi32>) -> tensor<3x5xi32>
  // CHECK-NEXT: %negi = tensor_graph.neg %i : tensor<3x5xi32>
  %absi8 = "tensor_graph.abs"(%i8) : (tensor<3x5xi8>) -> tensor<3x5xi8>
  // CHECK-NEXT: %absi8 = tensor_graph.abs %i8 : tensor<3x5xi8>
  %signl = "tensor_graph.sign"(%l) : (tensor<3x5xi64>) -> tensor<3x5xi64>
  // CHECK-NEXT: %signl = tensor_graph.sign %l : tensor<3x5xi64>
  %exph = "tensor_graph.exp"(%h) : (tensor<3x5xf16>) -> tensor<3x5xf16>
  // CHECK-NEXT: %exph = tensor_graph.exp %h : tensor<3x5xf16>
  %expbf = "tensor_graph.exp"(%bf) : (tensor<3x5xbf16>) -> tensor<3x5xbf16>
  // CHECK-NEXT: %expbf = tensor_graph.exp %bf : tensor<3x5xbf16>
  %expd = "tensor_graph.exp"(%d) : (tensor<3x5xf64>) -> tensor<3x5xf64>
  // CHECK-NEXT: %expd = tensor_graph.exp %d : tensor<3x5xf64>
  %gelu = "tensor_graph.gelu"(%x) <{approximate = "none"}> : (tensor<3x5xf32>) -> tensor<3x5xf32>
  // CHECK-NEXT: %gelu = tensor_graph.gelu %x {approximate = "none"} : tensor<3x5xf32>
  %gelut = "tensor_graph.gelu"(%x) <{approximate = "tanh"}> : (tensor<3x5xf32>) -> tensor<3x5xf32>
  // CHECK-NEXT: %gelut = tensor_graph.gelu %x {approximate = "tanh"} : tensor<3x5xf32>
  %clamp = "tensor_graph.clamp"(%x) <{min = -1.0 : f64, max = 6.0 : f64}> : (tensor<3x5xf32>) -> tensor<3x5xf32>
  // CHECK-NEXT: %clamp = tensor_graph.clamp %x {min = -1.000000e+00, max = 6.000000e+00} : tensor<3x5xf32>
  %clampinf = "tensor_graph.clamp"(%x) <{min = 0xFFF0000000000000 : f64, max = 6.0 : f64}> : (tensor<3x5xf32>) -> tensor<3x5xf32>
  // CHECK-NEXT: %clampinf = tensor_graph.clamp %x {min = 0xfff0000000000000 : f64, max = 6.000000e+00} : tensor<3x5xf32>
  %clampinv = "tensor_graph.clamp"(%x) <{min = 2.0 : f64, max = 1.0 : f64}> : (tensor<3x5xf32>) -> tensor<3x5xf32>
  // CHECK-NEXT: %clampinv = tensor_graph.clamp %x {min = 2.000000e+00, max = 1.000000e+00} : tensor<3x5xf32>
  %not = "tensor_graph.not"(%b) : (tensor<3x5xi1>) -> tensor<3x5xi1>
  // CHECK-NEXT: %not = tensor_graph.not %b : tensor<3x5xi1>
  func.return %neg : tensor<3x5xf32>
}

// CHECK-LABEL: func.func @binary
func.func @binary(%a: tensor<3x5xf32>, %r: tensor<5xf32>, %c: tensor<3x1xf32>, %s: tensor<f32>, %i: tensor<4x1xi32>, %j: tensor<7xi32>, %p: tensor<3x5xi1>, %q: tensor<5xi1>) -> tensor<3x5xf32> {
  %add = "tensor_graph.add"(%a, %r) : (tensor<3x5xf32>, tensor<5xf32>) -> tensor<3x5xf32>
  // CHECK-NEXT: %add = tensor_graph.add %a, %r : tensor<3x5xf32>, tensor<5xf32> -> tensor<3x5xf32>
  %sub = "tensor_graph.sub"(%a, %r) : (tensor<3x5xf32>, tensor<5xf32>) -> tensor<3x5xf32>
  // CHECK-NEXT: %sub = tensor_graph.sub %a, %r : tensor<3x5xf32>, tensor<5xf32> -> tensor<3x5xf32>
  %mul = "tensor_graph.mul"(%a, %r) : (tensor<3x5xf32>, tensor<5xf32>) -> tensor<3x5xf32>
  // CHECK-NEXT: %mul = tensor_graph.mul %a, %r : tensor<3x5xf32>, tensor<5xf32> -> tensor<3x5xf32>
  %div = "tensor_graph.div"(%a, %r) : (tensor<3x5xf32>, tensor<5xf32>) -> tensor<3x5xf32>
  // CHECK-NEXT: %div = tensor_graph.div %a, %r : tensor<3x5xf32>, tensor<5xf32> -> tensor<3x5xf32>
  %pow = "tensor_graph.pow"(%a, %r) : (tensor<3x5xf32>, tensor<5xf32>) -> tensor<3x5xf32>
  // CHECK-NEXT: %pow = tensor_graph.pow %a, %r : tensor<3x5xf32>, tensor<5xf32> -> tensor<3x5xf32>
  %max = "tensor_graph.max"(%a, %r) : (tensor<3x5xf32>, tensor<5xf32>) -> tensor<3x5xf32>
  // CHECK-NEXT: %max = tensor_graph.max %a, %r : tensor<3x5xf32>, tensor<5xf32> -> tensor<3x5xf32>
  %min = "tensor_graph.min"(%a, %r) : (tensor<3x5xf32>, tensor<5xf32>) -> tensor<3x5xf32>
  // CHECK-NEXT: %min = tensor_graph.min %a, %r : tensor<3x5xf32>, tensor<5xf32> -> tensor<3x5xf32>
  %outer = "tensor_graph.add"(%c, %r) : (tensor<3x1xf32>, tensor<5xf32>) -> tensor<3x5xf32>
  // CHECK-NEXT: %outer = tensor_graph.add %c, %r : tensor<3x1xf32>, tensor<5xf32> -> tensor<3x5xf32>
  %scalar = "tensor_graph.mul"(%a, %s) : (tensor<3x5xf32>, tensor<f32>) -> tensor<3x5xf32>
  // CHECK-NEXT: %scalar = tensor_graph.mul %a, %s : tensor<3x5xf32>, tensor<f32> -> tensor<3x5xf32>
  %same = "tensor_graph.sub"(%a, %a) : (tensor<3x5xf32>, tensor<3x5xf32>) -> tensor<3x5xf32>
  // CHECK-NEXT: %same = tensor_graph.sub %a, %a : tensor<3x5xf32>
  %idiv = "tensor_graph.div"(%i, %j) : (tensor<4x1xi32>, tensor<7xi32>) -> tensor<4x7xi32>
  // CHECK-NEXT: %idiv = tensor_graph.div %i, %j : tensor<4x1xi32>, tensor<7xi32> -> tensor<4x7xi32>
  %ipow = "tensor_graph.pow"(%i, %j) : (tensor<4x1xi32>, tensor<7xi32>) -> tensor<4x7xi32>
  // CHECK-NEXT: %ipow = tensor_graph.pow %i, %j : tensor<4x1xi32>, tensor<7xi32> -> tensor<4x7xi32>
  %and = "tensor_graph.and"(%p, %q) : (tensor<3x5xi1>, tensor<5xi1>) -> tensor<3x5xi1>
  // CHECK-NEXT: %and = tensor_graph.and %p, %q : tensor<3x5xi1>, tensor<5xi1> -> tensor<3x5xi1>
  %or = "tensor_graph.or"(%p, %q) : (tensor<3x5xi1>, tensor<5xi1>) -> tensor<3x5xi1>
  // CHECK-NEXT: %or = tensor_graph.or %p, %q : tensor<3x5xi1>, tensor<5xi1> -> tensor<3x5xi1>
  %xor = "tensor_graph.xor"(%p, %q) : (tensor<3x5xi1>, tensor<5xi1>) -> tensor<3x5xi1>
  // CHECK-NEXT: %xor = tensor_graph.xor %p, %q : tensor<3x5xi1>, tensor<5xi1> -> tensor<3x5xi1>
  %cmp_eq = "tensor_graph.cmp"(%a, %r) <{predicate = "eq"}> : (tensor<3x5xf32>, tensor<5xf32>) -> tensor<3x5xi1>
  // CHECK-NEXT: %cmp_eq = tensor_graph.cmp %a, %r {predicate = "eq"} : tensor<3x5xf32>, tensor<5xf32> -> tensor<3x5xi1>
  %cmp_ne = "tensor_graph.cmp"(%a, %r) <{predicate = "ne"}> : (tensor<3x5xf32>, tensor<5xf32>) -> tensor<3x5xi1>
  // CHECK-NEXT: %cmp_ne = tensor_graph.cmp %a, %r {predicate = "ne"} : tensor<3x5xf32>, tensor<5xf32> -> tensor<3x5xi1>
  %cmp_lt = "tensor_graph.cmp"(%a, %r) <{predicate = "lt"}> : (tensor<3x5xf32>, tensor<5xf32>) -> tensor<3x5xi1>
  // CHECK-NEXT: %cmp_lt = tensor_graph.cmp %a, %r {predicate = "lt"} : tensor<3x5xf32>, tensor<5xf32> -> tensor<3x5xi1>
  %cmp_le = "tensor_graph.cmp"(%a, %r) <{predicate = "le"}> : (tensor<3x5xf32>, tensor<5xf32>) -> tensor<3x5xi1>
  // CHECK-NEXT: %cmp_le = tensor_graph.cmp %a, %r {predicate = "le"} : tensor<3x5xf32>, tensor<5xf32> -> tensor<3x5xi1>
  %cmp_gt = "tensor_graph.cmp"(%a, %r) <{predicate = "gt"}> : (tensor<3x5xf32>, tensor<5xf32>) -> tensor<3x5xi1>
  // CHECK-NEXT: %cmp_gt = tensor_graph.cmp %a, %r {predicate = "gt"} : tensor<3x5xf32>, tensor<5xf32> -> tensor<3x5xi1>
  %cmp_ge = "tensor_graph.cmp"(%a, %r) <{predicate = "ge"}> : (tensor<3x5xf32>, tensor<5xf32>) -> tensor<3x5xi1>
  // CHECK-NEXT: %cmp_ge = tensor_graph.cmp %a, %r {predicate = "ge"} : tensor<3x5xf32>, tensor<5xf32> -> tensor<3x5xi1>
  %icmp = "tensor_graph.cmp"(%i, %j) <{predicate = "lt"}> : (tensor<4x1xi32>, tensor<7xi32>) -> tensor<4x7xi1>
  // CHECK-NEXT: %icmp = tensor_graph.cmp %i, %j {predicate = "lt"} : tensor<4x1xi32>, tensor<7xi32> -> tensor<4x7xi1>
  %select = "tensor_graph.select"(%q, %a, %s) : (tensor<5xi1>, tensor<3x5xf32>, tensor<f32>) -> tensor<3x5xf32>
  // CHECK-NEXT: %select = tensor_graph.select %q, %a, %s : tensor<5xi1>, tensor<3x5xf32>, tensor<f32> -> tensor<3x5xf32>
  func.return %add : tensor<3x5xf32>
}

// CHECK-LABEL: func.func @shape
func.func @shape(%x: tensor<2x3x4xf32>, %v: tensor<4xf32>, %ix: tensor<5x2xi64>, %iy: tensor<6xi32>) -> tensor<24xf32> {
  %cast = "tensor_graph.cast"(%x) : (tensor<2x3x4xf32>) -> tensor<2x3x4xi32>
  // CHECK-NEXT: %cast = tensor_graph.cast %x : tensor<2x3x4xf32> -> tensor<2x3x4xi32>
  %castb = "tensor_graph.cast"(%x) : (tensor<2x3x4xf32>) -> tensor<2x3x4xbf16>
  // CHECK-NEXT: %castb = tensor_graph.cast %x : tensor<2x3x4xf32> -> tensor<2x3x4xbf16>
  %cast1 = "tensor_graph.cast"(%x) : (tensor<2x3x4xf32>) -> tensor<2x3x4xi1>
  // CHECK-NEXT: %cast1 = tensor_graph.cast %x : tensor<2x3x4xf32> -> tensor<2x3x4xi1>
  %cf32 = "tensor_graph.constant"() <{value = dense<[1.5, -2.0]> : tensor<2xf32>}> : () -> tensor<2xf32>
  // CHECK-NEXT: %cf32 = tensor_graph.constant {value = dense<[1.500000e+00, -2.000000e+00]> : tensor<2xf32>} : tensor<2xf32>
  %cf16 = "tensor_graph.constant"() <{value = dense<0.5> : tensor<2x2xf16>}> : () -> tensor<2x2xf16>
  // CHECK-NEXT: %cf16 = tensor_graph.constant {value = dense<5.000000e-01> : tensor<2x2xf16>} : tensor<2x2xf16>
  %cbf16 = "tensor_graph.constant"() <{value = dense<[[1.0], [2.0]]> : tensor<2x1xbf16>}> : () -> tensor<2x1xbf16>
  // CHECK-NEXT: %cbf16 = tensor_graph.constant {value = dense<[[1.000000e+00], [2.000000e+00]]> : tensor<2x1xbf16>} : tensor<2x1xbf16>
  %cf64 = "tensor_graph.constant"() <{value = dense<0xFFF0000000000000> : tensor<f64>}> : () -> tensor<f64>
  // CHECK-NEXT: %cf64 = tensor_graph.constant {value = dense<0xfff0000000000000> : tensor<f64>} : tensor<f64>
  %ci8 = "tensor_graph.constant"() <{value = dense<[-128, 127]> : tensor<2xi8>}> : () -> tensor<2xi8>
  // CHECK-NEXT: %ci8 = tensor_graph.constant {value = dense<[-128, 127]> : tensor<2xi8>} : tensor<2xi8>
  %ci32 = "tensor_graph.constant"() <{value = dense<7> : tensor<3xi32>}> : () -> tensor<3xi32>
  // CHECK-NEXT: %ci32 = tensor_graph.constant {value = dense<7> : tensor<3xi32>} : tensor<3xi32>
  %ci64 = "tensor_graph.constant"() <{value = dense<[1, 2, 3]> : tensor<3xi64>}> : () -> tensor<3xi64>
  // CHECK-NEXT: %ci64 = tensor_graph.constant {value = dense<[1, 2, 3]> : tensor<3xi64>} : tensor<3xi64>
  %ci1 = "tensor_graph.constant"() <{value = dense<[true, false]> : tensor<2xi1>}> : () -> tensor<2xi1>
  // CHECK-NEXT: %ci1 = tensor_graph.constant {value = dense<[true, false]> : tensor<2xi1>} : tensor<2xi1>
  %iota = "tensor_graph.iota"() <{dim = 1 : i64}> : () -> tensor<3x4xi64>
  // CHECK-NEXT: %iota = tensor_graph.iota {dim = 1} : tensor<3x4xi64>
  %iotaf = "tensor_graph.iota"() <{dim = -1 : i64}> : () -> tensor<5xf32>
  // CHECK-NEXT: %iotaf = tensor_graph.iota {dim = -1} : tensor<5xf32>
  %bc = "tensor_graph.broadcast_to"(%v) : (tensor<4xf32>) -> tensor<2x3x4xf32>
  // CHECK-NEXT: %bc = tensor_graph.broadcast_to %v : tensor<4xf32> -> tensor<2x3x4xf32>
  %reshape = "tensor_graph.reshape"(%x) : (tensor<2x3x4xf32>) -> tensor<24xf32>
  // CHECK-NEXT: %reshape = tensor_graph.reshape %x : tensor<2x3x4xf32> -> tensor<24xf32>
  %transpose = "tensor_graph.transpose"(%x) <{perm = array<i64: 2, 0, 1>}> : (tensor<2x3x4xf32>) -> tensor<4x2x3xf32>
  // CHECK-NEXT: %transpose = tensor_graph.transpose %x {perm = [2, 0, 1]} : tensor<2x3x4xf32> -> tensor<4x2x3xf32>
  %slice = "tensor_graph.slice"(%x) <{start = array<i64: 1, 0, 0>, stop = array<i64: 2, 3, 3>, step = array<i64: 1, 2, 2>}> : (tensor<2x3x4xf32>) -> tensor<1x2x2xf32>
  // CHECK-NEXT: %slice = tensor_graph.slice %x {start = [1, 0, 0], stop = [2, 3, 3], step = [1, 2, 2]} : tensor<2x3x4xf32> -> tensor<1x2x2xf32>
  %concat = "tensor_graph.concat"(%x, %x, %x) <{axis = -2 : i64}> : (tensor<2x3x4xf32>, tensor<2x3x4xf32>, tensor<2x3x4xf32>) -> tensor<2x9x4xf32>
  // CHECK-NEXT: %concat = tensor_graph.concat %x, %x, %x {axis = -2} : tensor<2x3x4xf32>, tensor<2x3x4xf32>, tensor<2x3x4xf32> -> tensor<2x9x4xf32>
  %concat1 = "tensor_graph.concat"(%v) <{axis = 0 : i64}> : (tensor<4xf32>) -> tensor<4xf32>
  // CHECK-NEXT: %concat1 = tensor_graph.concat %v {axis = 0} : tensor<4xf32>
  %pad = "tensor_graph.pad"(%x) <{low = array<i64: 1, 0, 2>, high = array<i64: 0, 0, 1>, value = 0.0 : f64}> : (tensor<2x3x4xf32>) -> tensor<3x3x7xf32>
  // CHECK-NEXT: %pad = tensor_graph.pad %x {low = [1, 0, 2], high = [0, 0, 1], value = 0.000000e+00} : tensor<2x3x4xf32> -> tensor<3x3x7xf32>
  %gather = "tensor_graph.gather"(%x, %ix) <{axis = 1 : i64}> : (tensor<2x3x4xf32>, tensor<5x2xi64>) -> tensor<2x5x2x4xf32>
  // CHECK-NEXT: %gather = tensor_graph.gather %x, %ix {axis = 1} : tensor<2x3x4xf32>, tensor<5x2xi64> -> tensor<2x5x2x4xf32>
  %gather32 = "tensor_graph.gather"(%x, %iy) <{axis = -1 : i64}> : (tensor<2x3x4xf32>, tensor<6xi32>) -> tensor<2x3x6xf32>
  // CHECK-NEXT: %gather32 = tensor_graph.gather %x, %iy {axis = -1} : tensor<2x3x4xf32>, tensor<6xi32> -> tensor<2x3x6xf32>
  func.return %reshape : tensor<24xf32>
}

// CHECK-LABEL: func.func @reductions
func.func @reductions(%x: tensor<2x3x4xf32>, %i: tensor<2x3x4xi32>, %b: tensor<2x3x4xi1>) -> tensor<2x4xf32> {
  %rsum = "tensor_graph.reduce"(%x) <{kind = "sum", dims = array<i64: 1>, keepdim = false}> : (tensor<2x3x4xf32>) -> tensor<2x4xf32>
  // CHECK-NEXT: %rsum = tensor_graph.reduce %x {kind = "sum", dims = [1], keepdim = false} : tensor<2x3x4xf32> -> tensor<2x4xf32>
  %rprod = "tensor_graph.reduce"(%x) <{kind = "prod", dims = array<i64: 1>, keepdim = false}> : (tensor<2x3x4xf32>) -> tensor<2x4xf32>
  // CHECK-NEXT: %rprod = tensor_graph.reduce %x {kind = "prod", dims = [1], keepdim = false} : tensor<2x3x4xf32> -> tensor<2x4xf32>
  %rmax = "tensor_graph.reduce"(%x) <{kind = "max", dims = array<i64: 1>, keepdim = false}> : (tensor<2x3x4xf32>) -> tensor<2x4xf32>
  // CHECK-NEXT: %rmax = tensor_graph.reduce %x {kind = "max", dims = [1], keepdim = false} : tensor<2x3x4xf32> -> tensor<2x4xf32>
  %rmin = "tensor_graph.reduce"(%x) <{kind = "min", dims = array<i64: 1>, keepdim = false}> : (tensor<2x3x4xf32>) -> tensor<2x4xf32>
  // CHECK-NEXT: %rmin = tensor_graph.reduce %x {kind = "min", dims = [1], keepdim = false} : tensor<2x3x4xf32> -> tensor<2x4xf32>
  %rmean = "tensor_graph.reduce"(%x) <{kind = "mean", dims = array<i64: 1>, keepdim = false}> : (tensor<2x3x4xf32>) -> tensor<2x4xf32>
  // CHECK-NEXT: %rmean = tensor_graph.reduce %x {kind = "mean", dims = [1], keepdim = false} : tensor<2x3x4xf32> -> tensor<2x4xf32>
  %rall = "tensor_graph.reduce"(%x) <{kind = "sum", dims = array<i64>, keepdim = false}> : (tensor<2x3x4xf32>) -> tensor<f32>
  // CHECK-NEXT: %rall = tensor_graph.reduce %x {kind = "sum", dims = [], keepdim = false} : tensor<2x3x4xf32> -> tensor<f32>
  %rkeep = "tensor_graph.reduce"(%i) <{kind = "max", dims = array<i64: 0, -1>, keepdim = true}> : (tensor<2x3x4xi32>) -> tensor<1x3x1xi32>
  // CHECK-NEXT: %rkeep = tensor_graph.reduce %i {kind = "max", dims = [0, -1], keepdim = true} : tensor<2x3x4xi32> -> tensor<1x3x1xi32>
  %rany = "tensor_graph.reduce"(%b) <{kind = "max", dims = array<i64: 2>, keepdim = false}> : (tensor<2x3x4xi1>) -> tensor<2x3xi1>
  // CHECK-NEXT: %rany = tensor_graph.reduce %b {kind = "max", dims = [2], keepdim = false} : tensor<2x3x4xi1> -> tensor<2x3xi1>
  %argmax = "tensor_graph.argmax"(%x) <{axis = 1 : i64, keepdim = false}> : (tensor<2x3x4xf32>) -> tensor<2x4xi64>
  // CHECK-NEXT: %argmax = tensor_graph.argmax %x {axis = 1, keepdim = false} : tensor<2x3x4xf32> -> tensor<2x4xi64>
  %argmin = "tensor_graph.argmin"(%i) <{axis = -1 : i64, keepdim = true}> : (tensor<2x3x4xi32>) -> tensor<2x3x1xi64>
  // CHECK-NEXT: %argmin = tensor_graph.argmin %i {axis = -1, keepdim = true} : tensor<2x3x4xi32> -> tensor<2x3x1xi64>
  %var = "tensor_graph.var"(%x) <{dims = array<i64: 1, 2>, correction = 1 : i64, keepdim = true}> : (tensor<2x3x4xf32>) -> tensor<2x1x1xf32>
  // CHECK-NEXT: %var = tensor_graph.var %x {dims = [1, 2], correction = 1, keepdim = true} : tensor<2x3x4xf32> -> tensor<2x1x1xf32>
  func.return %rsum : tensor<2x4xf32>
}

// CHECK-LABEL: func.func @contractions
func.func @contractions(%a: tensor<2x3x4xf32>, %b: tensor<4x5xf32>, %bb: tensor<1x4x5xf32>, %w: tensor<6x4xf32>, %bias: tensor<6xf32>, %s: tensor<3x4xf32>, %t: tensor<4xf32>, %q: tensor<2x2x7x8xbf16>, %k: tensor<2x2x9x8xbf16>, %v: tensor<2x2x9x3xbf16>) -> tensor<2x3x5xf32> {
  %mm = "tensor_graph.matmul"(%a, %b) : (tensor<2x3x4xf32>, tensor<4x5xf32>) -> tensor<2x3x5xf32>
  // CHECK-NEXT: %mm = tensor_graph.matmul %a, %b : tensor<2x3x4xf32>, tensor<4x5xf32> -> tensor<2x3x5xf32>
  %bmm = "tensor_graph.matmul"(%a, %bb) : (tensor<2x3x4xf32>, tensor<1x4x5xf32>) -> tensor<2x3x5xf32>
  // CHECK-NEXT: %bmm = tensor_graph.matmul %a, %bb : tensor<2x3x4xf32>, tensor<1x4x5xf32> -> tensor<2x3x5xf32>
  %linear = "tensor_graph.linear"(%a, %w, %bias) : (tensor<2x3x4xf32>, tensor<6x4xf32>, tensor<6xf32>) -> tensor<2x3x6xf32>
  // CHECK-NEXT: %linear = tensor_graph.linear %a, %w, %bias : tensor<2x3x4xf32>, tensor<6x4xf32>, tensor<6xf32> -> tensor<2x3x6xf32>
  %softmax = "tensor_graph.softmax"(%a) <{axis = -1 : i64}> : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  // CHECK-NEXT: %softmax = tensor_graph.softmax %a {axis = -1} : tensor<2x3x4xf32>
  %log_softmax = "tensor_graph.log_softmax"(%a) <{axis = 0 : i64}> : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  // CHECK-NEXT: %log_softmax = tensor_graph.log_softmax %a {axis = 0} : tensor<2x3x4xf32>
  %ln = "tensor_graph.layer_norm"(%a, %s, %s) <{axis = 1 : i64, epsilon = 1.0e-05 : f64}> : (tensor<2x3x4xf32>, tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<2x3x4xf32>
  // CHECK-NEXT: %ln = tensor_graph.layer_norm %a, %s, %s {axis = 1, epsilon = 1.000000e-05} : tensor<2x3x4xf32>, tensor<3x4xf32>, tensor<3x4xf32> -> tensor<2x3x4xf32>
  %rms = "tensor_graph.rms_norm"(%a, %t) <{axis = -1 : i64, epsilon = 1.0e-06 : f64}> : (tensor<2x3x4xf32>, tensor<4xf32>) -> tensor<2x3x4xf32>
  // CHECK-NEXT: %rms = tensor_graph.rms_norm %a, %t {axis = -1, epsilon = 1.000000e-06} : tensor<2x3x4xf32>, tensor<4xf32> -> tensor<2x3x4xf32>
  %attn = "tensor_graph.attention"(%q, %k, %v) <{scale = 0.125 : f64, causal = true}> : (tensor<2x2x7x8xbf16>, tensor<2x2x9x8xbf16>, tensor<2x2x9x3xbf16>) -> tensor<2x2x7x3xbf16>
  // CHECK-NEXT: %attn = tensor_graph.attention %q, %k, %v {scale = 1.250000e-01, causal = true} : tensor<2x2x7x8xbf16>, tensor<2x2x9x8xbf16>, tensor<2x2x9x3xbf16> -> tensor<2x2x7x3xbf16>
  func.return %mm : tensor<2x3x5xf32>
}
