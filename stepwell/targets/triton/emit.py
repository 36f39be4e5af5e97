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

import base64
import math
from typing import Any

import numpy as np
import sympy
from xdsl.dialects import arith, func
from xdsl.dialects.builtin import (
    AnyFloat,
    ArrayAttr,
    DictionaryAttr,
    Float32Type,
    Float64Type,
    FloatAttr,
    IntegerAttr,
    IntegerType,
    ModuleOp,
    StringAttr,
    TensorType,
    bf16,
    f32,
    i1,
)
from xdsl.ir import Attribute, Operation, SSAValue

from stepwell.dialects import gpu_block as gb
from stepwell.dialects.gpu_block.types import element_of, shape_of
from stepwell.dialects.loops.index import format_index, sym
from stepwell.dialects.loops.memory import ARENA, MEMORY, SlotAttr, byte_size
from stepwell.dialects.tensor_graph.constants import element_bytes, is_splat, is_splat_attr, to_numpy
from stepwell.dtypes import numpy_dtype
from stepwell.lowering.loops_to_gpu_block.checks import CHECK
from stepwell.tools.emitters import EmitError

BINARY = {
    "arith.addf": "+", "arith.addi": "+", "arith.subf": "-", "arith.subi": "-",
    "arith.mulf": "*", "arith.muli": "*", "arith.divsi": "//", "arith.remsi": "%",
    "arith.andi": "&", "arith.ori": "|", "arith.xori": "^", "arith.shli": "<<", "arith.shrsi": ">>",
}  # fmt: skip
CALLS = {
    "arith.divf": "tl.div_rn", "math.sqrt": "tl.sqrt_rn", "math.exp": "tl.exp", "math.exp2": "tl.exp2",
    "math.log": "tl.log", "math.log2": "tl.log2", "math.rsqrt": "tl.rsqrt", "math.absf": "tl.abs",
    "math.absi": "tl.abs", "math.floor": "tl.floor", "math.ceil": "tl.ceil", "math.sin": "tl.sin",
    "math.cos": "tl.cos", "math.fma": "tl.fma", "math.erf": "tl.erf", "arith.maxsi": "tl.maximum",
    "arith.minsi": "tl.minimum", "arith.select": "tl.where",
}  # fmt: skip
NAN_CALLS = {"arith.maximumf": "tl.maximum", "arith.minimumf": "tl.minimum"}
NUM_CALLS = {"arith.maxnumf": "tl.maximum", "arith.minnumf": "tl.minimum"}  # the non-NaN operand wins
CASTS = ("arith.extsi", "arith.extf", "arith.truncf", "arith.sitofp", "arith.trunci")
UNSIGNED = ("arith.extui", "arith.uitofp")  # the source read as unsigned
PREDICATES = {
    "arith.cmpi": {"slt": "<", "sle": "<=", "sgt": ">", "sge": ">=", "eq": "==", "ne": "!="},
    "arith.cmpf": {"olt": "<", "ole": "<=", "ogt": ">", "oge": ">=", "oeq": "==", "une": "!="},
}
# cmpf predicates with no one-operator form: unordered ones are the negated ordered
# ones (true when either side is NaN); `one`, `ord`, `uno` test for NaN (x != x)
CMPF_FORMS = {
    "ult": "~({a} >= {b})", "ule": "~({a} > {b})", "ugt": "~({a} <= {b})", "uge": "~({a} < {b})",
    "ueq": "~(({a} < {b}) | ({a} > {b}))", "one": "({a} < {b}) | ({a} > {b})",
    "ord": "({a} == {a}) & ({b} == {b})", "uno": "({a} != {a}) | ({b} != {b})",
}  # fmt: skip
F32_ONLY = ("arith.divf", "math.sqrt")  # tl.div_rn, tl.sqrt_rn take f32 only
METHOD_FORMS = (*CASTS, *UNSIGNED, "arith.fptosi", "arith.bitcast", "arith.shrui", "math.copysign")
UNSIGNED_CMPI = {"ult": "<", "ule": "<=", "ugt": ">", "uge": ">="}
# Reductions: tl.sum where it is exact in the element type (integers below 32 bits
# are summed in their own type, so they wrap as the spec says), else a combine
# function printed once per module: float max/min propagate NaN (tl.max's combine
# drops NaN on the GPU), i1 sum/prod/max/min are xor/and/or/and, argmax/argmin reduce
# (value, position) pairs: the better value, the lower position among equal values
# (NaN counts as equal to NaN and better than any number).
COMBINE_HELPERS = {
    "_max_nan": ["return tl.maximum(a, b, propagate_nan=tl.PropagateNan.ALL)"],
    "_min_nan": ["return tl.minimum(a, b, propagate_nan=tl.PropagateNan.ALL)"],
    "_max": ["return tl.maximum(a, b)"],
    "_min": ["return tl.minimum(a, b)"],
    "_prod": ["return a * b"],
    "_xor": ["return a ^ b"],
    "_and": ["return a & b"],
    "_or": ["return a | b"],
    **{
        f"_{kind}": [
            "a_nan = a != a",
            "b_nan = b != b",
            f"better = (a {cmp} b) | (a_nan & ~b_nan)",
            "tie = (a == b) | (a_nan & b_nan)",
            "take_a = better | (tie & (ia < ib))",
            "return tl.where(take_a, a, b), tl.where(take_a, ia, ib)",
        ]
        for kind, cmp in (("argmax", ">"), ("argmin", "<"))
    },
}
ARG_HELPER_PARAMS = "a, ia, b, ib"


