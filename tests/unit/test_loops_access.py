"""The access analysis of the loops dialect (stepwell/dialects/loops/access.py) on
hand-written loads: plain, transposed, broadcast, flattened reshapes (the `d0` forms
loops-simplify-index leaves), floordiv/mod, clamps, gathers, and the 32-bit limit."""

from __future__ import annotations

import pytest

from stepwell.dialects.loops import ReduceOp
from stepwell.dialects.loops.access import analyze, linear_offset, load_access, output_access
from stepwell.dialects.loops.index import dims, parse_index, sym
from stepwell.ir import parse_module
from stepwell.registry import make_context

d0, d1, d2 = dims(3)
r0 = sym("r0")


def access(shape, indices: str, space):
    return analyze(shape, [parse_index(e) for e in indices.split(";")], space)


def test_row_major_load():
    a = access((6, 10), "d0; d1", [(d0, 6), (d1, 10)])
    assert a.strides == {d0: 10, d1: 1}
    assert a.contiguous == d1 and a.broadcast == () and a.is_affine and a.fits_i32


def test_transposed_load_is_contiguous_along_the_outer_dim():
    a = access((10, 6), "d1; d0", [(d0, 6), (d1, 10)])
    assert a.strides == {d0: 1, d1: 6}
    assert a.contiguous == d0


def test_broadcast_dims_have_stride_zero():
    a = access((10,), "d1", [(d0, 6), (d1, 10)])
    assert a.broadcast == (d0,) and a.contiguous == d1
    size_one = access((1, 10), "0; d1", [(d0, 6), (d1, 10)])
    assert size_one.broadcast == (d0,)


def test_reduction_symbols_count_like_any_other():
    a = access((6, 10), "r0; d0", [(d0, 10), (r0, 6)])
    assert a.strides == {d0: 1, r0: 10} and a.contiguous == d0


def test_flattened_reshape_is_contiguous():
    """A [60] space reading a 6x10 buffer through floordiv/mod is one flat walk."""
    a = access((6, 10), "d0 floordiv 10; d0 mod 10", [(d0, 60)])
    assert a.strides == {d0: 1} and a.contiguous == d0
    assert a.offset == d0


def test_split_reshape_is_affine():
    """A 6x10 space reading a flat [60] buffer."""
    a = access((60,), "d0 * 10 + d1", [(d0, 6), (d1, 10)])
    assert a.strides == {d0: 10, d1: 1}


def test_floordiv_alone_has_no_stride():
    a = access((3, 10), "d0 floordiv 2; d1", [(d0, 6), (d1, 10)])
    assert a.strides == {d0: None, d1: 1}
    assert not a.is_affine and a.contiguous == d1 and a.fits_i32


def test_clamped_index_has_no_stride():
    a = access((10,), "max(0, min(d0 - 1, 9))", [(d0, 12)])
    assert a.strides == {d0: None} and a.contiguous is None


def test_gather_symbol_leaves_the_other_dims_affine():
    a = access((5, 7), "s0; d1", [(d0, 3), (d1, 7)])
    assert a.strides == {d0: 0, d1: 1}


def test_32_bit_limit():
    big = 2**31
    assert not access((big,), "d0", [(d0, big)]).fits_i32
    assert access((2**30,), "d0", [(d0, 2**30)]).fits_i32
    # in bounds, but the product before the floordiv passes 2**31
    assert not access((2**30,), "(d0 * 3) floordiv 4", [(d0, 2**30)]).fits_i32
    assert access((2**28,), "(d0 * 3) floordiv 4", [(d0, 2**28)]).fits_i32
    # a value read at run time may be anything
    assert not access((5,), "s0", [(d0, 3)]).fits_i32


def test_affine_bound_over_the_space():
    # each term small, the offset across the space not: 3 * 2**30 + ...
    a = access((4, 2**30 // 4 * 4), "d0; d1", [(d0, 4), (d1, 2**30)])
    assert not a.fits_i32


def test_linear_offset():
    assert linear_offset((2, 3, 4), dims(3)) == 12 * d0 + 4 * d1 + d2


def test_loads_and_outputs_of_parsed_ops():
    module, _ = parse_module(
        make_context(),
        """
        func.func @f(%x: tensor<4x8xf32>) -> tensor<8xf32> {
          %y = loops.reduce sum over [4] : tensor<8xf32> {
            %a = loops.load %x[r0, d0] : tensor<4x8xf32>
            loops.yield %a : f32
          }
          func.return %y : tensor<8xf32>
        }
        """
    )
    (op,) = [o for o in module.walk() if isinstance(o, ReduceOp)]
    (load,) = op.loads()
    a = load_access(load)
    assert a.strides == {d0: 1, r0: 8} and a.contiguous == d0
    out = output_access(op)
    assert out.strides == {d0: 1, r0: 0} and out.broadcast == (r0,)


@pytest.mark.parametrize("n", [1, 5])
def test_unit_dims_read_at_zero_are_broadcast(n):
    a = access((1, n), "0; d1", [(d0, 3), (d1, n)])
    assert a.stride(d0) == 0 and a.stride(d1) == 1


def test_contraction_sides_in_either_order():
    """The M x K side is `x` whichever operand of the product it is; a prologue (here
    a cast) belongs to its side."""
    from stepwell.dialects.loops import ContractOp
    from stepwell.dialects.loops.access import contraction_sides

    module, _ = parse_module(make_context(), """
func.func @f(%a: tensor<2x3x4xf64>, %b: tensor<4x5xf32>) -> tensor<2x3x5xf32> {
  %y = loops.contract over [4] batch = [d0], m = d1, n = d2, k = r0 : tensor<2x3x5xf32> {
    %w = loops.load %b[r0, d2] : tensor<4x5xf32>
    %x = loops.load %a[d0, d1, r0] : tensor<2x3x4xf64>
    %t = arith.truncf %x : f64 to f32
    %p = arith.mulf %w, %t : f32
    loops.yield %p : f32
  }
  func.return %y : tensor<2x3x5xf32>
}""")
    (op,) = [o for o in module.walk() if isinstance(o, ContractOp)]
    assert op.roles == (("d0",), "d1", "d2", "r0")
    sides = contraction_sides(op)
    assert not isinstance(sides, str)
    assert [o.name for o in sides.x_ops] == ["loops.load", "arith.truncf"] and sides.x == sides.x_ops[-1].results[0]
    assert [o.name for o in sides.y_ops] == ["loops.load"] and sides.y == sides.y_ops[0].results[0]
