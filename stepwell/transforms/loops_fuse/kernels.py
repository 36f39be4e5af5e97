"""Build a `loops.kernel` from each group of two or more compute ops.

The members move into the kernel in program order. A member's result is yielded
(written to memory) when anything outside the kernel uses it: a later op, another
kernel, the function's return. The kernel declares the iteration space grouping
chose for it (space.py: its parallel and reduction dims, each member's `at` map); the
reads between members are written in the simplified form in which grouping checked
the contract. The block is then put back in topological order.
"""

from __future__ import annotations

from xdsl.dialects.builtin import ArrayAttr, StringAttr
from xdsl.ir import Block, Region

from stepwell.dialects.loops import KernelOp, YieldOp
from stepwell.dialects.loops.index import format_index
from stepwell.transforms.loops_fuse.graph import reads, simplified_indices, top_level, topological_order
from stepwell.transforms.loops_fuse.grouping import Group


def build_kernel(block: Block, group: Group) -> KernelOp:
    members = set(group.ops)
    yielded = [
        op
        for op in group.ops
        if any(top_level(u.operation, block) not in members for u in op.result.uses)
    ]
    space = group.space
    assert space is not None
    kernel = KernelOp([op.result.type for op in yielded], Region(Block()), space.parallel, space.reduction)
    results = {op.result for op in group.ops}
    for op in group.ops:
        op.set_dim_map(space.maps[op])
        for load in reads(op):
            if load.buffer in results:
                load.indices = ArrayAttr([StringAttr(format_index(e)) for e in simplified_indices(load)])
    block.insert_op_before(kernel, group.ops[0])
    for op, output in zip(yielded, kernel.outputs):
        output.name_hint = op.result.name_hint
        for use in list(op.result.uses):
            if top_level(use.operation, block) not in members:
                use.operation.operands[use.index] = output  # type: ignore[index]
    for op in group.ops:
        op.detach()
        kernel.body.block.add_op(op)
    kernel.body.block.add_op(YieldOp(*(op.result for op in yielded)))
    return kernel


def build_kernels(block: Block, groups: list[Group]) -> None:
    for group in groups:
        if len(group.ops) > 1:
            build_kernel(block, group)
    topological_order(block)
