"""Shrink a failing program to the fewest ops that still fail the same way.

An op is removed by cutting it out: its result becomes a new function argument whose
input is the value the reference computed for it, so the ops that remain see exactly
the values they saw before. The failing op alone is tried first; then, greedily, every
other op.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from xdsl.dialects import func
from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import Block, Region, SSAValue

from stepwell import reference
from stepwell.fuzz.compare import Failure, check_program
from stepwell.fuzz.generate import Program, _function


def _reference_values(function: func.FuncOp, inputs) -> dict[SSAValue, np.ndarray]:
    values: dict[SSAValue, np.ndarray] = dict(zip(function.body.block.args, inputs))
    for op in function.body.block.ops:
        if isinstance(op, func.ReturnOp):
            break
        try:
            values[op.results[0]] = reference.evaluate_op(op, *(values[v] for v in op.operands))
        except (reference.EvaluationError, KeyError):
            continue  # its users cannot be cut off from it
    return values


def _cut(program: Program, keep: list[int]) -> Program | None:
    """The program of the ops at positions `keep` only; None if a value is missing."""
    f_all = program.function("f_all")
    body = [op for op in f_all.body.block.ops if not isinstance(op, func.ReturnOp)]
    values = _reference_values(f_all, program.inputs)
    block, mapping, inputs = Block(), {}, []
    for index in keep:
        op = body[index]
        for v in op.operands:
            if v not in mapping:
                if v not in values:
                    return None
                mapping[v] = block.insert_arg(v.type, len(block.args))
                inputs.append(values[v])
        new = op.clone(value_mapper=mapping)
        block.add_op(new)
        mapping[op.results[0]] = new.results[0]
    fused = any(op.sym_name.data == "f" for op in program.module.ops if isinstance(op, func.FuncOp))
    body = Region(block)
    functions = [_function("f_all", body.clone(), every=True)]
    if fused:
        functions.append(_function("f", body, every=False))
    return Program(program.seed, ModuleOp(functions), inputs)


def minimize(
    program: Program,
    failure: Failure,
    check: Callable[[Program], list[Failure]] = check_program,
) -> Program:
    """The smallest program found that still fails with `failure`'s kind at its op."""

    def same(p: Program | None) -> bool:
        return p is not None and any(f.kind == failure.kind and f.op == failure.op for f in check(p))

    count = sum(1 for op in program.function("f_all").body.block.ops) - 1
    keep = list(range(count))
    if failure.index >= 0 and same(_cut(program, [failure.index])):
        keep = [failure.index]
    for index in reversed(list(keep)):
        trial = [i for i in keep if i != index]
        if trial and same(_cut(program, trial)):
            keep = trial
    return _cut(program, keep) or program
