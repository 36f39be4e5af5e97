"""ONNX's backend node tests (the conformance suite): one test per node test case.

Each case whose ops stepwell's importer supports is imported, run on the reference
interpreter and on the CPU target, and compared with ONNX's expected outputs (rtol
1e-3, atol 1e-7 as ONNX's runner uses; two ulps for f16/bf16 results). Unsupported
cases are skipped with the reason (op, dtype, opset, dynamic dimension, not
expressible), so pytest's counts show the coverage; `python tests/unit/onnx_node_table.py`
turns a run into the README's table.

The CPU compiles are shared: the imported cases go into modules of `CHUNK` functions,
each compiled once for all its functions (a case whose chunk fails to compile is
compiled on its own, so one failure fails one test).
"""

from __future__ import annotations

import functools

import pytest

pytest.importorskip("onnx")

from _onnx_node_cases import cases, check, names
from xdsl.dialects.builtin import ModuleOp

import stepwell
import stepwell.reference

CHUNK = 32
"""Functions per compiled module. Compile time is about linear in a module's size
(bench/COMPILE_TIME.md, "Many functions in one module"); chunks share each compile's
fixed cost, and stay small so that a chunk that fails costs few compiles alone."""


def _runnable() -> list[str]:
    return [name for name, case in cases().items() if case.module is not None]


@functools.cache
def _chunk_of(name: str) -> int:
    return _runnable().index(name) // CHUNK


@functools.cache
def _compiled_chunk(index: int) -> dict:
    members = _runnable()[index * CHUNK : (index + 1) * CHUNK]
    module = ModuleOp([op.clone() for name in members for op in cases()[name].module.ops])
    try:
        return dict(zip(members, stepwell.compile(module, members, target="cpu")))
    except Exception:  # noqa: BLE001 (each case then compiles alone and fails alone)
        return {}


def _cpu_function(name: str):
    compiled = _compiled_chunk(_chunk_of(name))
    if name in compiled:
        return compiled[name]
    return stepwell.compile(cases()[name].module, name, target="cpu")


@pytest.mark.parametrize("name", names())
def test_onnx_node(name: str):
    case = cases()[name]
    if case.bug:
        pytest.fail(case.bug)
    if case.skip:
        pytest.skip(case.skip)
    check(case, stepwell.reference.run(case.module, name, *case.inputs))
    check(case, _cpu_function(name)(*case.inputs))
