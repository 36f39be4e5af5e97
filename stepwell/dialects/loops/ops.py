"""The `loops` dialect: one op per computed buffer.

    %y = loops.pointwise : tensor<4x8xf32> {
      %a = loops.load %x[d0, d1] : tensor<4x8xf32>
      %b = loops.load %bias[d1] : tensor<8xf32>
      %s = arith.addf %a, %b : f32
      loops.yield %s : f32
    }
    %m = loops.reduce max over [8] : tensor<4xf32> {
      %a = loops.load %y[d0, r0] : tensor<4x8xf32>
      loops.yield %a : f32
    }

A compute op (`pointwise`, `reduce`) has an index space: the shape of its result
(symbols d0, d1, ...) and, for a reduction, the reduced space `over [...]` (symbols
r0, r1, ...). Its body is a scalar program run at each point: it reads other buffers
through `loops.load` with symbolic index expressions (index.py) and yields the value
of the point (a reduction: the value to combine with `kind`). Buffers are SSA tensor
values, so every op here is pure: CSE and DCE are safe. A `loops.contract` is a
`reduce sum` of a product whose roles are stated (batch dims, M, N, K): a matmul.

`loops.kernel` groups compute ops that fuse into one kernel: values defined inside
and not yielded are never written to memory. It declares its iteration space, and
each op inside maps its dims onto it (contract.py states the rules):

    %y = loops.kernel parallel [p0 = 4] reduction [k0 = 8] -> tensor<4x8xf32> {
      %m = loops.reduce max over [8] : tensor<4x1xf32> at (p0, 0 | k0) { ... }
      %y = loops.pointwise : tensor<4x8xf32> at (p0, k0) { ... %m[d0, 0] ... }
      loops.yield %y : tensor<4x8xf32>
    }
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import sympy
from xdsl.dialects.builtin import (
    I64,
    ArrayAttr,
    DenseArrayBase,
    DictionaryAttr,
    IntegerAttr,
    IntegerType,
    StringAttr,
    TensorType,
    i64,
)
from xdsl.ir import Attribute, Block, Operation, Region, SSAValue
from xdsl.irdl import (
    IRDLOperation,
    irdl_op_definition,
    operand_def,
    prop_def,
    region_def,
    result_def,
    traits_def,
    var_operand_def,
    opt_prop_def,
    var_result_def,
)
from xdsl.parser import Parser
from xdsl.printer import Printer
from xdsl.traits import IsTerminator, Pure, RecursiveMemoryEffect
from xdsl.utils.exceptions import VerifyException

from stepwell.dialects.loops.index import format_index, parse_index, symbols_of
from stepwell.ir.checks import dynamic_size
from stepwell.semantics import ARG_KINDS, REDUCTIONS

REDUCE_KINDS = (*REDUCTIONS, *ARG_KINDS)  # the semantic table's kinds (stepwell/semantics.py)


# --- scalar ops of a body -----------------------------------------------------------


@irdl_op_definition
class LoadOp(IRDLOperation):
    """Read one element of a buffer: `loops.load %buf[idx, ...] (syms %s...) : T`."""

    name = "loops.load"
    buffer = operand_def(TensorType)
    syms = var_operand_def()
    indices = prop_def(ArrayAttr[StringAttr])
    result = result_def()
    traits = traits_def(Pure())

    def __init__(self, buffer: SSAValue, indices: Sequence[sympy.Expr], syms: Sequence[SSAValue] = ()):
        assert isinstance(buffer.type, TensorType)
        super().__init__(
            operands=[buffer, list(syms)],
            result_types=[buffer.type.element_type],
            properties={"indices": ArrayAttr([StringAttr(format_index(e)) for e in indices])},
        )

    @property
    def index_exprs(self) -> list[sympy.Expr]:
        return [parse_index(s.data) for s in self.indices.data]

    def verify_(self) -> None:
        buf = self.buffer.type
        assert isinstance(buf, TensorType)
        _check_static(buf)
        if len(self.indices.data) != buf.get_num_dims():
            raise VerifyException(
                f"{len(self.indices.data)} indices for a buffer of rank {buf.get_num_dims()}"
            )
        if self.result.type != buf.element_type:
            raise VerifyException(f"result type {self.result.type} is not the element type of {buf}")
        try:
            exprs = self.index_exprs
        except ValueError as e:
            raise VerifyException(str(e)) from None
        _check_symbols(self, exprs, len(self.syms))

    @classmethod
    def parse(cls, parser: Parser) -> LoadOp:
        buffer = parser.parse_unresolved_operand()
        exprs = parse_index_list(parser)
        syms = []
        if parser.parse_optional_keyword("syms") is not None:
            syms = parser.parse_comma_separated_list(
                Parser.Delimiter.PAREN, lambda: parser.parse_operand(i64)
            )
        parser.parse_punctuation(":")
        buf_type = parser.parse_type()
        op = cls(parser.resolve_operand(buffer, buf_type), exprs, syms)
        return op

    def print(self, printer: Printer) -> None:
        printer.print_string(" ")
        printer.print_operand(self.buffer)
        printer.print_string("[" + ", ".join(s.data for s in self.indices.data) + "]")
        if self.syms:
            printer.print_string(" syms(")
            printer.print_list(self.syms, printer.print_operand)
            printer.print_string(")")
        printer.print_string(" : ")
        printer.print_attribute(self.buffer.type)


@irdl_op_definition
class IndexOp(IRDLOperation):
    """The value of an index expression at the current point, as i64: `loops.index d1`."""

    name = "loops.index"
    expr = prop_def(StringAttr)
    result = result_def(IntegerType)
    traits = traits_def(Pure())

    def __init__(self, expr: sympy.Expr):
        super().__init__(result_types=[i64], properties={"expr": StringAttr(format_index(expr))})

    @property
    def index_expr(self) -> sympy.Expr:
        return parse_index(self.expr.data)

    def verify_(self) -> None:
        try:
            _check_symbols(self, [self.index_expr], 0)
        except ValueError as e:
            raise VerifyException(str(e)) from None

    @classmethod
    def parse(cls, parser: Parser) -> IndexOp:
        (expr,) = parse_index_list(parser)
        return cls(expr)

    def print(self, printer: Printer) -> None:
        printer.print_string(f" [{self.expr.data}]")


@irdl_op_definition
class YieldOp(IRDLOperation):
    """Ends a body: the value of the point, or a kernel's materialized buffers."""

    name = "loops.yield"
    values = var_operand_def()
    traits = traits_def(IsTerminator(), Pure())
    assembly_format = "($values^ `:` type($values))? attr-dict"

    def __init__(self, *values: SSAValue):
        super().__init__(operands=[list(values)])


