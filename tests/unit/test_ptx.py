"""The PTX path's first slice (issue 10): lone pointwise kernels lowered per thread,
emitted as PTX by LLVM's NVPTX backend and assembled by ptxas for sm_90 (no GPU needed)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from stepwell.targets.ptx import check_target, emit_ptx
from stepwell.tools.emitters import EmitError
from tests.unit._triton import lower


def _ptxas() -> str | None:
    try:
        import triton

        wheel = Path(triton.__file__).parent / "backends" / "nvidia" / "bin" / "ptxas"
        if wheel.exists() and os.access(wheel, os.X_OK):
            return str(wheel)
    except ImportError:
        pass
    return shutil.which("ptxas")


PTXAS = _ptxas()

UNARY = "func.func @f(%x: tensor<{s}x{t}>) -> tensor<{s}x{t}> {{\n  %r = tensor_graph.{op} %x : tensor<{s}x{t}>\n  func.return %r : tensor<{s}x{t}>\n}}"  # noqa: E501
BCAST = """func.func @f(%x: tensor<1000x37xf32>, %y: tensor<37xf32>) -> tensor<1000x37xf32> {
  %e = tensor_graph.exp %x : tensor<1000x37xf32>
  %s = tensor_graph.add %e, %y : tensor<1000x37xf32>, tensor<37xf32> -> tensor<1000x37xf32>
  func.return %s : tensor<1000x37xf32>
}"""
BF16 = """func.func @f(%x: tensor<1001xbf16>, %y: tensor<1001xbf16>) -> tensor<1001xbf16> {
  %s = tensor_graph.mul %x, %y : tensor<1001xbf16>, tensor<1001xbf16> -> tensor<1001xbf16>
  func.return %s : tensor<1001xbf16>
}"""
COMPARE = """func.func @f(%x: tensor<777xf32>, %y: tensor<777xf32>) -> tensor<777xi1> {
  %s = tensor_graph.cmp %x, %y {predicate = "gt"} : tensor<777xf32>, tensor<777xf32> -> tensor<777xi1>
  func.return %s : tensor<777xi1>
}"""

PROGRAMS = {
    "f32_broadcast_exp": BCAST,
    "bf16_mul_odd": BF16,
    "f32_log_odd": UNARY.format(s=1001, t="f32", op="log"),
    "f32_tanh_large": UNARY.format(s=1 << 20, t="f32", op="tanh"),
    "bf16_exp_large": UNARY.format(s=300000, t="bf16", op="exp"),
    "f32_tiny": UNARY.format(s=10, t="f32", op="neg"),
    "f16_sqrt": UNARY.format(s=4099, t="f16", op="sqrt"),
    "compare_to_bool": COMPARE,
}


def test_missing_libdevice_is_a_clear_error(monkeypatch):
    """A kernel calling libdevice without a libdevice.10.bc anywhere: an EmitError naming
    what is missing and where it is looked for, before LLVM sees the module."""
    import stepwell.targets.ptx as ptx_target

    monkeypatch.setattr(ptx_target, "find_libdevice", lambda: None)
    ptx_target._libdevice_bitcode.cache_clear()
    try:
        with pytest.raises(EmitError, match=r"no libdevice.10.bc was found \(set STEPWELL_LIBDEVICE"):
            emit_ptx(lower(BCAST, "lower-to-ptx"))
        emit_ptx(lower(BF16, "lower-to-ptx"))  # no transcendental: no libdevice needed
    finally:
        ptx_target._libdevice_bitcode.cache_clear()


def test_libdevice_found_through_environment(monkeypatch, tmp_path):
    import stepwell.targets.ptx as ptx_target

    fake = tmp_path / "libdevice.10.bc"
    fake.write_bytes(b"BC")
    monkeypatch.setenv("STEPWELL_LIBDEVICE", str(fake))
    assert ptx_target.find_libdevice() == fake
    monkeypatch.setenv("STEPWELL_LIBDEVICE", str(tmp_path / "missing.bc"))
    assert ptx_target.find_libdevice() != tmp_path / "missing.bc"


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_pointwise_ptx_assembles_for_sm90(name, tmp_path):
    ptx = emit_ptx(lower(PROGRAMS[name], "lower-to-ptx"))
    assert ".entry f_k0(" in ptx
    assert "call" not in ptx  # transcendentals expanded or libdevice inlined: no libm symbol
    if PTXAS is None:
        pytest.skip("no ptxas (neither in the triton wheel nor on PATH)")
    path = tmp_path / f"{name}.ptx"
    path.write_text(ptx)
    cubin = tmp_path / "k.cubin"
    done = subprocess.run([PTXAS, "-arch=sm_90", str(path), "-o", str(cubin)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_contiguous_loads_are_vectors():
    assert "ld.global.nc.v4.b32" in emit_ptx(lower(UNARY.format(s=1 << 20, t="f32", op="neg"), "lower-to-ptx"))


@pytest.mark.parametrize(
    ("arch", "ptx", "message"),
    [
        ("sm_100", "ptx80", "sm_100 needs PTX version ptx86 or later, got 'ptx80'"),
        ("sm_91", "ptx80", "unknown GPU architecture 'sm_91'"),
        ("sm_90", "ptx99", "unknown PTX version 'ptx99'"),
        ("sm_90", "80", "unknown PTX version '80'"),
    ],
)
def test_invalid_targets_are_refused_before_llvm(arch, ptx, message):
    """LLVM ends the process on such a pair; the check refuses it first."""
    with pytest.raises(EmitError, match=message):
        check_target(arch, ptx)
    with pytest.raises(EmitError, match=message):
        emit_ptx(lower(BF16, "lower-to-ptx"), arch=arch, ptx=ptx)


def test_other_architectures_emit():
    assert ".target sm_80" in emit_ptx(lower(BF16, "lower-to-ptx"), arch="sm_80", ptx="ptx78")
