"""The README's ONNX table, from a run of the node tests (not written by hand):

    python tests/unit/onnx_node_table.py            # runs tests/unit/test_onnx_node.py

prints, per op the importer supports, how many of ONNX's node test cases for that op
(its own cases and those of its function's expansion) passed on the reference
interpreter and the CPU target, and how many were skipped (and why, by kind).
"""

from __future__ import annotations

import collections
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def outcomes(junit: Path) -> dict[str, tuple[str, str]]:
    """test case name -> (passed / skipped / failed, the skip reason's kind)."""
    out = {}
    for tc in ET.parse(junit).getroot().iter("testcase"):
        name = tc.get("name", "")
        if not name.startswith("test_onnx_node["):
            continue
        case = name[len("test_onnx_node[") : -1]
        skipped, failed = tc.find("skipped"), tc.find("failure") or tc.find("error")
        if failed is not None:
            out[case] = ("failed", "")
        elif skipped is not None:
            out[case] = ("skipped", skipped.get("message", "").split(":")[0])
        else:
            out[case] = ("passed", "")
    return out


def main() -> int:
    from _onnx_node_cases import cases

    from stepwell.frontends.onnx import OPS

    with tempfile.TemporaryDirectory() as tmp:
        junit = Path(tmp) / "junit.xml"
        subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--junitxml={junit}",
             str(HERE / "test_onnx_node.py")],
            env={**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(HERE.parents[1]), os.environ.get("PYTHONPATH")]))},
            stdout=subprocess.DEVNULL,
            check=False,
        )
        results = outcomes(junit)
    by_op: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for name, case in cases().items():
        outcome, kind = results.get(name, ("missing", ""))
        by_op[case.op][outcome if outcome != "skipped" else f"skipped ({kind})"] += 1
    total = collections.Counter()
    rows = []
    for op in sorted(OPS):
        c = by_op.get(op, collections.Counter())
        total.update(c)
        skipped = ", ".join(f"{n} {k.removeprefix('skipped ')}" for k, n in sorted(c.items()) if k.startswith("skipped"))
        failed = f" **{c['failed']} failed**" if c["failed"] else ""
        rows.append(f"| {op} | {c['passed']} / {sum(c.values())}{failed} | {skipped} |")
    print("| ONNX op | node tests passed | skipped (why) |")
    print("|---|---|---|")
    print("\n".join(rows))
    passed = sum(1 for o, _ in results.values() if o == "passed")
    skipped = sum(1 for o, _ in results.values() if o == "skipped")
    failed = sum(1 for o, _ in results.values() if o == "failed")
    print(f"\n{len(OPS)} ops; of ONNX's {len(results)} node test cases, {passed} pass, "
          f"{skipped} are skipped (other ops, dtypes, opsets before 13), {failed} fail.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
