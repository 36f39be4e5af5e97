"""Every composite of the spec as a one-op program line, its arguments and result shape,
shared by the differential tests of the lowerings. `X` in a type stands for the element
type under test: `line.replace("xX>", f"x{dt}>")`."""

COMPOSITES = {
    "sigmoid": ([("x", (4, 7))], "%y = tensor_graph.sigmoid %x : tensor<4x7xX>", (4, 7)),
    "relu": ([("x", (4, 7))], "%y = tensor_graph.relu %x : tensor<4x7xX>", (4, 7)),
    "silu": ([("x", (9,))], "%y = tensor_graph.silu %x : tensor<9xX>", (9,)),
    "gelu": ([("x", (4, 7))], '%y = tensor_graph.gelu %x {approximate = "none"} : tensor<4x7xX>', (4, 7)),
    "gelu_tanh": ([("x", (4, 7))], '%y = tensor_graph.gelu %x {approximate = "tanh"} : tensor<4x7xX>', (4, 7)),
    "clamp": ([("x", (4, 7))], "%y = tensor_graph.clamp %x {min = -1.0, max = 2.0} : tensor<4x7xX>", (4, 7)),
    "var": ([("x", (3, 5, 4))],
            "%y = tensor_graph.var %x {dims = [1, 2], correction = 1, keepdim = false} : tensor<3x5x4xX> -> tensor<3xX>", (3,)),
    "linear": ([("x", (2, 3, 5)), ("w", (4, 5)), ("b", (4,))],
               "%y = tensor_graph.linear %x, %w, %b : tensor<2x3x5xX>, tensor<4x5xX>, tensor<4xX> -> tensor<2x3x4xX>", (2, 3, 4)),
    "softmax": ([("x", (3, 11))], "%y = tensor_graph.softmax %x {axis = -1} : tensor<3x11xX>", (3, 11)),
    "log_softmax": ([("x", (5, 3))], "%y = tensor_graph.log_softmax %x {axis = 0} : tensor<5x3xX>", (5, 3)),
    "layer_norm": ([("x", (2, 3, 8)), ("s", (3, 8)), ("b", (3, 8))],
                   "%y = tensor_graph.layer_norm %x, %s, %b {axis = 1, epsilon = 1.0e-05} : tensor<2x3x8xX>, tensor<3x8xX>, tensor<3x8xX> -> tensor<2x3x8xX>", (2, 3, 8)),
    "rms_norm": ([("x", (3, 8)), ("s", (8,))],
                 "%y = tensor_graph.rms_norm %x, %s {axis = -1, epsilon = 1.0e-06} : tensor<3x8xX>, tensor<8xX> -> tensor<3x8xX>", (3, 8)),
    "attention": ([("q", (2, 5, 8)), ("k", (2, 7, 8)), ("v", (2, 7, 3))],
                  "%y = tensor_graph.attention %q, %k, %v {scale = 0.35, causal = true} : tensor<2x5x8xX>, tensor<2x7x8xX>, tensor<2x7x3xX> -> tensor<2x5x3xX>", (2, 5, 3)),
}
