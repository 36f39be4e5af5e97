"""A `?` size is refused at every level until dynamic shapes are designed (issue 7
point 9): by the loops ops' own verifiers (not only by `verify_module`), and by
`convert-loops-to-llvm` for IR a pass made, with the error at the op, through
`stepwell.compile`, which does not verify between passes."""

from __future__ import annotations

from pathlib import Path

import pytest
from xdsl.utils.exceptions import VerifyException

from stepwell import registry
from stepwell.compiler import CompileError, compile
from stepwell.ir.parse import parse_module
from stepwell.plugins import load_plugin

INPUTS = Path(__file__).resolve().parents[1] / "filecheck" / "dialects" / "loops" / "Inputs"
STATIC = (INPUTS / "static.mlir").read_text()
MESSAGE = "'loops.pointwise' op tensor<?x8xf32> has a dynamic size: stepwell supports static shapes only"


@pytest.fixture
def make_dynamic(monkeypatch):
    """The test pass `test-make-dynamic` (the registry is restored afterwards)."""
    registry.passes()
    monkeypatch.setattr(registry, "_PASSES", dict(registry._PASSES))
    plugin = load_plugin(str(INPUTS / "dynamic_pass.py"))
    registry.register_pass(plugin.TestMakeDynamic)
    return plugin.TestMakeDynamic()


def test_the_loops_verifiers_refuse_a_dynamic_size(make_dynamic):
    ctx = registry.make_context()
    module, _ = parse_module(ctx, STATIC, "static.mlir")
    make_dynamic.apply(ctx, module)
    with pytest.raises(VerifyException, match=r"tensor<\?x8xf32> has a dynamic size"):
        module.verify()


def test_convert_loops_to_llvm_refuses_a_dynamic_size_a_pass_made(make_dynamic):
    with pytest.raises(CompileError) as e:
        compile(STATIC, pipeline="test-make-dynamic,convert-loops-to-llvm")
    assert str(e.value) == (
        f"<compile>:3:3: error: {MESSAGE}\n"
        "  %y = loops.pointwise : tensor<4x8xf32> {\n"
        "  ^\n"
        "pass 'convert-loops-to-llvm' failed: 1 op(s) with a dynamic size: stepwell supports static shapes only"
    )
    assert [(d.line, d.col, d.message) for d in e.value.diagnostics] == [(3, 3, MESSAGE)]