# --- run-time checks -----------------------------------------------------------------


@irdl_op_definition
class CheckIndexOp(IRDLOperation):
    """`loops.check_index %i in [-4, 4) for "tensor_graph.gather" axis 1 : tensor<3xi64>`:
    every element of the integer buffer %i must lie in [-size, size); if one does not,
    the call fails at this point with an IndexError that names the op, the first such
    index (row-major), the axis and the size. A function-level op with an effect (the
    failure), so it is never removed; the ops that read at those indices may still
    clamp them to stay in bounds, as the check makes the failure visible."""

    name = "loops.check_index"
    indices = operand_def(TensorType)
    size = prop_def(IntegerAttr)
    axis = prop_def(IntegerAttr)
    op_name = prop_def(StringAttr, prop_name="op")

    def __init__(self, indices: SSAValue, size: int, op_name: str, axis: int):
        super().__init__(
            operands=[indices],
            properties={"size": IntegerAttr(size, i64), "axis": IntegerAttr(axis, i64), "op": StringAttr(op_name)},
        )

    def verify_(self) -> None:
        t = self.indices.type
        assert isinstance(t, TensorType)
        if not isinstance(t.element_type, IntegerType) or t.element_type.width.data < 8:
            raise VerifyException(f"indices must be a tensor of integers, got {t}")
        if self.size.value.data < 0:
            raise VerifyException(f"size must be >= 0, got {self.size.value.data}")

    @classmethod
    def parse(cls, parser: Parser) -> CheckIndexOp:
        indices = parser.parse_unresolved_operand()
        parser.parse_keyword("in")
        parser.parse_punctuation("[")
        low = parser.parse_integer()
        parser.parse_punctuation(",")
        size = parser.parse_integer()
        parser.parse_punctuation(")")
        if low != -size:
            parser.raise_error(f"the range of a check_index is [-size, size), got [{low}, {size})")
        parser.parse_keyword("for")
        op_name = parser.parse_str_literal()
        parser.parse_keyword("axis")
        axis = parser.parse_integer()
        parser.parse_punctuation(":")
        return cls(parser.resolve_operand(indices, parser.parse_type()), size, op_name, axis)

    def print(self, printer: Printer) -> None:
        n = self.size.value.data
        printer.print_string(" ")
        printer.print_operand(self.indices)
        printer.print_string(f' in [{-n}, {n}) for "{self.op_name.data}" axis {self.axis.value.data} : ')
        printer.print_attribute(self.indices.type)


