"""Helpers of the Triton tests: lower a tensor_graph program in process, emit its
Triton source, compile each kernel ahead of time for sm_90 with the signature its
`gpu_block.kernel` states, and run many programs in one interpreter subprocess."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

from xdsl.dialects.builtin import ModuleOp

from stepwell import registry
from stepwell.dialects import gpu_block as gb
from stepwell.dtypes import numpy_dtype
from stepwell.ir import parse_module
from stepwell.ir.pipeline import build_pipeline
from stepwell.registry import make_context
from stepwell.targets.triton.emit import emit_triton, triton_dtype

POINTER = {"float16": "fp16", "bfloat16": "bf16", "float32": "fp32", "float64": "fp64", "bool": "i1",
           "int8": "i8", "int32": "i32", "int64": "i64"}  # fmt: skip


def lower(source: str, pipeline: str = "lower-to-triton"):
    """`source` parsed and run through `pipeline`: the module (gpu_block kernels and launchers)."""
    module, _ = parse_module(make_context(), source)
    for _, pass_ in build_pipeline(pipeline, registry.passes(), registry.pipelines()):
        pass_.apply(make_context(), module)
    module.verify()
    return module


def signature(kernel: gb.KernelOp) -> dict[str, str]:
    """Triton's signature of the emitted kernel (its parameter names are the emitter's)."""
    types = []
    for a in kernel.args:
        if isinstance(a.type, gb.PtrType):
            types.append("*" + POINTER[triton_dtype(a.type.pointee)])
        else:
            types.append(POINTER[triton_dtype(a.type)])
    return types  # type: ignore[return-value]


def load_file(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def compile_sm90(source: str, path: Path, pipeline: str = "lower-to-triton") -> int:
    """Every kernel of `source`'s emitted Triton compiled for sm_90 (PTX checked); how many."""
    import triton
    from triton.backends.compiler import GPUTarget
    from triton.compiler import ASTSource

    module = lower(source, pipeline)
    path.write_text(emit_triton(module))
    py = load_file(path, path.stem)
    count = 0
    for kernel in (op for op in module.ops if isinstance(op, gb.KernelOp)):
        fn = getattr(py, kernel.sym_name.data)
        sig = dict(zip(fn.arg_names, signature(kernel)))
        attrs = {(i,): [["tt.divisibility", 16]] for i, k in enumerate(kernel.args) if "divisibility" in kernel.facts(i)}
        compiled = triton.compile(ASTSource(fn=fn, signature=sig, attrs=attrs), target=GPUTarget("cuda", 90, 32),
                                  options={"num_warps": kernel.num_warps.value.data, "num_stages": 1})
        assert ".entry" in compiled.asm["ptx"]
        count += 1
    return count


RUNNER = """
import sys, traceback, numpy as np, torch, importlib.util
import ml_dtypes
BF16 = np.dtype(ml_dtypes.bfloat16)

def to_torch(a):
    if a.dtype == BF16:
        return torch.from_numpy(a.view(np.int16).copy()).view(torch.bfloat16)
    return torch.from_numpy(np.ascontiguousarray(a))

def to_numpy(t):
    if t.dtype == torch.bfloat16:
        return t.view(torch.int16).numpy().view(BF16)
    return t.numpy()

for case in sys.argv[1:]:
    spec = importlib.util.spec_from_file_location(case.replace("/", "_"), case + ".py")
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
        inputs = np.load(case + ".in.npy", allow_pickle=True)
        out = module.f(*(to_torch(a) for a in inputs))
        outs = out if isinstance(out, tuple) else (out,)
        np.save(case + ".out.npy", np.array([to_numpy(o) for o in outs] + [None], dtype=object)[:-1], allow_pickle=True)
    except Exception:
        open(case + ".err", "w").write(traceback.format_exc())
"""


def interpret(programs: dict[str, tuple[str, list[np.ndarray]]], tmp: Path, pipeline: str = "lower-to-triton") -> dict:
    """Each program (source, inputs) lowered, emitted and run by Triton's interpreter,
    all in one subprocess (TRITON_INTERPRET is read when @triton.jit decorates); the
    outputs (a tuple of arrays) or the error text, by name."""
    return interpret_modules({name: (lower(source, pipeline), arrays) for name, (source, arrays) in programs.items()}, tmp)


def interpret_modules(modules: dict[str, tuple[ModuleOp, list[np.ndarray]]], tmp: Path) -> dict:
    """`interpret` for modules already lowered to gpu_block."""
    for name, (module, arrays) in modules.items():
        (tmp / f"{name}.py").write_text(emit_triton(module))
        np.save(tmp / f"{name}.in.npy", np.array(list(arrays) + [None], dtype=object)[:-1], allow_pickle=True)
    (tmp / "run.py").write_text(RUNNER)
    done = subprocess.run([sys.executable, str(tmp / "run.py"), *(str(tmp / n) for n in modules)],
                          env={**os.environ, "TRITON_INTERPRET": "1"}, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr[-4000:]
    results = {}
    for name in modules:
        err = tmp / f"{name}.err"
        results[name] = err.read_text() if err.exists() else tuple(np.load(tmp / f"{name}.out.npy", allow_pickle=True))
    return results


def element_dtype(name: str) -> np.dtype:
    from stepwell.dialects.tensor_graph import types

    return np.dtype(numpy_dtype(getattr(types, name)))
