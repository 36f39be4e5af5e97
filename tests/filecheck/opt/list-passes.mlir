// --list-passes lists every pass with its options, the named pipelines, the dialects
// and the --emit formats, plugins included.
// RUN: stepwell-opt --list-passes --load-dialect-plugin %examples/plugins/activation/activation.py --load-pass-plugin %S/Inputs/test_passes.py | filecheck %s

// CHECK:      passes:
// CHECK:        activation-decompose
// CHECK-NEXT:     ops: a list of str = hardswish,mish
// CHECK:        cse
// CHECK:        test-options
// CHECK-NEXT:     count: int = 1
// CHECK-NEXT:     ratio: float = 0.5
// CHECK-NEXT:     flag: bool = false
// CHECK-NEXT:     label: str = x
// CHECK-NEXT:     sizes: a list of int
// CHECK:      named pipelines:
// CHECK:        test-cleanup = builtin.module(func.func(cse),canonicalize)
// CHECK:      dialects: {{.*}}activation{{.*}}tensor_graph
// CHECK:      emitters: mlir