# --- compute ops --------------------------------------------------------------------


class ComputeOp(IRDLOperation):
    """Base of pointwise and reduce: one result buffer computed point by point."""

    result = result_def(TensorType)
    body = region_def("single_block")
    at = opt_prop_def(ArrayAttr[StringAttr])
    """Inside a kernel: the kernel dim (p*, k*) of each of the op's d-dims, then of
    each of its r-dims; "0" for a dim of size 1 (contract.py)."""
    traits = traits_def(Pure(), RecursiveMemoryEffect())

    @property
    def dim_map(self) -> tuple[str, ...] | None:
        """The kernel dims of d0, d1, ..., r0, r1, ... (None outside a kernel)."""
        return None if self.at is None else tuple(a.data for a in self.at.data)

    def set_dim_map(self, names: Sequence[str] | None) -> None:
        self.at = None if names is None else ArrayAttr([StringAttr(n) for n in names])

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self.result.type.get_shape())  # type: ignore[attr-defined]

    @property
    def reduce_shape(self) -> tuple[int, ...]:
        return ()

    @property
    def yielded(self) -> SSAValue:
        term = self.body.block.last_op
        assert isinstance(term, YieldOp)
        return term.values[0]

    def loads(self) -> Iterator[LoadOp]:
        for op in self.body.walk():
            if isinstance(op, LoadOp):
                yield op

    def inputs(self) -> list[SSAValue]:
        """The buffers this op reads, each once, in order of first use."""
        return list(dict.fromkeys(load.buffer for load in self.loads()))

    def yield_type(self) -> Attribute:
        return self.result.type.element_type  # type: ignore[attr-defined]

    def verify_(self) -> None:
        _check_static(self.result.type)
        term = self.body.block.last_op
        if not isinstance(term, YieldOp) or len(term.values) != 1:
            raise VerifyException("body must end in `loops.yield` of one value")
        if term.values[0].type != self.yield_type():
            raise VerifyException(
                f"body yields {term.values[0].type}, expected {self.yield_type()}"
            )
        if self.at is not None and not isinstance(self.parent_op(), KernelOp):
            raise VerifyException("only an op of a loops.kernel maps its dims (`at (...)`)")

    def print(self, printer: Printer) -> None:
        self.print_header(printer)
        printer.print_string(" : ")
        printer.print_attribute(self.result.type)
        names = self.dim_map
        if names is not None:
            d, r = names[: len(self.shape)], names[len(self.shape) :]
            text = ", ".join(d) + ((" | " if d else "| ") + ", ".join(r) if r else "")
            printer.print_string(f" at ({text})")
        printer.print_op_attributes(self.attributes, print_keyword=True)
        printer.print_string(" ")
        printer.print_region(self.body, print_entry_block_args=False)

    def print_header(self, printer: Printer) -> None:
        pass


