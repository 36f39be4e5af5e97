"""`loops.check_index` on the GPU: two lone reductions over the indices, and a test
on the host after the call.

- `first`: the min over the indices' positions (row-major) of the position where the
  index lies outside [-size, size), else n (the number of indices);
- `value`: the min over the positions of the index where the position is `first`
  (else the largest i64): the first bad index itself.

Both are `loops.reduce` ops, tiled and converted like any reduction (reductions.py);
the second one's launch carries `CHECK` = {op, axis, size, n, first: the operand
holding `first`}, which the launcher turns into a test after its kernels have run:
first < n raises the IndexOutOfRange the reference interpreter raises (the same
message, stepwell.reference.evaluators.index_out_of_range). The reads at those
indices are clamped at the loops level, so nothing reads out of bounds meanwhile.
No indices: nothing to check.
"""

from __future__ import annotations

import math

from xdsl.dialects import arith
from xdsl.dialects.builtin import (
    DictionaryAttr,
    IntegerAttr,
    StringAttr,
    TensorType,
    i64,
)
from xdsl.ir import Block, Operation, Region, SSAValue

from stepwell.dialects.loops import CheckIndexOp, IndexOp, LoadOp, ReduceOp, YieldOp
from stepwell.dialects.loops.access import linear_offset
from stepwell.dialects.loops.index import dims

CHECK = "stepwell.check"
I64_MAX = 2**63 - 1


def check_reductions(op: CheckIndexOp) -> list[ReduceOp]:
    """The reductions that replace `op` (none for no indices), the last one marked `CHECK`."""
    t = op.indices.type
    assert isinstance(t, TensorType)
    shape = tuple(t.get_shape())
    n, size = math.prod(shape), op.size.value.data
    if n == 0:
        return []
    r = dims(len(shape), "r")

    def reduction(body) -> ReduceOp:
        block = Block()

        def add(o: Operation) -> SSAValue:
            block.add_op(o)
            return o.results[0]

        def const(v: int) -> SSAValue:
            return add(arith.ConstantOp(IntegerAttr(v, i64)))

        index = add(LoadOp(op.indices, r))
        if index.type != i64:
            index = add(arith.ExtSIOp(index, i64))
        position = add(IndexOp(linear_offset(shape, r)))
        block.add_op(YieldOp(body(add, const, index, position)))
        return ReduceOp("min", shape, TensorType(i64, [1]), Region(block))

    def bad_position(add, const, index, position):
        low = add(arith.CmpiOp(index, const(-size), "slt"))
        high = add(arith.CmpiOp(index, const(size), "sge"))
        return add(arith.SelectOp(add(arith.OrIOp(low, high)), position, const(n)))

    first = reduction(bad_position)
    first.result.name_hint = "first_bad"

    def index_there(add, const, index, position):
        at = add(LoadOp(first.result, [0]))
        return add(arith.SelectOp(add(arith.CmpiOp(position, at, "eq")), index, const(I64_MAX)))

    value = reduction(index_there)
    value.result.name_hint = "bad_index"
    value.attributes[CHECK] = DictionaryAttr({
        "op": StringAttr(op.op_name.data), "axis": op.axis, "size": op.size,
        "n": IntegerAttr(n, i64), "first": IntegerAttr(value.inputs().index(first.result), i64),
    })
    return [first, value]
