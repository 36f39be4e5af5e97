"""One kernel (a `loops.kernel`, or a lone compute op) as an `llvm.func`:

    void NAME(i64 begin, i64 end, ptr noalias buf0, ptr noalias buf1, ...)

runs the outer points [begin, end) of the plan (planning.py: the kernel's schedule), so
the runtime can give each thread a slice. An outer point is one block of each outer p
dim (its index times the block size is the block's start, the symbol `start<j>` in
index expressions); the ops loop over the rest of their space. The buffers are the
plan's params: outputs, inputs, scratch. Constants are globals, splat constants are
folded into the loads.

A plan of one outer point (no outer dims, or only one block of each) gets no loop over [begin, end),
only `if begin < end`. Such a loop's body does not depend on its index, and once LLVM
has fully unrolled short inner loops (a softmax over 2 elements) it is a long chain of
values shared many times over: LLVM 22's loop vectorizer walks every operand path of
such values (`vputils::isUniformAcrossVFsAndUFs`) and never returned on two
log-softmaxes in a row (issue 6, point 10).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass

import sympy
from xdsl.dialects import arith, llvm
from xdsl.dialects.builtin import ArrayAttr, DictionaryAttr, UnitAttr, i64
from xdsl.ir import SSAValue

from stepwell.dialects.loops import ComputeOp, IndexOp, LoadOp, ReduceOp, YieldOp
from stepwell.dialects.loops.access import linear_offset
from stepwell.dialects.loops.contract import UNIT, is_parallel
from stepwell.dialects.loops.index import dims, sym
from stepwell.lowering.loops_to_llvm import attention, contraction
from stepwell.lowering.loops_to_llvm import conversions as cv
from stepwell.lowering.loops_to_llvm import reductions as red
from stepwell.lowering.loops_to_llvm.builder import PTR, FuncBuilder, mangle
from stepwell.lowering.loops_to_llvm.index_expr import emit_index
from stepwell.lowering.loops_to_llvm.planning import KernelPlan
from stepwell.lowering.loops_to_llvm.scalar import lower_scalar

OUTER = sympy.Symbol("outer", integer=True, nonnegative=True)  # the flat outer index


def start(j: int) -> sympy.Symbol:
    """The first index of p dim j in the current outer point's block."""
    return sympy.Symbol(f"start{j}", integer=True, nonnegative=True)


@dataclass
class Point:
    """One point of an op's index space: values of its d symbols (and the starts)."""

    env: dict[sympy.Symbol, SSAValue]
    op: ComputeOp


