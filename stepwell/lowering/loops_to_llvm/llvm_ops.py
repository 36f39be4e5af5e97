"""The `llvm` dialect as stepwell uses it: xDSL's ops plus the casts xDSL 0.74 lacks.

`llvm.fptosi`, `llvm.fptoui` and `llvm.uitofp` print as MLIR prints them
(`llvm.fptosi %x : f32 to i32`), so `mlir-translate --mlir-to-llvmir` reads our output.
`stepwell.targets.llvm` translates them to LLVM IR.
"""

from __future__ import annotations

from xdsl.dialects import llvm
from xdsl.ir import Attribute, Dialect, SSAValue
from xdsl.irdl import IRDLOperation, irdl_op_definition, operand_def, result_def, traits_def
from xdsl.traits import NoMemoryEffect


class _CastOp(IRDLOperation):
    arg = operand_def()
    res = result_def()
    traits = traits_def(NoMemoryEffect())
    assembly_format = "$arg attr-dict `:` type($arg) `to` type($res)"

    def __init__(self, arg: SSAValue, res_type: Attribute):
        super().__init__(operands=[arg], result_types=[res_type])


@irdl_op_definition
class FPToSIOp(_CastOp):
    name = "llvm.fptosi"


@irdl_op_definition
class FPToUIOp(_CastOp):
    name = "llvm.fptoui"


@irdl_op_definition
class UIToFPOp(_CastOp):
    name = "llvm.uitofp"


EXTRA_OPS = (FPToSIOp, FPToUIOp, UIToFPOp)


def llvm_dialect() -> Dialect:
    """xDSL's `llvm` dialect with the extra casts (registered as "llvm")."""
    return Dialect("llvm", [*llvm.LLVM.operations, *EXTRA_OPS], list(llvm.LLVM.attributes))
