"""The kernels of convert-loops-to-gpu_block (the package docstring says what they are)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import sympy
from xdsl.dialects import arith, func
from xdsl.dialects.builtin import (
    AnyFloat,
    FloatAttr,
    IntegerAttr,
    TensorType,
    i1,
    i32,
    i64,
)
from xdsl.ir import Attribute, Block, Operation, Region, SSAValue

from stepwell.dialects import gpu_block as gb
from stepwell.dialects.loops import ComputeOp, IndexOp, KernelOp, LoadOp, PointwiseOp, ReduceOp, YieldOp
from stepwell.dialects.loops.contract import UNIT
from stepwell.dialects.loops.access import I32_LIMIT, buffer_shape, linear_offset, load_access
from stepwell.dialects.loops.index import dims, format_index, sym
from stepwell.dtypes import numpy_dtype
from stepwell.semantics import REDUCTIONS

UNSUPPORTED = (
    "not supported by the Triton path yet (lone loops.pointwise ops, row reductions and "
    "persistent row kernels of at most 8192 contiguous elements are)"
)
BLOCK = 1024  # elements per program instance of a pointwise kernel
MAX_ROW = 8192  # the longest row a persistent reduction keeps in registers


class Unsupported(Exception):
    """An op the Triton path cannot convert yet; `op` is where to report it."""

    def __init__(self, op: Operation, message: str):
        super().__init__(message)
        self.op = op


def convert_function(fn: func.FuncOp) -> list[gb.KernelOp]:
    """Replace each compute op of `fn` by a launch; the new kernels, in order."""
    kernels = []
    for op in list(fn.body.block.ops):
        if isinstance(op, func.ReturnOp):
            continue
        if isinstance(op, PointwiseOp):
            make = _pointwise
        elif isinstance(op, ReduceOp) and type(op) is ReduceOp:
            make = _row_reduction
        elif isinstance(op, KernelOp):
            make = _persistent
        else:
            raise Unsupported(op, UNSUPPORTED)
        if isinstance(op, KernelOp):
            for inner in op.compute_ops():
                _check_body(inner)
        else:
            _check_body(op)
        kernel = make(op, f"{fn.sym_name.data}_k{len(kernels)}")
        inputs = op.inputs() if isinstance(op, ComputeOp) else _kernel_inputs(op)
        launch = gb.LaunchOp(kernel.sym_name.data, inputs, [r.type for r in op.results])
        for new, old in zip(launch.outputs, op.results):
            new.name_hint = old.name_hint
            old.replace_all_uses_with(new)
        fn.body.block.insert_op_before(launch, op)
        op.detach()
        op.erase()
        kernels.append(kernel)
    return kernels


def _check_body(op: ComputeOp) -> None:
    for inner in op.body.walk():
        if inner is op:
            continue
        if isinstance(inner, LoadOp) and inner.syms:
            raise Unsupported(op, f"reads at an index computed at run time (a gather): not supported by the Triton path yet")
        if inner.dialect_name() not in ("arith", "math") and not isinstance(inner, LoadOp | IndexOp | YieldOp):
            raise Unsupported(op, f"'{inner.name}' in the body of '{op.name}' is not supported by the Triton path yet")


# --- the two kernels ---------------------------------------------------------------------


def _pointwise(op: PointwiseOp, name: str) -> gb.KernelOp:
    shape = op.shape
    n = math.prod(shape)
    block = min(BLOCK, _pow2(n))
    wide = n + block > I32_LIMIT or not all(load_access(load).fits_i32 for load in op.loads())
    k = _Kernel(op, name, wide)
    b = k.body
    pid = k.index(b.add(gb.ProgramIdOp(0)).result, "pid")
    start = b.add(arith.MuliOp(pid, b.const(block, k.itype)))
    start.result.name_hint = "start"
    lanes = b.add(gb.ArangeOp(0, block)).result
    flat_args = [b.add(gb.SplatOp(start.result, [block])).result, lanes]

    def index(ib: _Builder, args: Sequence[SSAValue]) -> tuple[dict[sympy.Symbol, SSAValue], list[tuple[SSAValue, str]]]:
        flat = ib.add(arith.AddiOp(args[0], k.widen(ib, args[1])))
        mask = ib.add(arith.CmpiOp(flat, ib.const(n, k.itype), "slt"))
        env = _unflatten(ib, flat.result, shape, k.itype)
        return env, [(flat.result, "offs"), (mask.result, "mask")]

    k.flat = linear_offset(shape, dims(len(shape)))  # a load at the output's own index reads at `offs`

    (offs, mask), loads, indices = k.offsets(flat_args, index)
    values = k.load(loads, mask)
    (value,) = k.compute(values, indices, [])
    k.store(offs, value, mask)
    return k.finish([f"{-(-n // block)}"])


def _row_reduction(op: ReduceOp, name: str) -> gb.KernelOp:
    kind = op.kind.data
    if kind not in ("sum", "max", "min") or op.yield_type() == i1 or len(op.reduce_shape) != 1:
        raise Unsupported(op, f"{kind} over {len(op.reduce_shape)} dim(s) of {op.yield_type()} is not supported by the Triton path yet (row reductions of sum, max, min over one dim are)")
    (row,) = op.reduce_shape
    r0 = sym("r0")
    if row > MAX_ROW or any(load_access(load).stride(r0) not in (0, 1) for load in op.loads()):
        raise Unsupported(op, f"not a row reduction of at most {MAX_ROW} contiguous elements: not supported by the Triton path yet")
    rows = math.prod(op.shape)
    block = _pow2(row)
    wide = rows + block > I32_LIMIT or not all(load_access(load).fits_i32 for load in op.loads())
    k = _Kernel(op, name, wide)
    b = k.body
    pid = k.index(b.add(gb.ProgramIdOp(0)).result, "pid")
    lanes = b.add(gb.ArangeOp(0, block)).result
    args = [b.add(gb.SplatOp(pid, [block])).result, lanes]

    def index(ib: _Builder, args: Sequence[SSAValue]) -> tuple[dict[sympy.Symbol, SSAValue], list[tuple[SSAValue, str]]]:
        r = k.widen(ib, args[1])
        mask = ib.add(arith.CmpiOp(r, ib.const(row, k.itype), "slt"))
        env = _unflatten(ib, args[0], op.shape, k.itype)
        env[r0] = r
        return env, [(mask.result, "rmask")]

    (mask,), loads, indices = k.offsets(args, index)
    values = k.load(loads, mask)
    identity = REDUCTIONS[kind].identity(numpy_dtype(op.yield_type()))
    (value,) = k.compute(values, indices, [mask], identity)
    total = b.add(gb.ReduceOp(kind, value, 0)).result
    total.name_hint = "total"
    out = b.add(gb.AddPtrOp(k.out_ptr, pid)).result
    b.add(gb.StoreOp(out, total))
    return k.finish([str(rows)])


def _kernel_inputs(kernel: KernelOp) -> list[SSAValue]:
    """The buffers from outside `kernel` that its ops read, each once, in order of first use."""
    local = {op.result for op in kernel.compute_ops()}
    return list(dict.fromkeys(b for op in kernel.compute_ops() for b in op.inputs() if b not in local))


def _persistent(kernel: KernelOp, name: str) -> gb.KernelOp:
    """A fused kernel with one reduction dim k0, the innermost contiguous dim of
    every load that maps it: one program instance per parallel point, the row in
    registers (each buffer read once per offset), the ops in order; kernel-local
    values stay in registers (a block for an op over k0, a scalar otherwise)."""
    parallel, reduction = kernel.parallel_sizes, kernel.reduction_sizes
    ops = kernel.compute_ops()
    if len(reduction) > 1 or (reduction and reduction[0] > MAX_ROW):
        raise Unsupported(kernel, UNSUPPORTED)
    row = reduction[0] if reduction else 1  # no k dim: rows of one element
    local = {op.result: op for op in ops}
    P = [sympy.Symbol(f"P{i}", integer=True, nonnegative=True) for i in range(len(parallel))]
    K = sympy.Symbol("K", integer=True, nonnegative=True)

    def kernel_syms(op: ComputeOp) -> dict[sympy.Symbol, sympy.Expr]:
        """The op's d/r symbols as kernel dims."""
        names = op.dim_map or ()
        env = {}
        for i, nm in enumerate(names):
            own = sym(f"d{i}") if i < len(op.shape) else sym(f"r{i - len(op.shape)}")
            env[own] = 0 if nm == UNIT else K if nm == "k0" else P[int(nm[1:])]
        return env

    def over_row(op: ComputeOp) -> bool:
        """Whether the op's result is a row (a block); a reduction's is a scalar."""
        return "k0" in (op.dim_map or ())[: len(op.shape)]

    def on_block(op: ComputeOp) -> bool:
        return isinstance(op, ReduceOp) or over_row(op)

    for op in ops:
        if isinstance(op, ReduceOp):
            kind = op.kind.data
            if type(op) is not ReduceOp or kind not in ("sum", "max", "min") or op.yield_type() == i1:
                raise Unsupported(kernel, UNSUPPORTED)
            if list((op.dim_map or ())[len(op.shape):]) not in (["k0"], [UNIT]) or "k0" in (op.dim_map or ())[: len(op.shape)]:
                raise Unsupported(kernel, UNSUPPORTED)
        elif not isinstance(op, PointwiseOp):
            raise Unsupported(kernel, UNSUPPORTED)
        if any(isinstance(o, IndexOp) for o in op.body.walk()):
            raise Unsupported(kernel, UNSUPPORTED)
    # every load from memory: its offset in kernel dims, contiguous (or constant) along k0
    offsets: dict[LoadOp, sympy.Expr] = {}  # of the ops on the row block
    scalar_loads: dict[LoadOp, sympy.Expr] = {}  # of the ops on scalars (one element per row)
    for op in ops:
        env = kernel_syms(op)
        for load in op.loads():
            if load.buffer in local:
                continue
            offset = sympy.expand(linear_offset(buffer_shape(load), load.index_exprs).subs(env, simultaneous=True))
            if sympy.diff(offset, K) not in (0, 1):
                raise Unsupported(kernel, UNSUPPORTED)
            if on_block(op):
                offsets[load] = offset
            else:
                scalar_loads[load] = offset
    outputs = list(kernel.body.block.last_op.values)  # type: ignore[union-attr]
    rows = math.prod(parallel)
    block = _pow2(row)
    wide = rows * row + block > I32_LIMIT or not all(load_access(load).fits_i32 for load in (*offsets, *scalar_loads))
    itype = i64 if wide else i32

    inputs = _kernel_inputs(kernel)
    types = [gb.PtrType(t.type.element_type) for t in (*inputs, *kernel.results)]  # type: ignore[attr-defined]
    blk = Block(arg_types=types)
    for arg, v in zip(blk.args, (*inputs, *kernel.results)):
        arg.name_hint = f"{v.name_hint or 'buf'}_ptr"
    b = _Builder(blk)
    pid = b.add(gb.ProgramIdOp(0)).result
    pid.name_hint = "pid"
    if wide:
        pid = b.add(arith.ExtSIOp(pid, i64)).result
    lanes = b.add(gb.ArangeOp(0, block)).result

    # one map: the row mask and every distinct offset (loads, then row outputs)
    row_outputs = [v for v in outputs if over_row(local[v])]
    scalar_outputs = [v for v in outputs if not over_row(local[v])]
    ib = _Builder(Block(arg_types=[itype, i32]))
    r = ib.block.args[1] if not wide else ib.add(arith.ExtSIOp(ib.block.args[1], i64)).result
    penv = _unflatten(ib, ib.block.args[0], parallel, itype)
    emit = _IndexEmitter(ib, {**{P[i]: penv[dims(len(parallel))[i]] for i in range(len(parallel))}, K: r}, itype)
    yielded = [ib.add(arith.CmpiOp(r, ib.const(row, itype), "slt")).result]
    hints = ["rmask"]
    load_slot = _load_slots(offsets.items(), emit, yielded, hints)
    out_slot = {}
    for v in row_outputs:
        op = local[v]
        offset = sympy.expand(linear_offset(op.shape, dims(len(op.shape))).subs(kernel_syms(op), simultaneous=True))
        out_slot[v] = len(yielded)
        yielded.append(emit.emit(offset, op))
        hints.append(f"{v.name_hint or 'out'}_offs")
    ib.add(gb.YieldOp(*yielded))
    m = b.add(gb.MapOp([b.add(gb.SplatOp(pid, [block])).result, lanes], [v.type for v in yielded], Region(ib.block)))
    for res, h in zip(m.outputs, hints):
        res.name_hint = h
    mask = m.outputs[0]

    # the row, loaded once per (buffer, offset)
    loaded: dict[int, SSAValue] = {}
    for load, s_ in load_slot.items():
        if s_ not in loaded:
            base = blk.args[inputs.index(load.buffer)]
            ptrs = b.add(gb.AddPtrOp(b.add(gb.SplatOp(base, [block])).result, m.outputs[s_])).result
            ptrs.name_hint = f"{load.buffer.name_hint or 'buf'}_ptrs"
            zero = b.const(0, load.result.type)
            loaded[s_] = b.add(gb.LoadOp(ptrs, mask, zero)).result
            loaded[s_].name_hint = load.buffer.name_hint

    scalar_index: list[_IndexEmitter] = []

    def scalar_offset(offset: sympy.Expr, where: Operation) -> SSAValue:
        """`offset` (in the p dims only) as scalar arithmetic on the program id."""
        if not scalar_index:
            penv_s = _unflatten(b, pid, parallel, itype)
            scalar_index.append(_IndexEmitter(b, {P[i]: penv_s[dims(len(parallel))[i]] for i in range(len(parallel))}, itype))
        return scalar_index[0].emit(offset, where)

    def scalar_load(load: LoadOp) -> SSAValue:
        base = blk.args[inputs.index(load.buffer)]
        return b.add(gb.LoadOp(b.add(gb.AddPtrOp(base, scalar_offset(scalar_loads[load], load))).result)).result

    # the ops in order
    value: dict[SSAValue, SSAValue] = {}  # a kernel-local result -> its block (over k0) or scalar
    for op in ops:
        if on_block(op):
            ins: list[SSAValue] = []
            where: dict[SSAValue, int] = {}  # a block (or scalar) -> its map operand

            def operand(v: SSAValue) -> int:
                if v not in where:
                    where[v] = len(ins)
                    ins.append(v if isinstance(v.type, TensorType) else b.add(gb.SplatOp(v, [block])).result)
                return where[v]

            mapping_slots = {load.result: operand(value[load.buffer] if load.buffer in local else loaded[load_slot[load]]) for load in op.loads()}
            identity = None
            if isinstance(op, ReduceOp):
                identity = REDUCTIONS[op.kind.data].identity(numpy_dtype(op.yield_type()))
                operand(mask)
            body = Block(arg_types=[gb.ops.element_of(v.type) for v in ins])
            mapping = {res: body.args[i] for res, i in mapping_slots.items()}
            mb = _Builder(body)
            result = _clone_body(mb, op, mapping)
            if identity is not None:
                fill = mb.const(identity.item() if hasattr(identity, "item") else identity, result.type)
                result = mb.add(arith.SelectOp(body.args[where[mask]], result, fill)).result
            mb.add(gb.YieldOp(result))
            out = b.add(gb.MapOp(ins, [op.yield_type()], Region(body))).outputs[0]
            if isinstance(op, ReduceOp):
                out.name_hint = f"{op.result.name_hint or 'acc'}_row"
                out = b.add(gb.ReduceOp(op.kind.data, out, 0)).result
        else:
            mapping = {load.result: value[load.buffer] if load.buffer in local else scalar_load(load) for load in op.loads()}
            out = _clone_body(b, op, mapping)
        out.name_hint = op.result.name_hint
        value[op.result] = out

    # the yielded buffers
    out_ptr = dict(zip(outputs, blk.args[len(inputs):]))
    for v in row_outputs:
        ptrs = b.add(gb.AddPtrOp(b.add(gb.SplatOp(out_ptr[v], [block])).result, m.outputs[out_slot[v]])).result
        b.add(gb.StoreOp(ptrs, value[v], mask))
    for v in scalar_outputs:
        op = local[v]
        offset = sympy.expand(linear_offset(op.shape, dims(len(op.shape))).subs(kernel_syms(op), simultaneous=True))
        b.add(gb.StoreOp(b.add(gb.AddPtrOp(out_ptr[v], scalar_offset(offset, op))).result, value[v]))
    b.add(gb.ReturnOp())
    facts = [{"divisibility": IntegerAttr(16, i64)}] * len(blk.args)
    warps = max(4, min(16, block // 512))  # long rows: more threads, fewer registers each
    return gb.KernelOp(name, [a.type for a in blk.args], [str(rows)], warps, None, facts, Region(blk))


def _clone_body(b: _Builder, op: ComputeOp, mapping: dict[SSAValue, SSAValue]) -> SSAValue:
    """`op`'s body (loads already in `mapping`) appended to `b`; the yielded value."""
    for inner in op.body.block.ops:
        if isinstance(inner, LoadOp):
            continue
        if isinstance(inner, YieldOp):
            return mapping.get(inner.values[0], inner.values[0])
        b.add(inner.clone(value_mapper=mapping))
    raise AssertionError("a loops body ends in loops.yield")


# --- building a kernel -----------------------------------------------------------------


class _Builder:
    """Appends ops to a block."""

    def __init__(self, block: Block):
        self.block = block
        self.consts: dict[tuple, SSAValue] = {}

    def add(self, op: Operation) -> Operation:
        self.block.add_op(op)
        return op

    def const(self, value, t: Attribute) -> SSAValue:
        key = (repr(value), t)
        if key not in self.consts:
            attr = FloatAttr(float(value), t) if isinstance(t, AnyFloat) else IntegerAttr(int(value), t)
            self.consts[key] = self.add(arith.ConstantOp(attr)).result
        return self.consts[key]


class _Kernel:
    """The kernel of one compute op: a pointer argument per buffer it reads, then one
    for its result."""

    def __init__(self, op: ComputeOp, name: str, wide: bool):
        self.op, self.name = op, name
        self.itype = i64 if wide else i32
        self.inputs = op.inputs()
        types = [gb.PtrType(t.type.element_type) for t in (*self.inputs, op.result)]  # type: ignore[attr-defined]
        self.block = Block(arg_types=types)
        for arg, v in zip(self.block.args, (*self.inputs, op.result)):
            arg.name_hint = f"{v.name_hint or 'buf'}_ptr"
        self.out_ptr = self.block.args[-1]
        self.flat: sympy.Expr | None = None
        self.body = _Builder(self.block)

    def index(self, value: SSAValue, hint: str) -> SSAValue:
        """`value` (i32) in the kernel's index type."""
        value.name_hint = hint
        return self.widen(self.body, value)

    def widen(self, b: _Builder, value: SSAValue) -> SSAValue:
        return b.add(arith.ExtSIOp(value, i64)).result if self.itype == i64 and value.type != i64 else value

    def offsets(self, args, index):
        """One map from the index blocks `args` to what `index` gives (named values) and
        to each load's offset; the loads' pointer blocks; the values of the body's
        loops.index ops. `index(builder, elements)` gives the symbol environment."""
        shape = gb.ops.shape_of(args[0].type)
        blk = Block(arg_types=[gb.ops.element_of(a.type) for a in args])
        ib = _Builder(blk)
        env, named = index(ib, blk.args)
        emit = _IndexEmitter(ib, env, self.itype)
        if self.flat is not None:
            emit.memo[sympy.expand(self.flat)] = named[0][0]
        yielded = [v for v, _ in named]
        hints = [h for _, h in named]
        loads = [(ld, sympy.expand(linear_offset(buffer_shape(ld), ld.index_exprs))) for ld in self.op.loads()]
        load_slot = _load_slots(loads, emit, yielded, hints)
        index_slot: dict[IndexOp, int] = {}
        for idx in (o for o in self.op.body.walk() if isinstance(o, IndexOp)):
            value = emit.emit(idx.index_expr, idx)
            if value.type != i64:
                value = ib.add(arith.ExtSIOp(value, i64)).result
            index_slot[idx] = len(yielded)
            yielded.append(value)
            hints.append("index")
        ib.add(gb.YieldOp(*yielded))
        m = gb.MapOp(args, [v.type for v in yielded], Region(blk))
        self.body.add(m)
        for r, h in zip(m.outputs, hints):
            r.name_hint = h
        results = list(m.outputs)
        n_named = len(named)
        ptrs: dict[int, SSAValue] = {}
        self._load_ptr: dict[LoadOp, int] = {}
        pointer_of: list[SSAValue] = []
        for load, slot in load_slot.items():
            if slot not in ptrs:
                base = self.block.args[self.inputs.index(load.buffer)]
                splat = self.body.add(gb.SplatOp(base, shape)).result
                ptrs[slot] = self.body.add(gb.AddPtrOp(splat, results[slot])).result
                ptrs[slot].name_hint = f"{load.buffer.name_hint or 'buf'}_ptrs"
                pointer_of.append(ptrs[slot])
        self._slots = {load: list(ptrs).index(slot) for load, slot in load_slot.items()}
        self._indices = {idx: results[slot] for idx, slot in index_slot.items()}
        return results[:n_named], pointer_of, self._indices

    def load(self, ptrs: Sequence[SSAValue], mask: SSAValue) -> list[SSAValue]:
        values = []
        for p in ptrs:
            v = self.body.add(gb.LoadOp(p, mask, self.zero(p))).result
            v.name_hint = p.name_hint.removesuffix("_ptrs") if p.name_hint else None
            values.append(v)
        return values

    def zero(self, ptrs: SSAValue) -> SSAValue:
        return self.body.const(0, gb.pointee_type(ptrs.type).element_type)  # type: ignore[attr-defined]

    def compute(self, values: Sequence[SSAValue], indices: Mapping[IndexOp, SSAValue], extra: Sequence[SSAValue], identity=None) -> list[SSAValue]:
        """The op's body as a map over the loaded blocks (and index blocks); with a
        mask in `extra` and an `identity`, masked-off lanes give the identity."""
        index_list = list(indices.values())
        inputs = [*values, *index_list, *extra]
        if not inputs:
            raise Unsupported(self.op, f"reads nothing: not supported by the Triton path yet")
        blk = Block(arg_types=[gb.ops.element_of(v.type) for v in inputs])
        args = blk.args
        mapping: dict[SSAValue, SSAValue] = {}
        for load, slot in self._slots.items():
            mapping[load.result] = args[slot]
        for i, idx in enumerate(indices):
            mapping[idx.result] = args[len(values) + i]
        mb = _Builder(blk)
        for inner in self.op.body.block.ops:
            if isinstance(inner, LoadOp | IndexOp):
                continue
            if isinstance(inner, YieldOp):
                result = mapping.get(inner.values[0], inner.values[0])
                if identity is not None:
                    fill = mb.const(identity.item() if hasattr(identity, "item") else identity, result.type)
                    result = mb.add(arith.SelectOp(args[-1], result, fill)).result
                mb.add(gb.YieldOp(result))
                continue
            mb.add(inner.clone(value_mapper=mapping))
        m = self.body.add(gb.MapOp(inputs, [self.op.yield_type()], Region(blk)))
        m.outputs[0].name_hint = self.op.result.name_hint
        return list(m.outputs)

    def store(self, offs: SSAValue, value: SSAValue, mask: SSAValue | None) -> None:
        splat = self.body.add(gb.SplatOp(self.out_ptr, gb.ops.shape_of(offs.type))).result
        ptrs = self.body.add(gb.AddPtrOp(splat, offs)).result
        self.body.add(gb.StoreOp(ptrs, value, mask))

    def finish(self, grid: Sequence[str]) -> gb.KernelOp:
        self.body.add(gb.ReturnOp())
        facts = [{"divisibility": IntegerAttr(16, i64)}] * len(self.block.args)
        return gb.KernelOp(self.name, [a.type for a in self.block.args], grid, 4, None, facts, Region(self.block))


def _pow2(n: int) -> int:
    return 1 << max(n - 1, 0).bit_length()


def _unflatten(b: _Builder, flat: SSAValue, shape: Sequence[int], t: Attribute) -> dict[sympy.Symbol, SSAValue]:
    """The d-dims of a row-major `shape` at the linear index `flat`."""
    env: dict[sympy.Symbol, SSAValue] = {}
    stride = 1
    for i in reversed(range(len(shape))):
        d = dims(len(shape))[i]
        if shape[i] == 1:
            env[d] = b.const(0, t)
        else:
            v = flat if stride == 1 else b.add(arith.DivSIOp(flat, b.const(stride, t))).result
            env[d] = v if i == 0 else b.add(arith.RemSIOp(v, b.const(shape[i], t))).result
        stride *= shape[i]
    return env


class _IndexEmitter:
    """Index expressions (sympy) as arith on integers of one type. Division and
    remainder only of a dividend known to be >= 0 by a positive constant, where
    truncating (Triton's `//`, `%`) and flooring agree."""

    def __init__(self, b: _Builder, env: Mapping[sympy.Symbol, SSAValue], t: Attribute):
        self.b, self.env, self.t = b, env, t
        self.memo: dict[sympy.Expr, SSAValue] = {}

    def emit(self, e: sympy.Expr, where: Operation) -> SSAValue:
        self.where = where
        return self._emit(sympy.sympify(e))

    def _emit(self, e: sympy.Expr) -> SSAValue:
        if e not in self.memo:
            self.memo[e] = self._compute(e)
        return self.memo[e]

    def _compute(self, e: sympy.Expr) -> SSAValue:
        b, t = self.b, self.t
        if e.is_Integer:
            return b.const(int(e), t)
        if e.is_Symbol and e in self.env:
            return self.env[e]
        if isinstance(e, sympy.Add):
            terms = sorted(e.args, key=lambda x: x.is_Integer)
            acc = self._emit(terms[0])
            for term in terms[1:]:
                coeff, _ = term.as_coeff_Mul()
                if coeff.is_Integer and coeff < 0:
                    acc = b.add(arith.SubiOp(acc, self._emit(-term))).result
                else:
                    acc = b.add(arith.AddiOp(acc, self._emit(term))).result
            return acc
        if isinstance(e, sympy.Mul):
            acc = None
            for f in e.args:
                v = self._emit(f)
                acc = v if acc is None else b.add(arith.MuliOp(acc, v)).result
            return acc
        if isinstance(e, sympy.floor | sympy.Mod):
            num, den = sympy.fraction(sympy.together(e.args[0])) if isinstance(e, sympy.floor) else e.args
            if den.is_Integer and den > 0 and num.is_nonnegative:
                cls = arith.DivSIOp if isinstance(e, sympy.floor) else arith.RemSIOp
                return b.add(cls(self._emit(num), b.const(int(den), t))).result
        if isinstance(e, sympy.Max | sympy.Min):
            cls = arith.MaxSIOp if isinstance(e, sympy.Max) else arith.MinSIOp
            values = [self._emit(a) for a in e.args]
            acc = values[0]
            for v in values[1:]:
                acc = b.add(cls(acc, v)).result
            return acc
        raise Unsupported(
            _compute_of(self.where), f"the index '{format_index(e)}' is not supported by the Triton path yet"
        )


def _compute_of(op: Operation) -> Operation:
    parent = op.parent_op()
    return parent if isinstance(parent, ComputeOp) else op


def _load_slots(loads, emit: _IndexEmitter, yielded: list, hints: list[str]) -> dict[LoadOp, int]:
    """Each load's place among the map's results: one offset per distinct (buffer,
    offset), appended to `yielded` (and its name to `hints`), so a buffer read twice at
    one place is loaded once."""
    slot: dict[tuple, int] = {}
    load_slot: dict[LoadOp, int] = {}
    for load, offset in loads:
        key = (load.buffer, offset)
        if key not in slot:
            slot[key] = len(yielded)
            yielded.append(emit.emit(offset, load))
            hints.append(f"{load.buffer.name_hint or 'buf'}_offs")
        load_slot[load] = slot[key]
    return load_slot
