// RUN: stepwell-opt %s -p lower-to-triton | filecheck %s

// Each launch carries the memory plan's slot(s) of the op it replaces (the first
// statistics live in the result's memory until it is written), and the function keeps
// its arena size.
// CHECK:      func.func @f(%x: tensor<7x13xf32>) -> tensor<7x13xf32> attributes {arena = 640 : i64} {
// CHECK-NEXT:   gpu_block.launch @f_k0(%x) {{.*}} attributes {memory = [#loops.slot<result 0, 0, 64>, #loops.slot<result 0, 64, 64>, #loops.slot<result 0, 128, 64>, #loops.slot<result 0, 192, 64>]}
// CHECK-NEXT:   %b = gpu_block.launch @f_k1({{.*}}) {{.*}} attributes {memory = #loops.slot<0, 384>}
// CHECK-NEXT:   gpu_block.launch @f_k2
// CHECK-NEXT:   %d = gpu_block.launch @f_k3({{.*}}) {{.*}} attributes {memory = #loops.slot<result 0>}
func.func @f(%x: tensor<7x13xf32>) -> tensor<7x13xf32> {
  %a = tensor_graph.softmax %x {axis = -1} : tensor<7x13xf32> -> tensor<7x13xf32>
  %b = tensor_graph.softmax %a {axis = -1} : tensor<7x13xf32> -> tensor<7x13xf32>
  %c = tensor_graph.softmax %b {axis = -1} : tensor<7x13xf32> -> tensor<7x13xf32>
  %d = tensor_graph.softmax %c {axis = -1} : tensor<7x13xf32> -> tensor<7x13xf32>
  func.return %d : tensor<7x13xf32>
}
