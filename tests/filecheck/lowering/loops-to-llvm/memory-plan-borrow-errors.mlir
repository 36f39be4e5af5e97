// A plan that puts a buffer in a result's memory where there is none, or past its end,
// is refused with what is wrong.
// RUN: not stepwell-opt %s --split-input-file -p convert-loops-to-llvm 2>&1 | filecheck %s


// A result that is an argument has no memory of its own to lend.
// CHECK: convert-loops-to-llvm: a buffer tensor<64xf32> of @arg is placed at byte 0 of result 0, which is not a result computed into memory of its own that it fits in
func.func @arg(%x: tensor<64xf32>) -> tensor<64xf32> attributes {arena = 0 : i64} {
  %a = loops.pointwise : tensor<64xf32> attributes {memory = #loops.slot<result 0, 0, 256>} {
    %0 = loops.load %x[d0] : tensor<64xf32>
    loops.yield %0 : f32
  }
  func.return %x : tensor<64xf32>
}

// -----

// A buffer that does not fit in the result's bytes.
// CHECK: convert-loops-to-llvm: a buffer tensor<64xf32> of @too_big is placed at byte 64 of result 0, which is not a result computed into memory of its own that it fits in
func.func @too_big(%x: tensor<64xf32>) -> tensor<64xf32> attributes {arena = 0 : i64} {
  %a = loops.pointwise : tensor<64xf32> attributes {memory = #loops.slot<result 0, 64, 256>} {
    %0 = loops.load %x[d0] : tensor<64xf32>
    loops.yield %0 : f32
  }
  %c = loops.pointwise : tensor<64xf32> attributes {memory = #loops.slot<result 0>} {
    %0 = loops.load %a[63 - d0] : tensor<64xf32>
    loops.yield %0 : f32
  }
  func.return %c : tensor<64xf32>
}
