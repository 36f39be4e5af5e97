"""Layout changes through padded shared memory (convert.py), simulated on the CPU: the
staging's index mapping (every element written once, read back at the coordinates the
consumer's registers stand for) and its bank conflicts, for transposes and broadcasts."""

from __future__ import annotations

import itertools

import pytest

from stepwell.lowering.gpu_block_to_nvvm.convert import Staging, staging, value_coords
from stepwell.lowering.gpu_block_to_nvvm.layout import Layout

SHAPES = [(64, 64), (32, 64), (64, 32), (16, 128), (128, 8), (4, 4), (2, 8, 16)]
CASES = list(itertools.product(SHAPES, [32, 128, 256], [2, 4]))


def _transposed(shape, threads, widest, d):
    """The view reading a block of `shape` in strips along d (as access_view builds it)."""
    order = [i for i in range(len(shape)) if i != d] + [d]
    layout = Layout.of(tuple(shape[i] for i in order), threads, widest)
    return layout, tuple(order.index(i) for i in range(len(shape)))


def _identity(shape, threads, widest):
    layout = Layout.of(tuple(shape), threads, widest)
    return layout, tuple(range(len(shape)))


def _simulate(st: Staging, src, dst):
    """Every thread's registers written at their staged index, then read in `dst`."""
    memory: dict[int, tuple] = {}
    layout = src[0]
    for tid in range(layout.threads):
        for k in range(layout.per):
            c = value_coords(src, tid, k)
            i = st.index(c)
            assert 0 <= i * st.elem < st.nbytes
            assert memory.setdefault(i, c) == c, "two elements at one index"
    assert len(set(memory.values())) == len(memory) == _prod(st.shape)
    for tid in range(dst[0].threads):
        for k in range(dst[0].per):
            c = value_coords(dst, tid, k)
            assert memory[st.index(c)] == c


def _prod(xs):
    out = 1
    for x in xs:
        out *= x
    return out


@pytest.mark.parametrize(("shape", "threads", "widest"), CASES)
def test_a_transpose_through_shared_memory_reads_back_every_element(shape, threads, widest):
    dst = _identity(shape, threads, widest)
    for d in range(len(shape) - 1):
        src = _transposed(shape, threads, widest, d)
        _simulate(staging(src, dst, shape, widest), src, dst)


@pytest.mark.parametrize(("shape", "threads", "widest"), CASES)
def test_a_broadcast_read_sees_the_staged_element(shape, threads, widest):
    """A [n] vector read in the view of a [m, n] block (dims (1,)): each register gets
    the element of its column."""
    n = shape[-1]
    src = _identity((n,), threads, widest)
    big = Layout.of((max(1, 1024 // n), n), threads, widest)
    dst = (big, (1,))
    _simulate(staging(src, dst, (n,), widest), src, dst)


def test_padding_removes_the_bank_conflicts_of_a_transpose():
    """64x64 f32 over 128 threads: unpadded, the lane-by-lane side of a transpose
    falls 16 lanes to a bank; the chosen padding (one element a row) leaves at most 2
    on either side, a quarter of the unpadded wavefronts."""
    shape = (64, 64)
    src, dst = _transposed(shape, 128, 4, 0), _identity(shape, 128, 4)
    plain = Staging(shape, (0, 1), 0, 4)
    plain_waves = plain.wavefronts(src)[0] + plain.wavefronts(dst)[0]
    best = staging(src, dst, shape, 4)
    assert best.pad > 0
    (w_src, i_src), (w_dst, i_dst) = best.wavefronts(src), best.wavefronts(dst)
    assert w_src <= 2 * i_src and w_dst <= 2 * i_dst
    assert w_src + w_dst < plain_waves / 4
