#!/usr/bin/env bash
# The Triton and PTX targets' tests on a CUDA GPU (the H200 of the device tool): the gpu
# cases of every test_triton_*.py and test_ptx_*.py (the differential suites, dots,
# column reductions, atomics, shared memory) and of test_resources.py (dense_resource
# constants on both GPU targets), the runtimes' (test_triton_runtime.py, test_ptx_runtime.py)
# tests, all of them (on CUDA tensors where there is a GPU: numpy and torch in and out,
# argument checks, donation, autotuning and its file, CUDA-graph capture, peak memory
# through the memory plan, streams) and the emitted launchers on the GPU
# (test_triton_target.py), the model tests of the three frontends on both GPU targets
# (test_frontend_models.py, test_onnx_models.py: the onnx package must be importable,
# else that module skips), then a summary.
#
# On the device machine (no xDSL there: carry its wheels, see /work/.library/device/README.md):
#   python3 -m pip install -q --no-index --no-deps --target /tmp/site .whl/*.whl && export PYTHONPATH=/tmp/site:$PWD
#   bash bench/gpu_check.sh            # logs and a JUnit file under $OUT (else /tmp/gpu_check)
# Extra arguments go to pytest (e.g. -x; a -k of their own replaces the default one: -k "gpu and softmax").
set -uo pipefail
cd "$(dirname "$0")/.."
export PYTHONPATH="${PYTHONPATH:+$PYTHONPATH:}$PWD" PYTHONUNBUFFERED=1
export STEPWELL_CACHE_DIR="${STEPWELL_CACHE_DIR:-$(mktemp -d)}"
out="${OUT:-/tmp/gpu_check}"
mkdir -p "$out"

python3 - <<'PY'
import platform, torch, triton
print(f"python {platform.python_version()}, torch {torch.__version__}, triton {triton.__version__}")
print("device:", torch.cuda.get_device_name() if torch.cuda.is_available() else "NO CUDA GPU: every gpu test will skip")
PY

parallel=()
python3 -c "import xdist" 2>/dev/null && parallel=(-n 8)
# the tests marked gpu (a marker is a keyword), those named so, and every runtime test (its module's name)
python3 -m pytest -q -p no:cacheprovider -k "gpu or test_triton_runtime or test_ptx_runtime" -rfEX "${parallel[@]}" \
  --junitxml="$out/gpu_check.xml" tests/unit/test_triton_*.py tests/unit/test_ptx_*.py tests/unit/test_resources.py \
  tests/unit/test_frontend_models.py tests/unit/test_onnx_models.py "$@" \
  2>&1 | tee "$out/gpu_check.log"
status=${PIPESTATUS[0]}

python3 - "$out/gpu_check.xml" <<'PY'
import collections, sys, xml.etree.ElementTree as ET
counts = collections.defaultdict(collections.Counter)
failed = []
for case in ET.parse(sys.argv[1]).iter("testcase"):
    group = case.get("classname", "").rsplit(".", 1)[-1]
    kids = {c.tag: c for c in case}
    if "failure" in kids or "error" in kids:
        outcome = "failed"
        why = kids["failure"] if "failure" in kids else kids["error"]  # (an Element without children is falsy)
        failed.append(f"{group}::{case.get('name')}: {why.get('message', '')[:160]}")
    elif "skipped" in kids:
        outcome = "xfailed" if kids["skipped"].get("type") == "pytest.xfail" else "skipped"
    else:
        outcome = "passed"
    counts[group][outcome] += 1
print("\n== summary (gpu) ==")
for group, c in sorted(counts.items()):
    print(f"{group:36} " + ", ".join(f"{k} {v}" for k, v in sorted(c.items())))
total = sum(counts.values(), collections.Counter())
print(f"{'total':36} " + ", ".join(f"{k} {v}" for k, v in sorted(total.items())))
if failed:
    print("\nfailed (a strict xfail that passed shows here as XPASS: take it off XFAIL):")
    print("\n".join(failed[:60]))
PY
exit "$status"
