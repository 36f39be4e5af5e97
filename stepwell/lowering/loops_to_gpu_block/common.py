"""What the kernels of convert-loops-to-gpu_block share: the builder, the index
arithmetic, the per-op kernel frame (pointer arguments, index map, loads, body, store)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import sympy
from xdsl.dialects import arith
from xdsl.dialects.builtin import AnyFloat, ArrayAttr, DictionaryAttr, FloatAttr, IntegerAttr, StringAttr, i32, i64
from xdsl.ir import Attribute, Block, Operation, Region, SSAValue

from stepwell.dialects import gpu_block as gb
from stepwell.dialects.loops import ComputeOp, IndexOp, KernelOp, LoadOp, YieldOp
from stepwell.dialects.loops.access import buffer_shape, linear_offset
from stepwell.dialects.loops.gpu_tile import GpuTileAttr
from stepwell.dialects.loops.index import dims, format_index, sym

UNSUPPORTED = (
    "not supported by the Triton path yet (lone loops.pointwise ops, row reductions and "
    "fused row kernels over one contiguous reduced dim are)"
)
BLOCK = 1024  # elements per program instance of a pointwise kernel
MAX_ROW = 8192  # the longest row a persistent reduction keeps in registers


class Unsupported(Exception):
    """An op the Triton path cannot convert yet; `op` is where to report it."""

    def __init__(self, op: Operation, message: str):
        super().__init__(message)
        self.op = op


def check_body(op: ComputeOp) -> None:
    for inner in op.body.walk():
        if inner is op:
            continue
        if isinstance(inner, LoadOp) and inner.syms:
            raise Unsupported(op, "reads at an index computed at run time (a gather): not supported by the Triton path yet")
        if inner.dialect_name() not in ("arith", "math") and not isinstance(inner, LoadOp | IndexOp | YieldOp):
            raise Unsupported(op, f"'{inner.name}' in the body of '{op.name}' is not supported by the Triton path yet")



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
        loads = [(ld, sympy.expand(linear_offset(buffer_shape(ld), ld.index_exprs))) for ld in self.op.loads()]
        load_slot = load_slots(loads, emit, yielded, hints)
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
            raise Unsupported(self.op, "reads nothing: not supported by the Triton path yet")
        blk = Block(arg_types=[gb.ops.element_of(v.type) for v in inputs])
        args = blk.args
        mapping: dict[SSAValue, SSAValue] = {}
        for load, slot in self._slots.items():
            mapping[load.result] = args[slot]
        for i, idx in enumerate(indices):
            mapping[idx.result] = args[len(values) + i]
        mb = Builder(blk)
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

