"""How a load (or a store of an op's result) walks memory: the access analysis of the
`loops` dialect, shared by loops-fuse, the CPU schedule and the GPU tiler.

A buffer is row-major, so an access `%x[e0, e1, ...]` of a `tensor<n0 x n1 x ...>`
reads the element at the *linear offset* `e0 * (n1 * n2 ...) + e1 * (n2 ...) + ...`.
Over an index space (a list of symbols with their sizes: an op's d- and r-symbols, or
a kernel's dims) the analysis gives:

  stride       along each symbol: how far the offset moves when the symbol grows by
               one, all else fixed; None when that is not one number (the symbol
               occurs under floordiv, max, min: a clamp, a gather, a reshape the index
               simplifier could not flatten). `a mod c` is read as a - c * (a floordiv c),
               so the flattened forms of a reshape cancel: (d0 floordiv 10) * 10 +
               d0 mod 10 is d0, stride 1.
  broadcast    the symbols of stride 0: the same element for every value of them
  contiguous   the innermost symbol (last in the space's order) of stride 1, or None
  fits_i32     whether 32-bit index arithmetic suffices: the buffer has fewer than
               2**31 elements and no value computed on the way to the offset can reach
               2**31 over the space (bounded term by term: an affine offset by
               |constant| + sum |stride| * (size - 1)); an offset that uses a value read
               at run time (a gather's s-symbol) needs 64 bits

`contraction_sides(op)` splits the product of a `loops.contract` into its M x K and
K x N sides (each with its prologue), by which dims their loads move along: the
verifier of the op and the CPU GEMM (and later tl.dot) read the same answer.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import sympy
from xdsl.dialects import arith
from xdsl.dialects.builtin import TensorType
from xdsl.ir import Operation, SSAValue

from stepwell.dialects.loops.index import dims, sym
from stepwell.dialects.loops.ops import ComputeOp, ContractOp, IndexOp, LoadOp, YieldOp, enclosing_compute

I32_LIMIT = 2**31 - 1

Space = Sequence[tuple[sympy.Symbol, int]]
"""An index space: (symbol, size) pairs, outermost first."""


def linear_offset(shape: Sequence[int], exprs: Sequence[sympy.Expr]) -> sympy.Expr:
    """The row-major flat position of `exprs` in a buffer of `shape`."""
    offset, stride = sympy.Integer(0), 1
    for size, e in zip(reversed(shape), reversed(exprs)):
        offset += e * stride
        stride *= size
    return offset


@dataclass(frozen=True)
class Access:
    offset: sympy.Expr  # the linear offset, `mod` expanded
    strides: dict[sympy.Symbol, int | None]  # one per symbol of the space, in order
    fits_i32: bool

    def stride(self, s: sympy.Symbol) -> int | None:
        return self.strides.get(s, 0)

    @property
    def broadcast(self) -> tuple[sympy.Symbol, ...]:
        return tuple(s for s, k in self.strides.items() if k == 0)

    @property
    def contiguous(self) -> sympy.Symbol | None:
        ones = [s for s, k in self.strides.items() if k == 1]
        return ones[-1] if ones else None

    @property
    def is_affine(self) -> bool:
        return all(k is not None for k in self.strides.values())


def analyze(shape: Sequence[int], exprs: Sequence[sympy.Expr], space: Space) -> Access:
    """The access of `exprs` into a buffer of `shape` over `space`."""
    offset = sympy.expand(
        linear_offset(shape, exprs).replace(sympy.Mod, lambda a, c: a - c * sympy.floor(a / c))
    )
    opaque = set().union(*(f.free_symbols for f in _non_polynomial_parts(offset)))
    strides: dict[sympy.Symbol, int | None] = {}
    for s, _ in space:
        k = sympy.diff(offset, s) if s not in opaque else None
        strides[s] = int(k) if k is not None and k.is_Integer else None
    return Access(offset, strides, _fits_i32(shape, offset, space))


def _non_polynomial_parts(e: sympy.Expr) -> list[sympy.Expr]:
    return [a for a in sympy.preorder_traversal(e) if isinstance(a, (sympy.Function, sympy.Pow))]


def _fits_i32(shape: Sequence[int], offset: sympy.Expr, space: Space) -> bool:
    return math.prod(shape) <= I32_LIMIT and _magnitude(offset, dict(space)) <= I32_LIMIT


def _magnitude(e: sympy.Expr, sizes: dict[sympy.Symbol, int]) -> sympy.Number:
    """A bound on |e| and on every value computed on the way to it, over the space; an
    s-symbol (a value read at run time) is unbounded."""
    if e.is_Number:  # a fraction p/q is computed as p * ... then divided
        return abs(e.p) if e.is_Rational else abs(e)
    if e.is_Symbol:
        return sympy.Integer(max(sizes[e] - 1, 0)) if e in sizes else sympy.oo
    parts = [_magnitude(a, sizes) for a in e.args]
    if isinstance(e, sympy.Add):
        return sympy.Add(*parts)
    if isinstance(e, sympy.Mul):
        return max(sympy.Mul(*parts), *parts)
    if isinstance(e, sympy.Pow):
        return parts[0] ** e.args[1] if e.args[1].is_Integer and e.args[1] > 0 else sympy.oo
    return max(parts)  # floor, max, min: no larger than their arguments


# --- the accesses of ops -----------------------------------------------------------------


def op_space(op: ComputeOp) -> list[tuple[sympy.Symbol, int]]:
    """The op's own index space: d0, d1, ... over its shape, then r0, r1, ... over its
    reduced space."""
    return [
        *zip(dims(len(op.shape)), op.shape),
        *zip(dims(len(op.reduce_shape), "r"), op.reduce_shape),
    ]


def buffer_shape(load: LoadOp) -> tuple[int, ...]:
    t = load.buffer.type
    assert isinstance(t, TensorType)
    return tuple(t.get_shape())


def load_access(load: LoadOp, space: Space | None = None) -> Access:
    """The access of `load` over `space` (by default its op's own index space)."""
    if space is None:
        op = enclosing_compute(load)
        assert op is not None
        space = op_space(op)
    return analyze(buffer_shape(load), load.index_exprs, space)


def output_access(op: ComputeOp, space: Space | None = None) -> Access:
    """The access by which `op` stores its result: its own point, d0, d1, ..."""
    return analyze(op.shape, dims(len(op.shape)), op_space(op) if space is None else space)


# --- the two sides of a contraction ------------------------------------------------------


@dataclass(frozen=True)
class Sides:
    """The product a `loops.contract` body yields: `x` (its value never varies along
    N: the M x K side) times `y` (never along M: the K x N side); each with the body
    ops it is computed from (its prologue, loads included), in block order."""

    product: Operation
    x: SSAValue
    y: SSAValue
    x_ops: tuple[Operation, ...]
    y_ops: tuple[Operation, ...]


def reads_along_output(op: ComputeOp) -> bool:
    """Whether a reduction's loads walk memory along its innermost output dim rather
    than along its innermost reduced dim (a column sum): a backend then accumulates a
    row of outputs at once, reading whole rows, and its parallel units are rows."""
    if not op.reduce_shape or not op.shape or op.kind.data.startswith("arg"):  # type: ignore[attr-defined]
        return False
    d = dims(len(op.shape))[-1]
    r = dims(len(op.reduce_shape), "r")[-1]
    along_d = along_r = 0
    for load in op.loads():
        access = load_access(load)
        along_d += access.stride(d) == 1
        along_r += access.stride(r) == 1
    return along_d > along_r


def contraction_sides(op: ContractOp) -> Sides | str:
    """The sides of `op`'s product, or what keeps its body from being a contraction."""
    _, m, n, _ = op.roles
    term = op.body.block.last_op
    product = term.values[0].owner if isinstance(term, YieldOp) and term.values else None
    if not isinstance(product, (arith.MulfOp, arith.MuliOp)):
        return "the body of a contraction must yield a product (arith.mulf or arith.muli)"
    lhs, rhs = (_slice(v) for v in product.operands)
    varies = {s: [_varies(ops, sym(s)) for ops in (lhs, rhs)] for s in (m, n)}
    if not varies[n][0] and not varies[m][1]:
        return Sides(product, product.lhs, product.rhs, lhs, rhs)
    if not varies[n][1] and not varies[m][0]:
        return Sides(product, product.rhs, product.lhs, rhs, lhs)
    return (
        f"one side of a contraction's product must not vary along n = {n} and the other "
        f"not along m = {m} (sides of an M x K by K x N product)"
    )


def _slice(value: SSAValue) -> tuple[Operation, ...]:
    """The body ops `value` is computed from, in block order (a load's buffer is
    defined outside the body: the walk stops there)."""
    block = value.owner.parent if isinstance(value.owner, Operation) else None
    seen: set[Operation] = set()
    work = [value]
    while work:
        owner = work.pop().owner
        if isinstance(owner, Operation) and owner.parent is block and owner not in seen:
            seen.add(owner)
            work.extend(owner.operands)
    return tuple(op for op in block.ops if op in seen) if block is not None else ()


def _varies(ops: Sequence[Operation], s: sympy.Symbol) -> bool:
    for op in ops:
        if isinstance(op, LoadOp) and load_access(op).stride(s) != 0:
            return True
        if isinstance(op, IndexOp) and s in op.index_expr.free_symbols:
            return True
    return False
