"""`--emit triton`: a module of `gpu_block` kernels and launches as Triton source.

Each `gpu_block.kernel` becomes one `@triton.jit` function (its grid's block sizes
as `tl.constexpr` parameters, sizes as literals); each `func.func` a Python launcher
of the same name that allocates its results with `torch.empty` on the device of its
first tensor argument, computes the grid and launches. Emitting is printing: one line
per op; a `gpu_block.map`'s scalar ops print as the same operators on whole blocks.
A splat prints as its scalar (Triton broadcasts scalars), so a map result that
depends on no block is filled to the block's shape with `tl.full`.

Numerics: division is `tl.div_rn` and square root `tl.sqrt_rn` (IEEE, as the spec
asks), float max/min propagate NaN. Integer `//` and `%` are Triton's (truncating):
the conversion emits them only for dividends >= 0.
"""

from __future__ import annotations

import math
from typing import Any

from xdsl.dialects import arith, func
from xdsl.dialects.builtin import (
    AnyFloat,
    ArrayAttr,
    FloatAttr,
    IntegerAttr,
    ModuleOp,
    TensorType,
)
from xdsl.ir import Attribute, Operation, SSAValue

from stepwell.dialects import gpu_block as gb
from stepwell.dialects.gpu_block.types import element_of, shape_of
from stepwell.dialects.loops.memory import ARENA, MEMORY, SlotAttr, byte_size
from stepwell.dtypes import numpy_dtype
from stepwell.tools.emitters import EmitError

BINARY = {
    "arith.addf": "+", "arith.addi": "+", "arith.subf": "-", "arith.subi": "-",
    "arith.mulf": "*", "arith.muli": "*", "arith.divsi": "//", "arith.remsi": "%",
    "arith.andi": "&", "arith.ori": "|", "arith.xori": "^",
}  # fmt: skip
CALLS = {
    "arith.divf": "tl.div_rn", "math.sqrt": "tl.sqrt_rn", "math.exp": "tl.exp", "math.exp2": "tl.exp2",
    "math.log": "tl.log", "math.log2": "tl.log2", "math.rsqrt": "tl.rsqrt", "math.absf": "tl.abs",
    "math.absi": "tl.abs", "math.floor": "tl.floor", "math.ceil": "tl.ceil", "math.sin": "tl.sin",
    "math.cos": "tl.cos", "math.fma": "tl.fma", "math.erf": "tl.erf", "arith.maxsi": "tl.maximum",
    "arith.minsi": "tl.minimum", "arith.select": "tl.where",
}  # fmt: skip
NAN_CALLS = {"arith.maximumf": "tl.maximum", "arith.minimumf": "tl.minimum"}
CASTS = ("arith.extsi", "arith.extf", "arith.truncf", "arith.sitofp", "arith.fptosi", "arith.trunci", "arith.extui")
PREDICATES = {
    "arith.cmpi": {"slt": "<", "sle": "<=", "sgt": ">", "sge": ">=", "eq": "==", "ne": "!="},
    "arith.cmpf": {"olt": "<", "ole": "<=", "ogt": ">", "oge": ">=", "oeq": "==", "une": "!="},
}
REDUCE = {"sum": "tl.sum", "max": "tl.max", "min": "tl.min"}
# float max/min reductions combine with NaN-propagating helpers (tl.max's combine drops NaN on the GPU)
NAN_REDUCE = {"max": "_max_nan", "min": "_min_nan"}
NAN_HELPERS = {
    name: ["@triton.jit", f"def {name}(a, b):", f"    return {NAN_CALLS[f'arith.{kind}imumf']}(a, b, propagate_nan=tl.PropagateNan.ALL)"]
    for kind, name in NAN_REDUCE.items()
}


def triton_dtype(t: Attribute) -> str:
    """`tl.float32` ... (the same names as torch's, after `tl.`/`torch.`): the name of
    the numpy dtype stepwell stores `t` in (stepwell.dtypes)."""
    try:
        return numpy_dtype(t).name
    except TypeError:
        raise EmitError(f"no Triton type for {t}") from None


