"""The `llvm` dialect -> LLVM IR text -> optimized module -> machine code (llvmlite).

    text = translate(module)          # LLVM IR of an llvm-dialect module
    obj = machine_code(text)          # O3 + ELF bytes (what the compile cache stores),
                                      # in a worker process, within STEPWELL_COMPILE_TIMEOUT
    engine = load_object(obj)         # MCJIT; engine.get_function_address(name)

LLVM itself (optimize, emit_object, load_object, the time limit) is in llvm_machine.py.

The translation is xDSL's (`xdsl.backend.llvm.convert_op`, op by op) plus what it
lacks: the casts and `atomicrmw` of `stepwell.lowering.loops_to_llvm.llvm_ops`, fast-math flags on
`llvm.call_intrinsic`, `noalias` arguments, and constant globals as raw bytes (fast to
print, exact for every element type), except big ones: those are declarations
(`stepwell.bind`, convert-loops-to-llvm's `bind-constants-above`) whose bytes
`bound_constants` gives the artifact and the loader binds (`load_object(obj, symbols)`).
"""

from __future__ import annotations

import llvmlite.ir as ir
from xdsl.backend.llvm.convert_op import convert_op
from xdsl.backend.llvm.convert_type import convert_type
from xdsl.dialects import llvm
from xdsl.dialects.builtin import DenseIntOrFPElementsAttr, DenseResourceAttr, ModuleOp
from xdsl.ir import Block, Operation, SSAValue

from stepwell.dialects.tensor_graph.constants import raw_bytes
from stepwell.lowering.loops_to_llvm.llvm_ops import (
    FLOAT_RMW,
    AtomicRMWOp,
    FPToSIOp,
    FPToUIOp,
    UIToFPOp,
)
from stepwell.lowering.loops_to_llvm.program import BIND, BIND_ALIGNMENT
from stepwell.targets.llvm_machine import (  # noqa: F401 (this module's API since before the split)
    LOCK,
    CompileTimeout,
    bounded,
    emit_assembly,
    emit_object,
    host,
    load_object,
    optimize,
    target_machine,
    versions,
)
from stepwell.tools.emitters import EmitError

# --- llvm dialect -> LLVM IR ------------------------------------------------------------


def translate(module: ModuleOp) -> str:
    """LLVM IR text of a module of llvm.func / llvm.mlir.global ops."""
    out = ir.Module(name="stepwell")
    out.triple = host()[0]
    out.data_layout = str(target_machine().target_data)
    funcs = []
    for op in module.ops:
        if isinstance(op, llvm.GlobalOp):
            _global(op, out)
        elif isinstance(op, llvm.FuncOp):
            funcs.append(op)
        else:
            raise ValueError(f"cannot translate '{op.name}' to LLVM IR (expected llvm.func or llvm.mlir.global)")
    for op in funcs:
        _declare(op, out)
    for op in funcs:
        if op.body.blocks:
            _define(op, out)
    return str(out)


def _global(op: llvm.GlobalOp, out: ir.Module) -> None:
    if BIND in op.attributes:  # a declaration: the loader binds it (bound_constants)
        gv = ir.GlobalVariable(out, convert_type(op.global_type), name=op.sym_name.data)
        gv.global_constant = True
        gv.align = BIND_ALIGNMENT
        return
    value = op.value
    if not isinstance(value, (DenseIntOrFPElementsAttr, DenseResourceAttr)):
        raise ValueError(f"global @{op.sym_name.data}: only dense and dense_resource constants are supported")
    raw = raw_bytes(value)
    array_type = ir.ArrayType(ir.IntType(8), len(raw))
    gv = ir.GlobalVariable(out, array_type, name=op.sym_name.data)
    gv.initializer = ir.Constant(array_type, bytearray(raw))
    gv.global_constant = op.constant is not None
    if op.linkage.linkage.data != "external":  # (LLVM spells an external definition without it)
        gv.linkage = op.linkage.linkage.data
    gv.align = 64


