"""Every benchmark workload (bench/workloads.py), compiled for the CPU at small odd
sizes, matches the reference interpreter and the numpy anchor."""

import sys
from pathlib import Path

import numpy as np
import pytest

import stepwell
import stepwell.reference

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from workloads import workloads  # noqa: E402

SIZES = [dict(m=37, n=53, mm=29, attn=(1, 3, 17, 8)), dict(m=1, n=130, mm=1, attn=(2, 1, 5, 3))]


@pytest.mark.parametrize("size", SIZES, ids=["odd", "size-1"])
def test_workloads_match_reference(size):
    for w in workloads(**size):
        inputs = w.inputs(seed=7)
        want = stepwell.reference.run(w.source, "main", *inputs)
        got = stepwell.compile(w.source, "main")(*inputs)
        np.testing.assert_allclose(got, want, rtol=2e-5, atol=2e-6, err_msg=w.name)
        np.testing.assert_allclose(w.numpy(*inputs), want, rtol=2e-5, atol=2e-6, err_msg=w.name)
