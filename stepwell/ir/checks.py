"""What `verify_module` checks beyond each op's own verifier: SSA dominance, tensor
sizes a 64-bit index can address, and a function body that ends without its
`func.return` (said in those words rather than xDSL's "not a terminator")."""

from __future__ import annotations

import math
from collections.abc import Iterator

from xdsl.dialects import func
from xdsl.dialects.builtin import ModuleOp, ShapedType
from xdsl.ir import (
    Attribute,
    Block,
    BlockArgument,
    Data,
    OpResult,
    Operation,
    ParametrizedAttribute,
    Region,
    SSAValue,
)
from xdsl.irdl.dominance import DominanceInfo
from xdsl.traits import IsTerminator

MAX_BYTES = (1 << 63) - 1
"""The largest tensor, in bytes, that a signed 64-bit offset can address."""


class StructureChecks:
    """Checks one module op by op; caches what several ops share (the order of the
    ops in a block, the dominance between the blocks of a region)."""

    def __init__(self, locations: dict[Operation, tuple[int, int]]):
        self.locations = locations
        self._order: dict[Block, dict[Operation, int]] = {}
        self._dominance: dict[Region, DominanceInfo] = {}

    def missing_return(self, op: Operation) -> str | None:
        """For a function whose body is empty, or for the op that ends a function body
        without being a terminator: the error to report instead of xDSL's."""
        if isinstance(op, func.FuncOp) and op.body.blocks and op.body.block.first_op is None:
            return f"function @{op.sym_name.data} has no `func.return`: its body is empty"
        function = op.parent_op()
        if (
            isinstance(function, func.FuncOp)
            and op.parent_block().last_op is op
            and not op.has_trait(IsTerminator)
        ):
            return (
                f"function @{function.sym_name.data} has no `func.return`: its body "
                f"ends with this '{op.name}'"
            )
        return None

    def too_large(self, op: Operation) -> str | None:
        """The first type `op` defines or names that no 64-bit index can address."""
        for type in _shaped_types(op):
            shape = [d for d in type.get_shape() if d >= 0]  # dynamic sizes are -1
            count = math.prod(shape)
            element = getattr(type, "element_type", None)
            nbytes = count * getattr(element, "compile_time_size", 1)
            if max(shape, default=0) > MAX_BYTES or nbytes > MAX_BYTES:
                return (
                    f"'{op.name}' op {type} has {count} elements ({nbytes} bytes): "
                    f"more than a 64-bit offset can address ({MAX_BYTES} bytes)"
                )
        return None

    def dominance(self, op: Operation) -> str | None:
        """The first operand of `op` that is not defined before `op`, SSA's rule."""
        for index, value in enumerate(op.operands):
            problem = self._dominance_problem(value, op)
            if problem is not None:
                name = f" (%{value.name_hint})" if value.name_hint else ""
                return f"'{op.name}' op operand #{index}{name} {problem}"
        return None

    def _dominance_problem(self, value: SSAValue, user: Operation) -> str | None:
        if isinstance(value, OpResult):
            definer, block = value.op, value.op.parent_block()
        elif isinstance(value, BlockArgument):
            definer, block = None, value.block
        else:
            return "is not defined"
        region = block.parent if block is not None else None
        if region is None:
            return "is defined outside any function"
        # the ancestor of `user` (or `user` itself) that lies in the defining region
        at = user
        while at is not None and at.parent_region() is not region:
            at = at.parent_op()
        if at is None:
            return "is defined in a region that does not enclose this op"
        if at.parent_block() is not block:
            if self._dominance_info(region).dominates(block, at.parent_block()):
                return None
            return "is defined in a block that does not dominate this op"
        if definer is None or isinstance(region.parent, ModuleOp):
            return None  # a block argument, or a graph region: order does not matter
        if definer is at:
            return "is this op's own result" if at is user else "is the result of an enclosing op"
        order = self._order_in(block)
        if order[definer] < order[at]:
            return None
        line = self.locations.get(definer, (0, 0))[0]
        return "is used before its definition" + (f" (line {line})" if line else "")

    def _order_in(self, block: Block) -> dict[Operation, int]:
        if block not in self._order:
            self._order[block] = {op: i for i, op in enumerate(block.ops)}
        return self._order[block]

    def _dominance_info(self, region: Region) -> DominanceInfo:
        if region not in self._dominance:
            self._dominance[region] = DominanceInfo(region)
        return self._dominance[region]


def _shaped_types(op: Operation) -> Iterator[ShapedType]:
    """Every shaped type in `op`'s results, block arguments and attributes."""
    stack: list[Attribute] = [r.type for r in op.results]
    stack += [a.type for region in op.regions for b in region.blocks for a in b.args]
    stack += [*op.properties.values(), *op.attributes.values()]
    while stack:
        attr = stack.pop()
        if isinstance(attr, ShapedType):
            yield attr
        if isinstance(attr, ParametrizedAttribute):
            stack += [p for p in attr.parameters if isinstance(p, Attribute)]
        elif isinstance(attr, Data) and isinstance(attr.data, tuple | dict):
            items = attr.data.values() if isinstance(attr.data, dict) else attr.data
            stack += [p for p in items if isinstance(p, Attribute)]
