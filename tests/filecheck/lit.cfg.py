# lit configuration for stepwell's FileCheck suite: `lit tests/filecheck`.
import os
import shutil
import sys

import lit.formats

config.name = "stepwell"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".mlir", ".py"]
config.excludes = ["lit.cfg.py", "Inputs"]
config.test_source_root = os.path.dirname(__file__)
config.environment["PYTHONUNBUFFERED"] = "1"
for var in ("PATH", "HOME", "PYTHONPATH", "STEPWELL_CACHE_DIR"):
    if var in os.environ:
        config.environment[var] = os.environ[var]

bin_dir = os.path.dirname(sys.executable)
root = os.path.dirname(os.path.dirname(config.test_source_root))
config.substitutions.append(("%python", sys.executable))
config.substitutions.append(("%examples", os.path.join(root, "examples")))
config.substitutions.append(("stepwell-opt", os.path.join(bin_dir, "stepwell-opt")))
config.substitutions.append(("stepwell-run", os.path.join(bin_dir, "stepwell-run")))
config.substitutions.append(("filecheck", os.path.join(bin_dir, "filecheck")))
# the console script when installed, else the module it runs (an editable install made
# before the script existed)
import_onnx = os.path.join(bin_dir, "stepwell-import-onnx")
config.substitutions.append(
    ("stepwell-import-onnx", import_onnx if os.path.exists(import_onnx) else f"{sys.executable} -m stepwell.frontends.onnx")
)
try:
    import onnx  # noqa: F401

    config.available_features.add("onnx")
except ImportError:
    pass

# Upstream MLIR tools (Debian's mlir-22-tools) are optional: tests needing them say
# `REQUIRES: mlir-opt`.
for tool in ("mlir-opt", "mlir-translate"):
    for candidate in (tool, f"{tool}-22"):
        found = shutil.which(candidate) or shutil.which(candidate, path="/usr/lib/llvm-22/bin")
        if found:
            config.available_features.add(tool)
            config.substitutions.append((f"%{tool}", found))
            break
