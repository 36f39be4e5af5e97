"""Issue 6, points 1, 9, 12, 13, 15 through the Python API: every malformed program is a
located error from `stepwell.compile` and `stepwell.reference.run` alike (they share
`parse_module` and `verify_module` with stepwell-opt), and parsing pathological text
ends quickly."""

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import stepwell
from stepwell.compiler import CompileError
from stepwell.ir import DiagnosticError, parse_module, verify_module
from stepwell.reference import run
from stepwell.registry import make_context

BIN = Path(sys.executable).parent

USE_BEFORE_DEF = """func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {
  %a = tensor_graph.add %x, %a : tensor<4xf32>
  func.return %a : tensor<4xf32>
}
"""

TWO_NEGS = """func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {
  %a = tensor_graph.neg %x : tensor<4xf32>
  %b = tensor_graph.neg %a : tensor<4xf32>
  func.return %b : tensor<4xf32>
}
"""


def parse_error(text: str) -> str:
    """The one diagnostic parsing or verifying `text` gives, as printed."""
    try:
        module, locations = parse_module(make_context(), text, "t.mlir")
    except DiagnosticError as e:
        [diagnostic] = e.diagnostics
        return str(diagnostic)
    [diagnostic] = verify_module(module, locations, "t.mlir")
    return str(diagnostic)


# --- point 1: SSA dominance -----------------------------------------------------------


def test_compile_refuses_a_use_before_its_definition():
    with pytest.raises(CompileError, match=r"<compile>:2:3: .*operand #1 \(%a\) is this op's own result"):
        stepwell.compile(USE_BEFORE_DEF)


def test_reference_reports_a_use_before_its_definition_located():
    with pytest.raises(DiagnosticError, match=r"<input>:2:3: .*operand #1 \(%a\) is this op's own result"):
        run(USE_BEFORE_DEF, None, np.ones(4, np.float32))


def test_a_module_built_in_python_is_checked_too():
    module, _ = parse_module(make_context(), TWO_NEGS)
    first, second, _ = module.body.block.first_op.body.block.ops
    second.detach()
    first.parent_block().insert_op_before(second, first)  # %b = neg %a before %a
    with pytest.raises(CompileError, match=r"operand #0 \(%a\) is used before its definition"):
        stepwell.compile(module)
    with pytest.raises(DiagnosticError, match=r"operand #0 \(%a\) is used before its definition"):
        run(module, None, np.ones(4, np.float32))


def test_valid_programs_still_verify():
    module, locations = parse_module(make_context(), TWO_NEGS)
    assert verify_module(module, locations) == []
    np.testing.assert_array_equal(run(TWO_NEGS, None, np.arange(4, dtype=np.float32)), np.arange(4))


# --- point 9: parsing time about linear in the size -------------------------------------

PATHOLOGICAL = {
    "unterminated string in a type": 'func.func @f(%x: tensor<"' + "a" * 100_000 + ">) {\n}\n",
    "unterminated string in an attribute": 'func.func @f() attributes {s = "' + "ab" * 50_000 + "\n",
    "unterminated op name": '"' + "x" * 100_000,
    "backslashes": 'func.func @f() attributes {s = "' + "\\\\" * 50_000 + "\n",
    "quotes": '"' * 100_000,
}