def bound_constants(module: ModuleOp) -> dict[str, bytes]:
    """The bytes of each constant the loader binds (a global with `stepwell.bind`), by
    symbol: what the artifact holds beside the object code."""
    return {
        op.sym_name.data: raw_bytes(op.attributes[BIND])  # type: ignore[arg-type]
        for op in module.ops
        if isinstance(op, llvm.GlobalOp) and BIND in op.attributes
    }


def _declare(op: llvm.FuncOp, out: ir.Module) -> ir.Function:
    """The declaration of `op` in `out` (its linkage, nounwind, noalias arguments)."""
    ftype = op.function_type
    fn = ir.Function(
        out,
        ir.FunctionType(convert_type(ftype.output), [convert_type(t) for t in ftype.inputs]),
        name=op.sym_name.data,
    )
    if op.linkage.linkage.data != "external":
        fn.linkage = op.linkage.linkage.data
    fn.attributes.add("nounwind")
    if op.arg_attrs is not None:
        for arg, attrs in zip(fn.args, op.arg_attrs.data):
            if "llvm.noalias" in attrs.data:
                arg.add_attribute("noalias")
    return fn


def _define(op: llvm.FuncOp, out: ir.Module, convert=None) -> None:
    """The body of `op` in its declaration in `out`; `convert(op, builder, values, blocks)`
    translates one op (default `_convert`; the PTX emitter passes its own)."""
    convert = convert or _convert
    fn = out.get_global(op.sym_name.data)
    blocks: dict[Block, ir.Block] = {}
    values: dict[SSAValue, ir.Value] = {}
    for i, block in enumerate(op.body.blocks):
        blocks[block] = fn.append_basic_block(name=f"b{i}")
    values.update(zip(op.body.blocks[0].args, fn.args))
    for block in list(op.body.blocks)[1:]:
        builder = ir.IRBuilder(blocks[block])
        for arg in block.args:
            values[arg] = builder.phi(convert_type(arg.type))
    for block in op.body.blocks:
        builder = ir.IRBuilder(blocks[block])
        if blocks[block].instructions:
            builder.position_after(blocks[block].instructions[-1])
        for inner in block.ops:
            convert(inner, builder, values, blocks)


_CASTS = {FPToSIOp: "fptosi", FPToUIOp: "fptoui", UIToFPOp: "uitofp"}

# The float intrinsics that xDSL's translation declares without their type suffix
# (`llvm.sqrt` for f32 and f64 alike: the first declaration wins and a second type
# fails); declared here by their mangled names (`llvm.sqrt.f64`).
_FLOAT_INTRINSICS = {
    llvm.FAbsOp: "llvm.fabs",
    llvm.FCeilOp: "llvm.ceil",
    llvm.FFloorOp: "llvm.floor",
    llvm.FSqrtOp: "llvm.sqrt",
    llvm.FExpOp: "llvm.exp",
    llvm.FExp2Op: "llvm.exp2",
    llvm.FLogOp: "llvm.log",
    llvm.FLog2Op: "llvm.log2",
    llvm.FSinOp: "llvm.sin",
    llvm.FCosOp: "llvm.cos",
    llvm.FPowOp: "llvm.pow",
    llvm.VectorFMaxOp: "llvm.maxnum",
    llvm.VectorFMinOp: "llvm.minnum",
    llvm.FCopySignOp: "llvm.copysign",
}