def combine_helper(kind: str, element: Attribute) -> str | None:
    """The combine function a `kind` reduction of `element`s needs (None: tl.sum)."""
    if kind in ("argmax", "argmin"):
        return f"_{kind}"
    if element == i1:
        return {"sum": "_xor", "prod": "_and", "max": "_or", "min": "_and"}[kind]
    if kind == "prod":
        return "_prod"
    if kind in ("max", "min"):
        return f"_{kind}_nan" if isinstance(element, AnyFloat) else f"_{kind}"
    return None


# Conversions to f16 and bf16 round once to nearest even, as the reference and the CPU
# target: exactly to f32 where that is exact, else rounded to odd into f32 (from f64,
# i32 through f64, i64 through f64 rounded to odd: each step keeps >= 2 extra bits),
# then once to the narrow type. f32 -> bf16 on the GPU is its cvt.rn; Triton's
# interpreter truncates it, so under the interpreter it is the same rounding on the bits.
CAST_HELPERS = {
    "_bf16": ["return _bf16_bits(x) if _INTERPRETED else x.to(tl.bfloat16)"],
    "_bf16_bits": [
        "bits = x.to(tl.uint32, bitcast=True)",
        "high = bits >> 16",
        "rounded = (bits + 0x7FFF + (high & 1)) >> 16",
        "bits = tl.where(x != x, high | 0x40, rounded)",
        "return bits.to(tl.uint16).to(tl.bfloat16, bitcast=True)",
    ],
    "_f32_odd": [
        "t = x.to(tl.float32)",
        "back = t.to(tl.float64)",
        "bits = t.to(tl.int32, bitcast=True)",
        "bits = tl.where(tl.abs(back) > tl.abs(x), bits - 1, bits)",
        "return tl.where((back != x) & (x == x), (bits | 1).to(tl.float32, bitcast=True), t)",
    ],
    "_f64_odd": [
        "hi = (x >> 32).to(tl.float64) * 4294967296.0",
        "lo = (x - ((x >> 32) << 32)).to(tl.float64)",
        "s = hi + lo",
        "bb = s - hi",
        "err = (hi - (s - bb)) + (lo - bb)  # s + err == hi + lo exactly",
        "bits = s.to(tl.int64, bitcast=True)",
        "bits = tl.where((err != 0) & ((err < 0) != (s < 0)), bits - 1, bits)",
        "return tl.where(err != 0, (bits | 1).to(tl.float64, bitcast=True), s)",
    ],
}
HELPER_NEEDS = {"_bf16": ("_bf16_bits",)}  # helpers another helper calls


def helper_lines(name: str) -> list[str]:
    if name in CAST_HELPERS:
        params, body = "x", CAST_HELPERS[name]
    else:
        params, body = ARG_HELPER_PARAMS if name in ("_argmax", "_argmin") else "a, b", COMBINE_HELPERS[name]
    return ["@triton.jit", f"def {name}({params}):", *(f"    {line}" for line in body)]

INTERPRETED = (
    "# Triton's interpreter multiplies the bit patterns of bf16 factors in tl.dot\n"
    "# (triton-lang/triton#11584): under it a bf16 dot runs on f32 factors, exact for\n"
    "# their products, as the tensor cores are; and it truncates f32 -> bf16, so _bf16\n"
    "# rounds the bits itself there (Triton folds the test at compile time).\n"
    '_INTERPRETED = tl.constexpr(os.environ.get("TRITON_INTERPRET", "0") == "1")'
)


CHECK_INDEX = [
    "def _check_index(first, index, op, axis, size, n):",
    '    """After a loops.check_index\'s kernels: `first`, the first position of an index',
    "    outside [-size, size) (n: none), and that index; raise as the reference does.\"\"\"",
    "    if first.item() < n:",
    "        from stepwell.reference.evaluators import index_out_of_range",
    "",
    "        raise index_out_of_range(op, index.item(), axis, size)",
]


def triton_dtype(t: Attribute) -> str:
    """`tl.float32` ... (the same names as torch's, after `tl.`/`torch.`): the name of
    the numpy dtype stepwell stores `t` in (stepwell.dtypes)."""
    try:
        return numpy_dtype(t).name
    except TypeError:
        raise EmitError(f"no Triton type for {t}") from None


