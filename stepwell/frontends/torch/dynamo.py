"""The `torch.compile` backend: `torch.compile(model, backend="stepwell", options=...)`.

Dynamo hands over an FX graph; AOTAutograd lowers it to core ATen (its decompositions,
functionalized, parameters as inputs). Each node that `aten.TRANSLATIONS` expresses
exactly is supported; `CapabilityBasedPartitioner` groups the supported nodes into
subgraphs, each becomes one `tensor_graph` function compiled by `stepwell.compile` for
the target, and the rest runs in eager PyTorch (one warning names those ops). Whatever
fails to translate or compile runs in eager PyTorch too: never a crash, never a wrong
answer. Shapes are static: a graph with symbolic sizes runs in eager PyTorch, with a
warning (`torch.compile(..., dynamic=False)` compiles once per shape). Inference only:
a backward graph (when inputs require grad) runs in eager PyTorch.

options: {"target": "cpu" | "triton" | "ptx"}; without one, "cpu" for CPU tensors and
"triton" for CUDA tensors.
"""

from __future__ import annotations

import operator
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch
from functorch.compile import make_boxed_func
from torch import fx
from torch.fx.passes.infra.partitioner import CapabilityBasedPartitioner
from torch.fx.passes.operator_support import OperatorSupportBase
from xdsl.builder import Builder
from xdsl.dialects import func
from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import Block, Region
from xdsl.rewriter import InsertPoint
from xdsl.utils.exceptions import VerifyException

from stepwell.dialects.tensor_graph.builder import GraphBuilder, Value
from stepwell.frontends.torch import aten

TARGETS = ("cpu", "triton", "ptx")

VIEW_OPS = ("aten.view.default", "aten._unsafe_view.default", "aten.reshape.default", "aten.permute.default",
            "aten.expand.default", "aten.clone.default", "aten.alias.default", "aten.squeeze.dims",
            "aten.squeeze.dim", "aten.unsqueeze.default", "aten.t.default", "aten.slice.Tensor",
            "aten.select.int", "aten.split_with_sizes.default", "aten.split.Tensor")  # fmt: skip
"""Ops that only move data: a subgraph of nothing else is not worth a kernel."""


class StepwellFallbackWarning(UserWarning):
    """Part of a graph runs in eager PyTorch (the message says which and why)."""


def backend(gm: fx.GraphModule, example_inputs: Sequence[Any], options: dict[str, Any] | None = None, **_: Any):
    """The dynamo backend (the `torch_dynamo_backends` entry point `stepwell`)."""
    target = _target(options or {}, example_inputs)
    if any(_symbolic(x) for x in example_inputs):
        _warn("symbolic (dynamic) shapes: this graph runs in eager PyTorch; "
              "torch.compile(..., dynamic=False) compiles it once per shape")  # fmt: skip
        return gm.forward
    from torch._decomp import core_aten_decompositions
    from torch._dynamo.backends.common import aot_autograd

    def forward(graph: fx.GraphModule, inputs: Sequence[Any]) -> Callable[..., Any]:
        return make_boxed_func(compile_graph(graph, target))

    return aot_autograd(
        fw_compiler=forward,
        inference_compiler=forward,
        bw_compiler=_eager_backward,
        decompositions=core_aten_decompositions(),
    )(gm, example_inputs)


def _target(options: dict[str, Any], example_inputs: Sequence[Any]) -> str:
    unknown = set(options) - {"target"}
    if unknown:
        raise ValueError(f"stepwell backend: unknown option(s) {sorted(unknown)} (known: target)")
    default = "triton" if any(isinstance(x, torch.Tensor) and x.is_cuda for x in example_inputs) else "cpu"
    target = options.get("target", default)
    if target not in TARGETS:
        raise ValueError(f"stepwell backend: target must be one of {', '.join(TARGETS)}, got {target!r}")
    return target


def _symbolic(x: Any) -> bool:
    if isinstance(x, torch.SymInt | torch.SymFloat | torch.SymBool):
        return True
    return isinstance(x, torch.Tensor) and not all(isinstance(d, int) for d in x.shape)


