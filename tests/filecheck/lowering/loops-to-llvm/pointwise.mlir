// RUN: stepwell-opt %s -p convert-loops-to-llvm | filecheck %s

// A lone pointwise op is a kernel: void @F_k0(begin, end, ptr noalias out, ptr noalias in...)
// over the outer points [begin, end) (here the rows), with the last dim an inner loop;
// the plan the runtime follows is the module attribute `stepwell.functions`.

// CHECK:      builtin.module attributes {stepwell.functions = [{name = "bias", args = [tensor<5x7xf32>, tensor<7xf32>], results = array<i64: 2>,
// CHECK-SAME:   buffers = [{kind = "arg", type = tensor<5x7xf32>, index = 0 : i64}, {kind = "arg", type = tensor<7xf32>, index = 1 : i64}, {kind = "temp", type = tensor<5x7xf32>}],
// CHECK-SAME:   calls = [{kernel = "bias_k0", buffers = array<i64: 2, 0, 1>, extent = 5 : i64, grain = 7 : i64, chunks = 1 : i64}]}]}
// CHECK:      llvm.func @bias_k0(%[[BEGIN:.*]]: i64, %[[END:.*]]: i64, %[[OUT:.*]]: !llvm.ptr {llvm.noalias}, %[[X:.*]]: !llvm.ptr {llvm.noalias}, %[[B:.*]]: !llvm.ptr {llvm.noalias}) {
// CHECK:        llvm.br ^[[ROWS:.*]](%[[BEGIN]] : i64)
// CHECK:      ^[[ROWS]](%[[I:.*]]: i64):
// CHECK:        %[[MORE:.*]] = llvm.icmp "slt" %[[I]], %[[END]] : i64
// CHECK:        llvm.cond_br %[[MORE]], ^{{.*}}, ^{{.*}}
// CHECK:      ^{{.*}}(%[[J:.*]]: i64):
// CHECK:        llvm.icmp "slt" %[[J]], %{{.*}} : i64
// CHECK:        %[[ROW:.*]] = llvm.mul %[[I]], %{{.*}} overflow<nsw> : i64
// CHECK:        %[[AT:.*]] = llvm.add %[[J]], %[[ROW]] overflow<nsw> : i64
// CHECK:        %[[PX:.*]] = llvm.getelementptr inbounds %[[X]][%[[AT]]] : (!llvm.ptr, i64) -> !llvm.ptr, f32
// CHECK:        %[[VX:.*]] = llvm.load %[[PX]] : !llvm.ptr -> f32
// CHECK:        %[[PB:.*]] = llvm.getelementptr inbounds %[[B]][%[[J]]] : (!llvm.ptr, i64) -> !llvm.ptr, f32
// CHECK:        %[[VB:.*]] = llvm.load %[[PB]] : !llvm.ptr -> f32
// CHECK:        %[[SUM:.*]] = llvm.fadd %[[VX]], %[[VB]] : f32
// CHECK:        llvm.store %[[SUM]], %{{.*}} : f32, !llvm.ptr
// CHECK:        llvm.return
// CHECK-NOT:  func.func
func.func @bias(%x: tensor<5x7xf32>, %b: tensor<7xf32>) -> tensor<5x7xf32> {
  %y = loops.pointwise : tensor<5x7xf32> {
    %a = loops.load %x[d0, d1] : tensor<5x7xf32>
    %c = loops.load %b[d1] : tensor<7xf32>
    %s = arith.addf %a, %c : f32
    loops.yield %s : f32
  }
  func.return %y : tensor<5x7xf32>
}