def tl_dtype(t: Attribute) -> str:
    """`tl.float32` ...; i1 is `tl.int1` (torch's name is `bool`)."""
    name = triton_dtype(t)
    return "tl.int1" if name == "bool" else f"tl.{name}"


def emit_triton(module: ModuleOp, bind_above: int | None = None, **_: Any) -> str:
    """The module as one Python file: imports, launch options, constants, the combine
    helpers, then each kernel and launcher in the module's order. Constants of more
    than `bind_above` bytes (not splats) are not in it: the loader binds their bytes
    (`bound_constants`) in the file's `_BOUND`."""
    return _emit(module, with_kernels=True, bind_above=bind_above)


def emit_launchers(module: ModuleOp, bind_above: int | None = None) -> str:
    """The host half of `emit_triton`'s file: launch options, constants and the
    launchers, no kernel and no import of Triton. Each launch is
    `NAME[(grid,)](*args, *outputs, **CONFIGS[NAME])`: the loader binds NAME to what
    launches that kernel (the PTX target: a CUDA driver launch of its cubin's function)."""
    return _emit(module, with_kernels=False, bind_above=bind_above)


def _constant_ops(module: ModuleOp) -> list[Operation]:
    return [op for fn in module.ops if isinstance(fn, func.FuncOp) for op in fn.body.ops if op.name == "tensor_graph.constant"]


def _bound(op: Operation, bind_above: int | None) -> bool:
    attr = op.properties["value"]
    return bind_above is not None and byte_size(op.results[0].type) > bind_above and not is_splat_attr(attr)  # type: ignore[arg-type]


def bound_constants(module: ModuleOp, bind_above: int | None) -> dict[str, bytes]:
    """The bytes of the constants `emit_triton(module, bind_above)` leaves to the
    loader, by their names in `_CONSTANT_DATA`: what the artifact holds beside the source."""
    return {_constant_name(op): element_bytes(op.properties["value"]) for op in _constant_ops(module) if _bound(op, bind_above)}  # type: ignore[arg-type]


