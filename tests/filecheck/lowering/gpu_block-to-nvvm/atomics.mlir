// RUN: stepwell-opt %s -p convert-gpu_block-to-nvvm | filecheck %s
// The printed llvm.atomicrmw parses back (MLIR's syntax) and prints the same:
// RUN: stepwell-opt %s -p convert-gpu_block-to-nvvm | stepwell-opt | filecheck %s

// gpu_block.atomic_rmw: one relaxed, device-scope llvm.atomicrmw per element its thread
// holds, under the lane's mask; the pointer argument is not readonly.

// A masked scatter-add: each of the thread's two lanes, under its own mask.
// CHECK-LABEL: llvm.func @add_f32(%{{.*}}: !llvm.ptr<1> {llvm.noalias}, %{{.*}}: i32)
// The loaded values join in ^bbN(%a, %b), then the atomics:
// CHECK:       ^{{bb[0-9]+}}(%{{.*}}: f32, %{{.*}}: f32):
// CHECK-NEXT:    %[[P0:[0-9]+]] = llvm.getelementptr inbounds %{{.*}}[%{{.*}}] : (!llvm.ptr<1>, i32) -> !llvm.ptr<1>, f32
// CHECK-NEXT:    %[[P1:[0-9]+]] = llvm.getelementptr inbounds %[[P0]][%{{.*}}] : (!llvm.ptr<1>, i32) -> !llvm.ptr<1>, f32
// CHECK-NEXT:    llvm.cond_br %{{[0-9]+}}, ^[[ON0:bb[0-9]+]], ^[[OFF0:bb[0-9]+]]
// CHECK-NEXT:  ^[[ON0]]:
// CHECK-NEXT:    %{{.*}} = llvm.atomicrmw fadd %[[P0]], %{{.*}} syncscope("device") monotonic : !llvm.ptr<1>, f32
// CHECK-NEXT:    llvm.br ^[[OFF0]]
// CHECK-NEXT:  ^[[OFF0]]:
// CHECK-NEXT:    llvm.cond_br %{{[0-9]+}}, ^[[ON1:bb[0-9]+]], ^[[OFF1:bb[0-9]+]]
// CHECK-NEXT:  ^[[ON1]]:
// CHECK-NEXT:    %{{.*}} = llvm.atomicrmw fadd %[[P1]], %{{.*}} syncscope("device") monotonic : !llvm.ptr<1>, f32
// CHECK-NEXT:    llvm.br ^[[OFF1]]
gpu_block.kernel @add_f32(%p: !gpu_block.ptr<f32>, %n: i32) grid [1] num_warps = 1 {
  %offs = gpu_block.arange 0 to 64 : tensor<64xi32>
  %nb = gpu_block.splat %n : i32 -> tensor<64xi32>
  %m = gpu_block.map(%o = %offs, %k = %nb) : tensor<64xi32>, tensor<64xi32> -> tensor<64xi1> {
    %c = arith.cmpi slt, %o, %k : i32
    gpu_block.yield %c : i1
  }
  %b = gpu_block.splat %p : !gpu_block.ptr<f32> -> tensor<64x!gpu_block.ptr<f32>>
  %ps = gpu_block.addptr %b, %offs : tensor<64x!gpu_block.ptr<f32>>, tensor<64xi32>
  %v = gpu_block.load %ps mask %m : tensor<64x!gpu_block.ptr<f32>>
  gpu_block.atomic_rmw add %ps, %v mask %m : tensor<64x!gpu_block.ptr<f32>>
  gpu_block.return
}

