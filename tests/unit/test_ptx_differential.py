"""The differential suite through the PTX target: every program of the Triton
differential suite (its case table, test_triton_differential.CASES) compiled with
`stepwell.compile(..., target="ptx")`, which lowers it (lower-to-ptx-gpu_block, then
convert-gpu_block-to-nvvm), emits PTX and assembles every kernel with ptxas for sm_90:
the CI half (no GPU needed). On a CUDA GPU, each case also runs and is compared with
the reference interpreter (the `gpu` tests; bench/gpu_check.sh runs them).

Cases the PTX path refuses today ("not supported by the PTX path yet") are in
NOT_YET_BY_REASON, an xfail(strict) each: when the lowering learns one, it XPASSes and
fails, and comes off the table.

The compiles run once per session in a pool of forked processes (one per core, at most
8): each writes its artifact to this module's compile cache, from which the tests load it.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import traceback
from concurrent.futures import ProcessPoolExecutor

import pytest

pytest.importorskip("triton")  # (the case table's module needs triton and torch)
torch = pytest.importorskip("torch")

from _programs import assert_close
from test_triton_differential import CASES, XFAIL

from stepwell import reference
from stepwell.compiler import CompileError, compile
from stepwell.lowering.gpu_block_to_nvvm import UNSUPPORTED
from stepwell.targets.ptx.assemble import find_ptxas

GPU = torch.cuda.is_available()

NOT_YET_BY_REASON: dict[str, str] = {}
"""Cases the PTX path refuses today, by why (names separated by white space)."""

NOT_YET = {name: reason for reason, names in NOT_YET_BY_REASON.items() for name in names.split()}
NAMES = sorted(set(CASES) - set(XFAIL))  # (what the Triton path cannot do is not asked of this one)


def _params(marks: list) -> list:
    return [
        pytest.param(name, id=name, marks=[
            *marks, *([pytest.mark.xfail(strict=True, raises=CompileError, reason=NOT_YET[name])] if name in NOT_YET else []),
        ])
        for name in NAMES
    ]


def _build(name: str) -> str | None:
    """Compile case `name` for the PTX target (in a worker): None, or why it failed
    ("compile: " and the CompileError's message, else "crash: " and a traceback)."""
    try:
        compile(CASES[name].text, "f", target="ptx")
    except CompileError as e:
        return f"compile: {e}"
    except Exception:  # noqa: BLE001  (reported by the test, with its traceback)
        return f"crash: {traceback.format_exc()}"
    return None


@pytest.fixture(scope="module")
def built(request, tmp_path_factory) -> dict[str, str | None]:
    """The outcome of compiling each selected case (the artifacts in this module's
    compile cache), compiled in parallel."""
    mp = pytest.MonkeyPatch()
    mp.setenv("STEPWELL_CACHE_DIR", str(tmp_path_factory.mktemp("ptx-cache")))
    names = sorted({
        item.callspec.params["name"] for item in request.session.items
        if item.module is request.module and hasattr(item, "callspec")
    })
    workers = max(1, min(8, os.cpu_count() or 1, len(names)))
    # forked: the parent's imports come along; a worker only compiles (no CUDA in it)
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
        outcomes = dict(zip(names, pool.map(_build, names, chunksize=8)))
    yield outcomes
    mp.undo()


def _compiled(name: str, built: dict):
    outcome = built[name]
    if outcome is not None:
        kind, _, message = outcome.partition(": ")
        if kind == "compile":
            raise CompileError(message)
        raise AssertionError(f"compiling {name} for ptx crashed:\n{message}")
    return compile(CASES[name].text, "f", target="ptx")  # (from the cache)


@pytest.mark.parametrize("name", _params([]))
def test_every_kernel_assembles_for_sm90(name, built):
    f = _compiled(name, built)
    assert ".entry f_k0(" in f.program.ptx or all(k.startswith("f_k") for k in f.program.kernels), name
    # no libm (nor any other outside) symbol: calls only to functions defined in the
    # module (libdevice's out-of-line slow paths, e.g. f64 sin/cos of huge arguments)
    called = set(re.findall(r"\bcall(?:\.uni)?\s+(?:\(\w+\),\s*)?(\w+)", f.program.ptx))
    defined = set(re.findall(r"^\.func\s+(?:\([^)]*\)\s*)?(\w+)\(", f.program.ptx, re.MULTILINE))
    assert ".extern .func" not in f.program.ptx and called <= defined, called - defined
    if find_ptxas() is None:
        pytest.skip("no ptxas (neither STEPWELL_PTXAS, the triton wheel's, nor the CUDA toolkit's)")
    assert f.program.cubin[:4] == b"\x7fELF"


def test_refusals_say_what_is_not_supported_yet(built):
    """Every refusal is the lowering's own ("not supported by the PTX path yet"), not a crash."""
    for name in NOT_YET:
        if built.get(name) is not None:
            assert UNSUPPORTED in built[name], (name, built[name])


@pytest.mark.parametrize("name", _params([pytest.mark.gpu, pytest.mark.skipif(not GPU, reason="needs a CUDA GPU")]))
def test_matches_reference_on_gpu(name, built):
    case = CASES[name]
    f = _compiled(name, built)
    expected = reference.run(case.text, "f", *case.inputs)
    actual = f(*case.inputs)
    if not isinstance(expected, tuple):
        actual, expected = (actual,), (expected,)
    assert isinstance(actual, tuple) and len(actual) == len(expected)
    for i, (a, e) in enumerate(zip(actual, expected)):
        assert_close(a, e, case.rtol, case.atol, f"result {i} of\n{case.text}")