def _emit(module: ModuleOp, with_kernels: bool, bind_above: int | None) -> str:
    kernels = {op.sym_name.data: op for op in module.ops if isinstance(op, gb.KernelOp)}
    constants = _constant_ops(module)
    body: list[str] = []
    helpers: set[str] = set()
    interpreted = False
    for op in module.ops:
        if isinstance(op, gb.KernelOp):
            if not with_kernels:
                continue
            kernel = _Kernel(op)
            body += ["", *kernel.lines(), ""]
            helpers |= kernel.helpers
            interpreted |= kernel.uses_interpreted
        elif isinstance(op, func.FuncOp):
            body += ["", *_launcher(op, kernels), ""]
        else:
            raise EmitError(f"cannot emit '{op.name}' as Triton (run lower-to-triton first)")
    inline = any(not _bound(op, bind_above) for op in constants)
    imports = [*(["import base64"] if inline else []), *(["import os"] if interpreted else []),
               "import torch", *(["import triton", "import triton.language as tl"] if with_kernels else []), ""]
    parts = [*imports, *([INTERPRETED, ""] if interpreted else []), "", *_configs(list(kernels.values())), ""]
    if constants:
        parts += ["", *_constants(constants, bind_above), ""]
    for name in sorted(helpers):
        parts += ["", *helper_lines(name), ""]
    if any(line.startswith("    _check_index(") for line in body):
        parts += ["", *CHECK_INDEX, ""]
    return "\n".join(parts + body).rstrip() + "\n"


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
        self.uses_interpreted = False  # whether the kernel reads _INTERPRETED

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
        elif isinstance(op, gb.ExpandDimsOp):
            self.line(ind, op.result, f"tl.expand_dims({self.ref(op.source)}, {op.axis.value.data})", True)
        elif isinstance(op, gb.BroadcastOp):
            self.line(ind, op.result, f"tl.broadcast_to({self.ref(op.source)}, {list(shape_of(op.result.type))})", True)
        elif isinstance(op, gb.AddPtrOp):
            self.line(ind, op.result, f"{self.ref(op.base)} + {self.ref(op.offsets)}", op.base in self.blocks or op.offsets in self.blocks)
        elif isinstance(op, gb.LoadOp):
            args = [self.ref(op.ptr)]
            if op.mask is not None:
                args.append(f"mask={self.ref(op.mask)}")
            if op.other is not None:
                other = op.other.owner
                # a constant `other` is converted to the loaded type by tl.load itself
                value = _literal(other.value, typed=False) if isinstance(other, arith.ConstantOp) else self.ref(op.other)
                args.append(f"other={value}")
            self.line(ind, op.result, f"tl.load({', '.join(args + _hints(op))})", op.ptr in self.blocks)
        elif isinstance(op, gb.StoreOp):
            mask = [f"mask={self.ref(op.mask)}"] if op.mask is not None else []
            self.out.append(f"{ind}tl.store({', '.join([self.ref(op.ptr), self.ref(op.value), *mask, *_hints(op)])})")
        elif isinstance(op, gb.AtomicRmwOp):
            mask = [f"mask={self.ref(op.mask)}"] if op.mask is not None else []
            args = ", ".join([self.ref(op.ptr), self.ref(op.value), *mask])
            self.out.append(f"{ind}tl.atomic_{op.kind.data}({args})")
        elif isinstance(op, gb.MapOp):
            self.map(op, ind)
        elif isinstance(op, gb.ReduceOp):
            self.reduce(op, ind)
        elif isinstance(op, gb.ForOp):
            self.loop(op, ind)
        elif isinstance(op, gb.ExpandDimsOp):
            rank = len(shape_of(op.result.type))
            index = ", ".join("None" if i == op.axis.value.data else ":" for i in range(rank))
            self.line(ind, op.result, f"{self.ref(op.source)}[{index}]", True)
        elif isinstance(op, gb.BroadcastOp):
            self.line(ind, op.result, f"tl.broadcast_to({self.ref(op.source)}, {list(shape_of(op.result.type))})", True)
        elif isinstance(op, gb.DotOp):
            a, b, acc = self.ref(op.a), self.ref(op.b), self.ref(op.acc)
            precision = f', input_precision="{op.precision.data}"' if element_of(op.a.type) == f32 else ""
            expr = f"tl.dot({a}, {b}, {acc}{precision})"
            if element_of(op.a.type) == bf16:  # the interpreter's tl.dot multiplies bf16 bit patterns
                self.uses_interpreted = True
                expr = f"tl.dot({a}.to(tl.float32), {b}.to(tl.float32), {acc}) if _INTERPRETED else {expr}"
            self.line(ind, op.result, expr, True)
        elif len(op.results) == 1:
            self.line(ind, op.results[0], self.scalar(op), any(v in self.blocks for v in op.operands))
        else:
            raise EmitError(f"no Triton form for '{op.name}' yet")

    def reduce(self, op: gb.ReduceOp, ind: str) -> None:
        kind, axis, src = op.kind.data, op.axis.value.data, self.ref(op.source)
        element = element_of(op.source.type)
        helper = combine_helper(kind, element)
        block = isinstance(op.result.type, TensorType)
        if helper is None:
            dtype = f", dtype={tl_dtype(element)}" if isinstance(element, IntegerType) and element.width.data < 32 else ""
            self.line(ind, op.result, f"tl.sum({src}, axis={axis}{dtype})", block)
            return
        self.helpers.add(helper)
        if op.indices is None:
            if kind in ("argmax", "argmin"):
                raise EmitError(f"gpu_block.reduce {kind} without a block of positions has no Triton form yet")
            self.line(ind, op.result, f"tl.reduce({src}, {axis}, {helper})", block)
            return
        best = self.n.fresh("best")
        self.out.append(f"{ind}{best}, {self.n.define(op.result)} = tl.reduce(({src}, {self.ref(op.indices)}), {axis}, {helper})")
        if block:
            self.blocks.add(op.result)

    def loop(self, op: gb.ForOp, ind: str) -> None:
        """`for iv in range(lo, hi, step):`, each carried value one Python variable
        (assigned its start before the loop and the yielded values at the end of the body)."""
        names = []
        for arg, init, res in zip(op.body.block.args[1:], op.iter_args, op.outputs):
            name = self.n.fresh(arg.name_hint or res.name_hint or "carried")
            start = self.ref(init)
            if isinstance(init.type, TensorType) and init not in self.blocks:  # a splat: fill the block
                start = f"tl.full({list(shape_of(init.type))}, {start}, {tl_dtype(element_of(init.type))})"
            self.out.append(f"{ind}{name} = {start}")
            for v in (arg, res):
                self.n.names[v] = name
                if isinstance(v.type, TensorType):
                    self.blocks.add(v)
            names.append(name)
        iv = self.n.define(op.induction_var, op.induction_var.name_hint or "k")
        bounds = ", ".join(self.ref(v) for v in (op.lower, op.upper, op.step))
        self.out.append(f"{ind}for {iv} in range({bounds}):")
        term = op.body.block.last_op
        assert isinstance(term, gb.YieldOp)
        for inner in op.body.block.ops:
            if inner is not term:
                self.statement(inner, ind + "    ")
        if names:
            self.out.append(f"{ind}    {', '.join(names)} = {', '.join(self.ref(v) for v in term.values)}")

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
                self.line(ind, r, f"tl.full({shape}, {self.ref(v)}, {tl_dtype(element_of(r.type))})", True)

    def convert(self, op: Operation, x: str, src: Attribute, out: Attribute) -> str:
        if op.name == "arith.sitofp" and src.width.data == 1:  # type: ignore[attr-defined]  # true is -1
            return f"-({x}.to({tl_dtype(out)}))"
        if op.name in UNSIGNED:
            return f"{_unsigned(x, src)}.to({tl_dtype(out)})"
        return f"{x}.to({tl_dtype(out)})"

    def call_helper(self, name: str, x: str) -> str:
        self.helpers.update((name, *HELPER_NEEDS.get(name, ())))
        self.uses_interpreted |= name == "_bf16"
        return f"{name}({x})"

    def narrow(self, op: Operation, x: str, src: Attribute, out: Attribute) -> str:
        """`x` converted to f16 or bf16, rounded once (CAST_HELPERS)."""
        s = triton_dtype(src)
        if s == "int64" and op.name == "arith.sitofp":
            x, s = self.call_helper("_f64_odd", x), "float64"
        elif s in ("int32", "int64"):
            x, s = self.convert(op, x, src, Float64Type()), "float64"
        if s == "float64":
            x = self.call_helper("_f32_odd", x)
        elif s != "float32":
            x = self.convert(op, x, src, Float32Type())  # exact
        return self.call_helper("_bf16", x) if triton_dtype(out) == "bfloat16" else f"{x}.to(tl.float16)"

    def typed_ref(self, v: SSAValue) -> str:
        """`v`, a Python literal made a scalar of its type (for `.to(...)` on it)."""
        if v in self.literal and isinstance(v.owner, arith.ConstantOp) and not self.literal[v].startswith("tl."):
            return f"tl.full([], {self.literal[v]}, {tl_dtype(v.type)})"
        return self.ref(v)

    def scalar(self, op: Operation) -> str:
        a = [self.ref(v) for v in op.operands]
        if op.name in F32_ONLY and triton_dtype(op.results[0].type) != "float32":
            return f"{a[0]} / {a[1]}" if op.name == "arith.divf" else f"tl.sqrt({a[0]})"  # IEEE in f64 too
        if op.name in BINARY:
            return f"{a[0]} {BINARY[op.name]} {a[1]}"
        if op.name in CALLS:
            return f"{CALLS[op.name]}({', '.join(a)})"
        if op.name in NAN_CALLS:
            return f"{NAN_CALLS[op.name]}({a[0]}, {a[1]}, propagate_nan=tl.PropagateNan.ALL)"
        if op.name in NUM_CALLS:
            return f"{NUM_CALLS[op.name]}({a[0]}, {a[1]})"
        if op.name == "arith.negf":
            return f"-{a[0]}"
        out = op.results[0].type
        src = op.operands[0].type if op.operands else None
        a = [self.typed_ref(v) if op.name in METHOD_FORMS else x for v, x in zip(op.operands, a)]
        if op.name in (*CASTS, *UNSIGNED) and triton_dtype(out) in ("float16", "bfloat16"):
            return self.narrow(op, a[0], src, out)
        if op.name in (*CASTS, *UNSIGNED):
            return self.convert(op, a[0], src, out)
        if op.name == "arith.fptosi":
            return _fptosi(a[0], out)
        if op.name == "arith.bitcast":
            return f"{a[0]}.to({tl_dtype(out)}, bitcast=True)"
        if op.name == "arith.shrui":
            return f"({_unsigned(a[0], out)} >> {_unsigned(a[1], out)}).to({tl_dtype(out)}, bitcast=True)"
        if op.name == "math.roundeven":
            return _roundeven(a[0], out)
        if op.name == "math.copysign":
            bits = f"tl.int{out.bitwidth}"  # type: ignore[attr-defined]
            return f"tl.where({a[1]}.to({bits}, bitcast=True) < 0, -tl.abs({a[0]}), tl.abs({a[0]}))"
        if op.name in PREDICATES:
            text = _predicate_name(op, op.predicate.value.data)  # type: ignore[attr-defined]
            if text in PREDICATES[op.name]:
                return f"{a[0]} {PREDICATES[op.name][text]} {a[1]}"
            if op.name == "arith.cmpf" and text in CMPF_FORMS:
                return CMPF_FORMS[text].format(a=a[0], b=a[1])
            if op.name == "arith.cmpi" and text in UNSIGNED_CMPI:
                x, y = (_unsigned(self.typed_ref(v), src) for v in op.operands)
                return f"{x} {UNSIGNED_CMPI[text]} {y}"
            raise EmitError(f"no Triton form for '{op.name} {text}' yet")
        raise EmitError(f"no Triton form for '{op.name}' yet")


