"""The "triton" target: gpu_block kernels as Triton source, launched on a CUDA GPU (or
run through Triton's interpreter on a machine without one).

Its pipeline `lower-to-triton` lowers tensor_graph to `gpu_block` kernels and launches
(with the memory plan of loops-plan-memory on the launches); `build` prints them as
one Python module of `@triton.jit` kernels and launchers (emit.py) and keeps, as the
artifact's metadata, what the runtime needs (runtime.py, `ProgramInfo`): each
function's signature and arena size, which arguments a kernel needs 16-byte aligned,
and each kernel's launch options; and the bytes of its big constants (more than
`bind_constants_above`), which the source does not hold. `load` writes the source to a real .py file in the
compile cache's directory, imports it and binds the constants; a function is a `runtime.TritonFunction`.
"""

from __future__ import annotations

import json
from dataclasses import asdict

from xdsl.dialects import func
from xdsl.dialects.builtin import IntegerAttr, ModuleOp, TensorType

from stepwell.dialects import gpu_block as gb
from stepwell.dialects.gpu_block.types import PtrType
from stepwell.dialects.loops.memory import ARENA
from stepwell.runtime.plan import BufferSpec, FunctionPlan
from stepwell.targets import BIND_CONSTANTS_ABOVE, Artifact, Target
from stepwell.targets.triton.runtime import FunctionInfo, KernelInfo, ProgramInfo


class TritonTarget(Target):
    name = "triton"
    pipeline = "lower-to-triton"
    bind_constants_above = BIND_CONSTANTS_ABOVE  # bigger constants: the artifact's bytes, not the source's

    def version(self) -> str:
        from stepwell.targets.triton import runtime

        return f"triton {runtime.triton_version()} | constants bound above {self.bind_constants_above} bytes"

    def build(self, module: ModuleOp) -> Artifact:
        from stepwell.compiler import CompileError
        from stepwell.targets.triton.emit import bound_constants, emit_triton, launch_options
        from stepwell.tools.emitters import EmitError

        try:
            source = emit_triton(module, bind_above=self.bind_constants_above)
        except EmitError as e:
            raise CompileError(f"target triton: {e}") from None
        kernels = {op.sym_name.data: op for op in module.ops if isinstance(op, gb.KernelOp)}
        info = ProgramInfo(
            functions=[function_info(fn, kernels) for fn in module.ops if isinstance(fn, func.FuncOp) and not fn.is_declaration],
            kernels={
                name: KernelInfo(launch_options(k), _has_loops(k), *_outputs(module, name), *_signature(k))
                for name, k in kernels.items()
            },
        )
        return Artifact(source.encode(), json.dumps(asdict(info)), bound_constants(module, self.bind_constants_above))

    def load(self, artifact: Artifact):
        from stepwell.targets.triton.runtime import load_program

        return load_program(artifact.data.decode(), ProgramInfo.from_json(artifact.metadata), artifact.constants)

    def functions(self, program) -> list[str]:
        return [f.plan.name for f in program.info.functions]

    def function(self, program, name: str, *, donate_argnums: tuple[int, ...] = ()):
        from stepwell.targets.triton.runtime import TritonFunction

        (info,) = [f for f in program.info.functions if f.plan.name == name]
        return TritonFunction(program, info, donate_argnums)


def _spec(t, kind: str, index: int = -1) -> BufferSpec:
    from stepwell.dtypes import numpy_dtype

    assert isinstance(t, TensorType)
    return BufferSpec(kind, tuple(t.get_shape()), numpy_dtype(t.element_type).name, index=index)


def function_info(fn: func.FuncOp, kernels: dict[str, gb.KernelOp], target: str = "triton") -> FunctionInfo:
    """What the runtime needs of a host function (its plan, the arguments a kernel
    needs aligned, the kernels it launches, what each result is); the PTX target's too."""
    from stepwell.compiler import CompileError

    inputs, outputs = fn.function_type.inputs.data, fn.function_type.outputs.data
    if not all(isinstance(t, TensorType) for t in (*inputs, *outputs)):
        raise CompileError(f"target {target}: @{fn.sym_name.data} takes and returns tensors only")
    args = tuple(_spec(t, "arg", i) for i, t in enumerate(inputs))
    results = tuple(_spec(t, "temp") for t in outputs)
    arena = fn.attributes.get(ARENA)
    plan = FunctionPlan(
        fn.sym_name.data, args, tuple(range(len(results))), results, (), arena.value.data if isinstance(arena, IntegerAttr) else 0
    )
    aligned: set[int] = set()
    launched = []
    positions = {a: i for i, a in enumerate(fn.body.block.args)}
    for op in fn.body.block.ops:
        if isinstance(op, gb.LaunchOp):
            kernel = kernels[op.callee.root_reference.data]
            launched.append(kernel.sym_name.data)
            for k, value in enumerate(op.args):
                if value in positions and _divisibility(kernel, k) >= 16:
                    aligned.add(positions[value])
    return FunctionInfo(plan, sorted(aligned), launched, _returns(fn))


def _returns(fn: func.FuncOp) -> list[str]:
    """What each result is: "arg J" (argument J, returned), "result K" (the same value
    as the earlier result K), or "new" (a buffer the call makes)."""
    (ret,) = [op for op in fn.body.block.ops if isinstance(op, func.ReturnOp)]
    returns: list[str] = []
    for k, value in enumerate(ret.arguments):
        first = list(ret.arguments).index(value)
        if first < k:
            returns.append(f"result {first}")
        elif value in fn.body.block.args:
            returns.append(f"arg {fn.body.block.args.index(value)}")
        else:
            returns.append("new")
    return returns


TRITON_TYPES = {
    "float16": "fp16", "bfloat16": "bf16", "float32": "fp32", "float64": "fp64",
    "bool": "i1", "int8": "i8", "int32": "i32", "int64": "i64",
}  # fmt: skip
"""Triton's name of each element type, by its numpy dtype's name (stepwell.dtypes)."""


def _signature(kernel: gb.KernelOp) -> tuple[dict[str, str], list[int]]:
    """Triton's signature of a kernel ({argument: "*fp32" | "i32" ...}, as
    `triton.compile(ASTSource(...))` takes it) and its arguments of divisibility 16."""
    from stepwell.dtypes import numpy_dtype
    from stepwell.targets.triton.emit import kernel_parameters

    signature = {}
    for name, arg in zip(kernel_parameters(kernel), kernel.args):
        t = arg.type
        pointer = isinstance(t, PtrType)
        signature[name] = ("*" if pointer else "") + TRITON_TYPES[numpy_dtype(t.pointee if pointer else t).name]
    divisible = [i for i in range(len(kernel.args)) if _divisibility(kernel, i) >= 16]
    return signature, divisible


def _divisibility(kernel: gb.KernelOp, i: int) -> int:
    fact = kernel.facts(i).get("divisibility")
    return fact.value.data if isinstance(fact, IntegerAttr) else 1


def _has_loops(kernel: gb.KernelOp) -> bool:
    return any(isinstance(op, gb.ForOp) for op in kernel.body.walk())


def _outputs(module: ModuleOp, name: str) -> tuple[int, bool]:
    """(how many results the kernel's launch writes, whether any is filled first)."""
    for fn in module.ops:
        if isinstance(fn, func.FuncOp):
            for op in fn.body.block.ops:
                if isinstance(op, gb.LaunchOp) and op.callee.root_reference.data == name:
                    return len(op.outputs), any(v is not None for v in op.init_values())
    return 0, False
