"""The "ptx" target: gpu_block kernels lowered per thread to PTX (convert-gpu_block-to-nvvm,
the emitter in this package), assembled once by ptxas, launched through the CUDA driver.

Its pipeline `lower-to-ptx-gpu_block` stops at the gpu_block level (kernels and the host
functions that launch them, with the memory plan). `build` then emits the host functions
as the Triton target's launchers (triton/emit.py's `emit_launchers`: one arena per call
from torch's caching allocator, views at the plan's offsets, results, donation), runs
convert-gpu_block-to-nvvm on the kernels, emits their PTX and assembles it for `arch`
with ptxas where there is one. `arch` is the GPU's: sm_90a on a Hopper (H100/H200: the
pipelined matmul loops then run on wgmma, convert-gpu_block-to-nvvm's `wgmma` option; a
cubin for sm_90a runs on Hopper only), else sm_90 (no GPU, as in CI); `$STEPWELL_PTX_ARCH`
chooses one of the two. The artifact (kept on disk by the compile cache, so a
later process neither lowers nor assembles again) is the cubin, with the PTX, the
launchers' source and what the runtime needs (runtime.py) as metadata.
"""

from __future__ import annotations

import functools
import json
import os
from dataclasses import asdict

from xdsl.dialects import func, llvm
from xdsl.dialects.builtin import IntegerAttr, IntegerType, ModuleOp
from xdsl.ir import Operation
from xdsl.utils.exceptions import PassFailedException

from stepwell.dialects import gpu_block as gb
from stepwell.targets import BIND_CONSTANTS_ABOVE, Artifact, Target

ARCH, PTX_VERSION = "sm_90", "ptx80"
MAX_SHARED = 227 * 1024
"""The dynamic shared memory a CTA may opt into on ARCH (sm_90: 227 KiB; a launch above
STATIC_SHARED asks for it with cuFuncSetAttribute, runtime.py)."""
STATIC_SHARED = 48 * 1024  # what a launch gets without opting in
ARCHS = (ARCH, "sm_90a")  # what $STEPWELL_PTX_ARCH may choose (sm_90a: wgmma)


@functools.cache
def device_arch() -> str:
    """sm_90a where the first GPU is a Hopper (compute capability 9.0: its matmuls take
    wgmma), else sm_90 (no GPU, as in CI, or another one: the runtime then loads the PTX
    or says why it cannot run)."""
    from stepwell.targets.ptx import driver

    try:
        return "sm_90a" if driver.compute_capability(0) == (9, 0) else ARCH
    except driver.DriverError:
        return ARCH


class PtxTarget(Target):
    name = "ptx"
    pipeline = "lower-to-ptx-gpu_block"
    bind_constants_above = BIND_CONSTANTS_ABOVE  # bigger constants: the artifact's bytes, not the launchers'
    ptx, max_shared = PTX_VERSION, MAX_SHARED

    @property
    def arch(self) -> str:
        """`$STEPWELL_PTX_ARCH` (sm_90 or sm_90a), else the GPU's (`device_arch`); read at
        each compile (the compile cache's key holds it: `version`)."""
        from stepwell.compiler import CompileError

        arch = os.environ.get("STEPWELL_PTX_ARCH", "").strip() or device_arch()
        if arch not in ARCHS:
            raise CompileError(f"STEPWELL_PTX_ARCH={arch!r}: the ptx target builds for {' or '.join(ARCHS)}")
        return arch

    def version(self) -> str:
        import llvmlite

        from stepwell.targets.ptx import find_libdevice
        from stepwell.targets.ptx.assemble import ptxas_version

        libdevice = find_libdevice()  # its functions are inlined into the cubin
        linked = f"{libdevice} ({libdevice.stat().st_size} bytes)" if libdevice else "no libdevice"
        return f"llvmlite {llvmlite.__version__} | {ptxas_version()} | {linked} | {self.arch} {self.ptx} | shared {self.max_shared} | constants bound above {self.bind_constants_above} bytes"

    def build(self, module: ModuleOp) -> Artifact:
        from stepwell.compiler import CompileError
        from stepwell.targets.ptx import emit_ptx
        from stepwell.targets.ptx.assemble import AssembleError, assemble, find_ptxas
        from stepwell.targets.triton.emit import bound_constants, emit_launchers
        from stepwell.targets.triton.runtime import ProgramInfo
        from stepwell.targets.triton.target import function_info
        from stepwell.tools.emitters import EmitError

        kernels = {op.sym_name.data: op for op in module.ops if isinstance(op, gb.KernelOp)}
        hosts = [fn for fn in module.ops if isinstance(fn, func.FuncOp) and not fn.is_declaration]
        if not hosts or any(isinstance(op, llvm.FuncOp) for op in module.ops):
            raise CompileError(f"target ptx builds gpu_block kernels and their launches (pipeline {self.pipeline})")
        try:
            host = emit_launchers(module, self.bind_constants_above)
            constants = bound_constants(module, self.bind_constants_above)
            program = ProgramInfo([function_info(fn, kernels, self.name) for fn in hosts])
            lowered = _lower_kernels(module, self.max_shared, wgmma=self.arch == "sm_90a")
            ptx = emit_ptx(ModuleOp(lowered), arch=self.arch, ptx=self.ptx)
        except EmitError as e:
            raise CompileError(f"target ptx: {e}") from None
        cubin = b""
        if find_ptxas() is not None:
            try:
                cubin = assemble(ptx, self.arch)
            except AssembleError as e:
                raise CompileError(f"target ptx: {e}") from None
        metadata = {
            "program": asdict(program),
            "kernels": {fn.sym_name.data: _kernel_info(fn) for fn in lowered if "nvvm.kernel" in fn.attributes},
            "arch": self.arch,
            "ptx": ptx,
            "host": host,
        }
        return Artifact(cubin, json.dumps(metadata), constants)

    def load(self, artifact: Artifact):
        from stepwell.targets.ptx.runtime import load_program

        return load_program(artifact.data, json.loads(artifact.metadata), artifact.constants)

    def functions(self, program) -> list[str]:
        return [f.plan.name for f in program.info.functions]

    def function(self, program, name: str, *, donate_argnums: tuple[int, ...] = ()):
        from stepwell.targets.ptx.runtime import PtxFunction

        (info,) = [f for f in program.info.functions if f.plan.name == name]
        return PtxFunction(program, info, donate_argnums)


