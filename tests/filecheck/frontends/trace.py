# stepwell.trace prints the traced tensor_graph module, and stepwell-opt takes it.
# RUN: %python %s | filecheck %s
# RUN: %python %s | stepwell-opt -p tensor_graph-decompose | filecheck %s --check-prefix=OPT

import stepwell
from stepwell import tg


def block(x, w, b, heads):
    y = tg.gelu(tg.linear(x, w, b), approximate="tanh")
    return tg.softmax(y.reshape([x.shape[0], heads, x.shape[1] // heads]), axis=-1) * 2.0


print(stepwell.trace(block, ((4, 8), "f32"), ((8, 8), "f32"), ((8,), "float32"), 2))

# CHECK:      func.func @block(%0: tensor<4x8xf32>, %1: tensor<8x8xf32>, %2: tensor<8xf32>) -> tensor<4x2x4xf32> {
# CHECK-NEXT:   %3 = tensor_graph.linear %0, %1, %2 : tensor<4x8xf32>, tensor<8x8xf32>, tensor<8xf32> -> tensor<4x8xf32>
# CHECK-NEXT:   %4 = tensor_graph.gelu %3 {approximate = "tanh"} : tensor<4x8xf32>
# CHECK-NEXT:   %5 = tensor_graph.reshape %4 : tensor<4x8xf32> -> tensor<4x2x4xf32>
# CHECK-NEXT:   %6 = tensor_graph.softmax %5 {axis = -1} : tensor<4x2x4xf32>
# CHECK-NEXT:   %7 = tensor_graph.constant {{.*}}2.000000e+00{{.*}} : tensor<f32>
# CHECK-NEXT:   %8 = tensor_graph.mul %6, %7 : tensor<4x2x4xf32>, tensor<f32> -> tensor<4x2x4xf32>
# CHECK-NEXT:   func.return %8 : tensor<4x2x4xf32>

# OPT:     func.func @block
# OPT-NOT: tensor_graph.linear
# OPT-NOT: tensor_graph.softmax
# OPT:     tensor_graph.exp
# OPT:     func.return