def _hints(op: gb.LoadOp | gb.StoreOp) -> list[str]:
    """A load's or store's cache hints as tl.load/tl.store keywords."""
    cache, evict = getattr(op, "cache", None), getattr(op, "evict", None)
    return [
        *([f'cache_modifier=".{cache.data}"'] if cache is not None else []),
        *([f'eviction_policy="evict_{evict.data}"'] if evict is not None else []),
    ]


def _predicate_name(op: Operation, value: int) -> str:
    from xdsl.dialects.arith import (
        CMPF_COMPARISON_OPERATIONS,
        CMPI_COMPARISON_OPERATIONS,
    )

    table = CMPI_COMPARISON_OPERATIONS if op.name == "arith.cmpi" else CMPF_COMPARISON_OPERATIONS
    return table[value]


def _literal(attr: Attribute, typed: bool = True) -> str:
    """A constant: a plain Python literal for f32, i32 and i1 (Triton's own types of
    literals), else (when `typed`) a scalar of the constant's type, so that an f64
    constant is not rounded to f32 and an i8 or i64 one keeps its width."""
    if isinstance(attr, FloatAttr):
        v = attr.value.data
        text = f'float("{v}")' if math.isinf(v) or math.isnan(v) else repr(v)
    elif isinstance(attr, IntegerAttr):
        if attr.type.width.data == 1:  # type: ignore[attr-defined]
            return "True" if attr.value.data else "False"
        text = str(attr.value.data)
    else:
        raise EmitError(f"no Triton literal for {attr}")
    dtype = triton_dtype(attr.type)
    return text if dtype in ("float32", "int32") or not typed else f"tl.full([], {text}, tl.{dtype})"


