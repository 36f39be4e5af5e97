"""The ops of the `gpu_block` dialect (the package docstring shows a whole kernel).

Kernel-level ops (`gpu_block.kernel`, `gpu_block.launch`), then the ops of a kernel's
body, each one Triton construct: `program_id` (`tl.program_id`), `arange`
(`tl.arange`), `splat` / `expand_dims` / `broadcast` (Triton's implicit broadcasting,
made explicit), `addptr` (`ptr + offsets`), `load` / `store` / `atomic_rmw`
(`tl.load`, `tl.store`, `tl.atomic_*`), `map` (elementwise scalar code over blocks),
`reduce` (`tl.sum`, `tl.max`, `tl.argmax` ...), `dot` (`tl.dot`), `for` (a Python
`for ... in range(...)` with carried blocks) and `yield`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

import sympy
from xdsl.dialects.builtin import (
    ArrayAttr,
    DictionaryAttr,
    FlatSymbolRefAttr,
    IntegerAttr,
    IntegerType,
    StringAttr,
    SymbolRefAttr,
    TensorType,
    UnitAttr,
    f32,
    i1,
    i32,
    i64,
)
from xdsl.ir import Attribute, Block, Operation, Region, SSAValue
from xdsl.irdl import (
    AttrSizedOperandSegments,
    IRDLOperation,
    irdl_op_definition,
    operand_def,
    opt_operand_def,
    opt_prop_def,
    prop_def,
    region_def,
    result_def,
    traits_def,
    var_operand_def,
    var_result_def,
)
from xdsl.parser import Parser
from xdsl.printer import Printer
from xdsl.traits import (
    HasParent,
    IsolatedFromAbove,
    IsTerminator,
    MemoryReadEffect,
    MemoryWriteEffect,
    Pure,
    RecursiveMemoryEffect,
    SymbolOpInterface,
)
from xdsl.utils.exceptions import VerifyException

from stepwell.dialects.gpu_block.types import (
    PtrType,
    check_constant,
    check_value_type,
    element_of,
    is_power_of_two,
    is_scalar,
    shape_of,
)
from stepwell.dialects.loops.index import format_index, parse_index, symbols_of
from stepwell.dialects.loops.ops import REDUCE_KINDS

ARG_FACTS = ("divisibility",)
"""The facts a kernel argument may state (Triton's `tt.divisibility`): a pointer's
address, or an integer's value, is a multiple of the given power of two."""
LOAD_CACHE = ("ca", "cg", "cv")  # tl.load's cache_modifier ".ca" ...
STORE_CACHE = ("wb", "cg", "cs", "wt")  # tl.store's cache_modifier ".wb" ...
EVICTION = ("first", "last", "normal")  # eviction_policy "evict_first" ...
ATOMIC_KINDS = {"add": "sum", "max": "max", "min": "min"}
"""Each atomic read-modify-write (tl.atomic_add ...), by the reduction kind
(stepwell/semantics.py) whose partial results it combines in a split reduction."""
PRECISIONS = ("ieee", "tf32")  # tl.dot's input_precision
MIN_DOT_DIM = 16  # tl.dot needs M, N and K of at least 16


# --- where an op may be ---------------------------------------------------------------


def _kernel_of(op: Operation) -> KernelOp | None:
    parent = op.parent_op()
    while parent is not None and not isinstance(parent, KernelOp):
        parent = parent.parent_op()
    return parent


class BodyOp(IRDLOperation):
    """Base of the ops of a kernel's body: they sit inside a `gpu_block.kernel`, and
    their results are scalars or blocks (tensors of power-of-two dims)."""

    def verify_(self) -> None:
        if _kernel_of(self) is None:
            raise VerifyException(f"'{self.name}' is an op of a kernel: it must be inside gpu_block.kernel")
        for i, r in enumerate(self.results):
            check_value_type(r.type, f"result {i}" if len(self.results) > 1 else "the result")


# --- kernel and launch ----------------------------------------------------------------


@irdl_op_definition
class KernelOp(IRDLOperation):
    """`gpu_block.kernel @name(%x: !gpu_block.ptr<f32> {divisibility = 16}, %n: i32)
    grid [(s1 + 1023) floordiv 1024] num_warps = 4 { ... gpu_block.return }`: one
    GPU kernel (a `@triton.jit` function). Each program instance of the launch grid
    runs the body on blocks of elements.

    The arguments are pointers (`!gpu_block.ptr<T>`) and scalars (integers, floats);
    `{divisibility = 16}` states that a pointer's address (in bytes) or an integer's
    value is a multiple of 16 (Triton's `tt.divisibility`, what lets it vectorize).
    `grid` gives the number of program instances along axes 0, 1, 2 (one to three
    entries) as index expressions whose symbol `sK` is the value of argument K, an
    integer: a problem size passed at run time; a kernel whose sizes are literals has
    a literal grid. `num_warps` (a power of two) and the optional `num_stages` (the
    software pipelining depth of its loops) are Triton's launch options."""

    name = "gpu_block.kernel"
    sym_name = prop_def(StringAttr)
    grid = prop_def(ArrayAttr[StringAttr])
    num_warps = prop_def(IntegerAttr)
    num_stages = opt_prop_def(IntegerAttr)
    arg_attrs = opt_prop_def(ArrayAttr[DictionaryAttr])
    body = region_def("single_block")
    traits = traits_def(SymbolOpInterface(), IsolatedFromAbove(), RecursiveMemoryEffect())

    def __init__(
        self,
        name: str,
        arg_types: Sequence[Attribute],
        grid: Sequence[sympy.Expr | int | str],
        num_warps: int = 4,
        num_stages: int | None = None,
        arg_attrs: Sequence[dict[str, Attribute]] | None = None,
        body: Region | None = None,
    ):
        properties: dict[str, Attribute] = {
            "sym_name": StringAttr(name),
            "grid": ArrayAttr([StringAttr(g if isinstance(g, str) else format_index(sympy.sympify(g))) for g in grid]),
            "num_warps": IntegerAttr(num_warps, i64),
        }
        if num_stages is not None:
            properties["num_stages"] = IntegerAttr(num_stages, i64)
        if arg_attrs is not None and any(arg_attrs):
            properties["arg_attrs"] = ArrayAttr([DictionaryAttr(dict(a)) for a in arg_attrs])
        super().__init__(properties=properties, regions=[body or Region(Block(arg_types=arg_types))])

    @property
    def args(self) -> tuple[SSAValue, ...]:
        return tuple(self.body.block.args)

    def facts(self, i: int) -> dict[str, Attribute]:
        """The stated facts of argument i (`{divisibility = 16}`)."""
        return dict(self.arg_attrs.data[i].data) if self.arg_attrs is not None else {}

    @property
    def grid_exprs(self) -> list[sympy.Expr]:
        """The grid, over symbols sK = argument K."""
        return [parse_index(g.data) for g in self.grid.data]

    def verify_(self) -> None:
        args = self.args
        for i, arg in enumerate(args):
            if isinstance(arg.type, TensorType) or not is_scalar(arg.type):
                raise VerifyException(f"argument {i} is a pointer or a scalar (an integer or a float), got {arg.type}")
        if self.arg_attrs is not None:
            if len(self.arg_attrs.data) != len(args):
                raise VerifyException(f"{len(self.arg_attrs.data)} argument attribute dictionaries for {len(args)} arguments")
            for i in range(len(args)):
                _check_facts(self.facts(i), args[i].type, i)
        if not 1 <= len(self.grid.data) <= 3:
            raise VerifyException(f"the grid has 1 to 3 axes, got {len(self.grid.data)}")
        for g in self.grid.data:
            try:
                expr = parse_index(g.data)
            except ValueError as e:
                raise VerifyException(f"grid: {e}") from None
            if symbols_of(expr, "d") or symbols_of(expr, "r"):
                raise VerifyException(f"a grid expression reads kernel arguments (s0, s1, ...) only, got '{g.data}'")
            for k in sorted(symbols_of(expr, "s")):
                if k >= len(args) or not isinstance(args[k].type, IntegerType):
                    raise VerifyException(f"grid symbol s{k} names argument {k}, which is not an integer argument of the kernel")
        if not is_power_of_two(self.num_warps.value.data):
            raise VerifyException(f"num_warps is a power of two, got {self.num_warps.value.data}")
        if self.num_stages is not None and self.num_stages.value.data < 1:
            raise VerifyException(f"num_stages is at least 1, got {self.num_stages.value.data}")
        if not isinstance(self.body.block.last_op, ReturnOp):
            raise VerifyException("a kernel's body ends in gpu_block.return")
        for op in self.body.walk():
            if isinstance(op, MapOp):
                continue
            if op.dialect_name() != "gpu_block" and _enclosing_map(op) is None:
                if any(isinstance(r.type, TensorType) for r in op.results):
                    raise VerifyException(
                        f"'{op.name}' on blocks: elementwise computation on blocks is a gpu_block.map of scalar ops"
                    )

    @classmethod
    def parse(cls, parser: Parser) -> KernelOp:
        name = parser.parse_symbol_name().data
        parsed: list[tuple[Parser.Argument, dict[str, Attribute]]] = parser.parse_comma_separated_list(
            Parser.Delimiter.PAREN, lambda: (parser.parse_argument(), _optional_dict(parser))
        )
        parser.parse_keyword("grid")
        start = parser.pos
        grid = parser.parse_comma_separated_list(Parser.Delimiter.SQUARE, lambda: _index_text(parser))
        for text in grid:
            try:
                parse_index(text)
            except ValueError as e:
                parser.raise_error(str(e), start, parser.pos)
        num_warps = _keyword_int(parser, "num_warps")
        num_stages = _keyword_int(parser, "num_stages") if _next_is(parser, "num_stages") else None
        attrs = parser.parse_optional_attr_dict_with_keyword()
        body = parser.parse_region([a for a, _ in parsed])
        op = cls(name, [a.type for a, _ in parsed], grid, num_warps, num_stages, [d for _, d in parsed], body)
        return _with_attributes(op, attrs)

    def print(self, printer: Printer) -> None:
        printer.print_string(" ")
        printer.print_symbol_name(self.sym_name.data)
        printer.print_string("(")
        for i, arg in enumerate(self.args):
            if i:
                printer.print_string(", ")
            printer.print_block_argument(arg)
            facts = self.facts(i)
            if facts:
                printer.print_string(" {")
                printer.print_list(facts.items(), lambda kv: _print_fact(printer, *kv))
                printer.print_string("}")
        printer.print_string(") grid [" + ", ".join(g.data for g in self.grid.data) + "]")
        printer.print_string(f" num_warps = {self.num_warps.value.data}")
        if self.num_stages is not None:
            printer.print_string(f" num_stages = {self.num_stages.value.data}")
        printer.print_op_attributes(self.attributes, print_keyword=True)
        printer.print_string(" ")
        printer.print_region(self.body, print_entry_block_args=False)


def _print_fact(printer: Printer, key: str, value: Attribute) -> None:
    """`divisibility = 16` (an i64, the default type of an integer, prints bare)."""
    printer.print_string(f"{key} = ")
    if isinstance(value, IntegerAttr) and value.type == i64:
        printer.print_string(str(value.value.data))
    else:
        printer.print_attribute(value)


def _check_facts(facts: dict[str, Attribute], t: Attribute, i: int) -> None:
    for key, value in facts.items():
        if key not in ARG_FACTS:
            raise VerifyException(f"argument {i}: unknown fact '{key}' (expected one of {', '.join(ARG_FACTS)})")
        if not isinstance(t, PtrType | IntegerType):
            raise VerifyException(f"argument {i}: only a pointer or an integer has a divisibility, not {t}")
        if not isinstance(value, IntegerAttr) or not is_power_of_two(value.value.data):
            raise VerifyException(f"argument {i}: divisibility is a power of two, got {value}")


@irdl_op_definition
class ReturnOp(IRDLOperation):
    """`gpu_block.return`: ends a kernel's body."""

    name = "gpu_block.return"
    traits = traits_def(IsTerminator(), HasParent(KernelOp))
    assembly_format = "attr-dict"

    def __init__(self):
        super().__init__()


@irdl_op_definition
class LaunchOp(IRDLOperation):
    """`%y = gpu_block.launch @add(%x, %n) : (tensor<1000xf32>, i32) -> tensor<1000xf32>`:
    run kernel @add on the host (at function level, value semantics like
    `loops.kernel`). The kernel's arguments are the launch's operands, then one
    pointer per result: a tensor operand or result binds a `!gpu_block.ptr` to its
    element type, a scalar operand binds the scalar argument of its type. The grid is
    the kernel's, evaluated on the sizes passed. A result starts undefined, or filled
    with `init V` (`tensor<64xf32> init 0.0 : f32`): what a split reduction's atomics
    accumulate into."""

    name = "gpu_block.launch"
    callee = prop_def(SymbolRefAttr)
    init = opt_prop_def(ArrayAttr)
    """Per result: the value it is filled with before the kernel runs, or `unit`."""
    args = var_operand_def()
    outputs = var_result_def(TensorType)
    traits = traits_def(Pure())

    def __init__(
        self,
        callee: str,
        args: Sequence[SSAValue],
        result_types: Sequence[Attribute],
        init: Sequence[Attribute | None] | None = None,
    ):
        properties: dict[str, Attribute] = {"callee": FlatSymbolRefAttr(callee)}
        if init is not None and any(v is not None for v in init):
            properties["init"] = ArrayAttr([UnitAttr() if v is None else v for v in init])
        super().__init__(operands=[list(args)], result_types=[list(result_types)], properties=properties)

    def init_values(self) -> list[Attribute | None]:
        if self.init is None:
            return [None] * len(self.outputs)
        return [None if isinstance(v, UnitAttr) else v for v in self.init.data]

    def kernel(self) -> KernelOp | None:
        from xdsl.traits import SymbolTable

        try:
            found = SymbolTable.lookup_symbol(self, self.callee)
        except ValueError:  # not inside a module
            return None
        return found if isinstance(found, KernelOp) else None

    def verify_(self) -> None:
        if self.init is not None and len(self.init.data) != len(self.outputs):
            raise VerifyException(f"{len(self.init.data)} init values for {len(self.outputs)} results")
        for i, (r, v) in enumerate(zip(self.outputs, self.init_values())):
            if v is not None:
                check_constant(v, element_of(r.type), f"the init value of result {i}")
        kernel = self.kernel()
        if kernel is None:
            raise VerifyException(f"'{self.callee}' is not a gpu_block.kernel of this module")
        params = kernel.args
        bound = [*(a.type for a in self.args), *(r.type for r in self.outputs)]
        if len(params) != len(bound):
            raise VerifyException(
                f"kernel {self.callee} takes {len(params)} arguments, the launch passes "
                f"{len(self.args)} operands and {len(self.outputs)} results"
            )
        for i, (param, t) in enumerate(zip(params, bound)):
            expected = PtrType(t.element_type) if isinstance(t, TensorType) else t
            if param.type != expected:
                raise VerifyException(f"argument {i} of {self.callee} is {param.type}, but the launch binds {t} to it")

    @classmethod
    def parse(cls, parser: Parser) -> LaunchOp:
        callee = parser.parse_symbol_name().data
        operands = parser.parse_comma_separated_list(Parser.Delimiter.PAREN, parser.parse_unresolved_operand)
        parser.parse_punctuation(":")
        types = parser.parse_comma_separated_list(Parser.Delimiter.PAREN, parser.parse_type)
        parser.parse_punctuation("->")

        def result() -> tuple[Attribute, Attribute | None]:
            t = parser.parse_type()
            return t, (parser.parse_attribute() if parser.parse_optional_keyword("init") is not None else None)

        results = parser.parse_comma_separated_list(Parser.Delimiter.PAREN, result)
        attrs = parser.parse_optional_attr_dict_with_keyword()
        args = parser.resolve_operands(operands, types, parser.pos)
        op = cls(callee, args, [t for t, _ in results], [v for _, v in results])
        return _with_attributes(op, attrs)

    def print(self, printer: Printer) -> None:
        printer.print_string(" ")
        printer.print_symbol_name(self.callee.root_reference.data)
        printer.print_string("(")
        printer.print_list(self.args, printer.print_operand)
        printer.print_string(") : (")
        printer.print_list((a.type for a in self.args), printer.print_attribute)
        printer.print_string(") -> (")
        for i, (r, v) in enumerate(zip(self.outputs, self.init_values())):
            if i:
                printer.print_string(", ")
            printer.print_attribute(r.type)
            if v is not None:
                printer.print_string(" init ")
                printer.print_attribute(v)
        printer.print_string(")")
        printer.print_op_attributes(self.attributes, print_keyword=True)


# --- indices and shapes ---------------------------------------------------------------


@irdl_op_definition
class ProgramIdOp(BodyOp):
    """`%pid = gpu_block.program_id 0`: the index (i32) of this program instance
    along grid axis 0, 1 or 2 (`tl.program_id(0)`)."""

    name = "gpu_block.program_id"
    axis = prop_def(IntegerAttr)
    result = result_def(i32)
    traits = traits_def(Pure())

    def __init__(self, axis: int):
        super().__init__(properties={"axis": IntegerAttr(axis, i64)}, result_types=[i32])

    def verify_(self) -> None:
        super().verify_()
        if not 0 <= self.axis.value.data < 3:
            raise VerifyException(f"the grid has axes 0, 1 and 2, got axis {self.axis.value.data}")

    @classmethod
    def parse(cls, parser: Parser) -> ProgramIdOp:
        return cls(parser.parse_integer())

    def print(self, printer: Printer) -> None:
        printer.print_string(f" {self.axis.value.data}")


@irdl_op_definition
class ArangeOp(BodyOp):
    """`%r = gpu_block.arange 0 to 1024 : tensor<1024xi32>`: the block start, start + 1,
    ..., end - 1 (`tl.arange(0, 1024)`); its length is a power of two."""

    name = "gpu_block.arange"
    start = prop_def(IntegerAttr)
    end = prop_def(IntegerAttr)
    result = result_def(TensorType)
    traits = traits_def(Pure())

    def __init__(self, start: int, end: int):
        super().__init__(
            properties={"start": IntegerAttr(start, i64), "end": IntegerAttr(end, i64)},
            result_types=[TensorType(i32, [max(end - start, 0)])],
        )

    def verify_(self) -> None:
        start, end = self.start.value.data, self.end.value.data
        if not is_power_of_two(end - start):
            raise VerifyException(f"an arange's length is a power of two, got {start} to {end} ({end - start} elements)")
        expected = TensorType(i32, [end - start])
        if self.result.type != expected:
            raise VerifyException(f"the result of arange {start} to {end} is {expected}, got {self.result.type}")
        super().verify_()

    @classmethod
    def parse(cls, parser: Parser) -> ArangeOp:
        start = parser.parse_integer()
        parser.parse_keyword("to")
        end = parser.parse_integer()
        parser.parse_punctuation(":")
        props = {"start": IntegerAttr(start, i64), "end": IntegerAttr(end, i64)}
        return cls.build(properties=props, result_types=[parser.parse_type()])  # the verifier checks the type

    def print(self, printer: Printer) -> None:
        printer.print_string(f" {self.start.value.data} to {self.end.value.data} : ")
        printer.print_attribute(self.result.type)


class ShapeOp(BodyOp):
    """Base of splat, expand_dims and broadcast: `%r = OP %source ... : T -> U`."""

    source = operand_def()
    result = result_def(TensorType)
    traits = traits_def(Pure())

    def print_attrs(self, printer: Printer) -> None:
        pass

    def print(self, printer: Printer) -> None:
        printer.print_string(" ")
        printer.print_operand(self.source)
        self.print_attrs(printer)
        printer.print_string(" : ")
        printer.print_attribute(self.source.type)
        printer.print_string(" -> ")
        printer.print_attribute(self.result.type)

    @classmethod
    def parse_parts(cls, parser: Parser, attrs: dict[str, Attribute]) -> Operation:
        source = parser.parse_unresolved_operand()
        if cls is ExpandDimsOp:
            parser.parse_keyword("axis")
            attrs["axis"] = IntegerAttr(parser.parse_integer(), i64)
        parser.parse_punctuation(":")
        source_type = parser.parse_type()
        parser.parse_punctuation("->")
        result_type = parser.parse_type()
        return cls.build(
            operands=[parser.resolve_operand(source, source_type)], result_types=[result_type], properties=attrs
        )

    @classmethod
    def parse(cls, parser: Parser) -> Operation:
        return cls.parse_parts(parser, {})

    def verify_(self) -> None:
        super().verify_()
        check_value_type(self.source.type, "the source")
        if element_of(self.source.type) != element_of(self.result.type):
            raise VerifyException(
                f"the element type stays: {element_of(self.source.type)} in, {element_of(self.result.type)} out"
            )


@irdl_op_definition
class SplatOp(ShapeOp):
    """`%b = gpu_block.splat %s : f32 -> tensor<1024xf32>`: a block of one scalar
    (Triton broadcasts a scalar implicitly; here it is explicit)."""

    name = "gpu_block.splat"

    def __init__(self, source: SSAValue, shape: Sequence[int]):
        super().__init__(operands=[source], result_types=[TensorType(source.type, shape)])

    def verify_(self) -> None:
        if isinstance(self.source.type, TensorType):
            raise VerifyException(f"splat takes a scalar, got {self.source.type}")
        super().verify_()


@irdl_op_definition
class ExpandDimsOp(ShapeOp):
    """`%e = gpu_block.expand_dims %r axis 1 : tensor<64xi32> -> tensor<64x1xi32>`: a
    dim of size 1 inserted at `axis` (`tl.expand_dims`, `r[:, None]`)."""

    name = "gpu_block.expand_dims"
    axis = prop_def(IntegerAttr)

    def __init__(self, source: SSAValue, axis: int):
        shape = list(shape_of(source.type))
        shape.insert(axis, 1)
        super().__init__(
            operands=[source],
            result_types=[TensorType(element_of(source.type), shape)],
            properties={"axis": IntegerAttr(axis, i64)},
        )

    def verify_(self) -> None:
        super().verify_()
        shape, axis = list(shape_of(self.source.type)), self.axis.value.data
        if not 0 <= axis <= len(shape):
            raise VerifyException(f"axis {axis} is out of range for a block of rank {len(shape)} (0 to {len(shape)})")
        shape.insert(axis, 1)
        if list(shape_of(self.result.type)) != shape:
            raise VerifyException(f"expected a result of shape {_shape(shape)}, got {self.result.type}")

    def print_attrs(self, printer: Printer) -> None:
        printer.print_string(f" axis {self.axis.value.data}")


@irdl_op_definition
class BroadcastOp(ShapeOp):
    """`%b = gpu_block.broadcast %e : tensor<64x1xi32> -> tensor<64x128xi32>`: dims of
    size 1 repeated to the result's (`tl.broadcast_to`); the rank stays."""

    name = "gpu_block.broadcast"

    def __init__(self, source: SSAValue, shape: Sequence[int]):
        super().__init__(operands=[source], result_types=[TensorType(element_of(source.type), shape)])

    def verify_(self) -> None:
        super().verify_()
        src, dst = shape_of(self.source.type), shape_of(self.result.type)
        if len(src) != len(dst) or any(s not in (1, d) for s, d in zip(src, dst)):
            raise VerifyException(
                f"broadcast repeats dims of size 1 only: {self.source.type} cannot become {self.result.type}"
            )


@irdl_op_definition
class AddPtrOp(BodyOp):
    """`%p = gpu_block.addptr %base, %offsets : tensor<1024x!gpu_block.ptr<f32>>,
    tensor<1024xi32>`: each pointer advanced by its offset, in elements (`base +
    offsets` in Triton). Pointers and offsets are blocks of one shape, or scalars."""

    name = "gpu_block.addptr"
    base = operand_def()
    offsets = operand_def()
    result = result_def()
    traits = traits_def(Pure())

    def __init__(self, base: SSAValue, offsets: SSAValue):
        super().__init__(operands=[base, offsets], result_types=[base.type])

    def verify_(self) -> None:
        super().verify_()
        if not isinstance(element_of(self.base.type), PtrType):
            raise VerifyException(f"the base is a pointer or a block of pointers, got {self.base.type}")
        if not isinstance(element_of(self.offsets.type), IntegerType):
            raise VerifyException(f"the offsets are integers, got {self.offsets.type}")
        if shape_of(self.base.type) != shape_of(self.offsets.type) or isinstance(self.base.type, TensorType) != isinstance(
            self.offsets.type, TensorType
        ):
            raise VerifyException(f"pointers {self.base.type} and offsets {self.offsets.type} differ in shape")
        if self.result.type != self.base.type:
            raise VerifyException(f"the result has the type of the pointers, {self.base.type}")

    @classmethod
    def parse(cls, parser: Parser) -> AddPtrOp:
        base = parser.parse_unresolved_operand()
        parser.parse_punctuation(",")
        offsets = parser.parse_unresolved_operand()
        parser.parse_punctuation(":")
        base_type = parser.parse_type()
        parser.parse_punctuation(",")
        offsets_type = parser.parse_type()
        return cls(parser.resolve_operand(base, base_type), parser.resolve_operand(offsets, offsets_type))

    def print(self, printer: Printer) -> None:
        printer.print_string(" ")
        printer.print_list((self.base, self.offsets), printer.print_operand)
        printer.print_string(" : ")
        printer.print_list((self.base.type, self.offsets.type), printer.print_attribute)


# --- memory ---------------------------------------------------------------------------


def pointee_type(ptrs: Attribute) -> Attribute:
    """The values that pointers (or a block of them) point to: f32, tensor<1024xf32>."""
    element = element_of(ptrs)
    assert isinstance(element, PtrType)
    return TensorType(element.pointee, shape_of(ptrs)) if isinstance(ptrs, TensorType) else element.pointee


def mask_type(ptrs: Attribute) -> Attribute:
    """i1, or a block of i1 of the pointers' shape."""
    return TensorType(i1, shape_of(ptrs)) if isinstance(ptrs, TensorType) else i1


class MemoryOp(BodyOp):
    """Base of load, store and atomic_rmw: through pointers, under an optional mask
    (`false` lanes touch no memory), with optional cache hints. (Each op declares its
    operands itself: IRDL orders a subclass's fields before its base's.)"""

    CACHE: ClassVar[tuple[str, ...]] = ()

    def verify_(self) -> None:
        super().verify_()
        if not isinstance(element_of(self.ptr.type), PtrType):
            raise VerifyException(f"expected a pointer or a block of pointers, got {self.ptr.type}")
        check_value_type(self.ptr.type, "the pointer operand")
        if self.mask is not None and self.mask.type != mask_type(self.ptr.type):
            raise VerifyException(
                f"the mask is {mask_type(self.ptr.type)} (i1 in the shape of the pointers), got {self.mask.type}"
            )
        cache = getattr(self, "cache", None)
        if cache is not None and cache.data not in self.CACHE:
            raise VerifyException(f"cache is one of {', '.join(self.CACHE)}, got '{cache.data}'")
        evict = getattr(self, "evict", None)
        if evict is not None and evict.data not in EVICTION:
            raise VerifyException(f"evict is one of {', '.join(EVICTION)}, got '{evict.data}'")

    def print_mask_and_hints(self, printer: Printer) -> None:
        if self.mask is not None:
            printer.print_string(" mask ")
            printer.print_operand(self.mask)
        other = getattr(self, "other", None)
        if other is not None:
            printer.print_string(" other ")
            printer.print_operand(other)
        for key in ("cache", "evict"):
            value = getattr(self, key, None)
            if value is not None:
                printer.print_string(f" {key} {value.data}")


def _parse_hints(parser: Parser, ops: dict, keys: Sequence[str]) -> dict[str, Attribute]:
    """The optional `mask %m`, `other %o`, `cache cg`, `evict last` clauses, in order
    (`ops` gets the unresolved operands)."""
    props: dict[str, Attribute] = {}
    for key in ("mask", "other"):
        if key in keys and parser.parse_optional_keyword(key) is not None:
            ops[key] = parser.parse_unresolved_operand()
    for key in ("cache", "evict"):
        if key in keys and parser.parse_optional_keyword(key) is not None:
            props[key] = StringAttr(parser.parse_identifier())
    return props


@irdl_op_definition
class LoadOp(MemoryOp):
    """`%v = gpu_block.load %p mask %m other %z cache cg evict last :
    tensor<1024x!gpu_block.ptr<f32>>`: the values the pointers point to
    (`tl.load(p, mask=m, other=z, cache_modifier=".cg", eviction_policy="evict_last")`).
    Masked-off lanes read nothing and give `other`, a scalar of the element type
    (undefined without it). `cache`: ca, cg or cv; `evict`: first, last or normal."""

    name = "gpu_block.load"
    ptr = operand_def()
    mask = opt_operand_def()
    other = opt_operand_def()
    cache = opt_prop_def(StringAttr)
    evict = opt_prop_def(StringAttr)
    result = result_def()
    irdl_options = (AttrSizedOperandSegments(as_property=True),)
    traits = traits_def(MemoryReadEffect())
    CACHE: ClassVar[tuple[str, ...]] = LOAD_CACHE

    def __init__(
        self,
        ptr: SSAValue,
        mask: SSAValue | None = None,
        other: SSAValue | None = None,
        cache: str | None = None,
        evict: str | None = None,
    ):
        super().__init__(
            operands=[ptr, [mask] if mask else [], [other] if other else []],
            result_types=[pointee_type(ptr.type)],
            properties=_hint_props(cache=cache, evict=evict),
        )

    def verify_(self) -> None:
        super().verify_()
        if self.result.type != pointee_type(self.ptr.type):
            raise VerifyException(f"loading {self.ptr.type} gives {pointee_type(self.ptr.type)}, not {self.result.type}")
        if self.other is not None:
            if self.mask is None:
                raise VerifyException("`other` is the value of masked-off lanes: it needs a mask")
            element = element_of(self.result.type)
            if self.other.type != element:
                raise VerifyException(f"`other` is a scalar of the element type {element}, got {self.other.type}")

    @classmethod
    def parse(cls, parser: Parser) -> LoadOp:
        ptr = parser.parse_unresolved_operand()
        ops: dict = {}
        props = _parse_hints(parser, ops, ("mask", "other", "cache", "evict"))
        parser.parse_punctuation(":")
        ptr_type = _parse_pointers_type(parser)
        mask = parser.resolve_operand(ops["mask"], mask_type(ptr_type)) if "mask" in ops else None
        other = parser.resolve_operand(ops["other"], element_of(pointee_type(ptr_type))) if "other" in ops else None
        op = cls(parser.resolve_operand(ptr, ptr_type), mask, other)
        op.properties.update(props)
        return op

    def print(self, printer: Printer) -> None:
        printer.print_string(" ")
        printer.print_operand(self.ptr)
        self.print_mask_and_hints(printer)
        printer.print_string(" : ")
        printer.print_attribute(self.ptr.type)


class WriteOp(MemoryOp):
    """Base of store and atomic_rmw: `OP %p, %v mask %m : PTRS`."""

    ptr = operand_def()
    mask = opt_operand_def()
    value = operand_def()
    irdl_options = (AttrSizedOperandSegments(as_property=True),)

    def verify_(self) -> None:
        super().verify_()
        if self.value.type != pointee_type(self.ptr.type):
            raise VerifyException(f"storing through {self.ptr.type} takes {pointee_type(self.ptr.type)}, got {self.value.type}")

    @classmethod
    def parse_write(cls, parser: Parser, props: dict[str, Attribute], keys: Sequence[str]) -> Operation:
        ptr = parser.parse_unresolved_operand()
        parser.parse_punctuation(",")
        value = parser.parse_unresolved_operand()
        ops: dict = {}
        props.update(_parse_hints(parser, ops, keys))
        parser.parse_punctuation(":")
        ptr_type = _parse_pointers_type(parser)
        mask = [parser.resolve_operand(ops["mask"], mask_type(ptr_type))] if "mask" in ops else []
        operands = [parser.resolve_operand(ptr, ptr_type), mask, parser.resolve_operand(value, pointee_type(ptr_type))]
        return cls.build(operands=operands, properties=props)

    def print(self, printer: Printer) -> None:
        self.print_kind(printer)
        printer.print_string(" ")
        printer.print_list((self.ptr, self.value), printer.print_operand)
        self.print_mask_and_hints(printer)
        printer.print_string(" : ")
        printer.print_attribute(self.ptr.type)

    def print_kind(self, printer: Printer) -> None:
        pass


@irdl_op_definition
class StoreOp(WriteOp):
    """`gpu_block.store %p, %v mask %m cache cs evict first :
    tensor<1024x!gpu_block.ptr<f32>>`: write the values through the pointers, in
    masked-on lanes only (`tl.store`). `cache`: wb, cg, cs or wt; `evict`: first, last
    or normal."""

    name = "gpu_block.store"
    cache = opt_prop_def(StringAttr)
    evict = opt_prop_def(StringAttr)
    traits = traits_def(MemoryWriteEffect())
    CACHE: ClassVar[tuple[str, ...]] = STORE_CACHE

    def __init__(self, ptr: SSAValue, value: SSAValue, mask: SSAValue | None = None, cache: str | None = None, evict: str | None = None):
        super().__init__(
            operands=[ptr, [mask] if mask else [], value], properties=_hint_props(cache=cache, evict=evict)
        )

    @classmethod
    def parse(cls, parser: Parser) -> Operation:
        return cls.parse_write(parser, {}, ("mask", "cache", "evict"))


@irdl_op_definition
class AtomicRmwOp(WriteOp):
    """`gpu_block.atomic_rmw add %p, %v mask %m : tensor<64x!gpu_block.ptr<f32>>`:
    combine each value into the memory it points to, atomically (`tl.atomic_add`,
    `tl.atomic_max`, `tl.atomic_min`), in masked-on lanes: a split reduction's
    program instances meet in one output this way (`ATOMIC_KINDS` names the
    reduction kind of each). The old values are not returned."""

    name = "gpu_block.atomic_rmw"
    kind = prop_def(StringAttr)
    traits = traits_def(MemoryReadEffect(), MemoryWriteEffect())

    def __init__(self, kind: str, ptr: SSAValue, value: SSAValue, mask: SSAValue | None = None):
        super().__init__(operands=[ptr, [mask] if mask else [], value], properties={"kind": StringAttr(kind)})

    def verify_(self) -> None:
        if self.kind.data not in ATOMIC_KINDS:
            raise VerifyException(f"an atomic is one of {', '.join(ATOMIC_KINDS)}, got '{self.kind.data}'")
        super().verify_()

    @classmethod
    def parse(cls, parser: Parser) -> Operation:
        return cls.parse_write(parser, {"kind": StringAttr(parser.parse_identifier())}, ("mask",))

    def print_kind(self, printer: Printer) -> None:
        printer.print_string(f" {self.kind.data}")


def _parse_pointers_type(parser: Parser) -> Attribute:
    start = parser.pos
    t = parser.parse_type()
    if not isinstance(element_of(t), PtrType):
        parser.raise_error(f"expected a pointer or a block of pointers, got {t}", start, parser.pos)
    return t


def _hint_props(**hints: str | None) -> dict[str, Attribute]:
    return {k: StringAttr(v) for k, v in hints.items() if v is not None}


# --- computation ----------------------------------------------------------------------


def _enclosing_map(op: Operation) -> MapOp | None:
    parent = op.parent_op()
    while parent is not None and not isinstance(parent, MapOp | KernelOp):
        parent = parent.parent_op()
    return parent if isinstance(parent, MapOp) else None


@irdl_op_definition
class MapOp(BodyOp):
    """`%z = gpu_block.map(%a = %x, %b = %y) : tensor<1024xf32>, tensor<1024xf32> ->
    tensor<1024xf32> { %s = arith.addf %a, %b : f32 gpu_block.yield %s : f32 }`:
    the scalar body (arith and math ops, as in a `loops` body) applied to each
    position of blocks of one shape; `%a` is an element of `%x`. Broadcasting is
    explicit (`broadcast`, `splat`) before the map. Several results are allowed, all
    of the operands' shape. In Triton the body's ops apply to whole blocks
    (`a + b`)."""

    name = "gpu_block.map"
    inputs = var_operand_def()
    outputs = var_result_def()
    body = region_def("single_block")
    traits = traits_def(Pure(), RecursiveMemoryEffect())

    def __init__(self, inputs: Sequence[SSAValue], result_elements: Sequence[Attribute], body: Region | None = None):
        shape = shape_of(inputs[0].type) if inputs else ()
        super().__init__(
            operands=[list(inputs)],
            result_types=[[TensorType(e, shape) for e in result_elements]],
            regions=[body or Region(Block(arg_types=[element_of(v.type) for v in inputs]))],
        )

    def verify_(self) -> None:
        super().verify_()
        if not self.inputs:
            raise VerifyException("a map has at least one block operand")
        if not self.outputs:
            raise VerifyException("a map has at least one result")
        shape = shape_of(self.inputs[0].type)
        for i, v in enumerate((*self.inputs, *self.outputs)):
            what = f"operand {i}" if i < len(self.inputs) else f"result {i - len(self.inputs)}"
            if not isinstance(v.type, TensorType):
                raise VerifyException(f"a map works on blocks; {what} is the scalar {v.type} (splat it)")
            check_value_type(v.type, what)
            if shape_of(v.type) != shape:
                raise VerifyException(
                    f"a map's blocks have one shape: {what} is {v.type}, operand 0 is {self.inputs[0].type} "
                    "(broadcast first)"
                )
        args = self.body.block.args
        expected = [element_of(v.type) for v in self.inputs]
        if [a.type for a in args] != expected:
            raise VerifyException(
                f"the body's arguments are the operands' elements ({_types(expected)}), got {_types(a.type for a in args)}"
            )
        term = self.body.block.last_op
        if not isinstance(term, YieldOp):
            raise VerifyException("a map's body ends in gpu_block.yield")
        results = [element_of(r.type) for r in self.outputs]
        if [v.type for v in term.values] != results:
            raise VerifyException(
                f"the body yields {_types(v.type for v in term.values)}, the results' elements are {_types(results)}"
            )
        for op in self.body.walk():
            if op is not self and op is not term and op.dialect_name() == "gpu_block":
                raise VerifyException(f"a map's body is scalar arith/math code; '{op.name}' cannot be in it")
            if op is not self and any(isinstance(r.type, TensorType) for r in op.results):
                raise VerifyException(f"a map's body computes on scalars; '{op.name}' gives a block")

    @classmethod
    def parse(cls, parser: Parser) -> MapOp:
        pairs = parser.parse_comma_separated_list(Parser.Delimiter.PAREN, lambda: _binding(parser))
        parser.parse_punctuation(":")
        types = parser.parse_comma_separated_list(Parser.Delimiter.NONE, parser.parse_type)
        parser.parse_punctuation("->")
        results = parser.parse_comma_separated_list(Parser.Delimiter.NONE, parser.parse_type)
        if len(types) != len(pairs):
            parser.raise_error(f"{len(pairs)} operands but {len(types)} types")
        inputs = [parser.resolve_operand(v, t) for (_, v), t in zip(pairs, types)]
        body = parser.parse_region([a.resolve(element_of(t)) for (a, _), t in zip(pairs, types)])
        return cls.build(operands=[inputs], result_types=[results], regions=[body])

    def print(self, printer: Printer) -> None:
        printer.print_string("(")
        for i, (a, v) in enumerate(zip(self.body.block.args, self.inputs)):
            if i:
                printer.print_string(", ")
            printer.print_operand(a)
            printer.print_string(" = ")
            printer.print_operand(v)
        printer.print_string(") : ")
        printer.print_list((v.type for v in self.inputs), printer.print_attribute)
        printer.print_string(" -> ")
        printer.print_list((r.type for r in self.outputs), printer.print_attribute)
        printer.print_string(" ")
        printer.print_region(self.body, print_entry_block_args=False)


@irdl_op_definition
class ReduceOp(BodyOp):
    """`%m = gpu_block.reduce max %x axis 1 : tensor<64x1024xf32> -> tensor<64xf32>`:
    the block combined along `axis` by a reduction kind of `stepwell/semantics.py`
    (`tl.sum`, `tl.max` ...; `REDUCTIONS` and `ARG_KINDS` say what each means, NaN
    included). The axis goes away (a block of rank 1 reduces to a scalar); keep it
    with `expand_dims`. argmax and argmin give the position along the axis (an
    integer type of your choice), the first one among equal values; with a block of
    indices (`gpu_block.reduce argmax %vals, %idx axis 1 : tensor<64x1024xf32>,
    tensor<64x1024xi32> -> tensor<64xi32>`, the carried pair of a looped argmax) they
    give the index held at the best value, the lowest index among equal values."""

    name = "gpu_block.reduce"
    kind = prop_def(StringAttr)
    axis = prop_def(IntegerAttr)
    source = operand_def()
    indices = opt_operand_def()
    result = result_def()
    traits = traits_def(Pure())

    def __init__(self, kind: str, source: SSAValue, axis: int, indices: SSAValue | None = None, result_element: Attribute | None = None):
        shape = list(shape_of(source.type))
        del shape[axis]
        if result_element is None:
            result_element = element_of(indices.type) if indices is not None else (i32 if kind in _ARG else element_of(source.type))
        super().__init__(
            operands=[source, [indices] if indices else []],
            result_types=[TensorType(result_element, shape) if shape else result_element],
            properties={"kind": StringAttr(kind), "axis": IntegerAttr(axis, i64)},
        )

    def verify_(self) -> None:
        super().verify_()
        kind, axis = self.kind.data, self.axis.value.data
        if kind not in REDUCE_KINDS:
            raise VerifyException(f"kind is one of {', '.join(REDUCE_KINDS)}, got '{kind}'")
        if not isinstance(self.source.type, TensorType):
            raise VerifyException(f"reduce takes a block, got {self.source.type}")
        check_value_type(self.source.type, "the source")
        shape = list(shape_of(self.source.type))
        if not 0 <= axis < len(shape):
            raise VerifyException(f"axis {axis} is out of range for a block of rank {len(shape)}")
        del shape[axis]
        if self.indices is not None:
            if kind not in _ARG:
                raise VerifyException(f"only argmax and argmin take indices, not {kind}")
            if shape_of(self.indices.type) != shape_of(self.source.type) or not isinstance(
                element_of(self.indices.type), IntegerType
            ):
                raise VerifyException(f"the indices are an integer block of the source's shape, got {self.indices.type}")
        if kind in _ARG:
            element = element_of(self.indices.type) if self.indices is not None else element_of(self.result.type)
            if not isinstance(element, IntegerType) or element.width.data not in (32, 64):
                raise VerifyException(f"{kind} gives i32 or i64 positions, got {element_of(self.result.type)}")
        else:
            element = element_of(self.source.type)
        expected = TensorType(element, shape) if shape else element
        if self.result.type != expected:
            raise VerifyException(f"reducing {self.source.type} along axis {axis} gives {expected}, not {self.result.type}")

    @classmethod
    def parse(cls, parser: Parser) -> ReduceOp:
        kind = parser.parse_identifier()
        source = parser.parse_unresolved_operand()
        indices = parser.parse_unresolved_operand() if parser.parse_optional_punctuation(",") is not None else None
        parser.parse_keyword("axis")
        axis = parser.parse_integer()
        parser.parse_punctuation(":")
        source_type = parser.parse_type()
        indices_type = None
        if indices is not None:
            parser.parse_punctuation(",")
            indices_type = parser.parse_type()
        parser.parse_punctuation("->")
        result_type = parser.parse_type()
        return cls.build(
            operands=[
                parser.resolve_operand(source, source_type),
                [parser.resolve_operand(indices, indices_type)] if indices is not None else [],
            ],
            result_types=[result_type],
            properties={"kind": StringAttr(kind), "axis": IntegerAttr(axis, i64)},
        )

    def print(self, printer: Printer) -> None:
        printer.print_string(f" {self.kind.data} ")
        printer.print_list([self.source, *([self.indices] if self.indices else [])], printer.print_operand)
        printer.print_string(f" axis {self.axis.value.data} : ")
        printer.print_list([self.source.type, *([self.indices.type] if self.indices else [])], printer.print_attribute)
        printer.print_string(" -> ")
        printer.print_attribute(self.result.type)


_ARG = ("argmax", "argmin")


@irdl_op_definition
class DotOp(BodyOp):
    """`%c = gpu_block.dot %a, %b, %acc precision tf32 : tensor<64x32xf32>,
    tensor<32x64xf32> -> tensor<64x64xf32>`: the matrix product of an MxK and a KxN
    block added to the MxN accumulator (`tl.dot(a, b, acc, input_precision="tf32")`).
    `precision` is how f32 inputs are multiplied: `ieee` (exact products) or `tf32`
    (tensor cores, inputs rounded to tf32); f16/bf16 inputs always use tensor cores.
    M, N and K are at least 16."""

    name = "gpu_block.dot"
    a = operand_def(TensorType)
    b = operand_def(TensorType)
    acc = operand_def(TensorType)
    precision = prop_def(StringAttr)
    result = result_def(TensorType)
    traits = traits_def(Pure())

    def __init__(self, a: SSAValue, b: SSAValue, acc: SSAValue, precision: str = "ieee"):
        super().__init__(operands=[a, b, acc], result_types=[acc.type], properties={"precision": StringAttr(precision)})

    def verify_(self) -> None:
        super().verify_()
        a, b, acc = (shape_of(v.type) for v in (self.a, self.b, self.acc))
        if len(a) != 2 or len(b) != 2 or len(acc) != 2:
            raise VerifyException("dot multiplies 2-D blocks: MxK by KxN into MxN")
        if a[1] != b[0] or acc != (a[0], b[1]):
            raise VerifyException(
                f"dot needs MxK, KxN and an MxN accumulator; got {_shape(a)}, {_shape(b)} and {_shape(acc)}"
            )
        if min(*a, b[1]) < MIN_DOT_DIM:
            raise VerifyException(f"dot needs M, N and K of at least {MIN_DOT_DIM}, got {a[0]}x{b[1]}x{a[1]}")
        if element_of(self.a.type) != element_of(self.b.type):
            raise VerifyException(f"both factors have one element type, got {self.a.type} and {self.b.type}")
        if self.result.type != self.acc.type:
            raise VerifyException(f"the result has the accumulator's type {self.acc.type}, got {self.result.type}")
        if self.precision.data not in PRECISIONS:
            raise VerifyException(f"precision is one of {', '.join(PRECISIONS)}, got '{self.precision.data}'")
        if self.precision.data == "tf32" and element_of(self.a.type) != f32:
            raise VerifyException(f"tf32 precision is for f32 factors, got {element_of(self.a.type)}")

    @classmethod
    def parse(cls, parser: Parser) -> DotOp:
        names = [parser.parse_unresolved_operand()]
        for _ in range(2):
            parser.parse_punctuation(",")
            names.append(parser.parse_unresolved_operand())
        parser.parse_keyword("precision")
        precision = parser.parse_identifier()
        parser.parse_punctuation(":")
        a_type = parser.parse_type()
        parser.parse_punctuation(",")
        b_type = parser.parse_type()
        parser.parse_punctuation("->")
        acc_type = parser.parse_type()
        a, b, acc = (parser.resolve_operand(n, t) for n, t in zip(names, (a_type, b_type, acc_type)))
        return cls(a, b, acc, precision)

    def print(self, printer: Printer) -> None:
        printer.print_string(" ")
        printer.print_list((self.a, self.b, self.acc), printer.print_operand)
        printer.print_string(f" precision {self.precision.data} : ")
        printer.print_list((self.a.type, self.b.type), printer.print_attribute)
        printer.print_string(" -> ")
        printer.print_attribute(self.acc.type)


@irdl_op_definition
class ForOp(BodyOp):
    """`%r:2 = gpu_block.for %k = %lo to %hi step %s : i32 iter_args(%a = %x, %b = %y)
    -> (tensor<64xf32>, tensor<64xi32>) { ... gpu_block.yield %a2, %b2 : ... }`: a
    sequential loop, `for k in range(lo, hi, s)`, whose carried blocks start as the
    `iter_args` operands and become what the body yields; the results are their
    last values. Bounds and step are integers of one type (a size that is a kernel
    argument, or an `arith.constant`); the step is positive."""

    name = "gpu_block.for"
    lower = operand_def(IntegerType)
    upper = operand_def(IntegerType)
    step = operand_def(IntegerType)
    iter_args = var_operand_def()
    outputs = var_result_def()
    body = region_def("single_block")
    traits = traits_def(RecursiveMemoryEffect())

    def __init__(self, lower: SSAValue, upper: SSAValue, step: SSAValue, iter_args: Sequence[SSAValue], body: Region | None = None):
        types = [v.type for v in iter_args]
        super().__init__(
            operands=[lower, upper, step, list(iter_args)],
            result_types=[types],
            regions=[body or Region(Block(arg_types=[lower.type, *types]))],
        )

    @property
    def induction_var(self) -> SSAValue:
        return self.body.block.args[0]

    def verify_(self) -> None:
        super().verify_()
        bounds = [v.type for v in (self.lower, self.upper, self.step)]
        if len(set(bounds)) != 1:
            raise VerifyException(f"bounds and step have one integer type, got {_types(bounds)}")
        carried = [v.type for v in self.iter_args]
        if [r.type for r in self.outputs] != carried:
            raise VerifyException(f"the results are the carried values' types {_types(carried)}")
        args = [a.type for a in self.body.block.args]
        if args != [bounds[0], *carried]:
            raise VerifyException(
                f"the body's arguments are the induction variable ({bounds[0]}) and the carried values "
                f"({_types(carried)}), got {_types(args)}"
            )
        term = self.body.block.last_op
        if not isinstance(term, YieldOp) or [v.type for v in term.values] != carried:
            raise VerifyException(f"the body ends in gpu_block.yield of the carried values' types ({_types(carried)})")

    @classmethod
    def parse(cls, parser: Parser) -> ForOp:
        iv = parser.parse_argument(expect_type=False)
        parser.parse_punctuation("=")
        lower = parser.parse_unresolved_operand()
        parser.parse_keyword("to")
        upper = parser.parse_unresolved_operand()
        parser.parse_keyword("step")
        step = parser.parse_unresolved_operand()
        parser.parse_punctuation(":")
        index_type = parser.parse_type()
        pairs = []
        types: list[Attribute] = []
        if parser.parse_optional_keyword("iter_args") is not None:
            pairs = parser.parse_comma_separated_list(Parser.Delimiter.PAREN, lambda: _binding(parser))
            parser.parse_punctuation("->")
            types = parser.parse_comma_separated_list(Parser.Delimiter.PAREN, parser.parse_type)
            if len(types) != len(pairs):
                parser.raise_error(f"{len(pairs)} carried values but {len(types)} types")
        bounds = [parser.resolve_operand(v, index_type) for v in (lower, upper, step)]
        inits = [parser.resolve_operand(v, t) for (_, v), t in zip(pairs, types)]
        body = parser.parse_region([iv.resolve(index_type), *(a.resolve(t) for (a, _), t in zip(pairs, types))])
        return cls(*bounds, inits, body)

    def print(self, printer: Printer) -> None:
        printer.print_string(" ")
        printer.print_operand(self.induction_var)
        printer.print_string(" = ")
        printer.print_operand(self.lower)
        printer.print_string(" to ")
        printer.print_operand(self.upper)
        printer.print_string(" step ")
        printer.print_operand(self.step)
        printer.print_string(" : ")
        printer.print_attribute(self.lower.type)
        if self.iter_args:
            printer.print_string(" iter_args(")
            for i, (a, v) in enumerate(zip(self.body.block.args[1:], self.iter_args)):
                if i:
                    printer.print_string(", ")
                printer.print_operand(a)
                printer.print_string(" = ")
                printer.print_operand(v)
            printer.print_string(") -> (")
            printer.print_list((v.type for v in self.iter_args), printer.print_attribute)
            printer.print_string(")")
        printer.print_string(" ")
        printer.print_region(self.body, print_entry_block_args=False)


@irdl_op_definition
class YieldOp(IRDLOperation):
    """`gpu_block.yield %v : f32`: ends the body of a map (its elements) or of a for
    (the next values of its carried blocks)."""

    name = "gpu_block.yield"
    values = var_operand_def()
    traits = traits_def(IsTerminator(), HasParent(MapOp, ForOp), Pure())
    assembly_format = "($values^ `:` type($values))? attr-dict"

    def __init__(self, *values: SSAValue):
        super().__init__(operands=[list(values)])


# --- helpers --------------------------------------------------------------------------


def _binding(parser: Parser):
    """`%arg = %value` of map operands and for's iter_args."""
    arg = parser.parse_argument(expect_type=False)
    parser.parse_punctuation("=")
    return arg, parser.parse_unresolved_operand()


def _optional_dict(parser: Parser) -> dict[str, Attribute]:
    if parser._current_token.text != "{":  # noqa: SLF001
        return {}
    return dict(parser.parse_attribute().data)  # type: ignore[attr-defined]


def _index_text(parser: Parser) -> str:
    """One index expression of a grid, as its source text up to `,` or `]` at depth 0."""
    start = parser.pos
    depth = 0
    while True:
        tok = parser._current_token  # noqa: SLF001
        if tok.text in ("(", "["):
            depth += 1
        elif tok.text in (")", "]") and depth > 0:
            depth -= 1
        elif (tok.text in (",", "]") and depth == 0) or tok.kind.name == "EOF":
            break
        parser._consume_token()  # noqa: SLF001
    text = parser.lexer.input.content[start : parser._current_token.span.start].strip()  # noqa: SLF001
    if not text:
        parser.raise_error("expected an index expression")
    return text


def _keyword_int(parser: Parser, key: str) -> int:
    parser.parse_keyword(key)
    parser.parse_punctuation("=")
    return parser.parse_integer(allow_negative=False)


def _next_is(parser: Parser, keyword: str) -> bool:
    return parser._current_token.text == keyword  # noqa: SLF001


def _with_attributes(op: Operation, attrs: DictionaryAttr | None):
    if attrs is not None:
        op.attributes.update(attrs.data)
    return op


def _types(types) -> str:
    return ", ".join(str(t) for t in types) or "none"


def _shape(shape: Sequence[int]) -> str:
    return "x".join(map(str, shape)) or "scalar"
