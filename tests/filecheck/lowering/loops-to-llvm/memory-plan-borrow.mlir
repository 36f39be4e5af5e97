// Scratch in a result's memory (#loops.slot<result k, offset, size>) in the runtime's
// plan: a buffer of kind "result" with the result's position and its byte offset. An
// op writing in place over an input borrowed at the same offset of the same result
// reads and stores through the input's pointer (as in the arena).
// RUN: stepwell-opt %s -p convert-loops-to-llvm | filecheck %s

// CHECK:      {name = "f", args = [tensor<64xf32>, tensor<64xf32>], results = array<i64: 4>,
// CHECK-SAME:   buffers = [{kind = "arg", type = tensor<64xf32>, index = 0 : i64}, {kind = "arg", type = tensor<64xf32>, index = 1 : i64},
// CHECK-SAME:              {kind = "result", type = tensor<64xf32>, index = 0 : i64, offset = 0 : i64}, {kind = "result", type = tensor<64xf32>, index = 0 : i64, offset = 0 : i64}, {kind = "temp", type = tensor<64xf32>}]
// CHECK-SAME:   arena = 0 : i64}

// CHECK:      llvm.func @f_k1(%{{.*}}: i64, %{{.*}}: i64, %[[OWN:.*]]: !llvm.ptr {llvm.noalias}, %[[A:.*]]: !llvm.ptr {llvm.noalias}, %{{.*}}: !llvm.ptr {llvm.noalias})
// CHECK-NOT:    %[[OWN]]{{[^0-9]}}
// CHECK:        llvm.getelementptr inbounds %[[A]]
// CHECK-NOT:    %[[OWN]]{{[^0-9]}}
// CHECK:        llvm.return
func.func @f(%x: tensor<64xf32>, %y: tensor<64xf32>) -> tensor<64xf32> attributes {arena = 0 : i64} {
  %a = loops.pointwise : tensor<64xf32> attributes {memory = #loops.slot<result 0, 0, 256>} {
    %0 = loops.load %x[d0] : tensor<64xf32>
    %1 = math.absf %0 : f32
    loops.yield %1 : f32
  }
  %b = loops.pointwise : tensor<64xf32> attributes {memory = #loops.slot<result 0, 0, 256>} {
    %0 = loops.load %a[d0] : tensor<64xf32>
    %1 = loops.load %y[d0] : tensor<64xf32>
    %2 = arith.addf %0, %1 : f32
    loops.yield %2 : f32
  }
  %c = loops.pointwise : tensor<64xf32> attributes {memory = #loops.slot<result 0>} {
    %0 = loops.load %b[63 - d0] : tensor<64xf32>
    loops.yield %0 : f32
  }
  func.return %c : tensor<64xf32>
}

