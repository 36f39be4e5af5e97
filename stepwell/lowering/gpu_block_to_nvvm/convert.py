"""Where a block load reads, and layout changes through padded shared memory.

The access analysis: a block load reads in the view whose fastest (strip) dim is the
one its offsets are contiguous along (the facts of values.py, asked in each candidate
view), so that its strips are coalesced vector loads even when that is not the last
dim of the block (a transpose's operand, a column read). Its registers (`Regs`, in
that view) are the load's value: a consumer in another view gets them through shared
memory (`convert`), never by reading global memory again.

A change of view stages the block in shared memory as a row-major array over the
value's dims in some `order`, each row of the fastest one followed by `pad` unused
elements so that the lanes of a warp that walk the other dims fall in different
banks. The order (the source's or the destination's) and the padding are chosen by
counting, for every warp's access on both sides, the shared memory wavefronts it
costs (`Staging.wavefronts`: the most distinct 4-byte words one bank serves), then the
instructions (a side whose strips lie contiguous and aligned in shared memory moves
16 bytes a lane), then the bytes. Write, barrier, read, barrier (the buffer is reused).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property, lru_cache

from xdsl.dialects import llvm
from xdsl.dialects.builtin import TensorType, i32
from xdsl.ir import SSAValue

from stepwell.dialects import gpu_block as gb
from stepwell.dialects.gpu_block.types import shape_of
from stepwell.lowering.gpu_block_to_nvvm.layout import WARP
from stepwell.lowering.gpu_block_to_nvvm.values import Regs, View, lowbit

BANKS = 32
PADS = (0, 1, 2, 4, 8)  # candidate paddings, in elements


# --- the access analysis --------------------------------------------------------------


def transposed(k, shape: tuple[int, ...], d: int) -> View:
    """The view of a block of `shape` whose fastest dim is d (the others in order)."""
    order = [i for i in range(len(shape)) if i != d] + [d]
    return k.layout([shape[i] for i in order]), tuple(order.index(i) for i in range(len(shape)))


def access_view(k, op: gb.LoadOp) -> View:
    """The view `op` reads in: the identity unless its offsets are contiguous along
    another dim, which is then made the fastest."""
    ident = k.ident(op.result)
    offsets = op.ptr.owner.offsets
    if k.fact(offsets, ident).stride == 1:
        return ident
    shape = shape_of(op.result.type)
    for d in reversed(range(len(shape) - 1)):
        if shape[d] == 1:
            continue
        view = transposed(k, shape, d)
        if k.fact(offsets, view).stride == 1:
            return view
    return ident


def load(k, op: gb.LoadOp) -> Regs:
    """A block load read once, in its access view."""
    view = access_view(k, op)
    return Regs.of(view, k._load(op, view))


def carried_view(k, yielded: SSAValue, default: View) -> View:
    """The view a loop carries a block in: that of the load the yielded value is
    computed from (maps of it, elementwise), so that the loop body changes no layout;
    the change, if any, happens once after the loop (or never: `reduce_view`)."""
    return _source_view(k, _elementwise(yielded), default)


def reduce_view(k, op: gb.ReduceOp) -> View:
    """The view a reduction combines its source in: the one the source is held in (a
    loop's accumulator carried in a load's access view, a column read), so that no
    layout changes before it, when nothing but the reduction reads the blocks it is
    computed from (else they change to the identity anyway, and the reduction with
    them); else the identity."""
    ident = k.ident(op.source)
    path = _elementwise(op.source)
    view = _source_view(k, path, ident)
    if view == ident or _order(view) is None:
        return ident
    for v in path:
        for use in v.uses:
            if use.operation is not op and not (
                isinstance(use.operation, gb.MapOp) and any(o in path for o in use.operation.outputs)
            ):
                return ident
    return view


def _elementwise(v: SSAValue) -> list[SSAValue]:
    """`v` and the blocks of its shape it is computed from elementwise (through maps),
    depth first, inputs in order."""
    shape = shape_of(v.type)
    seen, todo = [], [v]
    while todo:
        u = todo.pop()
        if u in seen or not isinstance(u.type, TensorType) or shape_of(u.type) != shape:
            continue
        seen.append(u)
        if isinstance(u.owner, gb.MapOp):
            todo.extend(reversed(u.owner.inputs))
    return seen


def _source_view(k, path: list[SSAValue], default: View) -> View:
    """The view of the first block of `path` held in registers or loaded."""
    for v in path:
        if isinstance(held := k.env.get(v), Regs):
            return held.view
        if isinstance(v.owner, gb.LoadOp):
            return access_view(k, v.owner)
    return default


# --- staging in shared memory ---------------------------------------------------------


@dataclass(frozen=True)
class Staging:
    shape: tuple[int, ...]  # the value's
    order: tuple[int, ...]  # value dims, slowest first
    pad: int  # unused elements after each row of order[-1]
    elem: int  # bytes

    @cached_property
    def strides(self) -> dict[int, int]:
        out, s = {}, 1
        for i, d in enumerate(reversed(self.order)):
            out[d] = s
            s *= self.shape[d] + (self.pad if i == 0 else 0)
        return out

    @property
    def nbytes(self) -> int:
        last = self.order[-1]
        rows = math.prod(self.shape) // self.shape[last]
        return (rows * (self.shape[last] + self.pad) - self.pad) * self.elem

    def index(self, coords: tuple[int, ...]) -> int:
        return sum(c * self.strides[d] for d, c in enumerate(coords))

    def vector(self, view: View) -> int:
        """The bytes of a strip of `view` (its alignment in the buffer) if its strips
        lie contiguous and aligned there (the buffer's fastest dim is the view's, rows
        padded by whole strips), else 0: lane by lane."""
        layout, dims = view
        fastest = len(layout.shape) - 1
        if layout.vec == 1 or fastest not in dims or dims.index(fastest) != self.order[-1]:
            return 0
        align = layout.vec * self.elem
        for d in self.order[:-1]:
            if self.shape[d] > 1 and (self.strides[d] * self.elem) % align:
                return 0
        return align

    def wavefronts(self, view: View) -> tuple[int, int]:
        """(wavefronts, instructions) of every warp's accesses to the buffer in `view`."""
        layout = view[0]
        group = layout.vec if self.vector(view) else 1
        waves = instrs = 0
        for warp in range(layout.threads // WARP):
            for s in range(0, layout.per, group):
                words: dict[int, set[int]] = {}
                for lane in range(WARP):
                    tid = warp * WARP + lane
                    for kk in range(s, s + group):
                        byte = self.index(value_coords(view, tid, kk)) * self.elem
                        for w in range(byte // 4, (byte + self.elem - 1) // 4 + 1):
                            words.setdefault(w % BANKS, set()).add(w)
                waves += max(len(ws) for ws in words.values())
                instrs += 1
        return waves, instrs


def value_coords(view: View, tid: int, kk: int) -> tuple[int, ...]:
    """The value's coordinates of register kk of thread tid in `view`."""
    layout, dims = view
    lc = layout.coords(layout.flat(tid, kk))
    return tuple(0 if d is None else lc[d] for d in dims)


def _order(view: View) -> tuple[int, ...] | None:
    """The value dims from the view's slowest to its fastest (None: not a permutation)."""
    layout, dims = view
    if sorted(d for d in dims if d is not None) != list(range(len(layout.shape))):
        return None
    return tuple(dims.index(j) for j in range(len(layout.shape)))


@lru_cache(maxsize=256)
def staging(src: View, dst: View, shape: tuple[int, ...], elem: int) -> Staging:
    """The cheapest staging of a block written in `src` and read in `dst`."""
    orders = {o for o in (_order(src), _order(dst)) if o is not None}
    best, best_cost = None, None
    for order in sorted(orders):
        for pad in PADS if len(shape) > 1 and shape[order[-1]] > 1 else (0,):
            st = Staging(tuple(shape), order, pad, elem)
            (w1, i1), (w2, i2) = st.wavefronts(src), st.wavefronts(dst)
            cost = (w1 + w2, i1 + i2, st.nbytes)
            if best_cost is None or cost < best_cost:
                best, best_cost = st, cost
    assert best is not None
    return best


def convert(k, held: Regs, view: View) -> list[SSAValue]:
    """The block `held` in `view`, through padded shared memory."""
    b = k.b
    src = held.view
    elem_t = held.regs[0].type
    size = _bytes(elem_t)
    shape = tuple(src[0].shape[d] for d in src[1])
    st = staging(src, view, shape, size)
    k.use_shared(st.nbytes)

    def index(v: View, kk: int) -> SSAValue:
        layout, dims = v
        total = None
        for d, ld in enumerate(dims):
            if ld is None or shape[d] == 1:
                continue
            c = k.coord(layout, ld)[kk]
            term = b.mul(c, b.const(i32, st.strides[d])) if st.strides[d] != 1 else c
            total = term if total is None else b.add(total, term)
        return total if total is not None else b.const(i32, 0)

    def align(v: View, kk: int) -> int:
        a = st.vector(v)
        j = kk % v[0].vec
        if not a:
            return size
        return a if j == 0 else min(a, lowbit(j * size))

    for kk, r in enumerate(held.regs):
        b.op(llvm.StoreOp(r, k.shared(index(src, kk), elem_t), alignment=align(src, kk)))
    k.barrier()
    out = [b.op(llvm.LoadOp(k.shared(index(view, kk), elem_t), elem_t, alignment=align(view, kk))) for kk in range(view[0].per)]
    k.barrier()
    return out


def _bytes(t) -> int:
    width = getattr(t, "bitwidth", None) or t.width.data
    return max(1, width // 8)