// Each kind and element type: float max/min NaN-propagating (fmaximum, fminimum), bf16 as
// its i16 bits, i1 (a byte in memory) as sum = xor, max = or, min = and.
// CHECK-LABEL: llvm.func @max_f32(
// CHECK-COUNT-2: llvm.atomicrmw fmaximum {{.*}} : !llvm.ptr<1>, f32
// CHECK-NOT: llvm.atomicrmw
gpu_block.kernel @max_f32(%p: !gpu_block.ptr<f32>, %n: i32) grid [1] num_warps = 1 {
  %offs = gpu_block.arange 0 to 64 : tensor<64xi32>
  %nb = gpu_block.splat %n : i32 -> tensor<64xi32>
  %m = gpu_block.map(%o = %offs, %k = %nb) : tensor<64xi32>, tensor<64xi32> -> tensor<64xi1> {
    %c = arith.cmpi slt, %o, %k : i32
    gpu_block.yield %c : i1
  }
  %b = gpu_block.splat %p : !gpu_block.ptr<f32> -> tensor<64x!gpu_block.ptr<f32>>
  %ps = gpu_block.addptr %b, %offs : tensor<64x!gpu_block.ptr<f32>>, tensor<64xi32>
  %v = gpu_block.load %ps mask %m : tensor<64x!gpu_block.ptr<f32>>
  gpu_block.atomic_rmw max %ps, %v mask %m : tensor<64x!gpu_block.ptr<f32>>
  gpu_block.return
}
// CHECK-LABEL: llvm.func @min_f64(
// CHECK-COUNT-2: llvm.atomicrmw fminimum {{.*}} : !llvm.ptr<1>, f64
// CHECK-NOT: llvm.atomicrmw
gpu_block.kernel @min_f64(%p: !gpu_block.ptr<f64>, %n: i32) grid [1] num_warps = 1 {
  %offs = gpu_block.arange 0 to 64 : tensor<64xi32>
  %nb = gpu_block.splat %n : i32 -> tensor<64xi32>
  %m = gpu_block.map(%o = %offs, %k = %nb) : tensor<64xi32>, tensor<64xi32> -> tensor<64xi1> {
    %c = arith.cmpi slt, %o, %k : i32
    gpu_block.yield %c : i1
  }
  %b = gpu_block.splat %p : !gpu_block.ptr<f64> -> tensor<64x!gpu_block.ptr<f64>>
  %ps = gpu_block.addptr %b, %offs : tensor<64x!gpu_block.ptr<f64>>, tensor<64xi32>
  %v = gpu_block.load %ps mask %m : tensor<64x!gpu_block.ptr<f64>>
  gpu_block.atomic_rmw min %ps, %v mask %m : tensor<64x!gpu_block.ptr<f64>>
  gpu_block.return
}
// CHECK-LABEL: llvm.func @add_f16(
// CHECK-COUNT-2: llvm.atomicrmw fadd {{.*}} : !llvm.ptr<1>, f16
// CHECK-NOT: llvm.atomicrmw
gpu_block.kernel @add_f16(%p: !gpu_block.ptr<f16>, %n: i32) grid [1] num_warps = 1 {
  %offs = gpu_block.arange 0 to 64 : tensor<64xi32>
  %nb = gpu_block.splat %n : i32 -> tensor<64xi32>
  %m = gpu_block.map(%o = %offs, %k = %nb) : tensor<64xi32>, tensor<64xi32> -> tensor<64xi1> {
    %c = arith.cmpi slt, %o, %k : i32
    gpu_block.yield %c : i1
  }
  %b = gpu_block.splat %p : !gpu_block.ptr<f16> -> tensor<64x!gpu_block.ptr<f16>>
  %ps = gpu_block.addptr %b, %offs : tensor<64x!gpu_block.ptr<f16>>, tensor<64xi32>
  %v = gpu_block.load %ps mask %m : tensor<64x!gpu_block.ptr<f16>>
  gpu_block.atomic_rmw add %ps, %v mask %m : tensor<64x!gpu_block.ptr<f16>>
  gpu_block.return
}
// CHECK-LABEL: llvm.func @add_bf16(
// CHECK-COUNT-2: llvm.atomicrmw fadd {{.*}} : !llvm.ptr<1>, i16
// CHECK-NOT: llvm.atomicrmw
gpu_block.kernel @add_bf16(%p: !gpu_block.ptr<bf16>, %n: i32) grid [1] num_warps = 1 {
  %offs = gpu_block.arange 0 to 64 : tensor<64xi32>
  %nb = gpu_block.splat %n : i32 -> tensor<64xi32>
  %m = gpu_block.map(%o = %offs, %k = %nb) : tensor<64xi32>, tensor<64xi32> -> tensor<64xi1> {
    %c = arith.cmpi slt, %o, %k : i32
    gpu_block.yield %c : i1
  }
  %b = gpu_block.splat %p : !gpu_block.ptr<bf16> -> tensor<64x!gpu_block.ptr<bf16>>
  %ps = gpu_block.addptr %b, %offs : tensor<64x!gpu_block.ptr<bf16>>, tensor<64xi32>
  %v = gpu_block.load %ps mask %m : tensor<64x!gpu_block.ptr<bf16>>
  gpu_block.atomic_rmw add %ps, %v mask %m : tensor<64x!gpu_block.ptr<bf16>>
  gpu_block.return
}
// CHECK-LABEL: llvm.func @max_bf16(
// CHECK-COUNT-2: llvm.atomicrmw fmaximum {{.*}} : !llvm.ptr<1>, i16
// CHECK-NOT: llvm.atomicrmw
gpu_block.kernel @max_bf16(%p: !gpu_block.ptr<bf16>, %n: i32) grid [1] num_warps = 1 {
  %offs = gpu_block.arange 0 to 64 : tensor<64xi32>
  %nb = gpu_block.splat %n : i32 -> tensor<64xi32>
  %m = gpu_block.map(%o = %offs, %k = %nb) : tensor<64xi32>, tensor<64xi32> -> tensor<64xi1> {
    %c = arith.cmpi slt, %o, %k : i32
    gpu_block.yield %c : i1
  }
  %b = gpu_block.splat %p : !gpu_block.ptr<bf16> -> tensor<64x!gpu_block.ptr<bf16>>
  %ps = gpu_block.addptr %b, %offs : tensor<64x!gpu_block.ptr<bf16>>, tensor<64xi32>
  %v = gpu_block.load %ps mask %m : tensor<64x!gpu_block.ptr<bf16>>
  gpu_block.atomic_rmw max %ps, %v mask %m : tensor<64x!gpu_block.ptr<bf16>>
  gpu_block.return
}
// CHECK-LABEL: llvm.func @add_i32(
// CHECK-COUNT-2: llvm.atomicrmw add {{.*}} : !llvm.ptr<1>, i32
// CHECK-NOT: llvm.atomicrmw
gpu_block.kernel @add_i32(%p: !gpu_block.ptr<i32>, %n: i32) grid [1] num_warps = 1 {
  %offs = gpu_block.arange 0 to 64 : tensor<64xi32>
  %nb = gpu_block.splat %n : i32 -> tensor<64xi32>
  %m = gpu_block.map(%o = %offs, %k = %nb) : tensor<64xi32>, tensor<64xi32> -> tensor<64xi1> {
    %c = arith.cmpi slt, %o, %k : i32
    gpu_block.yield %c : i1
  }
  %b = gpu_block.splat %p : !gpu_block.ptr<i32> -> tensor<64x!gpu_block.ptr<i32>>
  %ps = gpu_block.addptr %b, %offs : tensor<64x!gpu_block.ptr<i32>>, tensor<64xi32>
  %v = gpu_block.load %ps mask %m : tensor<64x!gpu_block.ptr<i32>>
  gpu_block.atomic_rmw add %ps, %v mask %m : tensor<64x!gpu_block.ptr<i32>>
  gpu_block.return
}
// CHECK-LABEL: llvm.func @min_i64(
// CHECK-COUNT-2: llvm.atomicrmw min {{.*}} : !llvm.ptr<1>, i64
// CHECK-NOT: llvm.atomicrmw
gpu_block.kernel @min_i64(%p: !gpu_block.ptr<i64>, %n: i32) grid [1] num_warps = 1 {
  %offs = gpu_block.arange 0 to 64 : tensor<64xi32>
  %nb = gpu_block.splat %n : i32 -> tensor<64xi32>
  %m = gpu_block.map(%o = %offs, %k = %nb) : tensor<64xi32>, tensor<64xi32> -> tensor<64xi1> {
    %c = arith.cmpi slt, %o, %k : i32
    gpu_block.yield %c : i1
  }
  %b = gpu_block.splat %p : !gpu_block.ptr<i64> -> tensor<64x!gpu_block.ptr<i64>>
  %ps = gpu_block.addptr %b, %offs : tensor<64x!gpu_block.ptr<i64>>, tensor<64xi32>
  %v = gpu_block.load %ps mask %m : tensor<64x!gpu_block.ptr<i64>>
  gpu_block.atomic_rmw min %ps, %v mask %m : tensor<64x!gpu_block.ptr<i64>>
  gpu_block.return
}
// CHECK-LABEL: llvm.func @max_i8(
// CHECK-COUNT-2: llvm.atomicrmw max {{.*}} : !llvm.ptr<1>, i8
// CHECK-NOT: llvm.atomicrmw
gpu_block.kernel @max_i8(%p: !gpu_block.ptr<i8>, %n: i32) grid [1] num_warps = 1 {
  %offs = gpu_block.arange 0 to 64 : tensor<64xi32>
  %nb = gpu_block.splat %n : i32 -> tensor<64xi32>
  %m = gpu_block.map(%o = %offs, %k = %nb) : tensor<64xi32>, tensor<64xi32> -> tensor<64xi1> {
    %c = arith.cmpi slt, %o, %k : i32
    gpu_block.yield %c : i1
  }
  %b = gpu_block.splat %p : !gpu_block.ptr<i8> -> tensor<64x!gpu_block.ptr<i8>>
  %ps = gpu_block.addptr %b, %offs : tensor<64x!gpu_block.ptr<i8>>, tensor<64xi32>
  %v = gpu_block.load %ps mask %m : tensor<64x!gpu_block.ptr<i8>>
  gpu_block.atomic_rmw max %ps, %v mask %m : tensor<64x!gpu_block.ptr<i8>>
  gpu_block.return
}
// CHECK-LABEL: llvm.func @add_i16(
// CHECK-COUNT-2: llvm.atomicrmw add {{.*}} : !llvm.ptr<1>, i16
// CHECK-NOT: llvm.atomicrmw
gpu_block.kernel @add_i16(%p: !gpu_block.ptr<i16>, %n: i32) grid [1] num_warps = 1 {
  %offs = gpu_block.arange 0 to 64 : tensor<64xi32>
  %nb = gpu_block.splat %n : i32 -> tensor<64xi32>
  %m = gpu_block.map(%o = %offs, %k = %nb) : tensor<64xi32>, tensor<64xi32> -> tensor<64xi1> {
    %c = arith.cmpi slt, %o, %k : i32
    gpu_block.yield %c : i1
  }
  %b = gpu_block.splat %p : !gpu_block.ptr<i16> -> tensor<64x!gpu_block.ptr<i16>>
  %ps = gpu_block.addptr %b, %offs : tensor<64x!gpu_block.ptr<i16>>, tensor<64xi32>
  %v = gpu_block.load %ps mask %m : tensor<64x!gpu_block.ptr<i16>>
  gpu_block.atomic_rmw add %ps, %v mask %m : tensor<64x!gpu_block.ptr<i16>>
  gpu_block.return
}
// CHECK-LABEL: llvm.func @add_i1(
// CHECK-COUNT-2: llvm.atomicrmw xor {{.*}} : !llvm.ptr<1>, i8
// CHECK-NOT: llvm.atomicrmw
gpu_block.kernel @add_i1(%p: !gpu_block.ptr<i1>, %n: i32) grid [1] num_warps = 1 {
  %offs = gpu_block.arange 0 to 64 : tensor<64xi32>
  %nb = gpu_block.splat %n : i32 -> tensor<64xi32>
  %m = gpu_block.map(%o = %offs, %k = %nb) : tensor<64xi32>, tensor<64xi32> -> tensor<64xi1> {
    %c = arith.cmpi slt, %o, %k : i32
    gpu_block.yield %c : i1
  }
  %b = gpu_block.splat %p : !gpu_block.ptr<i1> -> tensor<64x!gpu_block.ptr<i1>>
  %ps = gpu_block.addptr %b, %offs : tensor<64x!gpu_block.ptr<i1>>, tensor<64xi32>
  %v = gpu_block.load %ps mask %m : tensor<64x!gpu_block.ptr<i1>>
  gpu_block.atomic_rmw add %ps, %v mask %m : tensor<64x!gpu_block.ptr<i1>>
  gpu_block.return
}
// CHECK-LABEL: llvm.func @max_i1(
// CHECK-COUNT-2: llvm.atomicrmw or {{.*}} : !llvm.ptr<1>, i8
// CHECK-NOT: llvm.atomicrmw
gpu_block.kernel @max_i1(%p: !gpu_block.ptr<i1>, %n: i32) grid [1] num_warps = 1 {
  %offs = gpu_block.arange 0 to 64 : tensor<64xi32>
  %nb = gpu_block.splat %n : i32 -> tensor<64xi32>
  %m = gpu_block.map(%o = %offs, %k = %nb) : tensor<64xi32>, tensor<64xi32> -> tensor<64xi1> {
    %c = arith.cmpi slt, %o, %k : i32
    gpu_block.yield %c : i1
  }
  %b = gpu_block.splat %p : !gpu_block.ptr<i1> -> tensor<64x!gpu_block.ptr<i1>>
  %ps = gpu_block.addptr %b, %offs : tensor<64x!gpu_block.ptr<i1>>, tensor<64xi32>
  %v = gpu_block.load %ps mask %m : tensor<64x!gpu_block.ptr<i1>>
  gpu_block.atomic_rmw max %ps, %v mask %m : tensor<64x!gpu_block.ptr<i1>>
  gpu_block.return
}
// CHECK-LABEL: llvm.func @min_i1(
// CHECK-COUNT-2: llvm.atomicrmw and {{.*}} : !llvm.ptr<1>, i8
// CHECK-NOT: llvm.atomicrmw
gpu_block.kernel @min_i1(%p: !gpu_block.ptr<i1>, %n: i32) grid [1] num_warps = 1 {
  %offs = gpu_block.arange 0 to 64 : tensor<64xi32>
  %nb = gpu_block.splat %n : i32 -> tensor<64xi32>
  %m = gpu_block.map(%o = %offs, %k = %nb) : tensor<64xi32>, tensor<64xi32> -> tensor<64xi1> {
    %c = arith.cmpi slt, %o, %k : i32
    gpu_block.yield %c : i1
  }
  %b = gpu_block.splat %p : !gpu_block.ptr<i1> -> tensor<64x!gpu_block.ptr<i1>>
  %ps = gpu_block.addptr %b, %offs : tensor<64x!gpu_block.ptr<i1>>, tensor<64xi32>
  %v = gpu_block.load %ps mask %m : tensor<64x!gpu_block.ptr<i1>>
  gpu_block.atomic_rmw min %ps, %v mask %m : tensor<64x!gpu_block.ptr<i1>>
  gpu_block.return
}