def emit_triton(module: ModuleOp, **_: Any) -> str:
    parts = ["import torch", "import triton", "import triton.language as tl", ""]
    kernels = {op.sym_name.data: op for op in module.ops if isinstance(op, gb.KernelOp)}
    parts += ["", *_configs(list(kernels.values())), ""]
    helpers: set[str] = set()
    for op in module.ops:
        if isinstance(op, gb.KernelOp):
            kernel = _Kernel(op)
            parts += ["", *kernel.lines(), ""]
            helpers |= kernel.helpers
        elif isinstance(op, func.FuncOp):
            parts += ["", *_launcher(op, kernels), ""]
        else:
            raise EmitError(f"cannot emit '{op.name}' as Triton (run lower-to-triton first)")
    for name in sorted(helpers):
        parts[4:4] = ["", *NAN_HELPERS[name], ""]
    return "\n".join(parts).rstrip() + "\n"


class _Names:
    def __init__(self):
        self.names: dict[SSAValue, str] = {}
        self.used: set[str] = set()

    def fresh(self, hint: str | None) -> str:
        base = "".join(c if c.isalnum() or c == "_" else "_" for c in (hint or "t"))
        if base[0].isdigit() or base in ("tl", "triton", "torch", "range"):
            base = "v" + base
        name, i = base, 0
        while name in self.used:
            i += 1
            name = f"{base}_{i}"
        self.used.add(name)
        return name

    def define(self, v: SSAValue, hint: str | None = None) -> str:
        self.names[v] = self.fresh(hint or v.name_hint or "t")
        return self.names[v]

    def __getitem__(self, v: SSAValue) -> str:
        return self.names[v]


def kernel_parameters(kernel: gb.KernelOp) -> list[str]:
    """The names of a kernel's parameters in its `def` (the Triton signature's keys)."""
    n = _Names()
    return [n.define(a, a.name_hint or f"arg{i}") for i, a in enumerate(kernel.args)]


class _Kernel:
    def __init__(self, op: gb.KernelOp):
        self.op = op
        self.n = _Names()
        self.out: list[str] = []
        self.literal: dict[SSAValue, str] = {}
        self.blocks: set[SSAValue] = set()  # values printed as blocks (not Python scalars)
        self.helpers: set[str] = set()  # the NaN-propagating combine functions used

    def lines(self) -> list[str]:
        params = [self.n.define(a, a.name_hint or f"arg{i}") for i, a in enumerate(self.op.args)]
        assert params == kernel_parameters(self.op)
        self.out = ["@triton.jit", f"def {self.op.sym_name.data}({', '.join(params)}):"]
        for inner in self.op.body.block.ops:
            self.statement(inner, "    ")
        return self.out

    def ref(self, v: SSAValue) -> str:
        return self.literal.get(v) or self.n[v]

    def line(self, indent: str, v: SSAValue, expr: str, block: bool) -> None:
        self.out.append(f"{indent}{self.n.define(v)} = {expr}")
        if block:
            self.blocks.add(v)

    def statement(self, op: Operation, ind: str) -> None:
        if isinstance(op, gb.ReturnOp):
            return
        if isinstance(op, arith.ConstantOp):
            self.literal[op.result] = _literal(op.value)
        elif isinstance(op, gb.ProgramIdOp):
            self.line(ind, op.result, f"tl.program_id({op.axis.value.data})", False)
        elif isinstance(op, gb.ArangeOp):
            self.line(ind, op.result, f"tl.arange({op.start.value.data}, {op.end.value.data})", True)
        elif isinstance(op, gb.SplatOp):
            self.n.names[op.result] = self.ref(op.source)
        elif isinstance(op, gb.AddPtrOp):
            self.line(ind, op.result, f"{self.ref(op.base)} + {self.ref(op.offsets)}", op.offsets in self.blocks)
        elif isinstance(op, gb.LoadOp):
            args = [self.ref(op.ptr)]
            if op.mask is not None:
                args.append(f"mask={self.ref(op.mask)}")
            if op.other is not None:
                args.append(f"other={self.ref(op.other)}")
            self.line(ind, op.result, f"tl.load({', '.join(args)})", op.ptr in self.blocks)
        elif isinstance(op, gb.StoreOp):
            mask = f", mask={self.ref(op.mask)}" if op.mask is not None else ""
            self.out.append(f"{ind}tl.store({self.ref(op.ptr)}, {self.ref(op.value)}{mask})")
        elif isinstance(op, gb.MapOp):
            self.map(op, ind)
        elif isinstance(op, gb.ReduceOp) and op.kind.data in REDUCE and op.indices is None:
            kind, axis = op.kind.data, op.axis.value.data
            if kind in NAN_REDUCE and isinstance(element_of(op.source.type), AnyFloat):
                self.helpers.add(NAN_REDUCE[kind])
                expr = f"tl.reduce({self.ref(op.source)}, {axis}, {NAN_REDUCE[kind]})"
            else:
                expr = f"{REDUCE[kind]}({self.ref(op.source)}, axis={axis})"
            self.line(ind, op.result, expr, isinstance(op.result.type, TensorType))
        elif len(op.results) == 1:
            self.line(ind, op.results[0], self.scalar(op), any(v in self.blocks for v in op.operands))
        else:
            raise EmitError(f"no Triton form for '{op.name}' yet")

    def map(self, op: gb.MapOp, ind: str) -> None:
        for arg, v in zip(op.body.block.args, op.inputs):
            self.n.names[arg] = self.ref(v)
            if v in self.blocks:  # (a splat prints as its scalar)
                self.blocks.add(arg)
        term = op.body.block.last_op
        assert isinstance(term, gb.YieldOp)
        hints = {}
        for r, v in zip(op.outputs, term.values):
            hints.setdefault(v, r.name_hint)
        for inner in op.body.block.ops:
            if inner is term:
                continue
            if inner.results and inner.results[0] in hints and not isinstance(inner, arith.ConstantOp):
                inner.results[0].name_hint = hints[inner.results[0]] or inner.results[0].name_hint
            self.statement(inner, ind)
        shape = list(shape_of(op.outputs[0].type)) if op.outputs else []
        for r, v in zip(op.outputs, term.values):
            if v in self.blocks:
                self.n.names[r] = self.ref(v)
                self.blocks.add(r)
            else:
                dtype = triton_dtype(element_of(r.type))
                self.line(ind, r, f"tl.full({shape}, {self.ref(v)}, tl.{dtype})", True)

    def scalar(self, op: Operation) -> str:
        a = [self.ref(v) for v in op.operands]
        if op.name in BINARY:
            return f"{a[0]} {BINARY[op.name]} {a[1]}"
        if op.name in CALLS:
            return f"{CALLS[op.name]}({', '.join(a)})"
        if op.name in NAN_CALLS:
            return f"{NAN_CALLS[op.name]}({a[0]}, {a[1]}, propagate_nan=tl.PropagateNan.ALL)"
        if op.name == "arith.negf":
            return f"-{a[0]}"
        if op.name in CASTS:
            return f"{a[0]}.to(tl.{triton_dtype(op.results[0].type)})"
        if op.name in PREDICATES:
            text = _predicate_name(op, op.predicate.value.data)  # type: ignore[attr-defined]
            if text not in PREDICATES[op.name]:
                raise EmitError(f"no Triton form for '{op.name} {text}' yet")
            return f"{a[0]} {PREDICATES[op.name][text]} {a[1]}"
        raise EmitError(f"no Triton form for '{op.name}' yet")