def _typed(value: float, t: Attribute) -> str:
    return _literal(FloatAttr(value, t) if isinstance(t, AnyFloat) else IntegerAttr(value, t))


def _fptosi(x: str, t: Attribute) -> str:
    """float -> int toward zero, saturating, NaN -> 0 (as the CPU target and the
    reference): the conversion itself only in range, where every target agrees."""
    bits = t.width.data  # type: ignore[attr-defined]
    lo, hi = -(2 ** (bits - 1)), 2 ** (bits - 1) - 1
    return (f"tl.where({x} != {x}, {_typed(0, t)}, tl.where({x} >= {float(2 ** (bits - 1))}, {_typed(hi, t)}, "
            f"tl.where({x} <= {float(lo)}, {_typed(lo, t)}, {x}.to({tl_dtype(t)}))))")


def _unsigned(x: str, t: Attribute) -> str:
    """`x` (an integer of type t) read as unsigned."""
    width = t.width.data  # type: ignore[attr-defined]
    return x if width == 1 else f"{x}.to(tl.uint{width}, bitcast=True)"


def _roundeven(x: str, t: Attribute) -> str:
    """Round half to even: adding and subtracting 2**mantissa rounds |x| to an integer
    in the current (nearest-even) mode; larger magnitudes already are integers. The
    sign is put back, so -0.3 gives -0.0 and NaN stays NaN."""
    big = 2.0 ** {"float16": 10, "bfloat16": 7, "float32": 23, "float64": 52}[triton_dtype(t)]
    a = f"tl.abs({x})"
    r = f"tl.where({a} < {_typed(big, t)}, ({a} + {_typed(big, t)}) - {_typed(big, t)}, {a})"
    return f"tl.where({x} < 0, -({r}), tl.where({x} == 0, {x}, {r}))"


