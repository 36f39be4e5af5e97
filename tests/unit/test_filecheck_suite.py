"""Runs the lit + FileCheck suite inside pytest, so one command runs every test."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

SUITE = Path(__file__).resolve().parents[1] / "filecheck"


def test_lit_suite():
    lit = [sys.executable, "-c", "import lit.main; lit.main.main()"]
    proc = subprocess.run(
        [*lit, "-v", "--no-progress-bar", str(SUITE)],
        capture_output=True,
        text=True,
        env={**os.environ, "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"]},
    )
    print(proc.stdout[-20000:], proc.stderr[-5000:])
    assert proc.returncode == 0, "lit suite failed (see captured output)"
    assert "Passed" in proc.stdout


def test_ci_has_upstream_mlir():
    """In CI the interop tests with upstream mlir-opt and mlir-translate must run, not
    skip (lit.cfg.py finds them the same way)."""
    if not os.environ.get("CI"):
        return
    for tool in ("mlir-opt", "mlir-translate"):
        found = shutil.which(tool) or shutil.which(f"{tool}-22")
        assert found or os.path.exists(f"/usr/lib/llvm-22/bin/{tool}"), (
            f"CI must install Debian's mlir-22-tools for {tool} (see .ci/run)"
        )