class KernelEmitter:
    def __init__(
        self,
        plan: KernelPlan,
        name: str,
        globals_: Mapping[SSAValue, str],
        splats: Mapping[SSAValue, float | int],
        in_place: Mapping[SSAValue, SSAValue] = {},
    ):
        """`in_place`: outputs written over an input's memory (the memory plan), each
        with that input: both go through the input's pointer."""
        self.plan, self.name, self.splats = plan, name, splats
        self.b = b = FuncBuilder([i64, i64] + [PTR] * len(plan.params))
        self.ptr: dict[SSAValue, SSAValue] = dict(zip(plan.params, b.args[2:]))
        for output, input_ in in_place.items():
            self.ptr[output] = self.ptr[input_]
        for op in plan.ops:
            for value in op.inputs():
                if value in globals_ and value not in self.ptr:
                    self.ptr[value] = b.at_entry(llvm.AddressOfOp(globals_[value], PTR))
        for value in plan.local:
            op = value.owner
            assert isinstance(op, ComputeOp)
            size = math.prod(plan.slot_sizes(op))
            self.ptr[value] = b.alloca(cv.storage_type(value.type.element_type), size)  # type: ignore[attr-defined]
        self.starts: dict[sympy.Symbol, SSAValue] = {}  # of the current outer point
        self.stops: dict[int, SSAValue] = {}  # block ends of the p dims looped inside a point
        self.at_point: dict[SSAValue, SSAValue] = {}  # kernel values at the current point

    # --- the function ------------------------------------------------------------

    def emit(self) -> llvm.FuncOp:
        b, plan = self.b, self.plan
        begin, end = b.args[0], b.args[1]
        if plan.extent:  # else the runtime never calls it
            self._outer_loop(begin, end)
        n = len(plan.params)
        noalias = DictionaryAttr({"llvm.noalias": UnitAttr()})
        return llvm.FuncOp(
            self.name,
            llvm.LLVMFunctionType([i64, i64] + [PTR] * n),
            linkage=llvm.LinkageAttr("external"),
            body=b.finish(),
            other_props={"arg_attrs": ArrayAttr([DictionaryAttr({})] * 2 + [noalias] * n)},
        )

    def _outer_loop(self, begin: SSAValue, end: SSAValue) -> None:
        b, plan = self.b, self.plan
        if plan.contraction is not None:
            contraction.emit(self, plan.contraction, begin, end)
            return
        if plan.attention is not None:
            attention.emit(self, plan.attention, begin, end)  # type: ignore[arg-type]
            return
        if plan.extent == 1:  # one outer point: no loop (see the docstring)
            with b.when(b.icmp("slt", begin, end)):
                self._enter(begin)
                self._ops()
            return
        with b.loop(begin, end) as outer:
            self._enter(outer)
            self._ops()

    def _enter(self, outer: SSAValue) -> None:
        """Set the block starts and ends of the outer point `outer`."""
        b, plan = self.b, self.plan
        self.starts = self.block_starts(outer)
        self.stops = {}
        for j, size in enumerate(plan.space.parallel):
            block = plan.blocks[j]
            if min(block, size) > 1:
                first = self.starts[start(j)]
                stop = b.add(first, b.i64(block))
                self.stops[j] = stop if size % block == 0 else b.intrinsic(mangle("llvm.smin", i64), [stop, b.i64(size)], i64)

    def _ops(self) -> None:
        """Every op of the kernel at the current outer point."""
        for op in self.plan.ops:
            if isinstance(op, ReduceOp) and op in self.plan.inner_output:
                self.reduce_output_inner(op)
            elif isinstance(op, ReduceOp):
                self.reduce_reduced_inner(op)
            else:
                with self.points(op) as pt:
                    self.store(op, pt, self.body(op, pt.env))

    # --- loops over points ------------------------------------------------------

    @contextmanager
    def points(self, op: ComputeOp) -> Iterator[Point]:
        """Loop over the op's points of the current outer point, its d-dims in order."""
        b, space = self.b, self.plan.space
        with ExitStack() as stack:
            env = dict(self.starts)
            for i, name in enumerate(space.d_map(op)):
                d = sym(f"d{i}")
                if name == UNIT:
                    env[d] = b.i64(0)
                elif is_parallel(name):
                    j = int(name[1:])
                    first = self.starts[start(j)]
                    env[d] = stack.enter_context(b.loop(first, self.stops[j])) if j in self.stops else first
                else:
                    size = space.size(name)
                    env[d] = b.i64(0) if size == 1 else stack.enter_context(b.loop(0, size))
            yield Point(env, op)

    @contextmanager
    def reduced(self, op: ReduceOp) -> Iterator[dict[sympy.Symbol, SSAValue]]:
        with ExitStack() as stack:
            env = {}
            for k, size in enumerate(op.reduce_shape):
                env[sym(f"r{k}")] = self.b.i64(0) if size == 1 else stack.enter_context(self.b.loop(0, size))
            yield env

    def block_starts(self, outer: SSAValue) -> dict[sympy.Symbol, SSAValue]:
        """start<j> of every p dim at the flat outer index `outer` (0 for a p dim
        outside the outer loop)."""
        plan = self.plan
        starts = {start(j): self.b.i64(0) for j in range(len(plan.space.parallel))}
        stride = plan.extent
        for k, j in enumerate(plan.outer):
            count = plan.count(j)
            stride //= count
            e = sympy.floor(OUTER / stride) if stride > 1 else OUTER
            e = e % count if k > 0 and count > 1 else e
            if count > 1:
                starts[start(j)] = emit_index(self.b, e * plan.blocks[j], {OUTER: outer})
        return starts

    def at_block_starts(self, op: ComputeOp, starts: Mapping[sympy.Symbol, SSAValue]) -> dict[sympy.Symbol, SSAValue]:
        """op's d-symbols at the first point of the current outer point's blocks."""
        env = {}
        for i, name in enumerate(self.plan.space.d_map(op)):
            env[sym(f"d{i}")] = starts[start(int(name[1:]))] if is_parallel(name) else self.b.i64(0)
        return env

    def slot(self, op: ComputeOp, exprs: Sequence[sympy.Expr]) -> sympy.Expr:
        """Where op's value at the index `exprs` lives in its slots of the current
        outer point (a kernel-local value, a row of accumulators)."""
        local = []
        for e, name in zip(exprs, self.plan.space.d_map(op)):
            local.append(0 if name == UNIT else e - start(int(name[1:])) if is_parallel(name) else e)
        return linear_offset(self.plan.slot_sizes(op), local)

    # --- memory ------------------------------------------------------------------

    def load(self, op: LoadOp, env: Mapping[sympy.Symbol, SSAValue]) -> SSAValue:
        t = op.result.type
        if op.buffer in self.at_point:
            return self.at_point[op.buffer]
        if op.buffer in self.splats:
            return self.b.const(cv.value_type(t), self.splats[op.buffer])
        exprs = op.index_exprs
        if op.buffer in self.plan.local:
            producer = op.buffer.owner
            assert isinstance(producer, ComputeOp)
            offset = self.slot(producer, exprs)
        else:
            offset = linear_offset(op.buffer.type.get_shape(), exprs)  # type: ignore[attr-defined]
        value = self.b.load(self.ptr[op.buffer], emit_index(self.b, offset, env), cv.storage_type(t))
        return cv.from_storage(self.b, value, t)

    def store(self, op: ComputeOp, pt: Point, value: SSAValue) -> None:
        t = op.result.type.element_type  # type: ignore[attr-defined]
        ds = dims(len(op.shape))
        local = op.result in self.plan.local
        offset = emit_index(self.b, self.slot(op, ds) if local else linear_offset(op.shape, ds), pt.env)
        self.b.store(cv.to_storage(self.b, value, t), self.ptr[op.result], offset)

    # --- bodies -------------------------------------------------------------------

    def body(self, op: ComputeOp, env: Mapping[sympy.Symbol, SSAValue]) -> SSAValue:
        """Emit the scalar body at the point `env`; the yielded value."""
        values: dict[SSAValue, SSAValue] = {}
        for inner in op.body.block.ops:
            if isinstance(inner, YieldOp):
                return self._value(values, inner.values[0])
            if isinstance(inner, LoadOp):
                syms = {sym(f"s{k}"): self._value(values, s) for k, s in enumerate(inner.syms)}
                values[inner.result] = self.load(inner, {**env, **syms})
            elif isinstance(inner, IndexOp):
                values[inner.result] = emit_index(self.b, inner.index_expr, env)
            else:
                args = [self._value(values, v) for v in inner.operands]
                values[inner.results[0]] = lower_scalar(self.b, inner, args)
        raise AssertionError("a body ends in loops.yield")

    def _value(self, values: Mapping[SSAValue, SSAValue], v: SSAValue) -> SSAValue:
        if v in values:
            return values[v]
        if isinstance(v.owner, arith.ConstantOp):  # defined outside the body
            return lower_scalar(self.b, v.owner, [])
        raise ValueError(f"convert-loops-to-llvm: a body uses a value defined outside it by {v.owner.name}")

    # --- reductions ----------------------------------------------------------------

    def reduce_reduced_inner(self, op: ReduceOp) -> None:
        """Per output point: accumulate over the reduced space (innermost)."""
        b, kind, body_t = self.b, op.kind.data, op.body_type
        acc_t = red.acc_type(body_t)
        acc = b.alloca(cv.value_type(acc_t), 1)
        index = b.alloca(i64, 1) if kind.startswith("arg") else None
        with self.points(op) as pt:
            b.store(red.identity(b, kind, acc_t), acc, b.i64(0))
            if index is not None:
                b.store(b.i64(0), index, b.i64(0))
            with self.reduced(op) as renv:
                v = red.widen(b, self.body(op, {**pt.env, **renv}), body_t)
                current = b.load(acc, b.i64(0), v.type)
                if index is None:
                    b.store(red.combine(b, kind, current, v), acc, b.i64(0))
                else:
                    position = emit_index(b, linear_offset(op.reduce_shape, dims(len(op.reduce_shape), "r")), renv)
                    take = red.takes(b, kind, current, v)
                    b.store(b.select(take, v, current), acc, b.i64(0))
                    b.store(b.select(take, position, b.load(index, b.i64(0), i64)), index, b.i64(0))
            result = b.load(index, b.i64(0), i64) if index is not None else b.load(acc, b.i64(0), acc_t)
            self.store(op, pt, red.finish(b, result, op.result.type.element_type))  # type: ignore[attr-defined]

    def reduce_output_inner(self, op: ReduceOp) -> None:
        """For each reduced point: update a row of accumulators (the output innermost)."""
        b, kind = self.b, op.kind.data
        acc_t = red.acc_type(op.body_type)
        row = b.alloca(acc_t, math.prod(self.plan.slot_sizes(op)))
        here = self.slot(op, dims(len(op.shape)))
        with self.points(op) as pt:
            b.store(red.identity(b, kind, acc_t), row, emit_index(b, here, pt.env))
        with self.reduced(op) as renv:
            with self.points(op) as pt:
                slot = emit_index(b, here, pt.env)
                v = red.widen(b, self.body(op, {**pt.env, **renv}), op.body_type)
                b.store(red.combine(b, kind, b.load(row, slot, acc_t), v), row, slot)
        with self.points(op) as pt:
            value = b.load(row, emit_index(b, here, pt.env), acc_t)
            self.store(op, pt, red.finish(b, value, op.result.type.element_type))  # type: ignore[attr-defined]
