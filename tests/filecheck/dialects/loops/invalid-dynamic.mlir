// A `?` size is refused at the loops level with a located error until dynamic shapes
// are designed: in the result of every compute op and kernel, in a loaded buffer, in
// IR a pass made, and before `convert-loops-to-llvm` lowers anything.
// RUN: stepwell-opt %s --split-input-file --verify-diagnostics
// RUN: stepwell-opt %s --split-input-file --verify-diagnostics -p convert-loops-to-llvm
// RUN: not stepwell-opt %S/Inputs/static.mlir --load-pass-plugin %S/Inputs/dynamic_pass.py -p test-make-dynamic 2>&1 | filecheck %s --check-prefix=PASS
// RUN: not stepwell-opt %S/Inputs/static.mlir --load-pass-plugin %S/Inputs/dynamic_pass.py -p test-make-dynamic,convert-loops-to-llvm 2>&1 | filecheck %s --check-prefix=PASS

// PASS:      static.mlir:3:3: error: 'loops.pointwise' op tensor<?x8xf32> has a dynamic size: stepwell supports static shapes only
// PASS-NEXT:   %y = loops.pointwise : tensor<4x8xf32> {
// PASS-NEXT:   ^
// PASS:      error: pass 'test-make-dynamic' produced invalid IR

func.func @pointwise(%x: tensor<4x8xf32>) {
  // expected-error@+1 {{'loops.pointwise' op tensor<?x8xf32> has a dynamic size: stepwell supports static shapes only}}
  %y = loops.pointwise : tensor<?x8xf32> {
    %a = loops.load %x[d0, d1] : tensor<4x8xf32>
    loops.yield %a : f32
  }
  func.return
}

// -----

func.func @reduce(%x: tensor<4x8xf32>) {
  // expected-error@+1 {{'loops.reduce' op tensor<?xf32> has a dynamic size: stepwell supports static shapes only}}
  %s = loops.reduce sum over [8] : tensor<?xf32> {
    %a = loops.load %x[d0, r0] : tensor<4x8xf32>
    loops.yield %a : f32
  }
  func.return
}

// -----

func.func @kernel(%x: tensor<4x8xf32>) {
  // expected-error@+1 {{'loops.kernel' op tensor<4x?xf32> has a dynamic size: stepwell supports static shapes only}}
  %k = loops.kernel parallel [p0 = 4, p1 = 8] -> tensor<4x?xf32> {
    %e = loops.pointwise : tensor<4x8xf32> at (p0, p1) {
      %a = loops.load %x[d0, d1] : tensor<4x8xf32>
      loops.yield %a : f32
    }
    loops.yield %e : tensor<4x8xf32>
  }
  func.return
}

// -----

// expected-error@+1 {{'func.func' op tensor<?x8xf32> has a dynamic size: stepwell supports static shapes only}}
func.func @buffer(%x: tensor<?x8xf32>) {
  %y = loops.pointwise : tensor<4x8xf32> {
    // expected-error@+1 {{'loops.load' op tensor<?x8xf32> has a dynamic size: stepwell supports static shapes only}}
    %a = loops.load %x[d0, d1] : tensor<?x8xf32>
    loops.yield %a : f32
  }
  func.return
}