def _predicate_name(op: Operation, value: int) -> str:
    from xdsl.dialects.arith import CMPF_COMPARISON_OPERATIONS, CMPI_COMPARISON_OPERATIONS

    table = CMPI_COMPARISON_OPERATIONS if op.name == "arith.cmpi" else CMPF_COMPARISON_OPERATIONS
    return table[value]


def _literal(attr: Attribute) -> str:
    if isinstance(attr, FloatAttr):
        v = attr.value.data
        return f'float("{v}")' if math.isinf(v) or math.isnan(v) else repr(v)
    if isinstance(attr, IntegerAttr):
        if attr.type.width.data == 1:  # type: ignore[attr-defined]
            return "True" if attr.value.data else "False"
        return str(attr.value.data)
    raise EmitError(f"no Triton literal for {attr}")


def _launcher(fn: func.FuncOp, kernels: dict[str, gb.KernelOp]) -> list[str]:
    """A function's launcher: the memory plan's buffers (loops-plan-memory's `arena`
    on the function and `memory = #loops.slot<...>` on each launch) as one arena of
    bytes per call (torch's caching allocator) with views at their offsets, a result
    in a `torch.empty` of its own, a donated argument written in place; then each
    kernel launched with its options in CONFIGS (the runtime's autotuner may change
    them). Without a plan every buffer is a `torch.empty` of its own."""
    n = _Names()
    params = [n.define(a, a.name_hint or f"arg{i}") for i, a in enumerate(fn.body.block.args)]
    tensors = [n[a] for a in fn.body.block.args if isinstance(a.type, TensorType)]
    device = n.fresh("device")
    out = [f"def {fn.sym_name.data}({', '.join(params)}):", f"    {device} = {f'{tensors[0]}.device' if tensors else 'DEVICE'}"]
    arena_bytes = fn.attributes[ARENA].value.data if isinstance(fn.attributes.get(ARENA), IntegerAttr) else 0  # type: ignore[union-attr]
    arena = n.fresh("arena")
    if arena_bytes:
        out.append(f"    {arena} = torch.empty({arena_bytes}, dtype=torch.uint8, device={device})")
    literals: dict[SSAValue, str] = {}
    for op in fn.body.block.ops:
        if isinstance(op, gb.LaunchOp):
            kernel = kernels[op.callee.root_reference.data]
            names = [n.define(r) for r in op.outputs]
            for name, r, slot, init in zip(names, op.outputs, _slots(op), op.init_values()):
                out.append(f"    {name} = {_buffer(r.type, slot, arena, params, fn, device)}")
                if init is not None:
                    out.append(f"    {name}.fill_({_literal(init)})")
            values = [literals.get(a) or n[a] for a in op.args]
            grid = _grid(kernel, values)
            args = ", ".join([*values, *names])
            name = kernel.sym_name.data
            call = f"{name}[({', '.join(grid)},)]({args}, **CONFIGS[{name!r}])"
            out.append(f"    {call}" if math.prod(int(g) for g in grid) else f"    # {call}: an empty grid")
        elif isinstance(op, arith.ConstantOp) and not isinstance(op.result.type, TensorType):
            literals[op.result] = _literal(op.value)
        elif isinstance(op, func.ReturnOp):
            values = ", ".join(literals.get(v) or n[v] for v in op.arguments)
            out.append(f"    return {values}" if values else "    return")
            break
        else:
            raise EmitError(f"cannot emit '{op.name}' in a Triton launcher (run lower-to-triton first)")
    return out


