// A donated argument ({stepwell.donate}: the caller gives its memory away, as
// jax.jit's donate_argnums) may hold a buffer written in place over it:
// #loops.slot<arg i>. A result goes there only when it has the argument's type.
// RUN: stepwell-opt %s -p loops-plan-memory | filecheck %s

// exp then add over donated %x: both in %x's memory; the result too (same type):
// nothing in the arena.
// CHECK-LABEL: func.func @chain
// CHECK-SAME:    arena = 0 : i64
// CHECK:         %a = loops.pointwise {{.*}}memory = #loops.slot<arg 0>
// CHECK:         %b = loops.pointwise {{.*}}memory = #loops.slot<arg 0>
func.func @chain(%x: tensor<1024xf32> {stepwell.donate}, %y: tensor<1024xf32>) -> tensor<1024xf32> {
  %a = loops.pointwise : tensor<1024xf32> {
    %0 = loops.load %x[d0] : tensor<1024xf32>
    %1 = math.exp %0 : f32
    loops.yield %1 : f32
  }
  %b = loops.pointwise : tensor<1024xf32> {
    %0 = loops.load %a[d0] : tensor<1024xf32>
    %1 = loops.load %y[d0] : tensor<1024xf32>
    %2 = arith.addf %0, %1 : f32
    loops.yield %2 : f32
  }
  func.return %b : tensor<1024xf32>
}

// A result of another type than the donated argument it could overwrite (a cast to
// i32) gets its own allocation; an intermediate of a smaller size fits in it.
// CHECK-LABEL: func.func @result_of_another_type
// CHECK-SAME:    arena = 0 : i64
// CHECK:         %a = loops.pointwise {{.*}}memory = #loops.slot<arg 1>
// CHECK:         %b = loops.pointwise {{.*}}memory = #loops.slot<result 0>
func.func @result_of_another_type(%y: tensor<1024xf32>, %x: tensor<1024xf32> {stepwell.donate}) -> tensor<512xi32> {
  %a = loops.pointwise : tensor<512xf32> {
    %0 = loops.load %x[d0] : tensor<1024xf32>
    %1 = math.exp %0 : f32
    loops.yield %1 : f32
  }
  %b = loops.pointwise : tensor<512xi32> {
    %0 = loops.load %a[d0] : tensor<512xf32>
    %1 = arith.fptosi %0 : f32 to i32
    loops.yield %1 : i32
  }
  func.return %b : tensor<512xi32>
}

// A donated argument read again later (%x by %b: %a may not overwrite it, %b may),
// returned (%z), or read at another element (%w) is not overwritten; one not donated
// (%y) never is.
// (%a, dead before result 0 is written, borrows its memory.)
// CHECK-LABEL: func.func @not_overwritten
// CHECK-SAME:    arena = 0 : i64
// CHECK:         %a = loops.pointwise {{.*}}memory = #loops.slot<result 0, 0, 4096>
// CHECK:         %b = loops.pointwise {{.*}}memory = #loops.slot<arg 0>
// CHECK:         %c = loops.pointwise {{.*}}memory = #loops.slot<result 0>
func.func @not_overwritten(%x: tensor<1024xf32> {stepwell.donate}, %y: tensor<1024xf32>, %z: tensor<1024xf32> {stepwell.donate}, %w: tensor<1024xf32> {stepwell.donate}) -> (tensor<1024xf32>, tensor<1024xf32>) {
  %a = loops.pointwise : tensor<1024xf32> {
    %0 = loops.load %x[d0] : tensor<1024xf32>
    %1 = loops.load %y[d0] : tensor<1024xf32>
    %2 = loops.load %z[d0] : tensor<1024xf32>
    %3 = arith.addf %0, %1 : f32
    %4 = arith.addf %3, %2 : f32
    loops.yield %4 : f32
  }
  %b = loops.pointwise : tensor<1024xf32> {
    %0 = loops.load %a[1023 - d0] : tensor<1024xf32>
    %1 = loops.load %x[d0] : tensor<1024xf32>
    %2 = loops.load %w[1023 - d0] : tensor<1024xf32>
    %3 = arith.addf %0, %1 : f32
    %4 = arith.addf %3, %2 : f32
    loops.yield %4 : f32
  }
  %c = loops.pointwise : tensor<1024xf32> {
    %0 = loops.load %b[1023 - d0] : tensor<1024xf32>
    loops.yield %0 : f32
  }
  func.return %c, %z : tensor<1024xf32>, tensor<1024xf32>
}
