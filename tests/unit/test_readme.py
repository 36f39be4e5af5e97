"""The README stays true: its plugin tutorial, followed to the letter, works, and the
quickstart's example program goes through the pipeline it shows."""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()
BIN = Path(sys.executable).parent


def _section(title: str) -> str:
    start = README.index(f"## {title}")
    end = README.find("\n## ", start + 1)
    return README[start : end if end != -1 else None]


def _blocks(text: str, lang: str) -> list[str]:
    blocks = re.findall(rf"```{lang}\n(.*?)```", text, flags=re.S)
    return [re.sub(r"^   ", "", b, flags=re.M) for b in blocks]  # list-item indent


def test_plugin_tutorial_to_the_letter(tmp_path):
    section = _section("Writing a dialect plugin")
    (tmp_path / "my_plugin.py").write_text("\n".join(_blocks(section, "python")))
    (mlir,) = _blocks(section, "mlir")
    test = tmp_path / "test.mlir"
    test.write_text(mlir)
    out = subprocess.run(
        [BIN / "stepwell-opt", test, "--load-dialect-plugin", tmp_path / "my_plugin.py", "-p", "my-decompose"],
        capture_output=True, text=True,
    )
    assert out.returncode == 0, out.stderr
    checks = re.findall(r"// CHECK: (.*)", mlir)
    assert checks and all(c in out.stdout for c in checks), out.stdout
    assert "my.square_plus" not in out.stdout


def test_quickstart_example():
    cmd = re.search(r"stepwell-opt (examples/\S+) -p (\S+)", _section("Quickstart"))
    out = subprocess.run(
        [BIN / "stepwell-opt", ROOT / cmd.group(1), "-p", cmd.group(2)],
        capture_output=True, text=True,
    )
    assert out.returncode == 0, out.stderr
    assert "tensor_graph.layer_norm" not in out.stdout and "tensor_graph.reduce" in out.stdout
