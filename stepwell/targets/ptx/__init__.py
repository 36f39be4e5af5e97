"""The PTX emitter: `llvm` dialect kernels -> LLVM IR -> PTX through llvmlite's NVPTX backend.

    stepwell-opt f.mlir -p lower-to-ptx --emit ptx
    ptx = emit_ptx(module, arch="sm_90", ptx="ptx80")

It translates the `llvm.func`s that convert-gpu_block-to-nvvm makes. A function marked
`nvvm.kernel` becomes `define ptx_kernel void @k(ptr addrspace(1) noalias readonly
align 16 %x, ...) "nvvm.maxntid"="128"`; the translation is stepwell.targets.llvm's
(xDSL's per-op conversion) except for what it gets wrong on NVPTX: the kernel's calling
convention and attributes, and `getelementptr` on `addrspace(1)` pointers (xDSL's goes
through a generic pointer). Where the kernels call libdevice (`__nv_expf`, ...),
libdevice.10.bc (find_libdevice) is linked in with its functions made internal, so
that O3 inlines what is called and drops the rest. The module is optimized at O3 for
the NVPTX target machine, whose architecture and PTX version are checked here first:
LLVM ends the process on a pair it does not know. target.py and runtime.py assemble
and launch.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

import llvmlite.binding as llvm_binding
import llvmlite.ir as ir
from xdsl.backend.llvm.convert_type import convert_type
from xdsl.dialects import llvm
from xdsl.dialects.builtin import IntegerAttr, ModuleOp, StringAttr
from xdsl.ir import Operation

from stepwell.lowering.gpu_block_to_nvvm.libdevice import PREFIX as LIBDEVICE_PREFIX
from stepwell.targets import llvm as host_llvm
from stepwell.targets.llvm_machine import LOCK
from stepwell.tools.emitters import EmitError

TRIPLE = "nvptx64-nvidia-cuda"

# The architectures LLVM 22's NVPTX backend and ptxas 13 both know, with the first PTX
# ISA version (x10) that has them; PTX versions LLVM 22 can target.
ARCHS = {"sm_70": 60, "sm_75": 63, "sm_80": 70, "sm_86": 71, "sm_89": 78, "sm_90": 78, "sm_90a": 80, "sm_100": 86, "sm_120": 87}
PTX_VERSIONS = (60, 61, 62, 63, 64, 65, 70, 71, 72, 73, 74, 75, 76, 77, 78, 80, 81, 82, 83, 84, 85, 86, 87)


def check_target(arch: str, ptx: str) -> None:
    """Refuse (EmitError) an architecture or PTX version, or a pair, that LLVM would
    abort on."""
    if arch not in ARCHS:
        raise EmitError(f"unknown GPU architecture '{arch}' (expected one of {', '.join(ARCHS)})")
    version = int(ptx[3:]) if ptx.startswith("ptx") and ptx[3:].isdigit() else None
    if version not in PTX_VERSIONS:
        raise EmitError(f"unknown PTX version '{ptx}' (expected one of {', '.join(f'ptx{v}' for v in PTX_VERSIONS)})")
    if version < ARCHS[arch]:
        raise EmitError(f"{arch} needs PTX version ptx{ARCHS[arch]} or later, got '{ptx}'")


@functools.cache
def target_machine(arch: str = "sm_90", ptx: str = "ptx80") -> llvm_binding.TargetMachine:
    check_target(arch, ptx)
    with LOCK:
        llvm_binding.initialize_all_targets()
        llvm_binding.initialize_all_asmprinters()
        return llvm_binding.Target.from_triple(TRIPLE).create_target_machine(cpu=arch, features=f"+{ptx}", opt=3)


# --- llvm dialect -> LLVM IR ------------------------------------------------------------


def translate(module: ModuleOp, arch: str = "sm_90", ptx: str = "ptx80") -> str:
    """LLVM IR text of a module of llvm.func kernels, for NVPTX."""
    out = ir.Module(name="stepwell")
    out.triple = TRIPLE
    out.data_layout = str(target_machine(arch, ptx).target_data)
    funcs = []
    for op in module.ops:
        if isinstance(op, llvm.GlobalOp) and op.addr_space.value.data == SHARED and op.value is None:
            _shared(op, out)
        elif isinstance(op, llvm.FuncOp):
            funcs.append(op)
        else:
            raise EmitError(f"cannot emit '{op.name}' as PTX (run lower-to-ptx first)")
    for op in funcs:
        _declare(op, out)
    for op in funcs:
        if op.body.blocks:
            host_llvm._define(op, out, convert=_convert)
    return str(out)


SHARED = 3  # the address space of a CTA's shared memory


def _shared(op: llvm.GlobalOp, out: ir.Module) -> None:
    """`@k_smem = internal addrspace(3) global [N x i8] undef, align 16` (static), or
    `@k_smem = external addrspace(3) global [0 x i8], align 16` (dynamic: `.extern .shared`,
    its size given at the launch)."""
    gv = ir.GlobalVariable(out, convert_type(op.global_type), name=op.sym_name.data, addrspace=SHARED)
    gv.type = ir.PointerType(addrspace=SHARED)  # opaque, as every other pointer here (llvmlite types it)
    gv.linkage = op.linkage.linkage.data
    if gv.linkage != "external":
        gv.initializer = ir.Constant(gv.value_type, ir.Undefined)
    gv.align = op.alignment.value.data if op.alignment is not None else 16


def _raw(attrs: set, text: str) -> None:
    """Add an attribute llvmlite does not know (`readonly`, `"nvvm.maxntid"="128"`):
    it prints the set's items as they are."""
    set.add(attrs, text)