@irdl_op_definition
class PointwiseOp(ComputeOp):
    """`%r = loops.pointwise : tensor<...> { body }`: the body's value at each point."""

    name = "loops.pointwise"

    def __init__(self, result_type: TensorType, body: Region):
        super().__init__(result_types=[result_type], regions=[body])

    @classmethod
    def parse(cls, parser: Parser) -> PointwiseOp:
        parser.parse_punctuation(":")
        result_type = parser.parse_type()
        at = parse_dim_map(parser, result_type.get_num_dims())  # type: ignore[attr-defined]
        attrs = parser.parse_optional_attr_dict_with_keyword()
        op = cls(result_type, parser.parse_region())  # type: ignore[arg-type]
        op.set_dim_map(at)
        return _with_attributes(op, attrs)


@irdl_op_definition
class ReduceOp(ComputeOp):
    """`%r = loops.reduce KIND over [sizes] : tensor<...> { body }`: combine the
    body's values over the reduced space r0, r1, ... at each output point. argmax and
    argmin give the first flat position (row-major over the reduced space) of the best
    value, as i64."""

    name = "loops.reduce"
    kind = prop_def(StringAttr)
    over = prop_def(DenseArrayBase[I64])
    body_type = prop_def(Attribute)

    def __init__(self, kind: str, over: Sequence[int], result_type: TensorType, body: Region, body_type: Attribute | None = None):
        super().__init__(
            result_types=[result_type],
            regions=[body],
            properties={
                "kind": StringAttr(kind),
                "over": DenseArrayBase.from_list(i64, list(over)),
                "body_type": body_type or result_type.element_type,
            },
        )

    @property
    def reduce_shape(self) -> tuple[int, ...]:
        return tuple(self.over.get_values())

    def yield_type(self) -> Attribute:
        return self.body_type

    def verify_(self) -> None:
        if self.kind.data not in REDUCE_KINDS:
            raise VerifyException(f"kind must be one of {', '.join(REDUCE_KINDS)}, got {self.kind.data}")
        if self.kind.data.startswith("arg"):
            if self.result.type.element_type != i64:  # type: ignore[attr-defined]
                raise VerifyException(f"{self.kind.data} gives i64 positions")
        elif self.body_type != self.result.type.element_type:  # type: ignore[attr-defined]
            raise VerifyException("the body type of a value reduction is the result element type")
        super().verify_()

    @classmethod
    def parse(cls, parser: Parser) -> ReduceOp:
        kind = parser.parse_identifier()
        parser.parse_keyword("over")
        over = parser.parse_comma_separated_list(Parser.Delimiter.SQUARE, parser.parse_integer)
        body_type = None
        if parser.parse_optional_punctuation("(") is not None:
            body_type = parser.parse_type()
            parser.parse_punctuation(")")
        parser.parse_punctuation(":")
        result_type = parser.parse_type()
        at = parse_dim_map(parser, result_type.get_num_dims())  # type: ignore[attr-defined]
        attrs = parser.parse_optional_attr_dict_with_keyword()
        op = cls(kind, over, result_type, parser.parse_region(), body_type)  # type: ignore[arg-type]
        op.set_dim_map(at)
        return _with_attributes(op, attrs)

    def print_header(self, printer: Printer) -> None:
        printer.print_string(f" {self.kind.data} over [{', '.join(map(str, self.reduce_shape))}]")
        if self.body_type != self.result.type.element_type:  # type: ignore[attr-defined]
            printer.print_string(" (")
            printer.print_attribute(self.body_type)
            printer.print_string(")")


