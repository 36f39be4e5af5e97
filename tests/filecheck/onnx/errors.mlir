// REQUIRES: onnx
// Each error names the node (index, name, op type) and what is missing; exit status 1,
// no traceback, nothing written to the output.
// RUN: %python %S/Inputs/models.py unsupported-op %t.op.onnx
// RUN: not stepwell-import-onnx %t.op.onnx -o %t.op.mlir 2>&1 | filecheck %s --check-prefix=OP
// RUN: not test -e %t.op.mlir
// OP: error: {{.*}}.op.onnx: node 1 'conv1' (Conv): this op type is not supported by stepwell's ONNX importer
// OP-NOT: Traceback

// RUN: %python %S/Inputs/models.py unsupported-dtype %t.dtype.onnx
// RUN: not stepwell-import-onnx %t.dtype.onnx 2>&1 | filecheck %s --check-prefix=DTYPE
// DTYPE: error: {{.*}}: node 0 'to_u8' (Cast): output 'y' has element type UINT8, which stepwell does not support (supported: FLOAT, FLOAT16, BFLOAT16, DOUBLE, BOOL, INT8, INT32, INT64)

// RUN: %python %S/Inputs/models.py dynamic-dim %t.dyn.onnx
// RUN: not stepwell-import-onnx %t.dyn.onnx 2>&1 | filecheck %s --check-prefix=DYN
// DYN: error: {{.*}}: graph input 'x' has a dynamic dimension 'batch' (dimension 0); stepwell needs static shapes

// RUN: %python %S/Inputs/models.py not-constant %t.nc.onnx
// RUN: not stepwell-import-onnx %t.nc.onnx 2>&1 | filecheck %s --check-prefix=NC
// NC: error: {{.*}}: node 0 'flatten' (Reshape): input 1 (shape) must be known when importing

// RUN: not stepwell-import-onnx %t.missing.onnx 2>&1 | filecheck %s --check-prefix=MISSING
// MISSING: error: {{.*}}missing.onnx: cannot read '{{.*}}missing.onnx': no such file
