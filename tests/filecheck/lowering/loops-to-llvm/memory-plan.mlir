// The memory plan in the runtime's plan: a buffer with an arena slot is kind "arena"
// with its offset, the function gets `arena`; a buffer in a donated argument is that
// argument's buffer; a result stays a temp. An op that writes over its input reads and
// stores through the input's pointer (its own is passed but unused: two noalias
// pointers to one buffer would let LLVM reorder the load and the store).
// RUN: stepwell-opt %s -p 'loops-plan-memory,convert-loops-to-llvm' | filecheck %s
// RUN: stepwell-opt %s -p convert-loops-to-llvm | filecheck %s --check-prefix=UNPLANNED

// CHECK:      {name = "f", args = [tensor<64xf32>, tensor<64xf32>], results = array<i64: 4>,
// CHECK-SAME:   buffers = [{kind = "arg", type = tensor<64xf32>, index = 0 : i64}, {kind = "arg", type = tensor<64xf32>, index = 1 : i64},
// CHECK-SAME:              {kind = "arena", type = tensor<64xf32>, offset = 0 : i64}, {kind = "arena", type = tensor<64xf32>, offset = 0 : i64}, {kind = "temp", type = tensor<64xf32>}]
// CHECK-SAME:   calls = [{kernel = "f_k0", buffers = array<i64: 2, 0>, {{.*}}}, {kernel = "f_k1", buffers = array<i64: 3, 2, 1>, {{.*}}}, {kernel = "f_k2", buffers = array<i64: 4, 3>, {{.*}}}], arena = 256 : i64}
// CHECK:      {name = "g", {{.*}} results = array<i64: 0>, buffers = [{kind = "arg", type = tensor<64xf32>, index = 0 : i64}],
// CHECK-SAME:   calls = [{kernel = "g_k0", buffers = array<i64: 0, 0>, {{.*}}}], arena = 0 : i64}

// CHECK:      llvm.func @f_k1(%{{.*}}: i64, %{{.*}}: i64, %[[OWN:.*]]: !llvm.ptr {llvm.noalias}, %[[A:.*]]: !llvm.ptr {llvm.noalias}, %{{.*}}: !llvm.ptr {llvm.noalias})
// CHECK-NOT:    %[[OWN]]{{[^0-9]}}
// CHECK:        llvm.getelementptr inbounds %[[A]]
// CHECK-NOT:    %[[OWN]]{{[^0-9]}}
// CHECK:        llvm.return

// UNPLANNED:  {name = "f", {{.*}} buffers = [{kind = "arg", {{.*}}}, {kind = "arg", {{.*}}}, {kind = "temp", {{.*}}}, {kind = "temp", {{.*}}}, {kind = "temp", {{.*}}}], calls = [{{.*}}]}
// UNPLANNED-NOT: arena
func.func @f(%x: tensor<64xf32>, %y: tensor<64xf32>) -> tensor<64xf32> {
  %a = loops.pointwise : tensor<64xf32> {
    %0 = loops.load %x[d0] : tensor<64xf32>
    %1 = math.absf %0 : f32
    loops.yield %1 : f32
  }
  %b = loops.pointwise : tensor<64xf32> {
    %0 = loops.load %a[d0] : tensor<64xf32>
    %1 = loops.load %y[d0] : tensor<64xf32>
    %2 = arith.addf %0, %1 : f32
    loops.yield %2 : f32
  }
  %c = loops.pointwise : tensor<64xf32> {
    %0 = loops.load %b[63 - d0] : tensor<64xf32>
    loops.yield %0 : f32
  }
  func.return %c : tensor<64xf32>
}

func.func @g(%x: tensor<64xf32> {stepwell.donate}) -> tensor<64xf32> {
  %a = loops.pointwise : tensor<64xf32> {
    %0 = loops.load %x[d0] : tensor<64xf32>
    %1 = math.absf %0 : f32
    loops.yield %1 : f32
  }
  func.return %a : tensor<64xf32>
}
