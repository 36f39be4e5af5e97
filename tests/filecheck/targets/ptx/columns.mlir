// RUN: stepwell-opt %s -p lower-to-ptx --emit ptx | filecheck %s

// bench/workloads.py's sum_cols: the column sum of 16384x4096 f32, split (8 x 2048
// rows). Kernel 0 reads a [64 columns x 32 rows] tile a step, the columns contiguous:
// its accumulator is carried in the load's (transposed) view. The loop's masks are
// proven (the loop's counter spans 0..2016, the grid is exact), so the step is four
// read-only vector loads and sixteen adds, with no branch, select nor index division.
// The reduction over the rows then runs in the view the accumulator is held in: in
// the thread, one butterfly (the rows' lane bit), across the warps in shared memory;
// no layout change through shared memory before it.
// CHECK-LABEL: .visible .entry cols_k0(
// CHECK: [[LOOP:\$L__BB0_[0-9]+]]:
// CHECK-NEXT: mul.wide.s32
// CHECK-NEXT: add.s64
// CHECK-NEXT: ld.global.nc.v4.b32
// CHECK-NEXT: ld.global.nc.v4.b32
// CHECK-NEXT: ld.global.nc.v4.b32
// CHECK-NEXT: ld.global.nc.v4.b32
// CHECK-COUNT-16: add.rn.f32
// CHECK-NEXT: add.s32
// CHECK-NEXT: add.s32
// CHECK-NEXT: setp.lt.u32
// CHECK-NEXT: @%p{{[0-9]+}} bra [[LOOP]];
// CHECK-NOT: st.shared
// CHECK-COUNT-4: shfl.sync.bfly.b32 {{.*}}, 16, 31, -1;
// CHECK-NOT: shfl.sync
// CHECK: st.shared
// CHECK: bar.sync 0
// CHECK: st.global.b32
// CHECK: ret;
func.func @cols(%x: tensor<16384x4096xf32>) -> tensor<4096xf32> {
  %r = "tensor_graph.reduce"(%x) <{kind = "sum", dims = array<i64: 0>, keepdim = false}> : (tensor<16384x4096xf32>) -> tensor<4096xf32>
  func.return %r : tensor<4096xf32>
}

// 1000 rows: the loop's last step is partial. The row mask is the same in every lane
// of a strip (the strip runs along the columns), so a strip is read whole or not at
// all: a predicated vector load, no lane-by-lane fallback nor select.
// CHECK-LABEL: .visible .entry tail_k0(
// CHECK-NOT: ld.global.nc.b32
// CHECK-NOT: selp
// CHECK: @%p{{[0-9]+}} bra
// CHECK: ld.global.nc.v4.b32
// CHECK: @%p{{[0-9]+}} bra
// CHECK: ld.global.nc.v4.b32
// CHECK: @%p{{[0-9]+}} bra
// CHECK: ld.global.nc.v4.b32
// CHECK: @%p{{[0-9]+}} bra
// CHECK: ld.global.nc.v4.b32
// CHECK-NOT: ld.global.nc.b32
// CHECK-NOT: selp
// CHECK: ret;
func.func @tail(%x: tensor<1000x4096xf32>) -> tensor<4096xf32> {
  %r = "tensor_graph.reduce"(%x) <{kind = "sum", dims = array<i64: 0>, keepdim = false}> : (tensor<1000x4096xf32>) -> tensor<4096xf32>
  func.return %r : tensor<4096xf32>
}

// A softmax over columns reads its block once, in the transposed view, and uses it
// again after the max: the block changes to the identity through shared memory once,
// before the reductions, which run there (the reduction does not take the held view
// when another op reads the block: it would change layout anyway).
// CHECK-LABEL: .visible .entry colsm_k0(
// CHECK-COUNT-4: ld.global.nc.v4.b32
// CHECK: st.shared
// CHECK: bar.sync 0
// CHECK: ld.shared
// CHECK: bar.sync 0
// CHECK: shfl.sync.bfly.b32
func.func @colsm(%x: tensor<64x512xf32>) -> tensor<64x512xf32> {
  %y = "tensor_graph.softmax"(%x) <{axis = 0 : i64}> : (tensor<64x512xf32>) -> tensor<64x512xf32>
  func.return %y : tensor<64x512xf32>
}
