// Mistakes a user makes get one clear `error: ...`, exit status 1 and no traceback.
// RUN: not stepwell-opt %s -p cse,cnse 2>&1 | filecheck %s --check-prefix UNKNOWN-PASS
// RUN: not stepwell-opt %s -p lower-to-cpus 2>&1 | filecheck %s --check-prefix UNKNOWN-PIPELINE
// RUN: not stepwell-opt %s -p 'cse{depth=2}' 2>&1 | filecheck %s --check-prefix UNKNOWN-OPTION
// RUN: not stepwell-opt %s --load-pass-plugin %S/Inputs/test_passes.py -p 'test-options{count=many}' 2>&1 | filecheck %s --check-prefix BAD-OPTION
// RUN: not stepwell-opt %s -p 'builtin.module(cse' 2>&1 | filecheck %s --check-prefix SYNTAX
// RUN: not stepwell-opt %s -p 'gpu.module(cse)' 2>&1 | filecheck %s --check-prefix ANCHOR
// RUN: not stepwell-opt %S/does-not-exist.mlir 2>&1 | filecheck %s --check-prefix MISSING
// RUN: not stepwell-opt %s --emit nonsense 2>&1 | filecheck %s --check-prefix EMIT
// RUN: not stepwell-opt %s --no-such-flag 2>&1 | filecheck %s --check-prefix FLAG
// RUN: not stepwell-opt %S/Inputs/parse-error.mlir 2>&1 | filecheck %s --check-prefix PARSE
// RUN: not stepwell-opt %S/Inputs/verify-error.mlir 2>&1 | filecheck %s --check-prefix VERIFY
// RUN: not stepwell-opt %s --load-pass-plugin %S/Inputs/test_passes.py -p cse,test-raise 2>&1 | filecheck %s --check-prefix RAISE
// RUN: not stepwell-opt %S/Inputs/one-neg.mlir --load-pass-plugin %S/Inputs/test_passes.py -p test-invalid-ir 2>&1 | filecheck %s --check-prefix INVALID-IR

func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  func.return %x : tensor<4xf32>
}

// UNKNOWN-PASS:      error: unknown pass 'cnse' (did you mean 'cse'?)
// UNKNOWN-PASS-NEXT: available passes: {{.*}}canonicalize, {{.*}}cse, {{.*}}dce
// UNKNOWN-PASS-NEXT: named pipelines: lower-to-cpu
// UNKNOWN-PASS-NOT:  Traceback

// A misspelt named pipeline is suggested as a pass would be.
// UNKNOWN-PIPELINE:      error: unknown pass 'lower-to-cpus' (did you mean 'lower-to-cpu'?)
// UNKNOWN-PIPELINE-NEXT: available passes: {{.*}}canonicalize, {{.*}}cse, {{.*}}dce
// UNKNOWN-PIPELINE-NEXT: named pipelines: lower-to-cpu

// UNKNOWN-OPTION:      error: pass 'cse' has no option 'depth'
// UNKNOWN-OPTION-NEXT: pass 'cse' takes no options

// BAD-OPTION:      error: option 'count' of pass 'test-options' expects int, got many
// BAD-OPTION-NEXT: options of pass 'test-options':
// BAD-OPTION-NEXT:   count: int = 1
// BAD-OPTION-NEXT:   ratio: float = 0.5

// SYNTAX:      error: bad pass pipeline: expected ',' or ')' after 'cse', found the end
// SYNTAX-NEXT:   builtin.module(cse
// SYNTAX-NEXT: {{^}}                    ^

// ANCHOR: error: bad pass pipeline: unknown anchor 'gpu.module' (nest passes in builtin.module, func.func, any)

// MISSING: error: cannot read '{{.*}}does-not-exist.mlir': No such file or directory

// EMIT: error: unknown --emit format 'nonsense' (available: mlir

// FLAG: error: unrecognized arguments: --no-such-flag (see stepwell-opt --help)

// PARSE:      parse-error.mlir:4:3: error: Expected '>' after builtin parameter list
// PARSE-NEXT:   func.return %y : tensor<4xf32>
// PARSE-NEXT: {{^}}  ^
// PARSE-NOT:  Traceback

// VERIFY:      verify-error.mlir:3:3: error: 'tensor_graph.add' op operand 'rhs' has element type i32 but operand 'lhs' has f32
// VERIFY-NEXT:   %y = "tensor_graph.add"(%x, %i) : (tensor<4xf32>, tensor<4xi32>) -> tensor<4xf32>
// VERIFY-NOT:  Traceback

// RAISE:      errors.mlir: error: pass 'test-raise' failed: RuntimeError: boom
// RAISE-NOT:  Traceback

// INVALID-IR:      one-neg.mlir:2:1: error: 'tensor_graph.add' op result type tensor<7xf32> does not match the inferred tensor<4xf32>
// INVALID-IR:      one-neg.mlir: error: pass 'test-invalid-ir' produced invalid IR
