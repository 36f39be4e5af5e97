// Pass options in `{key=value ...}`, as xDSL and mlir-opt write them; `-` and `_` in
// names are the same, integers are accepted for float options, lists are `a,b,c`.
// The pass here is the example plugin's activation-decompose{ops=...}.
// RUN: stepwell-opt %s --load-dialect-plugin %examples/plugins/activation/activation.py -p 'activation-decompose{ops=mish}' | filecheck %s --check-prefix MISH
// RUN: stepwell-opt %s --load-dialect-plugin %examples/plugins/activation/activation.py -p 'builtin.module(func.func(activation-decompose{ops=hardswish}))' | filecheck %s --check-prefix HARDSWISH
// RUN: stepwell-opt %s --load-dialect-plugin %examples/plugins/activation/activation.py -p 'activation-decompose{ops=mish,hardswish}' | filecheck %s --check-prefix BOTH
// RUN: stepwell-opt %s --load-dialect-plugin %examples/plugins/activation/activation.py --load-pass-plugin %S/Inputs/test_passes.py -p 'test-options{count=3 ratio=2 flag=true label="a b" sizes=1,2},test-options{flag}'

func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  %y = activation.hardswish %x : tensor<4xf32>
  %z = activation.mish %y : tensor<4xf32>
  func.return %z : tensor<4xf32>
}

// MISH:     activation.hardswish
// MISH-NOT: activation.mish
// MISH:     tensor_graph.tanh

// HARDSWISH:     tensor_graph.clamp
// HARDSWISH-NOT: activation.hardswish
// HARDSWISH:     activation.mish

// BOTH-NOT: activation.