def _eager_backward(gm: fx.GraphModule, inputs: Sequence[Any]) -> Callable[..., Any]:
    _warn("stepwell compiles inference only: the backward graph runs in eager PyTorch")
    return make_boxed_func(gm)


def _warn(message: str) -> None:
    warnings.warn(f"stepwell: {message}", StepwellFallbackWarning, stacklevel=3)


# --- which nodes -------------------------------------------------------------------------


def _translate_node(b: GraphBuilder, node: fx.Node, env: dict[fx.Node, Any]) -> Any:
    if node.target is operator.getitem:
        return env[node.args[0]][node.args[1]]
    args, kwargs = fx.node.map_arg((node.args, node.kwargs), lambda a: env[a])
    kwargs = {k: v for k, v in kwargs.items() if k not in ("device", "layout", "pin_memory")}  # _check_devices
    return aten.translate(b, node.target, node.meta.get("val"), args, kwargs)


def _check_types(node: fx.Node, result: Any) -> None:
    """The translation gives exactly torch's result types (else it is not this op)."""
    vals = _vals(node)
    results = result if isinstance(result, tuple) else (result,)
    if len(results) != len(vals):
        raise aten.Unsupported(f"{len(vals)} results, translated {len(results)}")
    for value, val in zip(results, vals):
        if not isinstance(value, Value) or value.type != aten.tensor_type(val):
            raise aten.Unsupported(f"translated to {getattr(value, 'type', value)}, torch gives {val}")


def _check_devices(node: fx.Node) -> None:
    vals = [a.meta.get("val") for a in node.all_input_nodes] + list(_vals(node))
    devices = {v.device for v in vals if isinstance(v, torch.Tensor)}
    if len(devices) > 1:
        raise aten.Unsupported(f"moves data between devices {sorted(map(str, devices))}")


def _vals(node: fx.Node) -> tuple[Any, ...]:
    val = node.meta.get("val")
    return tuple(val) if isinstance(val, (tuple, list)) else (val,)


class _Support(OperatorSupportBase):
    """A node is supported when it translates alone, to torch's types, and verifies."""

    def __init__(self) -> None:
        self.refused: dict[str, str] = {}

    def is_node_supported(self, submodules: Any, node: fx.Node) -> bool:
        if node.op != "call_function":
            return False
        if node.target is operator.getitem:
            return isinstance(node.args[0], fx.Node) and self._ok(node.args[0])
        return self._ok(node)

    def _ok(self, node: fx.Node) -> bool:
        if "ok" in node.meta.get("stepwell", {}):
            return node.meta["stepwell"]["ok"]
        try:
            inputs = [a for a in node.all_input_nodes]
            block = Block(arg_types=[aten.tensor_type(a.meta.get("val")) for a in inputs])
            b = GraphBuilder(Builder(InsertPoint.at_end(block)))
            env = {a: b.wrap(arg) for a, arg in zip(inputs, block.args)}
            _check_devices(node)
            result = _translate_node(b, node, env)
            _check_types(node, result)
            for op in block.ops:
                op.verify()
            ok = True
        except (aten.Unsupported, VerifyException, ValueError) as e:
            self.refused.setdefault(str(node.target), str(e))
            ok = False
        node.meta["stepwell"] = {"ok": ok}
        return ok


# --- one subgraph as a tensor_graph function --------------------------------------------


def to_module(graph: fx.Graph, name: str = "main") -> ModuleOp:
    """A supported FX subgraph as `func.func @name`, its placeholders the arguments."""
    placeholders = [n for n in graph.nodes if n.op == "placeholder"]
    arg_types = [aten.tensor_type(p.meta["val"]) for p in placeholders]
    block = Block(arg_types=arg_types)
    b = GraphBuilder(Builder(InsertPoint.at_end(block)))
    env: dict[fx.Node, Any] = {p: b.wrap(a) for p, a in zip(placeholders, block.args)}
    results: list[Value] = []
    for node in graph.nodes:
        if node.op == "call_function":
            env[node] = _translate_node(b, node, env)
        elif node.op == "output":
            outs = node.args[0]
            results = [env[o] for o in (outs if isinstance(outs, (tuple, list)) else (outs,))]
    block.add_op(func.ReturnOp(*(r.value for r in results)))
    fn = func.FuncOp(name, (arg_types, [r.type for r in results]), Region(block))
    return ModuleOp([fn])


