// -o writes the result to a file instead of stdout.
// RUN: stepwell-opt %s -p cse -o %t.out
// RUN: filecheck %s --input-file %t.out
// RUN: stepwell-opt %s -o - | filecheck %s

func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  func.return %x : tensor<4xf32>
}

// CHECK: builtin.module {
// CHECK:   func.func @f