def _declare(op: llvm.FuncOp, out: ir.Module) -> None:
    """The host declaration (stepwell/targets/llvm.py) and what a kernel adds: the
    `ptx_kernel` calling convention, its thread count, readonly and aligned pointers."""
    fn = host_llvm._declare(op, out)
    if "nvvm.kernel" in op.attributes:
        fn.calling_convention = "ptx_kernel"
    if isinstance(threads := op.attributes.get("nvvm.maxntid"), IntegerAttr):
        _raw(fn.attributes, f'"nvvm.maxntid"="{threads.value.data}"')
    for arg, attrs in zip(fn.args, op.arg_attrs.data if op.arg_attrs is not None else []):
        if "llvm.readonly" in attrs.data:
            _raw(arg.attributes, "readonly")
        if isinstance(align := attrs.data.get("llvm.align"), IntegerAttr):
            arg.attributes.align = align.value.data


def _convert(op: Operation, builder: ir.IRBuilder, values: dict, blocks: dict) -> None:
    if isinstance(op, llvm.GEPOp):  # on the pointer as it is, in its address space
        (index,) = op.ssa_indices
        values[op.results[0]] = builder.gep(
            values[op.ptr], [values[index]], inbounds=op.inbounds is not None, source_etype=convert_type(op.elem_type)
        )
    elif isinstance(op, llvm.AddressOfOp):  # a global (shared memory), in its address space
        values[op.results[0]] = builder.module.get_global(op.global_name.root_reference.data)
    else:
        host_llvm._convert(op, builder, values, blocks)


# --- LLVM IR -> PTX ---------------------------------------------------------------------


def compile_ptx(text: str, arch: str = "sm_90", ptx: str = "ptx80") -> str:
    """PTX of LLVM IR `text`: verified, libdevice linked in where it calls it (its
    functions made internal, so that O3 inlines what is called and drops the rest),
    optimized at O3 for `arch`, emitted."""
    tm = target_machine(arch, ptx)
    with LOCK:
        ref = llvm_binding.parse_assembly(text)
        ref.verify()
        if any(f.is_declaration and f.name.startswith(LIBDEVICE_PREFIX) for f in ref.functions):
            _link_libdevice(ref)
        pto = llvm_binding.create_pipeline_tuning_options(speed_level=3)
        builder = llvm_binding.create_pass_builder(tm, pto)
        builder.getModulePassManager().run(ref, builder)
        return tm.emit_assembly(ref)


def find_libdevice() -> Path | None:
    """`libdevice.10.bc`: `$STEPWELL_LIBDEVICE`, the one inside the triton wheel, or the
    CUDA toolkit's (`$CUDA_HOME/nvvm/libdevice`, /usr/local/cuda/nvvm/libdevice)."""
    places = [os.environ.get("STEPWELL_LIBDEVICE")]
    try:
        import triton

        places.append(str(Path(triton.__file__).parent / "backends" / "nvidia" / "lib" / "libdevice.10.bc"))
    except ImportError:
        pass
    for home in (os.environ.get("CUDA_HOME"), os.environ.get("CUDA_PATH"), "/usr/local/cuda"):
        if home:
            places.append(str(Path(home) / "nvvm" / "libdevice" / "libdevice.10.bc"))
    return next((Path(p) for p in places if p and os.path.isfile(p)), None)


@functools.cache
def _libdevice_bitcode() -> bytes:
    path = find_libdevice()
    if path is None:
        raise EmitError(
            "the kernels call libdevice (exp, log, erf, sin or cos) but no libdevice.10.bc was found "
            "(set STEPWELL_LIBDEVICE, install triton, or the CUDA toolkit)"
        )
    return path.read_bytes()


def _link_libdevice(ref: llvm_binding.ModuleRef) -> None:
    lib = llvm_binding.parse_bitcode(_libdevice_bitcode())
    lib.triple, lib.data_layout = ref.triple, ref.data_layout
    ref.link_in(lib)
    for f in ref.functions:
        if f.name.startswith(LIBDEVICE_PREFIX) and not f.is_declaration:
            f.linkage = "internal"


def module_arch(module: ModuleOp, arch: str) -> str:
    """The architecture to emit `module` for: `arch`, or the variant of it a kernel
    needs (`nvvm.arch`: sm_90a where it uses wgmma, for `arch` sm_90 or sm_90a); an
    EmitError for any other pair (LLVM would end the process on a wgmma for sm_90)."""
    for op in module.ops:
        need = op.attributes.get("nvvm.arch") if isinstance(op, llvm.FuncOp) else None
        if isinstance(need, StringAttr) and need.data != arch:
            if need.data != arch + "a":
                raise EmitError(f"kernel @{op.sym_name.data} needs {need.data} (it uses wgmma), not {arch}")
            arch = need.data
    return arch


def emit_ptx(module: ModuleOp, arch: str = "sm_90", ptx: str = "ptx80", **_: object) -> str:
    """`stepwell-opt --emit ptx`: the module's kernels as PTX for `arch` (`module_arch`)."""
    arch = module_arch(module, arch)
    check_target(arch, ptx)
    return compile_ptx(translate(module, arch, ptx), arch, ptx)


def emit_ptx_llvm(module: ModuleOp, arch: str = "sm_90", ptx: str = "ptx80", **_: object) -> str:
    """The LLVM IR given to the NVPTX backend (before its passes)."""
    return translate(module, module_arch(module, arch), ptx)
