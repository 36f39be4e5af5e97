// RUN: stepwell-opt %s -p lower-to-triton --emit triton | filecheck %s

// attention is ONE flash-style kernel: q loaded once, a loop over the keys carrying the
// row max, the row sum and the accumulator, two tl.dot (q @ k^T, p @ v with p rounded to
// bf16), exp2 with log2(e) folded into the scale, the masks of T (100 is not a multiple
// of the 64-key step) and of the causal diagonal, the loop stopping at the diagonal and a
// second loop over the skipped v rows (their inf/NaN still reach the result).
// CHECK:      @triton.jit
// CHECK:      def f_k0(q_ptr, k_ptr, v_ptr, y_ptr):
// CHECK:        q = tl.load(q_ptrs, mask=mask, other=0.0)
// CHECK:        hi = tl.minimum(100, {{.*}})
// CHECK:        for j in range(0, hi, 64):
// CHECK:          kt = tl.load({{.*}}, mask=mask_1, other=0.0)
// CHECK:          qk = {{.*}}tl.dot(q, kt, zero)
// CHECK:          {{.*}} = qk * 0.50494{{[0-9]*}}
// CHECK:          {{.*}} = cols >= 100
// CHECK:          {{.*}} = cols > rows
// CHECK:          m_new = tl.maximum(m_i_1, {{.*}}, propagate_nan=tl.PropagateNan.ALL)
// CHECK:          alpha = tl.exp2(
// CHECK:          p = tl.exp2(
// CHECK:          p16 = _bf16(p)
// CHECK:          acc_3 = {{.*}}tl.dot(p16, v, acc_2)
// CHECK:        for j_1 in range(hi, 100, 64):
// CHECK:        out = tl.div_rn(
// CHECK:        tl.store(o_ptrs, y, mask=
// CHECK-NOT:  @triton.jit
// CHECK:      def f(q, k, v):
// CHECK:        f_k0[(2,)](q, k, v, y,
// CHECK-NOT:    f_k1
func.func @f(%q: tensor<2x100x16xbf16>, %k: tensor<2x100x16xbf16>, %v: tensor<2x100x16xbf16>) -> tensor<2x100x16xbf16> {
  %y = tensor_graph.attention %q, %k, %v {scale = 0.35, causal = true} : tensor<2x100x16xbf16>, tensor<2x100x16xbf16>, tensor<2x100x16xbf16> -> tensor<2x100x16xbf16>
  func.return %y : tensor<2x100x16xbf16>
}
