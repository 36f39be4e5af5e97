"""The blocked layout of a block over the threads of a CTA, written once.

Every block of a kernel (power-of-two dims, row-major) is spread over the CTA's T
threads as strips of `vec` contiguous elements along the fastest dim: the flattened
block's element f belongs to thread `(f // vec) % active` as its register
`k = (f // (active * vec)) * vec + f % vec`, where `active = min(T, numel // vec)`
threads have distinct elements (threads `tid >= active` replicate thread
`tid % active`). Because every dim is a power of two, the bits of f split into three
fields: the low log2(vec) bits and the high bits are the register k, the middle ones
the thread id (lane bits, then warp bits). A coordinate of the block is a bit field
of f too, so which thread and register hold an element, which elements a reduction
along an axis combines in a thread, across lanes (shuffles) or across warps (shared
memory), are all static facts of the bits. In Triton's terms this is a BlockedLayout
with `order` fastest-dim-first, `sizePerThread` = vec along the last dim, threads and
then warps spread along the fastest dims first (`blocked()` gives them).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

WARP = 32
VECTOR_BYTES = 16  # the widest global access of one thread


def log2(n: int) -> int:
    assert n > 0 and n & (n - 1) == 0, n
    return n.bit_length() - 1


@dataclass(frozen=True)
class Layout:
    shape: tuple[int, ...]
    threads: int  # 32 * num_warps
    vec: int  # elements of a strip (a power of two dividing the last dim)

    @staticmethod
    def of(shape: tuple[int, ...], threads: int, widest_bytes: int = 4) -> Layout:
        """The layout of a block of `shape`: strips of up to 16 bytes of the widest
        element the kernel moves, never longer than a row nor than what gives every
        thread work."""
        numel = math.prod(shape)
        last = shape[-1] if shape else 1
        return Layout(tuple(shape), threads, max(1, min(VECTOR_BYTES // widest_bytes, last, numel // threads)))

    # --- sizes --------------------------------------------------------------------

    @cached_property
    def numel(self) -> int:
        return math.prod(self.shape)

    @cached_property
    def active(self) -> int:
        """Threads with distinct elements (a power of two)."""
        return min(self.threads, self.numel // self.vec)

    @cached_property
    def per(self) -> int:
        """Registers (elements) per thread."""
        return self.numel // self.active

    # --- bits of the flattened index ----------------------------------------------

    @cached_property
    def tid_shift(self) -> int:
        return log2(self.vec)

    @cached_property
    def rep_shift(self) -> int:
        return log2(self.vec * self.active)

    def dim_bits(self, d: int) -> range:
        """The bits of the flat index that hold coordinate d."""
        lo = log2(math.prod(self.shape[d + 1 :]))
        return range(lo, lo + log2(self.shape[d]))

    def flat_bit_of_tid(self, b: int) -> int:
        return self.tid_shift + b

    def flat_bit_of_reg(self, i: int) -> int:
        return i if i < self.tid_shift else i - self.tid_shift + self.rep_shift

    def reg_offset(self, k: int) -> int:
        """Element f of register k of thread 0 (thread t adds `t * vec`)."""
        rep, j = divmod(k, self.vec)
        return rep * self.active * self.vec + j

    # --- the mapping, for tests and static questions --------------------------------

    def flat(self, tid: int, k: int) -> int:
        return self.reg_offset(k) + (tid % self.active) * self.vec

    def owner(self, f: int) -> tuple[int, int]:
        """(thread, register) of element f (the lowest thread among replicas)."""
        rep, rest = divmod(f, self.active * self.vec)
        tid, j = divmod(rest, self.vec)
        return tid, rep * self.vec + j

    def coords(self, f: int) -> tuple[int, ...]:
        out = []
        for d in reversed(range(len(self.shape))):
            f, c = divmod(f, self.shape[d])
            out.append(c)
        return tuple(reversed(out))

    # --- a reduction along `axis` ---------------------------------------------------

    def axis_reg_bits(self, axis: int) -> list[int]:
        bits = self.dim_bits(axis)
        return [i for i in range(log2(self.per)) if self.flat_bit_of_reg(i) in bits]

    def axis_tid_bits(self, axis: int) -> list[int]:
        bits = self.dim_bits(axis)
        return [b for b in range(log2(self.active)) if self.flat_bit_of_tid(b) in bits]

    def kept(self, k: int, axis: int) -> int:
        """Register k with the axis' register bits cleared: the register of the
        partial result k's element contributes to."""
        for i in self.axis_reg_bits(axis):
            k &= ~(1 << i)
        return k

    def blocked(self) -> dict[str, list[int]]:
        """The same layout as Triton's BlockedLayout parameters (dims in order)."""
        n = len(self.shape)
        spt, tpw, wpc = [1] * n, [1] * n, [1] * n
        spt[-1] = self.vec
        lanes, warps = min(WARP, self.active), max(1, self.active // WARP)
        room = [self.shape[d] // spt[d] for d in range(n)]
        for d in reversed(range(n)):
            take = min(lanes, room[d])
            tpw[d], lanes, room[d] = take, lanes // take, room[d] // take
        tpw[0] *= lanes  # what is left replicates
        for d in reversed(range(n)):
            take = min(warps, room[d])
            wpc[d], warps, room[d] = take, warps // take, room[d] // take
        wpc[0] *= warps
        return {"sizePerThread": spt, "threadsPerWarp": tpw, "warpsPerCTA": wpc, "order": list(reversed(range(n)))}