@irdl_op_definition
class ContractOp(ReduceOp):
    """`%c = loops.contract over [K] batch = [d0], m = d1, n = d2, k = r0 :
    tensor<BxMxNxT> { body }`: a contraction, C[b, m, n] = sum over k of
    x(b, m, k) * y(b, k, n), as a `reduce sum` (so everything that runs a reduction
    runs it) whose roles are explicit: the batch dims are the leading output dims,
    M and N the last two, K the one reduced dim. The body ends in the product
    (arith.mulf / muli) of its two sides; each side may be computed from loads by a
    prologue (a cast, an extension of f16/bf16 to an f32 accumulator, an inlined
    producer), but one side never varies along N and the other never along M
    (`contraction_sides`). Lowered from tensor_graph.matmul (linear and attention
    decompose into it); the CPU GEMM (loops_to_llvm/contraction.py) and later
    tl.dot / tensor cores consume it."""

    name = "loops.contract"
    # irdl_op_definition turned ReduceOp's fields into accessors: a subclass declares
    # them again (the same definitions)
    result = result_def(TensorType)
    body = region_def("single_block")
    at = opt_prop_def(ArrayAttr[StringAttr])
    kind = prop_def(StringAttr)
    over = prop_def(DenseArrayBase[I64])
    body_type = prop_def(Attribute)
    traits = traits_def(Pure(), RecursiveMemoryEffect())

    def __init__(self, over: Sequence[int], result_type: TensorType, body: Region):
        super().__init__("sum", over, result_type, body)

    @property
    def roles(self) -> tuple[tuple[str, ...], str, str, str]:
        """(batch dims, M dim, N dim, K dim) as the body's symbols."""
        n = len(self.shape)
        return tuple(f"d{i}" for i in range(n - 2)), f"d{n - 2}", f"d{n - 1}", "r0"

    def verify_(self) -> None:
        if len(self.shape) < 2 or len(self.reduce_shape) != 1:
            raise VerifyException("a contraction has an M x N result (after any batch dims) and reduces over one K dim")
        if self.kind.data != "sum":
            raise VerifyException(f"a contraction sums, got kind {self.kind.data}")
        super().verify_()
        from stepwell.dialects.loops.access import contraction_sides

        problem = contraction_sides(self)
        if isinstance(problem, str):
            raise VerifyException(problem)

    @classmethod
    def parse(cls, parser: Parser) -> ContractOp:
        parser.parse_keyword("over")
        over = parser.parse_comma_separated_list(Parser.Delimiter.SQUARE, parser.parse_integer)
        start = parser.pos
        batch: list[str] = []
        if parser.parse_optional_keyword("batch") is not None:
            parser.parse_punctuation("=")
            batch = parser.parse_comma_separated_list(Parser.Delimiter.SQUARE, parser.parse_identifier)
            parser.parse_punctuation(",")
        named = []
        for role in ("m", "n", "k"):
            parser.parse_keyword(role)
            parser.parse_punctuation("=")
            named.append(parser.parse_identifier())
            if role != "k":
                parser.parse_punctuation(",")
        end = parser.pos
        parser.parse_punctuation(":")
        result_type = parser.parse_type()
        rank = result_type.get_num_dims()  # type: ignore[attr-defined]
        if rank < 2:
            parser.raise_error(f"a contraction has an M x N result (after any batch dims), got {result_type}")
        expected = (tuple(f"d{i}" for i in range(rank - 2)), f"d{rank - 2}", f"d{rank - 1}", "r0")
        if (tuple(batch), *named) != expected:
            parser.raise_error(
                f"the roles of a contraction of rank {rank} are {_format_roles(expected)}", start, end
            )
        at = parse_dim_map(parser, rank)
        attrs = parser.parse_optional_attr_dict_with_keyword()
        op = cls(over, result_type, parser.parse_region())  # type: ignore[arg-type]
        op.set_dim_map(at)
        return _with_attributes(op, attrs)

    def print_header(self, printer: Printer) -> None:
        printer.print_string(f" over [{', '.join(map(str, self.reduce_shape))}] {_format_roles(self.roles)}")


def _format_roles(roles: tuple[tuple[str, ...], str, str, str]) -> str:
    batch, m, n, k = roles
    return (f"batch = [{', '.join(batch)}], " if batch else "") + f"m = {m}, n = {n}, k = {k}"