class _Compiled(torch.nn.Module):
    """One subgraph, run by stepwell: torch tensors in and out."""

    def __init__(self, module: ModuleOp, target: str, outputs_tuple: bool, device: torch.device):
        super().__init__()
        import stepwell

        self.module, self.target, self.outputs_tuple, self.device = module, target, outputs_tuple, device
        self.fn = stepwell.compile(module, target=target)

    def forward(self, *args: torch.Tensor) -> Any:
        device = self.device
        if self.target == "cpu":
            arrays = [_to_numpy(a) for a in args]
            results = self.fn(*arrays)
            results = results if isinstance(results, tuple) else (results,)
            results = tuple(_to_torch(r, arrays, device) for r in results)
        else:
            results = self.fn(*(a.contiguous() for a in args))
            results = results if isinstance(results, tuple) else (results,)
        return results if self.outputs_tuple else results[0]


def _to_numpy(t: torch.Tensor) -> np.ndarray:
    t = t.detach().cpu().contiguous()
    if t.dtype == torch.bfloat16:
        import ml_dtypes

        return t.view(torch.int16).numpy().view(ml_dtypes.bfloat16)
    return t.numpy()


def _to_torch(r: Any, inputs: Sequence[np.ndarray], device: torch.device) -> torch.Tensor:
    r = np.asarray(r)
    if any(np.shares_memory(r, a) for a in inputs):  # a result that is an argument
        r = r.copy()
    if r.dtype.name == "bfloat16":
        return torch.from_numpy(r.view(np.int16)).view(torch.bfloat16).to(device)
    return torch.from_numpy(r).to(device)


def compile_graph(gm: fx.GraphModule, target: str) -> Callable[..., Any]:
    """gm (core ATen) with each supported subgraph compiled by stepwell."""
    support = _Support()
    partitioner = CapabilityBasedPartitioner(
        gm, support, allows_single_node_partition=True, non_compute_ops=list(VIEW_OPS)
    )
    partitions = partitioner.propose_partitions()
    eager = sorted({_op_name(n) for n in gm.graph.nodes if _computes(n) and not support.is_node_supported({}, n)})
    if eager:
        _warn(f"these ops run in eager PyTorch (no tensor_graph translation): {', '.join(eager)}")
    if not partitions:
        return gm
    fused = partitioner.fuse_partitions(partitions)
    for node in list(fused.graph.nodes):
        if node.op != "call_module" or not node.target.startswith("fused_"):
            continue
        sub = getattr(fused, node.target)
        try:
            outs = next(n for n in sub.graph.nodes if n.op == "output").args[0]
            device = _vals(node)[0].device if isinstance(_vals(node)[0], torch.Tensor) else torch.device("cpu")
            compiled = _Compiled(to_module(sub.graph), target, isinstance(outs, (tuple, list)), device)
        except Exception as e:  # noqa: BLE001 - any failure: that part runs in eager PyTorch
            _warn(f"a subgraph of {', '.join(sorted({_op_name(n) for n in sub.graph.nodes if _computes(n)}))} "
                  f"runs in eager PyTorch: {_first_line(e)}")  # fmt: skip
            continue
        setattr(fused, node.target, compiled)
    fused.recompile()
    return fused


def _computes(node: fx.Node) -> bool:
    return node.op == "call_function" and node.target is not operator.getitem


def _op_name(node: fx.Node) -> str:
    return str(node.target)


def _first_line(e: Exception) -> str:
    text = str(e).strip()
    return text.splitlines()[0] if text else type(e).__name__