// A block smaller than the CTA (16 elements, 32 threads): threads 16-31 hold copies of
// threads 0-15's elements and combine nothing.
// CHECK-LABEL: llvm.func @replicas(
// CHECK:         %[[TID:[0-9]+]] = llvm.call_intrinsic "llvm.nvvm.read.ptx.sreg.tid.x"() : () -> i32
// CHECK:         %[[IN:[0-9]+]] = llvm.icmp "ult" %[[TID]], %{{.*}} : i32
// CHECK-NEXT:    llvm.cond_br %[[IN]], ^[[ON:bb[0-9]+]], ^[[OFF:bb[0-9]+]]
// CHECK-NEXT:  ^[[ON]]:
// CHECK-NEXT:    %{{.*}} = llvm.atomicrmw fadd %{{.*}}, %{{.*}} syncscope("device") monotonic : !llvm.ptr<1>, f32
// CHECK-NOT:     llvm.atomicrmw
gpu_block.kernel @replicas(%p: !gpu_block.ptr<f32>) grid [1] num_warps = 1 {
  %offs = gpu_block.arange 0 to 16 : tensor<16xi32>
  %b = gpu_block.splat %p : !gpu_block.ptr<f32> -> tensor<16x!gpu_block.ptr<f32>>
  %ps = gpu_block.addptr %b, %offs : tensor<16x!gpu_block.ptr<f32>>, tensor<16xi32>
  %v = gpu_block.load %ps : tensor<16x!gpu_block.ptr<f32>>
  gpu_block.atomic_rmw add %ps, %v : tensor<16x!gpu_block.ptr<f32>>
  gpu_block.return
}

