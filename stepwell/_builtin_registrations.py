"""The dialects, passes, pipelines and targets that ship with stepwell, registered lazily by name."""

from xdsl.dialects.arith import Arith
from xdsl.dialects.builtin import Builtin
from xdsl.dialects.func import Func
from xdsl.dialects.math import Math

from stepwell.registry import register_dialect, register_pass, register_pipeline, register_target
from stepwell.tools.emitters import register_emitter

for dialect in (Builtin, Func, Arith, Math):
    register_dialect(dialect)


def _tensor_graph():
    from stepwell.dialects.tensor_graph import TensorGraph

    return TensorGraph


register_dialect(_tensor_graph, "tensor_graph")


def _loops():
    from stepwell.dialects.loops import Loops

    return Loops


register_dialect(_loops, "loops")


def _gpu_block():
    from stepwell.dialects.gpu_block import GpuBlock

    return GpuBlock


register_dialect(_gpu_block, "gpu_block")


def _xdsl_pass(module: str, cls: str):
    def load():
        import importlib

        return getattr(importlib.import_module(module), cls)

    return load


register_pass(_xdsl_pass("stepwell.transforms.canonicalize", "Canonicalize"), "canonicalize")
register_pass(
    _xdsl_pass("xdsl.transforms.common_subexpression_elimination", "CommonSubexpressionElimination"),
    "cse",
)
register_pass(_xdsl_pass("xdsl.transforms.dead_code_elimination", "DeadCodeElimination"), "dce")
register_pass(
    _xdsl_pass("stepwell.transforms.tensor_graph_decompose", "TensorGraphDecompose"),
    "tensor_graph-decompose",
)
register_pass(
    _xdsl_pass("stepwell.transforms.tensor_graph_fold_constants", "TensorGraphFoldConstants"),
    "tensor_graph-fold-constants",
)
register_pass(
    _xdsl_pass("stepwell.lowering.tensor_graph_to_loops", "ConvertTensorGraphToLoops"),
    "convert-tensor_graph-to-loops",
)
register_pass(_xdsl_pass("stepwell.transforms.loops_simplify_index", "LoopsSimplifyIndex"), "loops-simplify-index")
register_pass(_xdsl_pass("stepwell.transforms.loops_fuse", "LoopsFuse"), "loops-fuse")
register_pass(_xdsl_pass("stepwell.transforms.loops_split_reduction", "LoopsSplitReduction"), "loops-split-reduction")
register_pass(_xdsl_pass("stepwell.transforms.loops_schedule_cpu", "LoopsScheduleCpu"), "loops-schedule-cpu")
register_pass(_xdsl_pass("stepwell.transforms.loops_expand_math", "LoopsExpandMath"), "loops-expand-math")
register_pass(_xdsl_pass("stepwell.transforms.loops_plan_memory", "LoopsPlanMemory"), "loops-plan-memory")
register_pass(_xdsl_pass("stepwell.lowering.loops_to_llvm", "ConvertLoopsToLlvm"), "convert-loops-to-llvm")
register_pipeline("lower-to-cpu", "tensor_graph-decompose{expand-log2-exp2=true},canonicalize,cse,convert-tensor_graph-to-loops,loops-split-reduction{column-width=64},loops-fuse,loops-simplify-index,loops-schedule-cpu,loops-expand-math,loops-plan-memory,convert-loops-to-llvm")  # noqa: E501


def _lazy(module: str, name: str):
    """`module.name(...)`, importing `module` at the first call."""

    def call(*args, **kwargs):
        import importlib

        return getattr(importlib.import_module(module), name)(*args, **kwargs)

    return call


register_dialect(_lazy("stepwell.lowering.loops_to_llvm.llvm_ops", "llvm_dialect"), "llvm")
register_emitter("llvm", _lazy("stepwell.targets.llvm", "emit_llvm"))
register_emitter("llvm-unoptimized", _lazy("stepwell.targets.llvm", "emit_llvm_unoptimized"))


def _cpu_target():
    from stepwell.targets.cpu import CpuTarget

    return CpuTarget()


register_target(_cpu_target, "cpu")

register_pass(
    _xdsl_pass("stepwell.lowering.loops_to_gpu_block", "ConvertLoopsToGpuBlock"), "convert-loops-to-gpu_block"
)
register_pass(_xdsl_pass("stepwell.transforms.loops_tile", "LoopsTile"), "loops-tile")
register_pass(_xdsl_pass("stepwell.transforms.loops_fuse_attention", "LoopsFuseAttention"), "loops-fuse-attention")
register_pipeline("lower-to-triton", "tensor_graph-decompose{expand-log2-exp2=true},canonicalize,cse,convert-tensor_graph-to-loops,loops-split-reduction{min-parallelism=264 column-width=64 split-args=false split-chains=false},loops-fuse,loops-simplify-index,loops-expand-math{ops=tanh,powf,ipowi},loops-fuse-attention,loops-tile,loops-plan-memory,convert-loops-to-gpu_block")  # noqa: E501
register_emitter("triton", _lazy("stepwell.targets.triton.emit", "emit_triton"))
register_pass(
    _xdsl_pass("stepwell.lowering.gpu_block_to_nvvm", "ConvertGpuBlockToNvvm"), "convert-gpu_block-to-nvvm"
)
register_pipeline("lower-to-ptx-gpu_block", "tensor_graph-decompose{expand-log2-exp2=true},canonicalize,cse,convert-tensor_graph-to-loops,loops-split-reduction{min-parallelism=264 column-width=64 split-args=false split-chains=false},loops-fuse,loops-simplify-index,loops-fuse-attention,loops-expand-math{ops=tanh,powf,ipowi},loops-tile,loops-plan-memory,convert-loops-to-gpu_block")  # noqa: E501
register_pipeline("lower-to-ptx", "lower-to-ptx-gpu_block,convert-gpu_block-to-nvvm")
register_pipeline("lower-to-ptx-sm90a", "lower-to-ptx-gpu_block,convert-gpu_block-to-nvvm{wgmma=true}")
register_emitter("ptx", _lazy("stepwell.targets.ptx", "emit_ptx"))


def _triton_target():
    from stepwell.targets.triton.target import TritonTarget

    return TritonTarget()


register_target(_triton_target, "triton")


def _ptx_target():
    from stepwell.targets.ptx.target import PtxTarget

    return PtxTarget()


register_target(_ptx_target, "ptx")
