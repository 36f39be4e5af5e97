// Zero-size dimensions lower like any other: an empty constant (here a folded slice)
// is read by a load that never runs; a matmul with an empty row dim compiles.
// RUN: stepwell-opt %s -p tensor_graph-decompose,canonicalize,cse,convert-tensor_graph-to-loops | filecheck %s
// RUN: stepwell-opt %s -p lower-to-cpu | filecheck %s --check-prefix=LLVM

// CHECK-LABEL: func.func @sin_of_empty_slice
// CHECK:         %[[C:.*]] = tensor_graph.constant {value = dense<> : tensor<0xf16>} : tensor<0xf16>
// CHECK:         loops.pointwise : tensor<0xf16>
// CHECK-NEXT:      loops.load %[[C]][d0] : tensor<0xf16>
func.func @sin_of_empty_slice() -> tensor<0xf16> {
  %c = tensor_graph.constant {value = dense<[1.0, 2.0, 3.0]> : tensor<3xf16>} : tensor<3xf16>
  %s = tensor_graph.slice %c {start = [1], stop = [1], step = [1]} : tensor<3xf16> -> tensor<0xf16>
  %y = tensor_graph.sin %s : tensor<0xf16>
  func.return %y : tensor<0xf16>
}

// CHECK-LABEL: func.func @matmul_no_rows
// CHECK:         loops.contract over [7] batch = [d0, d1], m = d2, n = d3, k = r0 : tensor<8x4x0x5xf32>
// LLVM: llvm.func @matmul_no_rows_k0
func.func @matmul_no_rows(%a: tensor<8x4x0x7xf32>, %b: tensor<4x7x5xf32>) -> tensor<8x4x0x5xf32> {
  %c = tensor_graph.matmul %a, %b : tensor<8x4x0x7xf32>, tensor<4x7x5xf32> -> tensor<8x4x0x5xf32>
  func.return %c : tensor<8x4x0x5xf32>
}
