// RUN: stepwell-opt %s -p 'tensor_graph-decompose,convert-tensor_graph-to-loops,loops-fuse,loops-simplify-index,loops-schedule-cpu{vector-width=16}' | filecheck %s

// Pointwise kernels: every p dim is in the outer loop; the last one (the contiguous
// dim) in blocks, an inner loop that vectorizes. The block is the whole row when the
// rows alone give enough chunks (work / chunk-work, at most 256 chunks) ...
// CHECK-LABEL: func.func @rows
// CHECK:         schedule = #loops.cpu<outer = [p0, p1 / 1024], chunks = 32, vector = 16>
func.func @rows(%x: tensor<1024x1024xf32>) -> tensor<1024x1024xf32> {
  %y = tensor_graph.exp %x : tensor<1024x1024xf32>
  func.return %y : tensor<1024x1024xf32>
}

// ... and smaller (a multiple of 4 vectors) when the leading dims are size 1 or
// small: the blocks of the last dim are outer points, so the work is cut into at
// least min(64, work / chunk-work) chunks.
// CHECK-LABEL: func.func @leading_one
// CHECK:         schedule = #loops.cpu<outer = [p0, p1 / 65536], chunks = 64, vector = 16>
func.func @leading_one(%x: tensor<1x4194304xf32>) -> tensor<1x4194304xf32> {
  %y = tensor_graph.exp %x : tensor<1x4194304xf32>
  func.return %y : tensor<1x4194304xf32>
}

// CHECK-LABEL: func.func @leading_three
// CHECK:         schedule = #loops.cpu<outer = [p0, p1 / 45504], chunks = 66, vector = 16>
func.func @leading_three(%x: tensor<3x1000000xf32>) -> tensor<3x1000000xf32> {
  %y = tensor_graph.exp %x : tensor<3x1000000xf32>
  func.return %y : tensor<3x1000000xf32>
}

// Little work: one chunk.
// CHECK-LABEL: func.func @small
// CHECK:         schedule = #loops.cpu<outer = [p0, p1 / 7], chunks = 1, vector = 16>
func.func @small(%x: tensor<5x7xf32>) -> tensor<5x7xf32> {
  %y = tensor_graph.exp %x : tensor<5x7xf32>
  func.return %y : tensor<5x7xf32>
}

// A transposed copy walks 64 x 64 squares: both dims in blocks of 64.
// CHECK-LABEL: func.func @transpose
// CHECK:         schedule = #loops.cpu<outer = [p0 / 64, p1 / 64], chunks = 64, vector = 16>
func.func @transpose(%x: tensor<1024x2048xf32>, %b: tensor<2048x1024xf32>) -> tensor<2048x1024xf32> {
  %t = tensor_graph.transpose %x {perm = [1, 0]} : tensor<1024x2048xf32> -> tensor<2048x1024xf32>
  %y = tensor_graph.add %t, %b : tensor<2048x1024xf32>, tensor<2048x1024xf32> -> tensor<2048x1024xf32>
  func.return %y : tensor<2048x1024xf32>
}