// A scalar pointer (a split reduction's partial result): once per program, by thread 0,
// under the scalar mask.
// CHECK-LABEL: llvm.func @scalar(
// CHECK:         %[[TID:[0-9]+]] = llvm.call_intrinsic "llvm.nvvm.read.ptx.sreg.tid.x"() : () -> i32
// CHECK:         %[[T0:[0-9]+]] = llvm.icmp "eq" %[[TID]], %{{.*}} : i32
// CHECK-NEXT:    %[[ON:[0-9]+]] = llvm.and %[[T0]], %{{.*}} : i1
// CHECK-NEXT:    llvm.cond_br %[[ON]], ^[[DO:bb[0-9]+]], ^{{bb[0-9]+}}
// CHECK-NEXT:  ^[[DO]]:
// CHECK-NEXT:    %{{.*}} = llvm.atomicrmw min %{{.*}}, %{{.*}} syncscope("device") monotonic : !llvm.ptr<1>, i32
gpu_block.kernel @scalar(%p: !gpu_block.ptr<i32>, %n: i32) grid [8] num_warps = 2 {
  %pid = gpu_block.program_id 0
  %c4 = arith.constant 4 : i32
  %row = arith.remsi %pid, %c4 : i32
  %m = arith.cmpi slt, %pid, %n : i32
  %q = gpu_block.addptr %p, %row : !gpu_block.ptr<i32>, i32
  gpu_block.atomic_rmw min %q, %pid mask %m : !gpu_block.ptr<i32>
  gpu_block.return
}
