"""The `llvm` dialect as stepwell uses it: xDSL's ops plus the casts and the atomic
read-modify-write xDSL 0.75 lacks.

`llvm.fptosi`, `llvm.fptoui` and `llvm.uitofp` print as MLIR prints them
(`llvm.fptosi %x : f32 to i32`), so `mlir-translate --mlir-to-llvmir` reads our output;
so does `llvm.atomicrmw` (`%old = llvm.atomicrmw fadd %p, %v syncscope("device")
monotonic : !llvm.ptr<1>, f32`), but for bf16: xDSL's llvm types have none, so a float
kind on i16 operands means bf16 bits. `stepwell.targets.llvm` translates them to LLVM IR.
"""

from __future__ import annotations

from xdsl.dialects import llvm
from xdsl.dialects.builtin import AnyFloat, IntegerType, StringAttr
from xdsl.ir import Attribute, Dialect, SSAValue
from xdsl.irdl import (
    IRDLOperation,
    irdl_op_definition,
    operand_def,
    opt_prop_def,
    prop_def,
    result_def,
    traits_def,
)
from xdsl.parser import Parser
from xdsl.printer import Printer
from xdsl.traits import MemoryReadEffect, MemoryWriteEffect, NoMemoryEffect
from xdsl.utils.exceptions import VerifyException


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


INT_RMW = ("xchg", "add", "sub", "and", "nand", "or", "xor", "max", "min", "umax", "umin")
FLOAT_RMW = ("fadd", "fsub", "fmax", "fmin", "fmaximum", "fminimum")
ORDERINGS = ("monotonic", "acquire", "release", "acq_rel", "seq_cst")


@irdl_op_definition
class AtomicRMWOp(IRDLOperation):
    """`%old = llvm.atomicrmw fadd %p, %v syncscope("device") monotonic : !llvm.ptr<1>,
    f32`: LLVM's `atomicrmw` (MLIR's syntax), the old value as its result. A float kind
    on i16 operands is bf16 (the bits stepwell keeps bf16 in)."""

    name = "llvm.atomicrmw"
    bin_op = prop_def(StringAttr)
    ordering = prop_def(StringAttr)
    syncscope = opt_prop_def(StringAttr)
    ptr = operand_def()
    val = operand_def()
    res = result_def()
    traits = traits_def(MemoryReadEffect(), MemoryWriteEffect())

    def __init__(self, bin_op: str, ptr: SSAValue, val: SSAValue, ordering: str = "monotonic", syncscope: str | None = None):
        props: dict[str, Attribute] = {"bin_op": StringAttr(bin_op), "ordering": StringAttr(ordering)}
        if syncscope is not None:
            props["syncscope"] = StringAttr(syncscope)
        super().__init__(operands=[ptr, val], result_types=[val.type], properties=props)

    def verify_(self) -> None:
        kind, t = self.bin_op.data, self.val.type
        if kind not in INT_RMW + FLOAT_RMW:
            raise VerifyException(f"unknown atomicrmw kind '{kind}' (expected one of {', '.join(INT_RMW + FLOAT_RMW)})")
        if self.ordering.data not in ORDERINGS:
            raise VerifyException(f"unknown atomic ordering '{self.ordering.data}' (expected one of {', '.join(ORDERINGS)})")
        is_bf16 = t == IntegerType(16)
        if kind in FLOAT_RMW and not (isinstance(t, AnyFloat) or is_bf16) or kind in INT_RMW[1:] and not isinstance(t, IntegerType):
            raise VerifyException(f"atomicrmw {kind} does not take {t}")
        if self.res.type != t:
            raise VerifyException(f"the result is the old value, of type {t}, got {self.res.type}")

    @classmethod
    def parse(cls, parser: Parser) -> AtomicRMWOp:
        kind = parser.parse_identifier()
        ptr = parser.parse_unresolved_operand()
        parser.parse_punctuation(",")
        val = parser.parse_unresolved_operand()
        scope = None
        if parser.parse_optional_keyword("syncscope") is not None:
            parser.parse_punctuation("(")
            scope = parser.parse_str_literal()
            parser.parse_punctuation(")")
        ordering = parser.parse_identifier()
        parser.parse_punctuation(":")
        ptr_type = parser.parse_type()
        parser.parse_punctuation(",")
        val_type = parser.parse_type()
        return cls(kind, parser.resolve_operand(ptr, ptr_type), parser.resolve_operand(val, val_type), ordering, scope)

    def print(self, printer: Printer) -> None:
        printer.print_string(f" {self.bin_op.data} ")
        printer.print_list((self.ptr, self.val), printer.print_operand)
        if self.syncscope is not None:
            printer.print_string(f' syncscope("{self.syncscope.data}")')
        printer.print_string(f" {self.ordering.data} : ")
        printer.print_attribute(self.ptr.type)
        printer.print_string(", ")
        printer.print_attribute(self.val.type)


EXTRA_OPS = (FPToSIOp, FPToUIOp, UIToFPOp, AtomicRMWOp)


def llvm_dialect() -> Dialect:
    """xDSL's `llvm` dialect with the extra casts (registered as "llvm")."""
    return Dialect("llvm", [*llvm.LLVM.operations, *EXTRA_OPS], list(llvm.LLVM.attributes))
