// The example plugin's dialect round-trips: custom and generic forms read, the custom
// form is printed, and the generic output reads back to the same IR. The plugin loads
// from a file path or, on the Python path, by module name.
// RUN: stepwell-opt %s --load-dialect-plugin %examples/plugins/activation/activation.py | filecheck %s
// RUN: stepwell-opt %s --load-dialect-plugin %examples/plugins/activation/activation.py --mlir-print-op-generic | stepwell-opt --load-dialect-plugin %examples/plugins/activation/activation.py | filecheck %s
// RUN: env PYTHONPATH=%examples/plugins/activation stepwell-opt %s --load-dialect-plugin activation | filecheck %s
// RUN: stepwell-opt %s --load-dialect-plugin %examples/plugins/activation/activation.py --mlir-print-op-generic | filecheck %s --check-prefix GENERIC

func.func @f(%x: tensor<2x8xf32>, %h: tensor<3xbf16>) -> (tensor<2x8xf32>, tensor<3xbf16>) {
  %a = activation.hardswish %x : tensor<2x8xf32>
  %b = "activation.mish"(%a) : (tensor<2x8xf32>) -> tensor<2x8xf32>
  %c = activation.mish %h : tensor<3xbf16>
  func.return %b, %c : tensor<2x8xf32>, tensor<3xbf16>
}

// CHECK:      func.func @f(%[[X:.*]]: tensor<2x8xf32>, %[[H:.*]]: tensor<3xbf16>) -> (tensor<2x8xf32>, tensor<3xbf16>) {
// CHECK-NEXT:   %[[A:.*]] = activation.hardswish %[[X]] : tensor<2x8xf32>
// CHECK-NEXT:   %[[B:.*]] = activation.mish %[[A]] : tensor<2x8xf32>
// CHECK-NEXT:   %[[C:.*]] = activation.mish %[[H]] : tensor<3xbf16>
// CHECK-NEXT:   func.return %[[B]], %[[C]] : tensor<2x8xf32>, tensor<3xbf16>

// GENERIC: "activation.hardswish"(%{{.*}}) : (tensor<2x8xf32>) -> tensor<2x8xf32>
// GENERIC: "activation.mish"(%{{.*}}) : (tensor<2x8xf32>) -> tensor<2x8xf32>