@irdl_op_definition
class KernelOp(IRDLOperation):
    """`%a, %b = loops.kernel parallel [p0 = 4] reduction [k0 = 8] -> T, U { compute
    ops; loops.yield %x, %y : T, U }`: compute ops fused into one kernel; only the
    yielded buffers reach memory. The kernel is a parallel loop over its parallel
    dims p0, p1, ...; at each parallel point its ops run in order, each over the
    kernel's reduction dims k0, k1, ... that it maps (`at (...)`, contract.py)."""

    name = "loops.kernel"
    outputs = var_result_def(TensorType)
    body = region_def("single_block")
    parallel = prop_def(ArrayAttr[StringAttr])
    reduction = prop_def(ArrayAttr[StringAttr])
    traits = traits_def(Pure(), RecursiveMemoryEffect())

    def __init__(
        self,
        result_types: Sequence[Attribute],
        body: Region,
        parallel: Sequence[int | sympy.Expr] = (),
        reduction: Sequence[int | sympy.Expr] = (),
    ):
        super().__init__(
            result_types=[list(result_types)],
            regions=[body],
            properties={"parallel": _sizes_attr(parallel), "reduction": _sizes_attr(reduction)},
        )

    @property
    def parallel_sizes(self) -> tuple[int, ...]:
        return tuple(int(parse_index(a.data)) for a in self.parallel.data)

    @property
    def reduction_sizes(self) -> tuple[int, ...]:
        return tuple(int(parse_index(a.data)) for a in self.reduction.data)

    def compute_ops(self) -> list[ComputeOp]:
        return [op for op in self.body.block.ops if isinstance(op, ComputeOp)]

    def verify_(self) -> None:
        from stepwell.dialects.loops.contract import kernel_violation

        _check_static(*(r.type for r in self.outputs))
        term = self.body.block.last_op
        if not isinstance(term, YieldOp):
            raise VerifyException("body must end in `loops.yield`")
        if [v.type for v in term.values] != [r.type for r in self.outputs]:
            raise VerifyException("yielded types differ from the kernel's result types")
        for op in self.body.block.ops:
            if not isinstance(op, (ComputeOp, YieldOp)):
                raise VerifyException(f"a kernel holds compute ops only, found {op.name}")
        for attr in (*self.parallel.data, *self.reduction.data):
            try:
                size = parse_index(attr.data)
            except ValueError as e:
                raise VerifyException(str(e)) from None
            if not size.is_Integer or size < 0:
                raise VerifyException(f"kernel dim sizes are static sizes >= 0 for now, got '{attr.data}'")
        problem = kernel_violation(self)
        if problem is not None:
            raise VerifyException(problem)

    @classmethod
    def parse(cls, parser: Parser) -> KernelOp:
        parallel = _parse_kernel_dims(parser, "parallel", "p")
        reduction = _parse_kernel_dims(parser, "reduction", "k") if parser.parse_optional_keyword("reduction") is not None else []
        parser.parse_punctuation("->")
        types = parser.parse_comma_separated_list(Parser.Delimiter.NONE, parser.parse_type)
        attrs = parser.parse_optional_attr_dict_with_keyword()
        return _with_attributes(cls(types, parser.parse_region(), parallel, reduction), attrs)

    def print(self, printer: Printer) -> None:
        printer.print_string(" parallel " + _format_kernel_dims(self.parallel, "p"))
        if self.reduction.data:
            printer.print_string(" reduction " + _format_kernel_dims(self.reduction, "k"))
        printer.print_string(" -> ")
        printer.print_list((r.type for r in self.outputs), printer.print_attribute)
        printer.print_op_attributes(self.attributes, print_keyword=True)
        printer.print_string(" ")
        printer.print_region(self.body, print_entry_block_args=False)


def _sizes_attr(sizes: Sequence[int | sympy.Expr]) -> ArrayAttr[StringAttr]:
    return ArrayAttr([StringAttr(format_index(sympy.sympify(n))) for n in sizes])


def _format_kernel_dims(sizes: ArrayAttr[StringAttr], prefix: str) -> str:
    return "[" + ", ".join(f"{prefix}{i} = {a.data}" for i, a in enumerate(sizes.data)) + "]"


