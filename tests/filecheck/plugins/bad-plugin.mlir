// A plugin that cannot be found or fails to import is one `error:` line and exit 1;
// ops of a dialect whose plugin is not loaded are an error at their line.
// RUN: not stepwell-opt %s --load-dialect-plugin %S/Inputs/no-such-plugin.py 2>&1 | filecheck %s --check-prefix MISSING-FILE
// RUN: not stepwell-opt %s --load-pass-plugin no_such_package.plugin 2>&1 | filecheck %s --check-prefix MISSING-MODULE
// RUN: not stepwell-opt %s --load-dialect-plugin %S/Inputs/broken_plugin.py 2>&1 | filecheck %s --check-prefix BROKEN
// RUN: not stepwell-opt %s 2>&1 | filecheck %s --check-prefix NOT-LOADED

func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  %y = activation.mish %x : tensor<4xf32>
  func.return %y : tensor<4xf32>
}

// MISSING-FILE:     error: cannot load plugin '{{.*}}no-such-plugin.py': no such file
// MISSING-FILE-NOT: Traceback

// MISSING-MODULE:     error: cannot load plugin 'no_such_package.plugin': no module named 'no_such_package'
// MISSING-MODULE-NOT: Traceback

// BROKEN:     error: plugin '{{.*}}broken_plugin.py' failed to load: RuntimeError: this plugin is broken on purpose (broken_plugin.py:3)
// BROKEN-NOT: Traceback

// NOT-LOADED:      bad-plugin.mlir:9:8: error: Operation activation.mish is not registered
// NOT-LOADED-NOT:  Traceback