def _launcher(fn: func.FuncOp, kernels: dict[str, gb.KernelOp]) -> list[str]:
    """A function's launcher: the memory plan's buffers (loops-plan-memory's `arena`
    on the function and `memory = #loops.slot<...>` on each launch) as one arena of
    bytes per call (torch's caching allocator) with views at their offsets, a result
    in a `torch.empty` of its own (allocated before its first borrower where
    intermediates borrow its memory, `#loops.slot<result k, off, size>`: they are views
    of it), a donated argument written in place; then each kernel launched with its
    options in CONFIGS (the runtime's autotuner may change them). Without a plan every
    buffer is a `torch.empty` of its own.

    A view is one `as_strided` of a typed view of its memory (`arena_float32 =
    arena.view(torch.float32)`, made once per call and dtype): the launcher's host time
    is part of every call's."""
    n = _Names()
    params = [n.define(a, a.name_hint or f"arg{i}") for i, a in enumerate(fn.body.block.args)]
    tensors = [n[a] for a in fn.body.block.args if isinstance(a.type, TensorType)]
    device = n.fresh("device")
    out = [f"def {fn.sym_name.data}({', '.join(params)}):", f"    {device} = {f'{tensors[0]}.device' if tensors else 'DEVICE'}"]
    arena_bytes = fn.attributes[ARENA].value.data if isinstance(fn.attributes.get(ARENA), IntegerAttr) else 0  # type: ignore[union-attr]
    memory = _Memory(n, out, device)
    if arena_bytes:
        memory.bytes["arena"] = n.fresh("arena")
        out.append(f"    {memory.bytes['arena']} = torch.empty({arena_bytes}, dtype=torch.uint8, device={device})")
    returned = _returned(fn)
    sizes: dict[SSAValue, int] = {}  # function-level integer constants: sizes passed to kernels
    checks: list[str] = []  # the tests of loops.check_index's (lowering/loops_to_gpu_block/checks.py), after the kernels
    for op in fn.body.block.ops:
        if isinstance(op, gb.LaunchOp):
            kernel = kernels[op.callee.root_reference.data]
            for r, slot, init in zip(op.outputs, _slots(op), op.init_values()):
                if slot is not None and slot.scratch:
                    if slot.index not in returned:
                        raise EmitError(f"@{fn.sym_name.data}: an intermediate borrows the memory of result {slot.index}, "
                                        "which no kernel writes")
                    owner = returned[slot.index]
                    if owner not in n.names:  # the result allocated before its first borrower
                        out.append(f"    {n.define(owner)} = {_empty(owner.type, device)}")
                    expr = memory.view(r.type, n[owner], slot.offset, owner.type)
                elif r in n.names:  # a result allocated earlier for its borrowers
                    expr = None
                elif slot is not None and slot.where == "arena" and byte_size(r.type):  # (an empty buffer has no bytes there)
                    expr = memory.view(r.type, "arena", slot.offset, None)
                elif slot is not None and slot.where == "arg":
                    expr = _in_argument(r.type, slot, params, fn)
                else:
                    expr = _empty(r.type, device)
                name = n[r] if expr is None else n.define(r)
                if expr is not None:
                    out.append(f"    {name} = {expr}")
                if init is not None:
                    out.append(f"    {name}.fill_({_literal(init, typed=False)})")  # host code: a Python number
            names = [n[r] for r in op.outputs]
            values = [n[a] for a in op.args]
            grid, empty = _grid(kernel, values, [sizes.get(a) for a in op.args])
            args = ", ".join([*values, *names])
            name = kernel.sym_name.data
            call = f"{name}[({', '.join(grid)},)]({args}, **CONFIGS[{name!r}])"
            out.append(f"    # {call}: an empty grid" if empty else f"    {call}")
            if isinstance(check := op.attributes.get(CHECK), DictionaryAttr):
                c = {k: v.data if isinstance(v, StringAttr) else v.value.data for k, v in check.data.items()}  # type: ignore[attr-defined]
                checks.append(f"    _check_index({values[c['first']]}, {names[0]}, {c['op']!r}, {c['axis']}, {c['size']}, {c['n']})")
        elif isinstance(op, arith.ConstantOp) and isinstance(op.value, IntegerAttr):
            sizes[op.result] = op.value.value.data
            out.append(f"    {n.define(op.result)} = {_literal(op.value)}")
        elif op.name == "tensor_graph.constant":
            out.append(f"    {n.define(op.results[0])} = _constant({_constant_name(op)!r}, {device})")
        elif isinstance(op, func.ReturnOp):
            out += checks
            # a result is never an argument or a (cached) constant: their copies
            fresh = {v for v in op.arguments if isinstance(v.owner, gb.LaunchOp)}
            values = ", ".join(n[v] if v in fresh else f"{n[v]}.clone()" for v in op.arguments)
            out.append(f"    return {values}" if values else "    return")
            break
        else:
            raise EmitError(f"cannot emit '{op.name}' in a Triton launcher (run lower-to-triton first)")
    return out


def _returned(fn: func.FuncOp) -> dict[int, SSAValue]:
    """Each result a launch writes (its slot `<result k>`), by k."""
    owners = {}
    for op in fn.body.block.ops:
        if isinstance(op, gb.LaunchOp):
            for r, slot in zip(op.outputs, _slots(op)):
                if slot is not None and slot.where == "result" and not slot.scratch:
                    owners[slot.index] = r
    return owners


class _Memory:
    """The typed views of a launcher's memories (the arena, a result's), each made
    once, where the first buffer of its dtype needs it."""

    def __init__(self, n: _Names, out: list[str], device: str):
        self.n, self.out, self.device = n, out, device
        self.bytes: dict[str, str] = {}  # "arena" -> its name
        self.typed: dict[tuple[str, str], str] = {}  # (memory, dtype) -> the typed view's name

    def view(self, t: Attribute, memory: str, offset: int, owner: Attribute | None) -> str:
        """Buffer type `t` at byte `offset` of `memory` (the arena, or a result of type `owner`)."""
        assert isinstance(t, TensorType)
        dtype = triton_dtype(t.element_type)
        itemsize = numpy_dtype(t.element_type).itemsize
        key = (memory, dtype)
        if key not in self.typed:
            name = self.n.fresh(f"{'arena' if owner is None else memory}_{dtype}")
            if owner is None:
                source = self.bytes[memory]
            else:  # the result's whole elements, as bytes (its last bytes may not fill an element of `dtype`)
                assert isinstance(owner, TensorType)
                same = triton_dtype(owner.element_type) == dtype
                usable = byte_size(owner) // itemsize * itemsize
                source = f"{memory}.view(-1)" if same else f"{memory}.view(-1).view(torch.uint8)[:{usable}]"
            cast = "" if owner is not None and same else f".view(torch.{dtype})"
            self.out.append(f"    {name} = {source}{cast}")
            self.typed[key] = name
        shape = tuple(t.get_shape())
        strides = tuple(math.prod(shape[i + 1 :]) for i in range(len(shape)))
        return f"{self.typed[key]}.as_strided({shape}, {strides}, {offset // itemsize})"


