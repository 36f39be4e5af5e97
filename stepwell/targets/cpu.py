"""The "cpu" target: LLVM object code for this machine, run through ctypes.

Its pipeline `lower-to-cpu` lowers tensor_graph to the llvm dialect; `build`
translates that to LLVM IR (targets/llvm.py), optimizes at O3 for the host CPU and
emits object code in the bounded LLVM worker (targets/llvm_machine.py, within
`$STEPWELL_COMPILE_TIMEOUT`), and keeps the plans of the functions
(runtime/plan.py) as the artifact's metadata and the bytes of its big constants
(declarations in the object code) as the artifact's constants. `load` loads the
object code with MCJIT, binding those declarations to the bytes; a function is a `runtime.cpu.CpuFunction`.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.dialects.builtin import ModuleOp

from stepwell.runtime.plan import FunctionPlan, from_json, plans_from_module, to_json
from stepwell.targets import Artifact, Target


@dataclass
class CpuProgram:
    library: object  # runtime.cpu.Library
    plans: list[FunctionPlan]


class CpuTarget(Target):
    name = "cpu"
    pipeline = "lower-to-cpu"

    def version(self) -> str:
        from stepwell.targets import llvm_machine

        return llvm_machine.versions()

    def build(self, module: ModuleOp) -> Artifact:
        from stepwell.compiler import STATS, CompileError
        from stepwell.targets import llvm as llvm_target

        try:
            plans = plans_from_module(module)
        except ValueError as e:
            raise CompileError(f"target cpu: {e}") from None
        try:
            obj = llvm_target.machine_code(llvm_target.translate(module))  # big constants: not in it
        except llvm_target.CompileTimeout as e:
            raise CompileError(str(e)) from None
        STATS["llvm_compiles"] += 1
        return Artifact(obj, to_json(plans), llvm_target.bound_constants(module))

    def load(self, artifact: Artifact) -> CpuProgram:
        from stepwell.runtime.cpu import Library

        return CpuProgram(Library(artifact.data, artifact.constants), from_json(artifact.metadata))

    def functions(self, program: CpuProgram) -> list[str]:
        return [plan.name for plan in program.plans]

    def function(self, program: CpuProgram, name: str, *, donate_argnums: tuple[int, ...] = ()):
        from stepwell.runtime.cpu import CpuFunction

        (plan,) = [plan for plan in program.plans if plan.name == name]
        return CpuFunction(program.library, plan, donate_argnums)  # type: ignore[arg-type]
