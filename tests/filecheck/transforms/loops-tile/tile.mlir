// RUN: stepwell-opt %s -p 'tensor_graph-decompose,canonicalize,cse,convert-tensor_graph-to-loops,loops-split-reduction,loops-fuse,loops-simplify-index,loops-tile' | filecheck %s

// A large pointwise op: blocks of 1024 f32, 4 warps.
// CHECK-LABEL: func.func @large
// CHECK: loops.pointwise : tensor<1024x1024xf32> attributes {tile = #loops.gpu<pointwise, block = [1024], warps = 4>}
func.func @large(%x: tensor<1024x1024xf32>) -> tensor<1024x1024xf32> {
  %y = tensor_graph.exp %x : tensor<1024x1024xf32>
  func.return %y : tensor<1024x1024xf32>
}

// Smaller ones: halved while there are fewer than two program instances per SM (down to 128),
// warps so that each thread moves one 16-byte vector: 4 f32, 8 f16.
// CHECK-LABEL: func.func @small
// CHECK: tile = #loops.gpu<pointwise, block = [128], warps = 1>
// CHECK: tile = #loops.gpu<pointwise, block = [512], warps = 2>
func.func @small(%x: tensor<37000xf32>, %h: tensor<200000xf16>) -> (tensor<37000xf32>, tensor<200000xf16>) {
  %y = tensor_graph.neg %x : tensor<37000xf32>
  %z = tensor_graph.neg %h : tensor<200000xf16>
  func.return %y, %z : tensor<37000xf32>, tensor<200000xf16>
}

// Tiny outputs: one block of the next power of two.
// CHECK-LABEL: func.func @tiny
// CHECK: tile = #loops.gpu<pointwise, block = [8], warps = 1>
func.func @tiny(%x: tensor<7xi32>) -> tensor<7xi32> {
  %y = tensor_graph.neg %x : tensor<7xi32>
  func.return %y : tensor<7xi32>
}

// A transposed read: 2-D tiles, each side up to 64.
// CHECK-LABEL: func.func @transposed
// CHECK: tile = #loops.gpu<tile, block = [64, 32], warps = 4>
func.func @transposed(%x: tensor<30x1000xf32>, %y: tensor<1000x30xf32>) -> tensor<1000x30xf32> {
  %t = tensor_graph.transpose %x {perm = [1, 0]} : tensor<30x1000xf32> -> tensor<1000x30xf32>
  %s = tensor_graph.add %t, %y : tensor<1000x30xf32>, tensor<1000x30xf32> -> tensor<1000x30xf32>
  func.return %s : tensor<1000x30xf32>
}

// A lone row reduction: short rows share a program instance (one step of a looped
// kernel); a fused row kernel is persistent.
// CHECK-LABEL: func.func @rows
// CHECK: loops.reduce{{.*}}tile = #loops.gpu<looped, block = [4, 512], warps = 4>
// CHECK: loops.kernel{{.*}}tile = #loops.gpu<persistent, block = [4096], warps = 8>
// (the normalization reads the row statistics as a broadcast column: 1-D blocks, not tiles)
// CHECK: loops.pointwise{{.*}}tile = #loops.gpu<pointwise
func.func @rows(%x: tensor<100x300xf32>, %z: tensor<8x4096xf32>) -> (tensor<100xf32>, tensor<8x4096xf32>) {
  %s = tensor_graph.reduce %x {kind = "sum", dims = [1], keepdim = false} : tensor<100x300xf32> -> tensor<100xf32>
  %m = tensor_graph.softmax %z {axis = -1} : tensor<8x4096xf32> -> tensor<8x4096xf32>
  func.return %s, %m : tensor<100xf32>, tensor<8x4096xf32>
}

// Rows longer than a persistent row (8192): a looped fused kernel, one program instance
// per row walking it in chunks of 4096.
// CHECK-LABEL: func.func @long_rows
// CHECK: loops.kernel{{.*}}tile = #loops.gpu<looped, block = [1, 4096], warps = 8>
func.func @long_rows(%c: tensor<300x16384xf32>) -> tensor<300x16384xf32> {
  %r = tensor_graph.softmax %c {axis = -1} : tensor<300x16384xf32> -> tensor<300x16384xf32>
  func.return %r : tensor<300x16384xf32>
}

// A user's tile is kept; an op no kernel module handles yet (a fused kernel holding an
// argmax) gets none.
// CHECK-LABEL: func.func @kept
// CHECK: tile = #loops.gpu<pointwise, block = [64], warps = 2>
// CHECK: loops.kernel parallel [p0 = 300] reduction [k0 = 16] -> tensor<300x16xf32> {{[{]$}}
func.func @kept(%x: tensor<1024xf32>, %c: tensor<300x16xf32>) -> (tensor<1024xf32>, tensor<300x16xf32>) {
  %y = loops.pointwise : tensor<1024xf32> attributes {tile = #loops.gpu<pointwise, block = [64], warps = 2>} {
    %a = loops.load %x[d0] : tensor<1024xf32>
    loops.yield %a : f32
  }
  %p = tensor_graph.argmax %c {axis = 1, keepdim = true} : tensor<300x16xf32> -> tensor<300x1xi64>
  %f = tensor_graph.cast %p : tensor<300x1xi64> -> tensor<300x1xf32>
  %r = tensor_graph.sub %c, %f : tensor<300x16xf32>, tensor<300x1xf32> -> tensor<300x16xf32>
  func.return %y, %r : tensor<1024xf32>, tensor<300x16xf32>
}
