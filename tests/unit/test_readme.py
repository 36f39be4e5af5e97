"""The README stays true: its plugin tutorial, followed to the letter, works, and the
quickstart's example program goes through the pipeline it shows."""

import os
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


def _file_name(block: str) -> str | None:
    """The file a block is, named by its first line (`# tests/lit.cfg.py`, `// model.mlir`)."""
    found = re.match(r"(?:#|//) ([\w./]+\.(?:py|mlir))\n", block)
    return found.group(1) if found else None


def _write_tutorial_files(section: str, directory: Path) -> None:
    """Each named block to its file; the unnamed Python blocks make up my_plugin.py."""
    plugin = []
    for lang in ("python", "mlir"):
        for block in _blocks(section, lang):
            name = _file_name(block)
            if name is not None:
                (directory / name).parent.mkdir(exist_ok=True)
                (directory / name).write_text(block)
            else:
                assert lang == "python", block
                plugin.append(block)
    (directory / "my_plugin.py").write_text("\n".join(plugin))


def _shell(command: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    return subprocess.run(["bash", "-c", command], cwd=cwd, env=env, capture_output=True, text=True)


def test_plugin_tutorial_to_the_letter(tmp_path):
    """Steps 1-6 in a folder outside the repository: the plugin, the program of step 5
    through stepwell-opt and stepwell.compile, and the FileCheck test under lit."""
    section = _section("Writing a dialect plugin")
    steps = section[section.index("1. **Create the file**") :]
    _write_tutorial_files(steps, tmp_path)
    assert {"my_plugin.py", "model.mlir", "run_model.py", "tests/square_plus.mlir", "tests/lit.cfg.py"} <= {
        str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*")
    }
    commands = [line for block in _blocks(steps, "sh") for line in block.splitlines() if line.strip()]
    assert any(c.startswith("lit ") for c in commands), commands
    for command in commands:
        out = _shell(command, tmp_path)
        assert out.returncode == 0, (command, out.stdout, out.stderr)
        if command.startswith("stepwell-opt model.mlir"):
            assert "tensor_graph.mul" in out.stdout and "my.square_plus" not in out.stdout, out.stdout
        if command.startswith("lit "):
            assert "PASS: my-plugin :: square_plus.mlir" in out.stdout, out.stdout

    expected = re.search(r"print\(.*\)\s+# (.*)", (tmp_path / "run_model.py").read_text()).group(1)
    out = _shell(f"{sys.executable} run_model.py", tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == expected


def test_quickstart_runs_the_example_end_to_end():
    cmd = re.search(r"&& (python examples/\S+\.py)\n", _section("Quickstart"))
    out = subprocess.run([sys.executable, ROOT / cmd.group(1).split()[1]], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "ok: the compiled code agrees with the reference interpreter" in out.stdout


def test_quickstart_example():
    cmd = re.search(r"stepwell-opt (examples/\S+) -p (\S+)", _section("Quickstart"))
    out = subprocess.run(
        [BIN / "stepwell-opt", ROOT / cmd.group(1), "-p", cmd.group(2)],
        capture_output=True, text=True,
    )
    assert out.returncode == 0, out.stderr
    assert "tensor_graph.layer_norm" not in out.stdout and "tensor_graph.reduce" in out.stdout
