"""ptxas: PTX text to a cubin for one architecture (no GPU needed).

`find_ptxas()` looks, in order, at `$STEPWELL_PTXAS`, the one inside the triton wheel
(`triton/backends/nvidia/bin/ptxas`), `ptxas` on PATH and the CUDA toolkit's
(`$CUDA_HOME/bin`, /usr/local/cuda/bin); None where there is none (the PTX target then
keeps the PTX and the driver compiles it when it loads).
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import tempfile
from pathlib import Path


class AssembleError(RuntimeError):
    """ptxas refused the PTX (its message says why)."""


def _runnable(path: Path | str | None) -> str | None:
    return str(path) if path and os.path.isfile(path) and os.access(path, os.X_OK) else None


@functools.cache
def find_ptxas() -> str | None:
    found = _runnable(os.environ.get("STEPWELL_PTXAS"))
    if found:
        return found
    try:
        import triton

        found = _runnable(Path(triton.__file__).parent / "backends" / "nvidia" / "bin" / "ptxas")
    except ImportError:
        pass
    cuda_home = os.environ.get("CUDA_HOME") or os.environ.get("CUDA_PATH")
    return (
        found
        or _runnable(shutil.which("ptxas"))
        or _runnable(Path(cuda_home) / "bin" / "ptxas" if cuda_home else None)
        or _runnable("/usr/local/cuda/bin/ptxas")
    )


@functools.cache
def ptxas_version() -> str:
    """`ptxas --version`'s last line (its release), or "no ptxas"."""
    ptxas = find_ptxas()
    if ptxas is None:
        return "no ptxas"
    done = subprocess.run([ptxas, "--version"], check=False, capture_output=True, text=True)
    lines = done.stdout.strip().splitlines()
    return f"ptxas {lines[-1] if lines else '?'}"


def assemble(ptx: str, arch: str = "sm_90", ptxas: str | None = None) -> bytes:
    """The cubin of `ptx` for `arch` (AssembleError with ptxas's message if it refuses;
    FileNotFoundError if there is no ptxas)."""
    ptxas = ptxas or find_ptxas()
    if ptxas is None:
        raise FileNotFoundError("no ptxas (set STEPWELL_PTXAS, install triton, or the CUDA toolkit)")
    with tempfile.TemporaryDirectory(prefix="stepwell-ptxas-") as tmp:
        source, cubin = Path(tmp) / "k.ptx", Path(tmp) / "k.cubin"
        source.write_text(ptx)
        done = subprocess.run([ptxas, f"-arch={arch}", str(source), "-o", str(cubin)], check=False, capture_output=True, text=True)
        if done.returncode != 0:
            raise AssembleError(f"ptxas -arch={arch} refused the PTX:\n{done.stderr.strip()}")
        return cubin.read_bytes()