def _parse_kernel_dims(parser: Parser, keyword: str, prefix: str) -> list[int]:
    """`KEYWORD [p0 = 4, p1 = 8]` (names in order)."""
    if keyword == "parallel":
        parser.parse_keyword(keyword)

    def one() -> int:
        name = parser.parse_identifier()
        expected = f"{prefix}{len(sizes)}"
        if name != expected:
            parser.raise_error(f"expected kernel dim '{expected}', got '{name}'")
        parser.parse_punctuation("=")
        sizes.append(parser.parse_integer(allow_negative=False))
        return sizes[-1]


    sizes: list[int] = []
    parser.parse_comma_separated_list(Parser.Delimiter.SQUARE, one)
    return sizes


def parse_dim_map(parser: Parser, rank: int) -> list[str] | None:
    """The optional `at (p0, 0 | k0)` of a compute op of `rank` d-dims in a kernel:
    the kernel dim of each d-dim, then (after `|`) of each r-dim."""
    if parser.parse_optional_keyword("at") is None:
        return None
    parser.parse_punctuation("(")
    names: list[str] = []
    while parser.parse_optional_punctuation(")") is None:
        if len(names) == rank and parser.parse_optional_punctuation("|") is None:
            parser.raise_error(f"expected `|` after the {rank} d-dim(s) of the op")
        elif 0 < len(names) != rank:
            parser.parse_punctuation(",")
        number = parser.parse_optional_integer()
        names.append(str(number) if number is not None else parser.parse_identifier())
    return names


# --- helpers ------------------------------------------------------------------------


def parse_index_list(parser: Parser) -> list[sympy.Expr]:
    """`[e, e, ...]` of index expressions, taken from the source text between the
    brackets (the MLIR lexer cannot tokenize `floordiv` spellings on its own terms)."""
    parser.parse_punctuation("[")
    start = parser.pos
    depth, end = 0, start
    while True:
        tok = parser._current_token  # noqa: SLF001
        if tok.text in ("[", "("):
            depth += 1
        elif tok.text in ("]", ")"):
            if depth == 0:
                end = tok.span.start
                break
            depth -= 1
        elif tok.kind.name == "EOF":
            parser.raise_error("unterminated index list")
        parser._consume_token()  # noqa: SLF001
    text = parser.lexer.input.content[start:end]
    parts = _split_top_level(text)
    try:
        exprs = [parse_index(p.strip()) for p in parts if p.strip()]
    except ValueError as e:
        parser.raise_error(str(e), start, end)
    parser.parse_punctuation("]")
    return exprs


def _split_top_level(text: str) -> list[str]:
    parts, depth, cur = [], 0, ""
    for ch in text:
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    parts.append(cur)
    return parts


def enclosing_compute(op: Operation) -> ComputeOp | None:
    parent = op.parent_op()
    while parent is not None and not isinstance(parent, ComputeOp):
        parent = parent.parent_op()
    return parent


def _check_static(*types: Attribute) -> None:
    """Shapes are static at every level until dynamic shapes are designed."""
    for t in types:
        problem = dynamic_size(t)
        if problem is not None:
            raise VerifyException(problem)


def _check_symbols(op: Operation, exprs: Sequence[sympy.Expr], n_syms: int) -> None:
    compute = enclosing_compute(op)
    if compute is None:
        raise VerifyException(f"'{op.name}' must be inside loops.pointwise or loops.reduce")
    limits = {"d": len(compute.shape), "r": len(compute.reduce_shape), "s": n_syms}
    for e in exprs:
        for prefix, limit in limits.items():
            bad = [i for i in symbols_of(e, prefix) if i >= limit]
            if bad:
                raise VerifyException(
                    f"index '{format_index(e)}' uses {prefix}{bad[0]}, but only {limit} "
                    f"{prefix}-symbol(s) exist here"
                )


def _with_attributes(op: Operation, attrs: DictionaryAttr | None):
    """Attach the discardable attributes of an `attributes {...}` clause (e.g. the
    `recompute` note of loops-fuse) to a freshly parsed op."""
    if attrs is not None:
        op.attributes.update(attrs.data)
    return op


def new_body() -> tuple[Region, Block]:
    block = Block()
    return Region(block), block
