// The issue's example: 12 layers of matmul + tanh on 1024x1024 f32 (4 MiB a tensor).
// Each layer is one kernel (the GEMM and its tanh epilogue); layer i reads layer i-1's
// output, which dies there. The last layer is the result: its own allocation, which
// the layers before it borrow while it is not written yet. So the layers take turns
// between one 4 MiB arena slot and the result's memory, the layer the last one reads
// (%h10) in the arena: a 4 MiB arena instead of 44 MiB of intermediates (8 MiB
// without borrowing).
// RUN: stepwell-opt %s -p 'convert-tensor_graph-to-loops,loops-fuse,loops-plan-memory' | filecheck %s

// CHECK-LABEL: func.func @mlp
// CHECK-SAME:    attributes {arena = 4194304 : i64}
// CHECK:       %h0 = loops.kernel {{.*}} attributes {memory = #loops.slot<0, 4194304>}
// CHECK:       %h1 = loops.kernel {{.*}} attributes {memory = #loops.slot<result 0, 0, 4194304>}
// CHECK:       %h2 = loops.kernel {{.*}} attributes {memory = #loops.slot<0, 4194304>}
// CHECK:       %h3 = loops.kernel {{.*}} attributes {memory = #loops.slot<result 0, 0, 4194304>}
// CHECK:       %h4 = loops.kernel {{.*}} attributes {memory = #loops.slot<0, 4194304>}
// CHECK:       %h5 = loops.kernel {{.*}} attributes {memory = #loops.slot<result 0, 0, 4194304>}
// CHECK:       %h6 = loops.kernel {{.*}} attributes {memory = #loops.slot<0, 4194304>}
// CHECK:       %h7 = loops.kernel {{.*}} attributes {memory = #loops.slot<result 0, 0, 4194304>}
// CHECK:       %h8 = loops.kernel {{.*}} attributes {memory = #loops.slot<0, 4194304>}
// CHECK:       %h9 = loops.kernel {{.*}} attributes {memory = #loops.slot<result 0, 0, 4194304>}
// CHECK:       %h10 = loops.kernel {{.*}} attributes {memory = #loops.slot<0, 4194304>}
// CHECK:       %h11 = loops.kernel {{.*}} attributes {memory = #loops.slot<result 0>}
func.func @mlp(%x: tensor<1024x1024xf32>, %w: tensor<1024x1024xf32>) -> tensor<1024x1024xf32> {
  %m0 = tensor_graph.matmul %x, %w : tensor<1024x1024xf32>, tensor<1024x1024xf32> -> tensor<1024x1024xf32>
  %h0 = tensor_graph.tanh %m0 : tensor<1024x1024xf32>
  %m1 = tensor_graph.matmul %h0, %w : tensor<1024x1024xf32>, tensor<1024x1024xf32> -> tensor<1024x1024xf32>
  %h1 = tensor_graph.tanh %m1 : tensor<1024x1024xf32>
  %m2 = tensor_graph.matmul %h1, %w : tensor<1024x1024xf32>, tensor<1024x1024xf32> -> tensor<1024x1024xf32>
  %h2 = tensor_graph.tanh %m2 : tensor<1024x1024xf32>
  %m3 = tensor_graph.matmul %h2, %w : tensor<1024x1024xf32>, tensor<1024x1024xf32> -> tensor<1024x1024xf32>
  %h3 = tensor_graph.tanh %m3 : tensor<1024x1024xf32>
  %m4 = tensor_graph.matmul %h3, %w : tensor<1024x1024xf32>, tensor<1024x1024xf32> -> tensor<1024x1024xf32>
  %h4 = tensor_graph.tanh %m4 : tensor<1024x1024xf32>
  %m5 = tensor_graph.matmul %h4, %w : tensor<1024x1024xf32>, tensor<1024x1024xf32> -> tensor<1024x1024xf32>
  %h5 = tensor_graph.tanh %m5 : tensor<1024x1024xf32>
  %m6 = tensor_graph.matmul %h5, %w : tensor<1024x1024xf32>, tensor<1024x1024xf32> -> tensor<1024x1024xf32>
  %h6 = tensor_graph.tanh %m6 : tensor<1024x1024xf32>
  %m7 = tensor_graph.matmul %h6, %w : tensor<1024x1024xf32>, tensor<1024x1024xf32> -> tensor<1024x1024xf32>
  %h7 = tensor_graph.tanh %m7 : tensor<1024x1024xf32>
  %m8 = tensor_graph.matmul %h7, %w : tensor<1024x1024xf32>, tensor<1024x1024xf32> -> tensor<1024x1024xf32>
  %h8 = tensor_graph.tanh %m8 : tensor<1024x1024xf32>
  %m9 = tensor_graph.matmul %h8, %w : tensor<1024x1024xf32>, tensor<1024x1024xf32> -> tensor<1024x1024xf32>
  %h9 = tensor_graph.tanh %m9 : tensor<1024x1024xf32>
  %m10 = tensor_graph.matmul %h9, %w : tensor<1024x1024xf32>, tensor<1024x1024xf32> -> tensor<1024x1024xf32>
  %h10 = tensor_graph.tanh %m10 : tensor<1024x1024xf32>
  %m11 = tensor_graph.matmul %h10, %w : tensor<1024x1024xf32>, tensor<1024x1024xf32> -> tensor<1024x1024xf32>
  %h11 = tensor_graph.tanh %m11 : tensor<1024x1024xf32>
  func.return %h11 : tensor<1024x1024xf32>
}