def launch_options(kernel: gb.KernelOp) -> dict[str, int]:
    """A kernel's launch options as the IR states them (Triton's keyword arguments)."""
    options = {"num_warps": kernel.num_warps.value.data}
    if kernel.num_stages is not None:
        options["num_stages"] = kernel.num_stages.value.data
    return options


def _configs(kernels: list[gb.KernelOp]) -> list[str]:
    """CONFIGS: each kernel's launch options, the IR's to start with."""
    if not kernels:
        return []
    lines = ["# launch options per kernel: the IR's (the runtime's autotuner may replace them)", "CONFIGS = {"]
    lines += [f"    {k.sym_name.data!r}: {launch_options(k)!r}," for k in kernels]
    return [*lines, "}", 'DEVICE = "cuda"  # the device of a launcher with no tensor argument']


def _slots(op: gb.LaunchOp) -> list[SlotAttr | None]:
    """The memory plan's slot of each result of a launch (None: no plan)."""
    memory = op.attributes.get(MEMORY)
    if isinstance(memory, SlotAttr):
        return [memory]
    if isinstance(memory, ArrayAttr):
        return list(memory.data)  # type: ignore[arg-type]
    return [None] * len(op.outputs)


def _buffer(t: Attribute, slot: SlotAttr | None, arena: str, params: list[str], fn: func.FuncOp, device: str) -> str:
    """The expression of a launch result's buffer: a view of the arena at its slot,
    a donated argument's memory, or a tensor of its own."""
    assert isinstance(t, TensorType)
    shape, dtype = tuple(t.get_shape()), f"torch.{triton_dtype(t.element_type)}"
    if slot is not None and slot.where == "arena" and byte_size(t):  # (an empty buffer has no bytes there)
        return f"{arena}[{slot.offset}:{slot.offset + byte_size(t)}].view({dtype}).view({shape})"
    if slot is not None and slot.where == "arg":
        arg = fn.body.block.args[slot.index]
        if arg.type == t:
            return params[slot.index]
        return f"{params[slot.index]}.view(-1).view(torch.uint8)[:{byte_size(t)}].view({dtype}).view({shape})"
    return f"torch.empty({shape}, dtype={dtype}, device={device})"


def _grid(kernel: gb.KernelOp, values: list[str]) -> list[str]:
    """The kernel's grid, its size symbols sK replaced by the literal arguments."""
    grid = []
    for g in kernel.grid_exprs:
        known = {s: int(values[int(s.name[1:])]) for s in g.free_symbols if values[int(s.name[1:])].lstrip("-").isdigit()}
        g = g.subs(known)
        if not g.is_Integer:
            raise EmitError(f"the grid of {kernel.sym_name.data} is not literal: runtime sizes are not emitted yet")
        grid.append(str(int(g)))
    return grid