def _lower_kernels(module: ModuleOp, max_shared: int = MAX_SHARED, wgmma: bool = False) -> list[Operation]:
    """convert-gpu_block-to-nvvm on the module (after its launchers were emitted): its
    kernels as llvm.funcs and their shared memory as llvm.mlir.globals, taken out of it.
    Kernels may use up to `max_shared` bytes of shared memory. A kernel the PTX path
    cannot lower yet is a CompileError; the pass reports each refused op
    (stepwell.compile places it in the source: FILE:LINE:COL)."""
    from stepwell.compiler import CompileError
    from stepwell.lowering.gpu_block_to_nvvm import ConvertGpuBlockToNvvm
    from stepwell.registry import make_context

    try:
        ConvertGpuBlockToNvvm(max_shared=max_shared, wgmma=wgmma).apply(make_context(), module)
    except PassFailedException as e:
        raise CompileError(f"target ptx: {e}") from None
    lowered = [op for op in module.ops if isinstance(op, llvm.FuncOp | llvm.GlobalOp)]  # kernels, their shared memory
    for op in lowered:
        op.detach()
    return lowered


def _kernel_info(fn: llvm.FuncOp) -> dict:
    """What a launch needs: the CTA's threads (its `nvvm.maxntid` or `nvvm.reqntid`),
    each parameter's kind ("ptr", "i32", "i64", "f32" ...: runtime.CTYPES) and the
    bytes of dynamic shared memory it uses (its `nvvm.shared_bytes`, 0 if none)."""
    from xdsl.dialects.builtin import Float16Type, Float32Type, Float64Type

    from stepwell.compiler import CompileError

    floats = {Float16Type: "f16", Float32Type: "f32", Float64Type: "f64"}
    params = []
    for t in fn.function_type.inputs.data:
        if isinstance(t, llvm.LLVMPointerType):
            params.append("ptr")
        elif isinstance(t, IntegerType):
            params.append(f"i{t.width.data}")
        elif type(t) in floats:
            params.append(floats[type(t)])
        else:
            raise CompileError(f"target ptx: kernel @{fn.sym_name.data} takes a {t}, which no launch passes")
    threads = fn.attributes.get("nvvm.maxntid", fn.attributes.get("nvvm.reqntid"))
    if not isinstance(threads, IntegerAttr):
        raise CompileError(f"target ptx: kernel @{fn.sym_name.data} states no thread count (nvvm.maxntid)")
    shared = fn.attributes.get("nvvm.shared_bytes")
    return {"threads": threads.value.data, "params": params, "shared": shared.value.data if isinstance(shared, IntegerAttr) else 0}
