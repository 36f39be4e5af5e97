// RUN: stepwell-opt %s -p convert-gpu_block-to-nvvm --emit ptx | filecheck %s
// RUN: stepwell-opt %s -p convert-gpu_block-to-nvvm --emit ptx -o %t.ptx
// RUN: filecheck %s --check-prefix=GENERIC < %t.ptx
// RUN: %python -c "import sys; from stepwell.targets.ptx.assemble import assemble; assemble(open(sys.argv[1]).read(), 'sm_90')" %t.ptx

// gpu_block.atomic_rmw as PTX atomics on global memory (ptxas accepts them for sm_90):
// native adds, signed integer max/min, bitwise ops for i1 (a byte, in its 32-bit word);
// a compare-and-swap loop where PTX has no atomic (float max/min, 16-bit integers).

// A histogram: one count per element, into the bin it names (collisions are the point).
// CHECK-LABEL: .visible .entry hist(
// CHECK:         atom.global.add.u32
// CHECK-LABEL: .visible .entry add_f32(
// CHECK:         atom.global.add.f32
// CHECK-LABEL: .visible .entry add_f64(
// CHECK:         atom.global.add.f64
// CHECK-LABEL: .visible .entry add_f16(
// CHECK:         atom.global.add.noftz.f16
// CHECK-LABEL: .visible .entry add_bf16(
// CHECK:         atom.global.add.noftz.bf16
// CHECK-LABEL: .visible .entry max_i32(
// CHECK:         atom.global.max.s32
// CHECK-LABEL: .visible .entry min_i64(
// CHECK:         atom.global.min.s64
// CHECK-LABEL: .visible .entry max_i1(
// CHECK:         atom.global.or.b32
// CHECK-LABEL: .visible .entry max_f32(
// CHECK:         atom.relaxed.gpu.global.cas.b32
// CHECK-LABEL: .visible .entry min_f64(
// CHECK:         atom.relaxed.gpu.global.cas.b64
// CHECK-LABEL: .visible .entry add_i16(
// CHECK:         atom.relaxed.gpu.global.cas.b32
// CHECK-NOT: call
// Every atomic is on global memory (none on a generic address):
// GENERIC-NOT: {{atom\.(relaxed\.gpu\.)?(add|cas|max|min|or)}}
gpu_block.kernel @hist(%x: !gpu_block.ptr<i32>, %h: !gpu_block.ptr<i32>, %n: i32) grid [(s2 + 255) floordiv 256] num_warps = 4 {
  %pid = gpu_block.program_id 0
  %c256 = arith.constant 256 : i32
  %start = arith.muli %pid, %c256 : i32
  %r = gpu_block.arange 0 to 256 : tensor<256xi32>
  %sb = gpu_block.splat %start : i32 -> tensor<256xi32>
  %nb = gpu_block.splat %n : i32 -> tensor<256xi32>
  %offs, %m = gpu_block.map(%a = %sb, %b = %r, %k = %nb) : tensor<256xi32>, tensor<256xi32>, tensor<256xi32> -> tensor<256xi32>, tensor<256xi1> {
    %o = arith.addi %a, %b : i32
    %c = arith.cmpi slt, %o, %k : i32
    gpu_block.yield %o, %c : i32, i1
  }
  %xb = gpu_block.splat %x : !gpu_block.ptr<i32> -> tensor<256x!gpu_block.ptr<i32>>
  %xp = gpu_block.addptr %xb, %offs : tensor<256x!gpu_block.ptr<i32>>, tensor<256xi32>
  %bins = gpu_block.load %xp mask %m : tensor<256x!gpu_block.ptr<i32>>
  %hb = gpu_block.splat %h : !gpu_block.ptr<i32> -> tensor<256x!gpu_block.ptr<i32>>
  %hp = gpu_block.addptr %hb, %bins : tensor<256x!gpu_block.ptr<i32>>, tensor<256xi32>
  %one = arith.constant 1 : i32
  %ones = gpu_block.splat %one : i32 -> tensor<256xi32>
  gpu_block.atomic_rmw add %hp, %ones mask %m : tensor<256x!gpu_block.ptr<i32>>
  gpu_block.return
}
gpu_block.kernel @add_f32(%p: !gpu_block.ptr<f32>, %q: !gpu_block.ptr<f32>) grid [1] num_warps = 4 {
  %offs = gpu_block.arange 0 to 128 : tensor<128xi32>
  %pb = gpu_block.splat %p : !gpu_block.ptr<f32> -> tensor<128x!gpu_block.ptr<f32>>
  %pp = gpu_block.addptr %pb, %offs : tensor<128x!gpu_block.ptr<f32>>, tensor<128xi32>
  %v = gpu_block.load %pp : tensor<128x!gpu_block.ptr<f32>>
  %qb = gpu_block.splat %q : !gpu_block.ptr<f32> -> tensor<128x!gpu_block.ptr<f32>>
  %qp = gpu_block.addptr %qb, %offs : tensor<128x!gpu_block.ptr<f32>>, tensor<128xi32>
  gpu_block.atomic_rmw add %qp, %v : tensor<128x!gpu_block.ptr<f32>>
  gpu_block.return
}
gpu_block.kernel @add_f64(%p: !gpu_block.ptr<f64>, %q: !gpu_block.ptr<f64>) grid [1] num_warps = 4 {
  %offs = gpu_block.arange 0 to 128 : tensor<128xi32>
  %pb = gpu_block.splat %p : !gpu_block.ptr<f64> -> tensor<128x!gpu_block.ptr<f64>>
  %pp = gpu_block.addptr %pb, %offs : tensor<128x!gpu_block.ptr<f64>>, tensor<128xi32>
  %v = gpu_block.load %pp : tensor<128x!gpu_block.ptr<f64>>
  %qb = gpu_block.splat %q : !gpu_block.ptr<f64> -> tensor<128x!gpu_block.ptr<f64>>
  %qp = gpu_block.addptr %qb, %offs : tensor<128x!gpu_block.ptr<f64>>, tensor<128xi32>
  gpu_block.atomic_rmw add %qp, %v : tensor<128x!gpu_block.ptr<f64>>
  gpu_block.return
}
gpu_block.kernel @add_f16(%p: !gpu_block.ptr<f16>, %q: !gpu_block.ptr<f16>) grid [1] num_warps = 4 {
  %offs = gpu_block.arange 0 to 128 : tensor<128xi32>
  %pb = gpu_block.splat %p : !gpu_block.ptr<f16> -> tensor<128x!gpu_block.ptr<f16>>
  %pp = gpu_block.addptr %pb, %offs : tensor<128x!gpu_block.ptr<f16>>, tensor<128xi32>
  %v = gpu_block.load %pp : tensor<128x!gpu_block.ptr<f16>>
  %qb = gpu_block.splat %q : !gpu_block.ptr<f16> -> tensor<128x!gpu_block.ptr<f16>>
  %qp = gpu_block.addptr %qb, %offs : tensor<128x!gpu_block.ptr<f16>>, tensor<128xi32>
  gpu_block.atomic_rmw add %qp, %v : tensor<128x!gpu_block.ptr<f16>>
  gpu_block.return
}
gpu_block.kernel @add_bf16(%p: !gpu_block.ptr<bf16>, %q: !gpu_block.ptr<bf16>) grid [1] num_warps = 4 {
  %offs = gpu_block.arange 0 to 128 : tensor<128xi32>
  %pb = gpu_block.splat %p : !gpu_block.ptr<bf16> -> tensor<128x!gpu_block.ptr<bf16>>
  %pp = gpu_block.addptr %pb, %offs : tensor<128x!gpu_block.ptr<bf16>>, tensor<128xi32>
  %v = gpu_block.load %pp : tensor<128x!gpu_block.ptr<bf16>>
  %qb = gpu_block.splat %q : !gpu_block.ptr<bf16> -> tensor<128x!gpu_block.ptr<bf16>>
  %qp = gpu_block.addptr %qb, %offs : tensor<128x!gpu_block.ptr<bf16>>, tensor<128xi32>
  gpu_block.atomic_rmw add %qp, %v : tensor<128x!gpu_block.ptr<bf16>>
  gpu_block.return
}
gpu_block.kernel @max_i32(%p: !gpu_block.ptr<i32>, %q: !gpu_block.ptr<i32>) grid [1] num_warps = 4 {
  %offs = gpu_block.arange 0 to 128 : tensor<128xi32>
  %pb = gpu_block.splat %p : !gpu_block.ptr<i32> -> tensor<128x!gpu_block.ptr<i32>>
  %pp = gpu_block.addptr %pb, %offs : tensor<128x!gpu_block.ptr<i32>>, tensor<128xi32>
  %v = gpu_block.load %pp : tensor<128x!gpu_block.ptr<i32>>
  %qb = gpu_block.splat %q : !gpu_block.ptr<i32> -> tensor<128x!gpu_block.ptr<i32>>
  %qp = gpu_block.addptr %qb, %offs : tensor<128x!gpu_block.ptr<i32>>, tensor<128xi32>
  gpu_block.atomic_rmw max %qp, %v : tensor<128x!gpu_block.ptr<i32>>
  gpu_block.return
}
gpu_block.kernel @min_i64(%p: !gpu_block.ptr<i64>, %q: !gpu_block.ptr<i64>) grid [1] num_warps = 4 {
  %offs = gpu_block.arange 0 to 128 : tensor<128xi32>
  %pb = gpu_block.splat %p : !gpu_block.ptr<i64> -> tensor<128x!gpu_block.ptr<i64>>
  %pp = gpu_block.addptr %pb, %offs : tensor<128x!gpu_block.ptr<i64>>, tensor<128xi32>
  %v = gpu_block.load %pp : tensor<128x!gpu_block.ptr<i64>>
  %qb = gpu_block.splat %q : !gpu_block.ptr<i64> -> tensor<128x!gpu_block.ptr<i64>>
  %qp = gpu_block.addptr %qb, %offs : tensor<128x!gpu_block.ptr<i64>>, tensor<128xi32>
  gpu_block.atomic_rmw min %qp, %v : tensor<128x!gpu_block.ptr<i64>>
  gpu_block.return
}
gpu_block.kernel @max_i1(%p: !gpu_block.ptr<i1>, %q: !gpu_block.ptr<i1>) grid [1] num_warps = 4 {
  %offs = gpu_block.arange 0 to 128 : tensor<128xi32>
  %pb = gpu_block.splat %p : !gpu_block.ptr<i1> -> tensor<128x!gpu_block.ptr<i1>>
  %pp = gpu_block.addptr %pb, %offs : tensor<128x!gpu_block.ptr<i1>>, tensor<128xi32>
  %v = gpu_block.load %pp : tensor<128x!gpu_block.ptr<i1>>
  %qb = gpu_block.splat %q : !gpu_block.ptr<i1> -> tensor<128x!gpu_block.ptr<i1>>
  %qp = gpu_block.addptr %qb, %offs : tensor<128x!gpu_block.ptr<i1>>, tensor<128xi32>
  gpu_block.atomic_rmw max %qp, %v : tensor<128x!gpu_block.ptr<i1>>
  gpu_block.return
}
gpu_block.kernel @max_f32(%p: !gpu_block.ptr<f32>, %q: !gpu_block.ptr<f32>) grid [1] num_warps = 4 {
  %offs = gpu_block.arange 0 to 128 : tensor<128xi32>
  %pb = gpu_block.splat %p : !gpu_block.ptr<f32> -> tensor<128x!gpu_block.ptr<f32>>
  %pp = gpu_block.addptr %pb, %offs : tensor<128x!gpu_block.ptr<f32>>, tensor<128xi32>
  %v = gpu_block.load %pp : tensor<128x!gpu_block.ptr<f32>>
  %qb = gpu_block.splat %q : !gpu_block.ptr<f32> -> tensor<128x!gpu_block.ptr<f32>>
  %qp = gpu_block.addptr %qb, %offs : tensor<128x!gpu_block.ptr<f32>>, tensor<128xi32>
  gpu_block.atomic_rmw max %qp, %v : tensor<128x!gpu_block.ptr<f32>>
  gpu_block.return
}
gpu_block.kernel @min_f64(%p: !gpu_block.ptr<f64>, %q: !gpu_block.ptr<f64>) grid [1] num_warps = 4 {
  %offs = gpu_block.arange 0 to 128 : tensor<128xi32>
  %pb = gpu_block.splat %p : !gpu_block.ptr<f64> -> tensor<128x!gpu_block.ptr<f64>>
  %pp = gpu_block.addptr %pb, %offs : tensor<128x!gpu_block.ptr<f64>>, tensor<128xi32>
  %v = gpu_block.load %pp : tensor<128x!gpu_block.ptr<f64>>
  %qb = gpu_block.splat %q : !gpu_block.ptr<f64> -> tensor<128x!gpu_block.ptr<f64>>
  %qp = gpu_block.addptr %qb, %offs : tensor<128x!gpu_block.ptr<f64>>, tensor<128xi32>
  gpu_block.atomic_rmw min %qp, %v : tensor<128x!gpu_block.ptr<f64>>
  gpu_block.return
}
gpu_block.kernel @add_i16(%p: !gpu_block.ptr<i16>, %q: !gpu_block.ptr<i16>) grid [1] num_warps = 4 {
  %offs = gpu_block.arange 0 to 128 : tensor<128xi32>
  %pb = gpu_block.splat %p : !gpu_block.ptr<i16> -> tensor<128x!gpu_block.ptr<i16>>
  %pp = gpu_block.addptr %pb, %offs : tensor<128x!gpu_block.ptr<i16>>, tensor<128xi32>
  %v = gpu_block.load %pp : tensor<128x!gpu_block.ptr<i16>>
  %qb = gpu_block.splat %q : !gpu_block.ptr<i16> -> tensor<128x!gpu_block.ptr<i16>>
  %qp = gpu_block.addptr %qb, %offs : tensor<128x!gpu_block.ptr<i16>>, tensor<128xi32>
  gpu_block.atomic_rmw add %qp, %v : tensor<128x!gpu_block.ptr<i16>>
  gpu_block.return
}
