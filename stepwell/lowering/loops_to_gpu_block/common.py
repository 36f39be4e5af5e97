"""What the kernels of convert-loops-to-gpu_block share: the builder, the index
arithmetic, the per-op kernel frame (pointer arguments, index map, loads, body, store)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import sympy
from xdsl.dialects import arith
from xdsl.dialects.builtin import (
    AnyFloat,
    ArrayAttr,
    DictionaryAttr,
    FloatAttr,
    IntegerAttr,
    StringAttr,
    TensorType,
    i32,
    i64,
)
from xdsl.ir import Attribute, Block, Operation, Region, SSAValue

from stepwell.dialects import gpu_block as gb
from stepwell.dialects.loops import ComputeOp, IndexOp, KernelOp, LoadOp, YieldOp
from stepwell.dialects.loops.access import buffer_shape, linear_offset
from stepwell.dialects.loops.gpu_tile import GpuTileAttr
from stepwell.dialects.loops.index import dims, format_index, sym

UNSUPPORTED = "not supported by the Triton path yet"
BLOCK = 1024  # elements per program instance of a pointwise kernel
MAX_ROW = 8192  # the longest row a persistent reduction keeps in registers


class Unsupported(Exception):
    """An op the Triton path cannot convert yet; `op` is where to report it."""

    def __init__(self, op: Operation, message: str):
        super().__init__(message)
        self.op = op


def check_body(op: ComputeOp, gathers: bool = True) -> None:
    """Refuse a body the kernels cannot hold; `gathers`: whether the kernel kind reads
    at indices computed at run time (`emit_body`)."""
    for inner in op.body.walk():
        if inner is op:
            continue
        if isinstance(inner, LoadOp) and inner.syms and not gathers:
            raise Unsupported(op, "reads at an index computed at run time (a gather) inside a fused loops.kernel: "
                                  "not supported by the Triton path yet")
        if inner.dialect_name() not in ("arith", "math") and not isinstance(inner, LoadOp | IndexOp | YieldOp):
            raise Unsupported(op, f"'{inner.name}' in the body of '{op.name}' is not supported by the Triton path yet")


@dataclass
class Gathers:
    """How a kernel reads at indices computed at run time (a `loops.load` with `syms`):
    `offset(load)` its linear offset (sympy) over s-symbols and the symbols of `env`
    (each a block, or a scalar, the kernel already holds); `read(b, load, offsets)`
    the values at those offsets (masked where the kernel's lanes are); `itype` the
    offsets' integer type."""

    offset: Callable[[LoadOp], sympy.Expr]
    env: Mapping[sympy.Symbol, SSAValue]
    read: Callable[[Builder, LoadOp, SSAValue], SSAValue]
    itype: Attribute


def emit_body(
    b: Builder,
    op: ComputeOp,
    values: Mapping[SSAValue, SSAValue],
    gathers: Gathers | None = None,
    extra: Sequence[SSAValue] = (),
    finish: Callable[[Builder, SSAValue, Sequence[SSAValue]], SSAValue] | None = None,
) -> SSAValue:
    """`op`'s body on blocks, appended to `b`; the block (or scalar) it yields.
    `values`: the block (or scalar) of each of the body's loads from memory and
    loops.index values. The scalar ops become `gpu_block.map`s, one per stretch between
    gathers (scalar code where every operand is a scalar); a gather's offset is the last
    result of the map before it, and its values come from `gathers.read`. The last map
    also takes the `extra` blocks, and `finish(builder, value, extra_args)` is its last
    step (masked-off lanes to an identity)."""
    values = dict(values)
    ops = [o for o in op.body.block.ops if not isinstance(o, IndexOp) and not (isinstance(o, LoadOp) and not o.syms)]
    stretch: list[Operation] = []
    for i, inner in enumerate(ops):
        if isinstance(inner, YieldOp):
            (value,) = _stretch(b, stretch, values, [inner.values[0]], extra=extra, finish=finish)
            return value
        if not isinstance(inner, LoadOp):
            stretch.append(inner)
            continue
        if gathers is None:
            raise Unsupported(op, "reads at an index computed at run time (a gather): not supported by this kernel yet")
        later = set(ops[i:])
        needed = [r for o in stretch for r in o.results if any(u.operation in later for u in r.uses)]
        *outs, offsets = _stretch(b, stretch, values, needed, gather=(inner, gathers))
        values.update(zip(needed, outs))
        values[inner.result] = gathers.read(b, inner, offsets)
        values[inner.result].name_hint = f"{inner.buffer.name_hint or 'buf'}_gathered"
        stretch = []
    raise AssertionError("a loops body ends in loops.yield")


def _stretch(b: Builder, ops: Sequence[Operation], values: dict[SSAValue, SSAValue], results: Sequence[SSAValue],
             extra: Sequence[SSAValue] = (), finish=None, gather: tuple[LoadOp, Gathers] | None = None) -> list[SSAValue]:
    """`ops` (scalar arith/math of a body) as one map (or scalar code) giving `results`,
    then the offsets of `gather`'s load."""
    defined = {r for o in ops for r in o.results}
    body_inputs = [v for o in ops for v in o.operands if v not in defined]
    body_inputs += [v for v in results if v not in defined]
    symbols: list[sympy.Symbol] = []
    if gather is not None:
        load, g = gather
        body_inputs += [v for v in load.syms if v not in defined]
        expr = g.offset(load)
        symbols = sorted((s for s in expr.free_symbols if s in g.env), key=str)
    body_inputs = list(dict.fromkeys(body_inputs))
    inputs = [values[v] for v in body_inputs] + [gather[1].env[s] for s in symbols] + list(extra)  # type: ignore[index]
    blocks = [v for v in inputs if isinstance(v.type, TensorType)]
    if blocks:
        shape = gb.ops.shape_of(blocks[0].type)
        inputs = [v if isinstance(v.type, TensorType) else b.add(gb.SplatOp(v, shape)).result for v in inputs]
        blk = Block(arg_types=[gb.ops.element_of(v.type) for v in inputs])
        mb, args = Builder(blk), list(blk.args)
    else:
        mb, args = b, inputs
    mapping = dict(zip(body_inputs, args))
    for o in ops:
        mb.add(o.clone(value_mapper=mapping))
    outs = [mapping[r] for r in results]
    if finish is not None:
        outs[-1] = finish(mb, outs[-1], args[len(args) - len(extra):])
    if gather is not None:
        load, g = gather
        env = dict(zip(symbols, args[len(body_inputs):]))
        for k, v in enumerate(mapping[s] for s in load.syms):
            env[sym(f"s{k}")] = v if g.itype == v.type else mb.add(arith.TruncIOp(v, g.itype)).result
        outs.append(IndexEmitter(mb, env, g.itype).emit(expr, load))
    if not blocks:
        return outs
    mb.add(gb.YieldOp(*outs))
    return list(b.add(gb.MapOp(inputs, [v.type for v in outs], Region(blk))).outputs)



def kernel_inputs(kernel: KernelOp) -> list[SSAValue]:
    """The buffers from outside `kernel` that its ops read, each once, in order of first use."""
    local = {op.result for op in kernel.compute_ops()}
    return list(dict.fromkeys(b for op in kernel.compute_ops() for b in op.inputs() if b not in local))


def clone_body(b: Builder, op: ComputeOp, mapping: dict[SSAValue, SSAValue]) -> SSAValue:
    """`op`'s body (loads already in `mapping`) appended to `b`; the yielded value."""
    for inner in op.body.block.ops:
        if isinstance(inner, LoadOp):
            continue
        if isinstance(inner, YieldOp):
            return mapping.get(inner.values[0], inner.values[0])
        b.add(inner.clone(value_mapper=mapping))
    raise AssertionError("a loops body ends in loops.yield")


def tiling(op: Operation, *decide: Callable[[Operation], GpuTileAttr | None]) -> GpuTileAttr | None:
    """The `tile` attribute `op` carries (loops-tile's or a user's choice), else the
    first decision of `decide` (the kernel modules' `tile` functions): what loops-tile
    would have written."""
    attr = op.attributes.get("tile")
    if isinstance(attr, GpuTileAttr):
        return attr
    for d in decide:
        if (t := d(op)) is not None:
            return t
    return None


# --- building a kernel -----------------------------------------------------------------

SIZE = "stepwell.size"  # marks the constants that are problem sizes until `finish_sizes`


def size_symbol(n: int) -> sympy.Symbol:
    """A problem size `n` in a grid expression: the literal n, or the kernel argument
    that holds it (`finish_sizes`)."""
    return sympy.Symbol(f"size{n}", integer=True, nonnegative=True)


def cdiv(n: int, block: int) -> sympy.Expr:
    """The number of blocks of `block` over the problem size `n`, as a grid expression."""
    return sympy.floor((size_symbol(n) + block - 1) / block)


class Builder:
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

    def size(self, value: int, t: Attribute) -> SSAValue:
        """A problem size (an extent, a stride, an element count): the one place sizes
        become values of a kernel. A constant marked as a size, which `finish_sizes`
        keeps as a literal or turns into an integer kernel argument."""
        key = ("size", int(value), t)
        if key not in self.consts:
            c = self.add(arith.ConstantOp(IntegerAttr(int(value), t)))
            c.attributes[SIZE] = IntegerAttr(int(value), t)
            self.consts[key] = c.result
        return self.consts[key]


SIZES = ("literal", "args")


def finish_sizes(kernel: gb.KernelOp, outputs: int, mode: str) -> list[tuple[int, Attribute]]:
    """Where `kernel`'s problem sizes come from. `literal`: the constants `Builder.size`
    made stay literals (so Triton can prove alignment and vectorize). `args`: each
    distinct (value, type) becomes an integer argument after the kernel's inputs
    (before its `outputs` result pointers), and a grid given over sizes (the
    `SIZE` attribute `OpKernel.finish` leaves) an expression over them. The added
    arguments' (value, type), in order: what the launch passes."""
    block = kernel.body.block
    marked = [op for op in kernel.body.walk() if isinstance(op, arith.ConstantOp) and SIZE in op.attributes]
    grid = kernel.attributes.pop(SIZE, None)
    added: list[tuple[int, Attribute]] = []
    if mode == "literal":
        for op in marked:
            del op.attributes[SIZE]
        return added
    grid_exprs = [sympy.sympify(g.data) for g in grid.data] if isinstance(grid, ArrayAttr) else []
    in_grid = sorted({int(s.name[4:]) for g in grid_exprs for s in g.free_symbols})
    args: dict[tuple[int, Attribute], SSAValue] = {}
    for key in [*((v, i32) for v in in_grid), *((op.value.value.data, op.result.type) for op in marked)]:  # type: ignore[attr-defined]
        if key not in args:
            args[key] = block.insert_arg(key[1], len(block.args) - outputs)
            args[key].name_hint = f"n{key[0]}" if key[1] == i32 else f"n{key[0]}_wide"
            added.append(key)
    for op in marked:
        op.result.replace_all_uses_with(args[(op.value.value.data, op.result.type)])  # type: ignore[attr-defined]
        op.detach()
        op.erase()
    first = len(block.args) - outputs - len(added)
    facts = [kernel.facts(i) for i in range(first)] + [{}] * len(added)
    facts += [{"divisibility": IntegerAttr(16, i64)}] * outputs
    kernel.arg_attrs = ArrayAttr([DictionaryAttr(f) for f in facts])
    if grid_exprs:
        env = {sympy.Symbol(f"size{v}"): sym(f"s{first + added.index((v, i32))}") for v in in_grid}
        kernel.grid = ArrayAttr([StringAttr(format_index(g.subs(env))) for g in grid_exprs])
    return added


class OpKernel:
    """The kernel of one compute op: a pointer argument per buffer it reads, then one
    for its result."""

    def __init__(self, op: ComputeOp, name: str, wide: bool, outputs: Sequence[SSAValue] | None = None):
        """`outputs`: the buffers the kernel writes (by default the op's result)."""
        self.op, self.name = op, name
        self.itype = i64 if wide else i32
        self.inputs = op.inputs()
        outputs = [op.result] if outputs is None else list(outputs)
        types = [gb.PtrType(t.type.element_type) for t in (*self.inputs, *outputs)]  # type: ignore[attr-defined]
        self.block = Block(arg_types=types)
        for arg, v in zip(self.block.args, (*self.inputs, *outputs)):
            arg.name_hint = f"{v.name_hint or 'buf'}_ptr"
        self.out_ptrs = list(self.block.args[len(self.inputs):])
        self.out_ptr = self.out_ptrs[0]
        self.flat: sympy.Expr | None = None
        self.body = Builder(self.block)

    def index(self, value: SSAValue, hint: str) -> SSAValue:
        """`value` (i32) in the kernel's index type."""
        value.name_hint = hint
        return self.widen(self.body, value)

    def widen(self, b: Builder, value: SSAValue) -> SSAValue:
        return b.add(arith.ExtSIOp(value, i64)).result if self.itype == i64 and value.type != i64 else value

    def offsets(self, args, index):
        """One map from the index blocks `args` to what `index` gives (named values) and
        to each load's offset; the loads' pointer blocks; the values of the body's
        loops.index ops. `index(builder, elements)` gives the symbol environment."""
        shape = gb.ops.shape_of(args[0].type)
        blk = Block(arg_types=[gb.ops.element_of(a.type) for a in args])
        ib = Builder(blk)
        env, named = index(ib, blk.args)
        emit = IndexEmitter(ib, env, self.itype)
        if self.flat is not None:
            emit.memo[sympy.expand(self.flat)] = named[0][0]
        yielded = [v for v, _ in named]
        hints = [h for _, h in named]
        loads = [(ld, self.gather_offset(ld)) for ld in self.op.loads() if not ld.syms]
        load_slot = load_slots(loads, emit, yielded, hints)
        gathered = {s for ld in self.op.loads() if ld.syms for s in self.gather_offset(ld).free_symbols}
        env_slot: dict[sympy.Symbol, int] = {}
        for s in sorted(gathered.intersection(env), key=str):  # what a gather's offset needs besides its syms
            env_slot[s] = len(yielded)
            yielded.append(env[s])
            hints.append(str(s))
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
        self._gather_env = {s: results[slot] for s, slot in env_slot.items()}
        return results[:n_named], pointer_of, self._indices

    @staticmethod
    def gather_offset(load: LoadOp) -> sympy.Expr:
        return sympy.expand(linear_offset(buffer_shape(load), load.index_exprs))

    def gather(self, b: Builder, load: LoadOp, offsets: SSAValue) -> SSAValue:
        """The values of `load` (a gather) at `offsets`, masked as the kernel's loads."""
        base = self.block.args[self.inputs.index(load.buffer)]
        ptrs = b.add(gb.AddPtrOp(b.add(gb.SplatOp(base, gb.ops.shape_of(offsets.type))).result, offsets)).result
        ptrs.name_hint = f"{load.buffer.name_hint or 'buf'}_ptrs"
        return b.add(gb.LoadOp(ptrs, self._mask, self.zero(ptrs))).result

    def load(self, ptrs: Sequence[SSAValue], mask: SSAValue) -> list[SSAValue]:
        self._mask = mask  # (a gather's loads too)
        values = []
        for p in ptrs:
            v = self.body.add(gb.LoadOp(p, mask, self.zero(p))).result
            v.name_hint = p.name_hint.removesuffix("_ptrs") if p.name_hint else None
            values.append(v)
        return values

    def zero(self, ptrs: SSAValue) -> SSAValue:
        return self.body.const(0, gb.pointee_type(ptrs.type).element_type)  # type: ignore[attr-defined]

    def compute(self, values: Sequence[SSAValue], indices: Mapping[IndexOp, SSAValue], extra: Sequence[SSAValue], identity=None) -> list[SSAValue]:
        """The op's body over the loaded blocks (and index blocks; `emit_body`); with a
        mask last in `extra` and an `identity`, masked-off lanes give the identity."""
        known = {load.result: values[slot] for load, slot in self._slots.items()}
        known.update({idx.result: v for idx, v in indices.items()})

        def fill(mb: Builder, result: SSAValue, args: Sequence[SSAValue]) -> SSAValue:
            value = mb.const(identity.item() if hasattr(identity, "item") else identity, result.type)
            return mb.add(arith.SelectOp(args[-1], result, value)).result

        gathers = Gathers(self.gather_offset, self._gather_env, self.gather, self.itype)
        value = emit_body(self.body, self.op, known, gathers, extra, None if identity is None else fill)
        if not isinstance(value.type, TensorType):
            raise Unsupported(self.op, "reads nothing: not supported by the Triton path yet")
        value.name_hint = self.op.result.name_hint
        return [value]

    def store(self, offs: SSAValue, value: SSAValue, mask: SSAValue | None, out: int = 0) -> None:
        splat = self.body.add(gb.SplatOp(self.out_ptrs[out], gb.ops.shape_of(offs.type))).result
        ptrs = self.body.add(gb.AddPtrOp(splat, offs)).result
        self.body.add(gb.StoreOp(ptrs, value, mask))

    def finish(self, grid: Sequence[sympy.Expr], warps: int = 4) -> gb.KernelOp:
        """The kernel; `grid` over `size_symbol`s (literal here, kernel arguments after
        `finish_sizes` with sizes=args)."""
        self.body.add(gb.ReturnOp())
        facts = [{"divisibility": IntegerAttr(16, i64)}] * len(self.block.args)
        literal = [sympy.sympify(g).subs({s: int(s.name[4:]) for s in sympy.sympify(g).free_symbols}) for g in grid]
        kernel = gb.KernelOp(self.name, [a.type for a in self.block.args], literal, warps, None, facts, Region(self.block))
        kernel.attributes[SIZE] = ArrayAttr([StringAttr(str(g)) for g in grid])
        return kernel


def pow2(n: int) -> int:
    return 1 << max(n - 1, 0).bit_length()


def unflatten(b: Builder, flat: SSAValue, shape: Sequence[int], t: Attribute) -> dict[sympy.Symbol, SSAValue]:
    """The d-dims of a row-major `shape` at the linear index `flat`."""
    env: dict[sympy.Symbol, SSAValue] = {}
    stride = 1
    for i in reversed(range(len(shape))):
        d = dims(len(shape))[i]
        if shape[i] == 1:
            env[d] = b.const(0, t)
        else:
            v = flat if stride == 1 else b.add(arith.DivSIOp(flat, b.size(stride, t))).result
            env[d] = v if i == 0 else b.add(arith.RemSIOp(v, b.size(shape[i], t))).result
        stride *= shape[i]
    return env


class IndexEmitter:
    """Index expressions (sympy) as arith on integers of one type. Division and
    remainder only of a dividend known to be >= 0 by a positive constant, where
    truncating (Triton's `//`, `%`) and flooring agree."""

    def __init__(self, b: Builder, env: Mapping[sympy.Symbol, SSAValue], t: Attribute):
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
            return b.size(int(e), t) if int(e) > 1 else b.const(int(e), t)
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
                return b.add(cls(self._emit(num), self._emit(den))).result
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


def load_slots(loads, emit: IndexEmitter, yielded: list, hints: list[str]) -> dict[LoadOp, int]:
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



class TileBuilder:
    """What the tiled kernels (dot, attention) share: the kernel's block of pointer
    arguments (one per value of `args`) and the builder `b` appending to it, the index
    type (`wide`: i64 offsets, else i32), the batch dims (`batch` their sizes, `bsyms`
    their symbols, `bat` the program's flat batch point, which the kernel sets) and
    blocks of indices over 2-D (or 3-D) tiles."""

    def __init__(self, args: Sequence[SSAValue], batch: Sequence[int], bsyms: Sequence[sympy.Symbol], wide: bool):
        self.batch, self.bsyms, self.wide = batch, list(bsyms), wide
        self.itype = i64 if wide else i32
        self.block = Block(arg_types=[gb.PtrType(v.type.element_type) for v in args])  # type: ignore[attr-defined]
        for a, v in zip(self.block.args, args):
            a.name_hint = f"{v.name_hint or 'buf'}_ptr"
        self.b = Builder(self.block)
        self.bat: SSAValue | None = None
        self.lanes: dict[tuple, SSAValue] = {}

    def op(self, op: Operation, hint: str | None = None) -> SSAValue:
        """Append `op`; its (first) result, named `hint` when given."""
        r = self.b.add(op).results[0]
        if hint:
            r.name_hint = hint
        return r

    def scalar(self, v: SSAValue, hint: str | None = None) -> SSAValue:
        """An i32 scalar in the index type."""
        if self.wide and v.type != i64:
            v = self.op(arith.ExtSIOp(v, i64))
        if hint:
            v.name_hint = hint
        return v

    def lane_block(self, size: int, axis: int, shape: Sequence[int]) -> SSAValue:
        """arange(size) along `axis` of a block of `shape` (made once per block)."""
        key = (size, axis, tuple(shape))
        if key not in self.lanes:
            v = self.op(gb.ArangeOp(0, size))
            if len(shape) > 1:
                for ax in range(len(shape)):
                    if ax != axis:
                        v = self.op(gb.ExpandDimsOp(v, ax))
                v = self.op(gb.BroadcastOp(v, shape))
            self.lanes[key] = v
        return self.lanes[key]

    def fill(self, shape: Sequence[int], value, t: Attribute, hint: str) -> SSAValue:
        """A block of `shape` holding `value` of type `t`."""
        like = self.lane_block(shape[-1], len(shape) - 1, shape)
        body = Block(arg_types=[gb.ops.element_of(like.type)])
        body.add_op(gb.YieldOp(Builder(body).const(value, t)))
        return self.op(gb.MapOp([like], [t], Region(body)), hint)

    def index_map(
        self,
        shape: Sequence[int],
        axes: Mapping[sympy.Symbol, tuple[SSAValue, int]],
        exprs: Sequence[tuple[sympy.Expr, str, Operation]],
        masks: Sequence[tuple[sympy.Symbol, int]],
        wrap: Mapping[sympy.Symbol, int | None] | None = None,
    ) -> list[SSAValue]:
        """One map over a block of `shape`: each axis symbol is start + lane (start a
        scalar, the lane along its block axis; `% wrap[sym]` where given), the batch
        dims come from the program's batch point `bat`. It yields each (expr, name,
        where) of `exprs` (a loops.index's value as i64), then the `and` of
        `sym < limit` (before any wrap) over `masks`, named "mask"."""
        wrap = wrap or {}
        inputs: list[SSAValue] = []
        for start, axis in axes.values():
            inputs += [self.op(gb.SplatOp(start, shape)), self.lane_block(shape[axis], axis, shape)]
        with_batch = bool(self.batch) and any(e.free_symbols & set(self.bsyms) for e, _, _ in exprs)
        if with_batch:
            inputs.append(self.op(gb.SplatOp(self.bat, shape)))
        blk = Block(arg_types=[gb.ops.element_of(v.type) for v in inputs])
        ib = Builder(blk)
        env: dict[sympy.Symbol, SSAValue] = {}
        unwrapped: dict[sympy.Symbol, SSAValue] = {}
        for i, s in enumerate(axes):
            lane = blk.args[2 * i + 1]
            if self.wide:
                lane = ib.add(arith.ExtSIOp(lane, i64)).result
            unwrapped[s] = ib.add(arith.AddiOp(blk.args[2 * i], lane)).result
            env[s] = ib.add(arith.RemSIOp(unwrapped[s], ib.const(wrap[s], self.itype))).result if wrap.get(s) else unwrapped[s]
        if with_batch:
            benv = unflatten(ib, blk.args[-1], self.batch, self.itype)
            env.update({s: benv[d] for s, d in zip(self.bsyms, dims(len(self.batch)))})
        emit = IndexEmitter(ib, env, self.itype)
        yielded, hints = [], []
        for e, hint, where in exprs:
            v = emit.emit(e, where)
            if isinstance(where, IndexOp) and v.type != i64:  # loops.index gives i64
                v = ib.add(arith.ExtSIOp(v, i64)).result
            yielded.append(v)
            hints.append(hint)
        mask = None
        for s, limit in masks:
            cmp = ib.add(arith.CmpiOp(unwrapped[s], ib.const(limit, self.itype), "slt")).result
            mask = cmp if mask is None else ib.add(arith.AndIOp(mask, cmp)).result
        if mask is not None:
            yielded.append(mask)
            hints.append("mask")
        ib.add(gb.YieldOp(*yielded))
        m = self.b.add(gb.MapOp(inputs, [v.type for v in yielded], Region(blk)))
        for r, h in zip(m.outputs, hints):
            r.name_hint = h
        return list(m.outputs)