def _empty(t: Attribute, device: str) -> str:
    assert isinstance(t, TensorType)
    return f"torch.empty({tuple(t.get_shape())}, dtype=torch.{triton_dtype(t.element_type)}, device={device})"


def _in_argument(t: Attribute, slot: SlotAttr, params: list[str], fn: func.FuncOp) -> str:
    """A buffer in a donated argument's memory: that tensor, or a view of its bytes."""
    assert isinstance(t, TensorType)
    arg = fn.body.block.args[slot.index]
    if arg.type == t:
        return params[slot.index]
    shape, dtype = tuple(t.get_shape()), f"torch.{triton_dtype(t.element_type)}"
    return f"{params[slot.index]}.view(-1).view(torch.uint8)[:{byte_size(t)}].view({dtype}).view({shape})"


def launch_options(kernel: gb.KernelOp) -> dict[str, int]:
    """A kernel's launch options as the IR states them (Triton's keyword arguments)."""
    options = {"num_warps": kernel.num_warps.value.data}
    if kernel.num_stages is not None:
        options["num_stages"] = kernel.num_stages.value.data
    return options


def _constant_name(op: Operation) -> str:
    fn = op.parent_op()
    assert isinstance(fn, func.FuncOp)
    return f"{fn.sym_name.data}.{list(fn.body.ops).index(op)}"


def _constants(ops: list[Operation], bind_above: int | None) -> list[str]:
    """The program's tensor_graph.constant values, as their bytes (base64; a splat as
    one element; None for one bound by the loader: its bytes are the artifact's, in
    `_BOUND`), and `_constant(name, device)`: the value as a tensor on `device`, made
    once per device."""
    lines = ["# tensor_graph.constant values: (shape, dtype, bytes of the elements; one for a splat;",
             "# None: bound by the loader, in _BOUND as a uint8 tensor)",
             "_CONSTANT_DATA = {"]
    for op in ops:
        t = op.results[0].type
        shape, dtype = tuple(t.get_shape()), f"torch.{numpy_dtype(t.element_type).name}"  # type: ignore[attr-defined]
        data = None
        if not _bound(op, bind_above):
            array = to_numpy(op.properties["value"])  # type: ignore[arg-type]
            if array.size > 1 and is_splat(array):
                array = array.reshape(-1)[:1]  # a splat: one element, expanded on the device
            data = base64.b64encode(np.ascontiguousarray(array).tobytes()).decode()
        lines.append(f"    {_constant_name(op)!r}: ({shape}, {dtype}, {data!r}),")
    return [*lines, "}", "_BOUND = {}", "_CONSTANTS = {}", "", "",
            "def _constant(name, device):",
            "    key = (name, str(device))",
            "    if key not in _CONSTANTS:",
            "        shape, dtype, data = _CONSTANT_DATA[name]",
            "        if data is None:",
            "            flat = _BOUND[name].view(dtype)",
            "        else:",
            "            raw = bytearray(base64.b64decode(data))",
            "            flat = torch.frombuffer(raw, dtype=dtype) if raw else torch.empty(0, dtype=dtype)",
            "        flat = flat.to(device)  # a splat (or a rank-0 value): one element, expanded from all-1 dims",
            "        _CONSTANTS[key] = flat.reshape((1,) * len(shape)).expand(shape).contiguous() if flat.numel() == 1 else flat.reshape(shape)",
            "    return _CONSTANTS[key]"]


def _configs(kernels: list[gb.KernelOp]) -> list[str]:
    """CONFIGS: each kernel's launch options, the IR's to start with; DEVICE."""
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


def _grid(kernel: gb.KernelOp, names: list[str], known: list[int | None]) -> tuple[list[str], bool]:
    """The kernel's grid as Python over the launch's operands (its size symbols sK are
    operand K; floordiv is //), and whether it is empty for the sizes `known`."""
    env = {sym(f"s{i}"): sympy.Symbol(name) for i, name in enumerate(names)}
    grid = [format_index(g.subs(env)).replace(" floordiv ", " // ").replace(" mod ", " % ") for g in kernel.grid_exprs]
    values = {sym(f"s{i}"): v for i, v in enumerate(known) if v is not None}
    counts = [g.subs(values) for g in kernel.grid_exprs]
    return grid, any(c.is_Integer and int(c) == 0 for c in counts)
