// RUN: stepwell-opt %s -p 'convert-tensor_graph-to-loops,loops-split-reduction,loops-fuse' | filecheck %s
// RUN: stepwell-opt %s -p 'convert-tensor_graph-to-loops,loops-split-reduction{remarks=true}' -o /dev/null 2>&1 | filecheck %s --check-prefix=REMARK

// sum(exp(x)) over a whole tensor: loops-fuse inlines the pointwise prologue into
// the partial reduction, as into any reduction; the combine reads the partial sums.

// CHECK-LABEL: func.func @sum_exp
// CHECK-NEXT:    %s_part = loops.reduce sum over [32, 4096] : tensor<64xf32> {
// CHECK-NEXT:      %[[X:.*]] = loops.load %x[32 * d0 + r0, r1] : tensor<2048x4096xf32>
// CHECK-NEXT:      %[[E:.*]] = math.exp %[[X]] : f32
// CHECK-NEXT:      loops.yield %[[E]] : f32
// CHECK-NEXT:    }
// CHECK-NEXT:    %s = loops.reduce sum over [64] : tensor<f32> {
// CHECK-NEXT:      %[[P:.*]] = loops.load %s_part[r0] : tensor<64xf32>
// CHECK-NEXT:      loops.yield %[[P]] : f32
// CHECK-NEXT:    }
// CHECK-NEXT:    func.return %s : tensor<f32>

// REMARK: remark: 'loops.reduce' op split reduction %s into 64 chunks of 131072 iterations (r0: 64 x 32): 64 x 1 partial results, then a combine over 64
func.func @sum_exp(%x: tensor<2048x4096xf32>) -> tensor<f32> {
  %e = tensor_graph.exp %x : tensor<2048x4096xf32>
  %s = tensor_graph.reduce %e {kind = "sum", dims = [0, 1], keepdim = false} : tensor<2048x4096xf32> -> tensor<f32>
  func.return %s : tensor<f32>
}