def _convert(op: Operation, builder: ir.IRBuilder, values: dict, blocks: dict) -> None:
    if type(op) in _CASTS:
        cast = getattr(builder, _CASTS[type(op)])
        values[op.results[0]] = cast(values[op.operands[0]], convert_type(op.results[0].type))
    elif isinstance(op, llvm.CallIntrinsicOp):
        args = [values[a] for a in op.args]
        result = convert_type(op.ress.type) if op.ress is not None else ir.VoidType()
        flags = [f.value for f in op.fastmathFlags.data]
        call = builder.call(_intrinsic(builder.module, op.intrin.data, result, args), args, fastmath=flags)
        if op.ress is not None:
            values[op.ress] = call
    elif isinstance(op, AtomicRMWOp):
        values[op.res] = _atomic_rmw(op, builder, values[op.ptr], values[op.val])
    elif type(op) in _FLOAT_INTRINSICS:
        args = [values[a] for a in op.operands]
        name = f"{_FLOAT_INTRINSICS[type(op)]}.{args[0].type.intrinsic_name}"
        values[op.results[0]] = builder.call(_intrinsic(builder.module, name, args[0].type, args), args)
    else:
        convert_op(op, builder, values, blocks)


class _BFloat(ir.Type):
    """LLVM's `bfloat` (llvmlite has no such type: only printed, in a bitcast)."""

    def _to_string(self) -> str:
        return "bfloat"


def _atomic_rmw(op: AtomicRMWOp, builder: ir.IRBuilder, ptr: ir.Value, val: ir.Value) -> ir.Value:
    """`atomicrmw KIND ptr P, T V [syncscope("S")] ORDERING`; bf16 (a float kind on i16
    bits) through bitcasts to `bfloat` and back."""
    kind = op.bin_op.data
    bf16 = kind in FLOAT_RMW and val.type == ir.IntType(16)
    ordering = op.ordering.data
    if op.syncscope is not None:  # (llvmlite prints the ordering as it is given)
        ordering = f'syncscope("{op.syncscope.data}") {ordering}'
    old = builder.atomic_rmw(kind, ptr, builder.bitcast(val, _BFloat()) if bf16 else val, ordering)
    return builder.bitcast(old, ir.IntType(16)) if bf16 else old


def _intrinsic(module: ir.Module, name: str, result: ir.Type, args: list) -> ir.Function:
    """The declaration of intrinsic `name` (a mangled name: one per type)."""
    return module.globals.get(name) or ir.Function(module, ir.FunctionType(result, [a.type for a in args]), name=name)


def machine_code(text: str) -> bytes:
    """The object code of LLVM IR `text` (O3 for this CPU), within the time limit."""
    return bounded("object", text)


def emit_llvm(module: ModuleOp, **_: object) -> str:
    """`stepwell-opt --emit llvm`: the optimized LLVM IR for this CPU."""
    try:
        return bounded("llvm", translate(module)).decode()
    except CompileTimeout as e:
        raise EmitError(str(e)) from None


def emit_llvm_unoptimized(module: ModuleOp, **_: object) -> str:
    """`stepwell-opt --emit llvm-unoptimized`: the translation before LLVM's passes."""
    return translate(module)


def main(argv: list[str] | None = None) -> int:
    """`python -m stepwell.targets.llvm [FILE] [--unoptimized | --asm]`: an llvm-dialect
    module (e.g. the output of `stepwell-opt -p convert-loops-to-llvm`) as LLVM IR
    optimized for this CPU, as it was before LLVM's passes, or as assembly."""
    import argparse
    import sys

    from stepwell.ir.diagnostics import DiagnosticError
    from stepwell.ir.parse import parse_module
    from stepwell.registry import make_context

    parser = argparse.ArgumentParser(prog="python -m stepwell.targets.llvm", description=main.__doc__)
    parser.add_argument("input", nargs="?", default="-")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--unoptimized", action="store_true")
    group.add_argument("--asm", action="store_true")
    args = parser.parse_args(argv)
    text = sys.stdin.read() if args.input == "-" else open(args.input, encoding="utf-8").read()
    try:
        module, _ = parse_module(make_context(), text, args.input)
    except DiagnosticError as e:
        print(e, file=sys.stderr)
        return 1
    if args.unoptimized:
        sys.stdout.write(translate(module))
    elif args.asm:
        sys.stdout.write(bounded("asm", translate(module)).decode())
    else:
        sys.stdout.write(emit_llvm(module))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
