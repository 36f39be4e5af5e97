"""stepwell-opt / stepwell-run behaviour that is easier to check in pytest than with
lit: exit statuses, nothing written on error, entry-point plugins, the pipeline parser,
the diagnostics verifier, and stepwell-run on .npy files."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from stepwell.ir.pipeline import PipelineError, build_pipeline, parse_pipeline
from stepwell.ir.verify_diagnostics import check, parse_expectations
from stepwell.ir.diagnostics import Diagnostic
from stepwell.tools import opt, run
from stepwell.tools.emitters import EMITTERS, register_emitter

ROOT = Path(__file__).resolve().parents[2]
ACTIVATION = ROOT / "examples/plugins/activation/activation.py"
TEST_PASSES = ROOT / "tests/filecheck/opt/Inputs/test_passes.py"
BIN = Path(sys.executable).parent

GOOD = """\
func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  %y = tensor_graph.neg %x : tensor<4xf32>
  func.return %y : tensor<4xf32>
}
"""
BAD_VERIFY = GOOD.replace("%y = tensor_graph.neg %x : tensor<4xf32>",
                          '%y = "tensor_graph.neg"(%x) : (tensor<4xf32>) -> tensor<5xf32>').replace(
                          "func.return %y", "func.return %x")
BAD_PARSE = GOOD.replace("tensor_graph.neg %x :", "tensor_graph.neg %x, :")


def write(tmp_path: Path, text: str, name: str = "in.mlir") -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def cli(*args: str, stdin: str = "", env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN / "stepwell-opt"), *args], input=stdin, capture_output=True, text=True,
        env={**os.environ, **(env or {})},
    )


# --- stepwell.compile says what stepwell-opt says ---------------------------------------

UNREGISTERED = GOOD.replace("tensor_graph.neg %x", "my.op %x")
TYPE_CLASH = GOOD.replace("func.return %y : tensor<4xf32>", "func.return %y : tensor<5xf32>")
NO_TYPE_END = GOOD.replace("%x : tensor<4xf32>\n", "%x : tensor<4xf32\n")


@pytest.mark.parametrize("text", [BAD_VERIFY, BAD_PARSE, UNREGISTERED, TYPE_CLASH, NO_TYPE_END],
                         ids=["verify", "parse", "unregistered", "type clash", "unclosed type"])
def test_compile_error_is_what_stepwell_opt_prints(tmp_path, text):
    """One renderer: the same line, column, message, hint, source line and caret."""
    from stepwell.compiler import CompileError, compile

    path = write(tmp_path, text)
    proc = cli(path)
    assert proc.returncode == 1
    with pytest.raises(CompileError) as caught:
        compile(text)
    message = str(caught.value)
    assert message == proc.stderr.rstrip("\n").replace(path, "<compile>")
    assert message.count("\n") >= 2 and message.endswith("^"), message  # the source line and a caret
    if text is UNREGISTERED:
        assert "<compile>:2:8: error: Operation my.op is not registered (load the plugin" in message


# --- nothing written on error, exit status 1 ------------------------------------------


@pytest.mark.parametrize(
    "text, extra",
    [
        (BAD_VERIFY, []),
        (BAD_PARSE, []),
        (GOOD, ["-p", "no-such-pass"]),
        (GOOD, ["-p", "cse{nope=1}"]),
        (GOOD, ["--load-pass-plugin", str(TEST_PASSES), "-p", "test-raise"]),
        (GOOD, ["--load-pass-plugin", str(TEST_PASSES), "-p", "test-invalid-ir"]),
        (GOOD, ["--load-dialect-plugin", "/no/such/plugin.py"]),
        (GOOD, ["--emit", "nonsense"]),
    ],
)
def test_error_writes_nothing(tmp_path, capsys, text, extra):
    src = write(tmp_path, text)
    out = tmp_path / "out.mlir"
    assert opt.main([src, "-o", str(out), *extra]) == 1
    assert not out.exists()
    assert opt.main([src, *extra]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "error" in captured.err and "Traceback" not in captured.err


def test_error_leaves_existing_output_alone(tmp_path):
    out = tmp_path / "out.mlir"
    out.write_text("old")
    assert opt.main([write(tmp_path, BAD_VERIFY), "-o", str(out)]) == 1
    assert out.read_text() == "old"


def test_split_input_file_error_in_one_chunk_writes_nothing(tmp_path, capsys):
    src = write(tmp_path, GOOD + "// -----\n" + BAD_VERIFY)
    assert opt.main([src, "--split-input-file"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "in.mlir:7:3: error:" in captured.err  # the line in the whole file


def test_verify_diagnostics_failure_writes_nothing(tmp_path, capsys):
    src = write(tmp_path, GOOD.replace("func.return", "// expected-error@+1 {{never}}\n  func.return"))
    assert opt.main([src, "--verify-diagnostics"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert 'in.mlir:3:6: error: expected error "never" was not produced' in captured.err


def test_unwritable_output(tmp_path, capsys):
    assert opt.main([write(tmp_path, GOOD), "-o", str(tmp_path / "no/dir/out.mlir")]) == 1
    assert "error: cannot write" in capsys.readouterr().err


def test_console_script_errors_have_no_traceback(tmp_path):
    for args in ([write(tmp_path, BAD_PARSE, "bad.mlir")], [str(tmp_path / "missing.mlir")], ["--bogus"],
                 [write(tmp_path, GOOD), "-p", "builtin.module(cse"]):
        proc = cli(*args)
        assert proc.returncode == 1, proc.stderr
        assert proc.stdout == ""
        assert proc.stderr.startswith(("error:", str(tmp_path))), proc.stderr
        assert "Traceback" not in proc.stderr


def test_debug_env_shows_traceback_of_failing_pass(tmp_path):
    args = [write(tmp_path, GOOD), "--load-pass-plugin", str(TEST_PASSES), "-p", "test-raise"]
    assert "Traceback" not in cli(*args).stderr
    proc = cli(*args, env={"STEPWELL_DEBUG": "1"})
    assert proc.returncode == 1
    assert "Traceback" in proc.stderr and "RuntimeError: boom" in proc.stderr


# --- input, output, emitters -------------------------------------------------------


def test_stdin_and_output_file(tmp_path):
    out = tmp_path / "out.mlir"
    for args in ([], ["-"]):
        proc = cli(*args, "-o", str(out), stdin=GOOD)
        assert proc.returncode == 0, proc.stderr
        assert "tensor_graph.neg %x : tensor<4xf32>" in out.read_text()
    proc = cli(stdin=BAD_VERIFY)
    assert proc.returncode == 1 and proc.stderr.startswith("<stdin>:2:3: error:")


def test_registered_emitter_is_used(tmp_path, capsys):
    register_emitter("op-count", lambda module, **_: f"{len(list(module.walk()))}\n")
    try:
        assert opt.main([write(tmp_path, GOOD), "--emit", "op-count"]) == 0
        assert capsys.readouterr().out == "4\n"
    finally:
        del EMITTERS["op-count"]


def test_output_is_the_custom_form_and_reads_back(tmp_path, capsys):
    assert opt.main([write(tmp_path, GOOD), "--mlir-print-op-generic"]) == 0
    generic = capsys.readouterr().out
    assert '"tensor_graph.neg"' in generic
    assert opt.main([write(tmp_path, generic, "generic.mlir")]) == 0
    assert "%y = tensor_graph.neg %x : tensor<4xf32>" in capsys.readouterr().out


# --- plugins -----------------------------------------------------------------------


def _fake_distribution(root: Path, module: str, value: str) -> None:
    dist = root / "fake_stepwell_plugin-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: fake-stepwell-plugin\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(f"[stepwell.plugins]\n{module} = {value}\n")


def _path_with(directory) -> str:
    """PYTHONPATH with `directory` first (and this checkout's stepwell still found)."""
    return os.pathsep.join(p for p in (str(directory), os.environ.get("PYTHONPATH", "")) if p)


def test_entry_point_plugin_is_loaded_at_startup(tmp_path):
    (tmp_path / "my_ep_plugin.py").write_text(textwrap.dedent("""
        from dataclasses import dataclass
        from xdsl.passes import ModulePass
        from stepwell.registry import register_pass

        @dataclass(frozen=True)
        class Nothing(ModulePass):
            name = "ep-nothing"
            def apply(self, ctx, op):
                pass

        register_pass(Nothing)
    """))
    _fake_distribution(tmp_path, "mine", "my_ep_plugin")
    proc = cli(write(tmp_path, GOOD), "-p", "ep-nothing", env={"PYTHONPATH": _path_with(tmp_path)})
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""


def test_broken_entry_point_plugin_warns_and_goes_on(tmp_path):
    (tmp_path / "my_broken_ep.py").write_text("raise ImportError('missing dependency')\n")
    _fake_distribution(tmp_path, "broken", "my_broken_ep")
    proc = cli(write(tmp_path, GOOD), "-p", "cse", env={"PYTHONPATH": _path_with(tmp_path)})
    assert proc.returncode == 0
    warning = "warning: plugin 'broken' (entry point my_broken_ep) failed to load: ImportError: missing dependency"
    assert proc.stderr.count("failed to load") == 1 and warning in proc.stderr, proc.stderr
    assert "tensor_graph.neg" in proc.stdout


def test_load_plugin_by_path_and_module_name_imports_once(monkeypatch):
    from stepwell import registry
    from stepwell.plugins import load_plugin

    first = load_plugin(str(ACTIVATION))
    assert load_plugin(str(ACTIVATION)) is first
    assert "activation" in registry.dialects() and "activation-decompose" in registry.passes()
    monkeypatch.syspath_prepend(str(ACTIVATION.parent))
    assert load_plugin("activation").__name__ == "activation"


def test_activation_decompose_matches_numpy(tmp_path):
    reference = pytest.importorskip("stepwell.reference")
    from stepwell import registry
    from stepwell.ir.parse import parse_module
    from stepwell.plugins import load_plugin

    load_plugin(str(ACTIVATION))
    source = textwrap.dedent("""
        func.func @f(%x: tensor<64xf32>) -> (tensor<64xf32>, tensor<64xf32>) {
          %h = activation.hardswish %x : tensor<64xf32>
          %m = activation.mish %x : tensor<64xf32>
          func.return %h, %m : tensor<64xf32>, tensor<64xf32>
        }
    """)
    src = write(tmp_path, source)
    out = tmp_path / "out.mlir"
    assert opt.main([src, "-p", "activation-decompose", "-o", str(out)]) == 0
    module, _ = parse_module(registry.make_context(), out.read_text(), "out.mlir")
    x = np.concatenate([np.linspace(-8, 8, 60), [-100.0, 100.0, -1e4, 90.0]]).astype(np.float32)
    hardswish, mish = reference.run(module, "f", x)
    x64 = x.astype(np.float64)
    np.testing.assert_allclose(hardswish, x64 * np.clip(x64 + 3, 0, 6) / 6, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(mish, x64 * np.tanh(np.logaddexp(0, x64)), rtol=1e-5, atol=1e-6)
    assert np.isfinite(mish).all()


# --- pipelines ---------------------------------------------------------------------


def test_pipeline_forms_agree():
    flat = parse_pipeline("cse,canonicalize{a=1 b=\"x,}\"}")
    nested = parse_pipeline("builtin.module( func.func(cse), any(canonicalize{a=1 b=\"x,}\"}) )")
    assert [str(s) for s in flat] == [str(s) for s in nested] == ["cse", 'canonicalize{a=1 b="x,}"}']
    assert nested[0].anchor == ("builtin.module", "func.func")
    assert parse_pipeline("") == [] and parse_pipeline("builtin.module()") == []


def test_named_pipelines_expand_and_cycles_are_errors():
    named = {"clean": "builtin.module(cse,dce)", "twice": "clean,clean", "loop": "cse,loop"}
    assert [s.name for s in parse_pipeline("twice,canonicalize", named)] == ["cse", "dce", "cse", "dce", "canonicalize"]
    with pytest.raises(PipelineError, match="includes itself"):
        parse_pipeline("loop", named)
    with pytest.raises(PipelineError, match="takes no options"):
        parse_pipeline("clean{x=1}", named)


@pytest.mark.parametrize(
    "spec, message",
    [
        ("cse,", "expected a pass name, found the end"),
        ("cse canonicalize", "expected ',' or the end after 'cse'"),
        ("builtin.module(cse", "expected ',' or ')' after 'cse'"),
        ("cse{a=1", "unterminated '{'"),
        ("scf.for(cse)", "unknown anchor 'scf.for'"),
    ],
)
def test_pipeline_syntax_errors(spec, message):
    with pytest.raises(PipelineError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_pipeline(spec)


def test_pass_options_are_checked():
    from stepwell.plugins import load_plugin
    from stepwell.registry import passes

    load_plugin(str(TEST_PASSES))
    [(step, p)] = build_pipeline("test-options{count=3 ratio=2 flag sizes=1,2 label=\"a b\"}", passes())
    assert (p.count, p.ratio, p.flag, p.sizes, p.label) == (3, 2.0, True, (1, 2), "a b")
    with pytest.raises(PipelineError, match="option 'count' of pass 'test-options' expects int, got x"):
        build_pipeline("test-options{count=x}", passes())
    with pytest.raises(PipelineError, match="has no option 'colour'"):
        build_pipeline("test-options{colour=red}", passes())
    with pytest.raises(PipelineError, match="did you mean 'test-options'"):
        build_pipeline("test-option", passes())


# --- the diagnostics verifier ------------------------------------------------------


def test_expectation_lines():
    text = (
        "a\n"                                  # line 11
        "// expected-error@+2 {{one}}\n"       # 12: the next line but one
        "// expected-error@below {{two}}\n"    # 13: the next line without an annotation
        "b // expected-error {{three}}\n"      # 14: this line
        "c\n"                                  # 15
        "// expected-note@above {{four}}\n"    # 16: the last line without an annotation
        "// expected-warning@-6 {{five}}\n"    # 17
        "// expected-remark@unknown {{six}}\n" # 18: no location
    )
    expectations, bad = parse_expectations(text, "f", line_offset=10)
    assert not bad
    got = {e.text: (e.severity, e.line) for e in expectations}
    assert got == {"one": ("error", 14), "two": ("error", 15), "three": ("error", 14),
                   "four": ("note", 15), "five": ("warning", 11), "six": ("remark", None)}


def test_check_reports_both_directions():
    expectations, _ = parse_expectations("x // expected-error {{want}}\n", "f")
    problems = check([Diagnostic("f", 1, 1, "got something else")], expectations, "f")
    assert [p.message for p in problems] == [
        "unexpected error: got something else", 'expected error "want" was not produced']
    expectations, _ = parse_expectations("x // expected-error {{want}}\n", "f")
    assert check([Diagnostic("f", 1, 1, "I want it")], expectations, "f") == []


# --- stepwell-run ------------------------------------------------------------------

ADD = """\
func.func @f(%x: tensor<2x3xf32>, %y: tensor<3xf32>) -> tensor<2x3xf32> {
  %z = tensor_graph.add %x, %y : tensor<2x3xf32>, tensor<3xf32> -> tensor<2x3xf32>
  func.return %z : tensor<2x3xf32>
}
"""


def _npy(tmp_path: Path, name: str, array: np.ndarray) -> str:
    path = tmp_path / name
    np.save(path, array)
    return str(path)


def test_run_reference_saves_outputs(tmp_path):
    pytest.importorskip("stepwell.reference")
    x = _npy(tmp_path, "x.npy", np.ones((2, 3), np.float32))
    y = _npy(tmp_path, "y.npy", np.arange(3, dtype=np.float32))
    out = tmp_path / "z.npy"
    assert run.main([write(tmp_path, ADD), "--target", "reference", "--entry", "f",
                     "--input", x, y, "--output", str(out)]) == 0
    np.testing.assert_array_equal(np.load(out), np.ones((2, 3)) + np.arange(3))


@pytest.mark.parametrize("target", ["reference", "cpu"])
def test_run_targets_agree(tmp_path, target):
    x = _npy(tmp_path, "x.npy", np.random.default_rng(0).standard_normal((2, 3), np.float32))
    y = _npy(tmp_path, "y.npy", np.arange(3, dtype=np.float32))
    out = tmp_path / "z.npy"
    assert run.main([write(tmp_path, ADD), "--target", target, "--entry", "f",
                     "--input", x, y, "--output", str(out)]) == 0
    np.testing.assert_array_equal(np.load(out), np.load(x) + np.load(y))


def test_run_bf16_inputs(tmp_path):
    pytest.importorskip("stepwell.reference")
    import ml_dtypes

    src = write(tmp_path, GOOD.replace("f32", "bf16"))
    x = _npy(tmp_path, "x.npy", np.array([1, -2, 3, 0.5], ml_dtypes.bfloat16))
    out = tmp_path / "y.npy"
    assert run.main([src, "--target", "reference", "--input", x, "--output", str(out)]) == 0
    result = np.load(out).view(ml_dtypes.bfloat16)
    np.testing.assert_array_equal(result.astype(np.float32), [-1, 2, -3, -0.5])


@pytest.mark.parametrize(
    "inputs, extra, message",
    [
        (["x32", "y64"], [], "input '{tmp}/y64.npy' is an array of shape (3,) and dtype float64, but argument 1 of @f is tensor<3xf32>"),
        (["x32"], [], "@f takes 2 argument(s) but 1 --input file(s) were given"),
        (["x32", "y32"], ["--entry", "g"], "no function '@g' in"),
        (["x32", "missing"], [], "cannot read input '{tmp}/missing.npy'"),
        (["x32", "y32"], ["--output", "{tmp}/a.npy", "{tmp}/b.npy"], "@f has 1 result(s) but 2 --output file(s) were given"),
    ],
)
def test_run_errors(tmp_path, capsys, inputs, extra, message):
    pytest.importorskip("stepwell.reference")
    files = {"x32": np.ones((2, 3), np.float32), "y32": np.ones(3, np.float32), "y64": np.ones(3)}
    paths = [_npy(tmp_path, f"{n}.npy", files[n]) if n in files else str(tmp_path / f"{n}.npy") for n in inputs]
    extra = [e.format(tmp=tmp_path) for e in extra]
    assert run.main([write(tmp_path, ADD), "--target", "reference", "--input", *paths, *extra]) == 1
    err = capsys.readouterr().err
    assert message.format(tmp=tmp_path) in err
    assert not (tmp_path / "a.npy").exists()


def test_run_target_without_its_device(tmp_path, capsys):
    torch = pytest.importorskip("torch")
    if torch.cuda.is_available():
        pytest.skip("a CUDA GPU is here")
    x = _npy(tmp_path, "x.npy", np.ones((2, 3), np.float32))
    y = _npy(tmp_path, "y.npy", np.ones(3, np.float32))
    assert run.main([write(tmp_path, ADD), "--target", "ptx", "--input", x, y]) == 1
    assert "target ptx cannot run @f here: no CUDA GPU here" in capsys.readouterr().err


def test_run_reports_invalid_ir(tmp_path, capsys):
    assert run.main([write(tmp_path, BAD_VERIFY), "--target", "reference"]) == 1
    assert "in.mlir:2:3: error: 'tensor_graph.neg' op result type" in capsys.readouterr().err
    path = write(tmp_path, UNREGISTERED)
    assert run.main([path, "--target", "reference"]) == 1
    assert capsys.readouterr().err == cli(path).stderr  # as stepwell-opt says it


def test_split_marker_spellings(tmp_path, capsys):
    two = GOOD + "// ==\n" + GOOD.replace("@f", "@g")
    src = write(tmp_path, two)
    assert opt.main(["--split-input-file=// ==", src]) == 0
    assert capsys.readouterr().out.count("builtin.module") == 2
    assert opt.main(["--split-input-file", src]) == 0  # FILE is not taken as the marker
    assert capsys.readouterr().out.count("builtin.module") == 1


GATHER = """\
func.func @f(%x: tensor<4xf32>, %i: tensor<3xi64>) -> tensor<3xf32> {
  %y = tensor_graph.gather %x, %i {axis = 0} : tensor<4xf32>, tensor<3xi64> -> tensor<3xf32>
  func.return %y : tensor<3xf32>
}
"""


@pytest.mark.parametrize("target", ["reference", "cpu"])
def test_run_says_an_input_error_without_an_exception_name(tmp_path, capsys, target):
    x = _npy(tmp_path, "x.npy", np.arange(4, dtype=np.float32))
    i = _npy(tmp_path, "i.npy", np.array([0, 4, 1]))
    assert run.main([write(tmp_path, GATHER), "--target", target, "--input", x, i]) == 1
    err = capsys.readouterr().err
    assert f"error: running @f on {target} failed: 'tensor_graph.gather': index 4 is out of range for axis 0 of size 4" in err
    assert "IndexOutOfRange" not in err and "Error:" not in err
