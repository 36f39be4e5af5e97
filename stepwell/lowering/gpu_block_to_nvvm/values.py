"""How a block value is held by the threads, and what is known of its elements.

A block value is evaluated *in a view* `(layout, dims)`: the elements some consumer of
`layout` needs, element k of a thread being the value at the coordinates that `dims`
pick from the consumer's (`dims[d]` is the consumer's dim that gives coordinate d of
the value, None for a broadcast dim: coordinate 0). Index math (arange, splat,
expand_dims, broadcast, maps of them) is recomputed in each view, as Triton
rematerializes it; loads, reductions and loop results are held in registers
(`Regs`, `Slice`) and reach other views through shared memory.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from xdsl.dialects import arith
from xdsl.dialects.builtin import IntegerAttr, IntegerType
from xdsl.ir import Operation, SSAValue

from stepwell.lowering.gpu_block_to_nvvm.layout import Layout

View = tuple[Layout, tuple["int | None", ...]]


def identity(layout: Layout) -> View:
    return layout, tuple(range(len(layout.shape)))


@dataclass
class Regs:
    """A block held in `layout`: register k of each thread, in the view `(layout,
    dims)` (None: the identity; a load reads in the view its access analysis picks)."""

    layout: Layout
    regs: list[SSAValue]
    dims: tuple[int | None, ...] | None = None

    @staticmethod
    def of(view: View, regs: list[SSAValue]) -> Regs:
        return Regs(view[0], regs, None if view == identity(view[0]) else view[1])

    @property
    def view(self) -> View:
        return identity(self.layout) if self.dims is None else (self.layout, self.dims)


@dataclass
class Slice:
    """A reduction's result along `axis` (a dim of `layout`) of a block in `layout`:
    every thread holds, as `regs[layout.kept(k, axis)]`, the result its register k
    contributed to (a slice of the parent layout, as Triton's SliceLayout). `dims`:
    the layout dim that gives each dim of the result (None: the layout's dims other
    than the axis, in order; a block reduced in a transposed view gives others)."""

    layout: Layout
    axis: int
    regs: dict[int, SSAValue]
    dims: tuple[int, ...] | None = None

    @property
    def kept_dims(self) -> tuple[int, ...]:
        if self.dims is not None:
            return self.dims
        return tuple(d for d in range(len(self.layout.shape)) if d != self.axis)

    def serves(self, view: View) -> bool:
        """Whether `view` asks each thread for results it holds: the parent layout
        with the axis broadcast back (expand_dims + broadcast)."""
        layout, dims = view
        return layout == self.layout and dims == self.kept_dims


@dataclass(frozen=True)
class Fact:
    """What is known of a value's elements along a strip: element j is element 0 plus
    `stride * j` (0: uniform, 1: contiguous, None: unknown), and element 0 is a
    multiple of `div`; `span`: the least and greatest value over every element of every
    thread of every program, when known (a mask that holds everywhere spans (1, 1))."""

    stride: int | None = None
    div: int = 1
    span: tuple[int, int] | None = None


UNKNOWN = Fact()
UNIFORM = Fact(0, 1)


def lowbit(c: int) -> int:
    return 1 << 30 if c == 0 else min(c & -c, 1 << 30)


def infer_scalar(op: Operation, fact, vec: int = 1) -> Fact | None:
    """The fact of an arith op's result from its operands' (`fact(v)`), or None, on
    strips of `vec` elements. A contiguous value whose strips start at multiples of
    `vec` (div >= vec) stays contiguous modulo, and uniform divided by, a uniform
    multiple of `vec`: no strip crosses one."""
    if isinstance(op, arith.ConstantOp) and isinstance(op.value, IntegerAttr):
        c = op.value.value.data
        return Fact(0, lowbit(c), (c, c))
    if isinstance(op, arith.MuliOp):
        a, b = fact(op.lhs), fact(op.rhs)
        if a.stride == 0 and b.stride == 0:
            products = [x * y for x in a.span or () for y in b.span or ()]
            span = (min(products), max(products)) if products else None
            return Fact(0, min(a.div * b.div, 1 << 30), _fits(span, op.result.type))
    elif isinstance(op, arith.AddiOp):
        a, b = fact(op.lhs), fact(op.rhs)
        if a.stride is not None and b.stride is not None and a.stride + b.stride <= 1:
            span = (a.span[0] + b.span[0], a.span[1] + b.span[1]) if a.span and b.span else None
            return Fact(a.stride + b.stride, math.gcd(a.div, b.div), _fits(span, op.result.type))
    elif isinstance(op, arith.CmpiOp):
        a, b = fact(op.lhs), fact(op.rhs)
        if a.span and b.span and _always(op.predicate.value.data, a.span, b.span):
            return Fact(0, 1, (1, 1))
        if _strip_constant(op.predicate.value.data, a, b, vec):
            return Fact(0, 1)
    elif isinstance(op, arith.AndIOp | arith.OrIOp | arith.XOrIOp):
        a, b = fact(op.lhs), fact(op.rhs)
        if a.span and b.span and a.span[0] == a.span[1] and b.span[0] == b.span[1]:  # constants (masks proven)
            x, y = a.span[0], b.span[0]
            c = x & y if isinstance(op, arith.AndIOp) else x | y if isinstance(op, arith.OrIOp) else x ^ y
            return Fact(0, lowbit(c), (c, c))
    elif isinstance(op, arith.RemSIOp | arith.RemUIOp | arith.DivSIOp | arith.DivUIOp):
        a, b = fact(op.lhs), fact(op.rhs)
        whole = a.stride == 0 or (a.stride == 1 and a.div % vec == 0 and b.div % vec == 0)
        if b.stride != 0 or not whole:
            return None
        if isinstance(op, arith.DivSIOp | arith.DivUIOp):
            return Fact(0, 1)
        return Fact(a.stride, math.gcd(a.div, b.div))
    elif isinstance(op, arith.ExtSIOp):
        return fact(op.input)
    elif isinstance(op, arith.ExtUIOp):
        f = fact(op.input)
        return f if f.span is None or f.span[0] >= 0 else Fact(f.stride, f.div)
    return None


def induction(lower: Fact, upper: Fact, step: Fact) -> Fact:
    """The fact of a counted loop's induction variable (`range(lower, upper, step)`):
    uniform, a multiple of what divides both its start and its step and, with a
    constant start and step, between the start and the last value it takes."""
    div = math.gcd(lower.div, step.div)
    lo, st = lower.span, step.span
    if lo is None or lo[0] != lo[1] or st is None or st[0] != st[1] or st[0] <= 0 or upper.span is None:
        return Fact(0, div)
    first, s = lo[0], st[0]
    if upper.span[1] <= first:  # no iteration runs
        return Fact(0, div)
    return Fact(0, div, (first, first + (upper.span[1] - 1 - first) // s * s))


def _strip_constant(predicate: int, a: Fact, b: Fact, vec: int) -> bool:
    """Whether `a <predicate> b` is the same in every lane of a strip: a bound that is
    a uniform multiple of `vec` against a contiguous value whose strips start at
    multiples of `vec` (x < n, x >= n, n > x, n <= x): no strip crosses the bound (the
    masks of a tail: whole strips in or out)."""
    if predicate in (4, 3, 8, 7):  # sgt sle ugt ule: the same with the operands swapped
        a, b, predicate = b, a, {4: 2, 3: 5, 8: 6, 7: 9}[predicate]
    return (
        predicate in (2, 5, 6, 9)  # slt sge ult uge
        and a.stride == 1 and a.div % vec == 0 and b.stride == 0 and b.div % vec == 0
    )


def _fits(span: tuple[int, int] | None, t) -> tuple[int, int] | None:
    """`span` if no value in it wraps around in the signed integer type `t`."""
    if span is None or not isinstance(t, IntegerType):
        return None
    half = 1 << (t.width.data - 1)
    return span if -half <= span[0] and span[1] < half else None


# arith.cmpi's predicates: eq ne slt sle sgt sge ult ule ugt uge
_HOLDS = {
    2: lambda a, b: a[1] < b[0],
    3: lambda a, b: a[1] <= b[0],
    4: lambda a, b: a[0] > b[1],
    5: lambda a, b: a[0] >= b[1],
}


def _always(predicate: int, a: tuple[int, int], b: tuple[int, int]) -> bool:
    """Whether `a <predicate> b` holds for every value of the spans (the unsigned
    comparisons only where both are non-negative, where they agree with the signed)."""
    if predicate >= 6 and min(a[0], b[0]) >= 0:
        predicate -= 4
    return predicate in _HOLDS and _HOLDS[predicate](a, b)
