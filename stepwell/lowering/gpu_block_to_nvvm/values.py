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
from xdsl.dialects.builtin import IntegerAttr
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
    """A reduction's result along `axis` of a block in `layout`: every thread holds,
    as `regs[layout.kept(k, axis)]`, the result its register k contributed to (a
    slice of the parent layout, as Triton's SliceLayout)."""

    layout: Layout
    axis: int
    regs: dict[int, SSAValue]

    def serves(self, view: View) -> bool:
        """Whether `view` asks each thread for results it holds: the parent layout
        with the axis broadcast back (expand_dims + broadcast)."""
        layout, dims = view
        return layout == self.layout and dims == tuple(d if d < self.axis else d + 1 for d in range(len(dims)))


@dataclass(frozen=True)
class Fact:
    """What is known of a value's elements along a strip: element j is element 0 plus
    `stride * j` (0: uniform, 1: contiguous, None: unknown), and element 0 is a
    multiple of `div`."""

    stride: int | None = None
    div: int = 1


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
        return Fact(0, lowbit(op.value.value.data))
    if isinstance(op, arith.MuliOp):
        a, b = fact(op.lhs), fact(op.rhs)
        if a.stride == 0 and b.stride == 0:
            return Fact(0, min(a.div * b.div, 1 << 30))
    elif isinstance(op, arith.AddiOp):
        a, b = fact(op.lhs), fact(op.rhs)
        if a.stride is not None and b.stride is not None and a.stride + b.stride <= 1:
            return Fact(a.stride + b.stride, math.gcd(a.div, b.div))
    elif isinstance(op, arith.RemSIOp | arith.RemUIOp | arith.DivSIOp | arith.DivUIOp):
        a, b = fact(op.lhs), fact(op.rhs)
        whole = a.stride == 0 or (a.stride == 1 and a.div % vec == 0 and b.div % vec == 0)
        if b.stride != 0 or not whole:
            return None
        if isinstance(op, arith.DivSIOp | arith.DivUIOp):
            return Fact(0, 1)
        return Fact(a.stride, math.gcd(a.div, b.div))
    elif isinstance(op, arith.ExtSIOp | arith.ExtUIOp):
        return fact(op.input)
    return None