@pytest.mark.parametrize("text", PATHOLOGICAL.values(), ids=PATHOLOGICAL.keys())
def test_pathological_text_fails_fast_and_located(text):
    # The timeout guards against a hang (before the fix, 40 characters never ended);
    # it is far above the fraction of a second this takes.
    done = subprocess.run(
        [BIN / "stepwell-opt", "-"], input=text, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 1 and done.stdout == ""
    assert re.match(r"<stdin>:1:\d+: error: ", done.stderr), done.stderr[:300]
    assert "Traceback" not in done.stderr


def test_unterminated_string_points_at_its_quote():
    text = 'func.func @f(%x: tensor<"2x3x4xf32>) {\n}\n'
    assert parse_error(text) == "t.mlir:1:25: error: string literal has no closing quote on its line"


def test_strings_still_parse():
    text = 'func.func @f() attributes {s = "a\\n\\"b\\41", t = ""} {\n  func.return\n}\n'
    module, _ = parse_module(make_context(), text)
    attributes = module.body.block.first_op.attributes
    assert attributes["s"].data == 'a\n"bA' and attributes["t"].data == ""


# --- point 12: internal exceptions become located, specific errors ------------------------


def nested_type(depth: int) -> str:
    inner = "f32"
    for _ in range(depth):
        inner = f"tuple<{inner}>"
    return f"func.func @f(%x: {inner}) {{\n  func.return\n}}\n"


def constant(value: str, type: str) -> str:
    return (
        f"func.func @f() -> {type} {{\n"
        f"  %c = tensor_graph.constant {{value = dense<{value}> : {type}}} : {type}\n"
        f"  func.return %c : {type}\n}}\n"
    )


@pytest.mark.parametrize(
    "text, expected",
    [
        (nested_type(2000), "t.mlir:1:.*: error: nested too deeply to parse"),
        (constant("[0xFFFFFFFFFFFFFFFF, 1.0]", "tensor<2xf32>"), "t.mlir:2:46: error: a hexadecimal f32 element is its 32-bit pattern"),
        (constant("-0x3F800000", "tensor<f32>"), "t.mlir:2:45: error: a hexadecimal f32 element .* no sign"),
        (constant("1.0", "tensor<1099511627776xf32>"), "t.mlir:2:52: error: a dense<> literal of 1099511627776 elements"),
        (constant('"0x0000803F"', "tensor<1099511627776xf32>"), "t.mlir:2:61: error: a dense<> literal of 1099511627776 elements"),
        (constant("[1, 2]", "tensor<2xi128>"), "t.mlir:2:55: error: dense<> elements of type i128 are not supported"),
        (constant("[1, 255]", "tensor<2xi1>"), "t.mlir:2:49: error: Integer value 255 is out of range for type i1"),
        (constant("[1, 2]", "tensor<2xi64>").replace("{value", "{v = 3 : i1, value"), "t.mlir:2:35: error: Integer value 3 is out of range for type i1"),
    ],
    ids=["deep nesting", "hex too wide", "negative hex", "huge splat", "huge hex splat", "i128", "i1 element", "i1 attribute"],
)
def test_exceptions_from_xdsl_become_located_errors(text, expected):
    assert re.match(expected, parse_error(text)), parse_error(text)


def test_errors_reach_compile_and_run_located():
    text = constant("[1, 255]", "tensor<2xi1>")
    with pytest.raises(CompileError, match="<compile>:2:49: error: Integer value 255"):
        stepwell.compile(text)
    with pytest.raises(DiagnosticError, match="<input>:2:49: error: Integer value 255"):
        run(text)


def test_hex_float_elements_still_read_as_bits():
    module, _ = parse_module(make_context(), constant("[0xFF800000, 0x3F800000]", "tensor<2xf32>"))
    value = module.body.block.first_op.body.block.first_op.properties["value"]
    assert value.get_values() == (float("-inf"), 1.0)


# --- point 13: sizes a 64-bit offset cannot address ---------------------------------------


@pytest.mark.parametrize("size", ["9223372036854775808", "100000000000000000000"])
def test_unaddressable_sizes_are_rejected_with_a_location(size):
    text = f"func.func @main(%x: tensor<{size}xi8>) -> tensor<{size}xi8> {{\n  func.return %x : tensor<{size}xi8>\n}}\n"
    assert parse_error(text).startswith(f"t.mlir:1:1: error: 'func.func' op tensor<{size}xi8> has {size} elements")
    with pytest.raises(CompileError, match="<compile>:1:1: .*more than a 64-bit offset can address"):
        stepwell.compile(text)


# --- point 15: a missing func.return ------------------------------------------------------


def test_missing_return_is_named():
    text = TWO_NEGS.replace("  func.return %b : tensor<4xf32>\n", "")
    assert parse_error(text) == (
        "t.mlir:3:3: error: function @main has no `func.return`: its body ends with this 'tensor_graph.neg'"
    )
