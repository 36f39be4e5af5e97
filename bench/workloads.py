"""The workloads of bench/WORKLOADS.md: each as a tensor_graph program, a numpy
version and a torch version, at a chosen size.

`workloads()` gives them at the CPU sizes: M=2048, N=4096 (mm_bias_relu at
1024x1024x1024, attention at 1x4x512x64), f32; `gpu_workloads()` at the GPU sizes of
WORKLOADS.md (8192x8192; mm_bias_relu 4096^3 and attention 8x16x2048x64 in bf16).
"""

from __future__ import annotations

import math
import platform
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np


@dataclass
class Workload:
    name: str
    source: str  # a tensor_graph module with one function, @main
    shapes: list[tuple[int, ...]]
    numpy: Callable[..., np.ndarray]
    torch: Callable[..., object]  # takes and returns torch tensors
    dtype: str = "f32"  # the element type of every argument and the result

    def inputs(self, seed: int = 0) -> list[np.ndarray]:
        rng = np.random.default_rng(seed)
        arrays = [rng.standard_normal(s, dtype=np.float32) for s in self.shapes]
        if self.dtype == "bf16":
            import ml_dtypes

            return [a.astype(ml_dtypes.bfloat16) for a in arrays]
        return arrays


def _t(shape: tuple[int, ...], dt: str = "f32") -> str:
    return "tensor<" + "x".join(map(str, shape)) + f"x{dt}>"


def _func(args: list[tuple[int, ...]], result: tuple[int, ...], body: list[str], dt: str = "f32") -> str:
    params = ", ".join(f"%a{i}: {_t(s, dt)}" for i, s in enumerate(args))
    lines = "\n".join("  " + b for b in body)
    return f"func.func @main({params}) -> {_t(result, dt)} {{\n{lines}\n}}\n"


def _unary(name, x, shape, props="", dt="f32"):
    p = f" <{{{props}}}>" if props else ""
    return f'"tensor_graph.{name}"({x}){p} : ({_t(shape, dt)}) -> {_t(shape, dt)}'


def _binary(name, a, sa, b, sb, out, dt="f32"):
    return f'"tensor_graph.{name}"({a}, {b}) : ({_t(sa, dt)}, {_t(sb, dt)}) -> {_t(out, dt)}'


def _np_softmax(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def gpu_workloads() -> list[Workload]:
    """The GPU sizes of WORKLOADS.md, plus softmax and layer norm over rows of 4096
    (16384x4096: the issue's "90% of copy bandwidth" rows)."""
    big = workloads(8192, 8192, mm=4096, attn=(8, 16, 2048, 64), low="bf16")
    rows = [w for w in workloads(16384, 4096) if w.name in ("softmax_rows", "layernorm")]
    for w in rows:
        w.name += "_4096"
    return big + rows


def workloads(m: int = 2048, n: int = 4096, mm: int = 1024, attn=(1, 4, 512, 64), low: str = "f32") -> list[Workload]:
    """`low`: the element type of mm_bias_relu and attention (bf16 on the GPU)."""
    try:  # the torch anchors are only called by the benchmark
        import torch
        import torch.nn.functional as F
    except ImportError:
        torch = F = None

    x = (m, n)
    row = (n,)
    out: list[Workload] = []

    out.append(Workload(
        "softmax_rows",
        _func([x], x, [f"%r = {_unary('softmax', '%a0', x, 'axis = -1 : i64')}", f"func.return %r : {_t(x)}"]),
        [x], _np_softmax, lambda a: torch.softmax(a, -1)))

    out.append(Workload(
        "layernorm",
        _func([x, row, row], x, [
            f'%r = "tensor_graph.layer_norm"(%a0, %a1, %a2) <{{axis = -1 : i64, epsilon = 1.0e-05 : f64}}> '
            f": ({_t(x)}, {_t(row)}, {_t(row)}) -> {_t(x)}",
            f"func.return %r : {_t(x)}"]),
        [x, row, row],
        lambda a, w, b: (a - a.mean(-1, keepdims=True)) / np.sqrt(a.var(-1, keepdims=True) + 1e-5) * w + b,
        lambda a, w, b: F.layer_norm(a, (a.shape[-1],), w, b, 1e-5)))

    out.append(Workload(
        "gelu_bias",
        _func([x, row], x, [
            f"%s = {_binary('add', '%a0', x, '%a1', row, x)}",
            "%r = " + _unary("gelu", "%s", x, 'approximate = "none"'),
            f"func.return %r : {_t(x)}"]),
        [x, row],
        lambda a, b: _np_gelu(a + b),
        lambda a, b: F.gelu(a + b)))

    out.append(Workload(
        "ew_chain",
        _func([x] * 4, x, [
            f"%m = {_binary('mul', '%a0', x, '%a1', x, x)}",
            f"%s = {_binary('add', '%m', x, '%a2', x, x)}",
            f"%r = {_unary('relu', '%s', x)}",
            f"%g = {_unary('sigmoid', '%a3', x)}",
            f"%o = {_binary('mul', '%r', x, '%g', x, x)}",
            f"func.return %o : {_t(x)}"]),
        [x] * 4,
        lambda a, b, c, d: np.maximum(a * b + c, 0) * (1 / (1 + np.exp(-d))),
        lambda a, b, c, d: torch.relu(a * b + c) * torch.sigmoid(d)))

    for name, axis, rshape in (("sum_rows", 1, (m,)), ("sum_cols", 0, (n,))):
        out.append(Workload(
            name,
            _func([x], rshape, [
                f'%r = "tensor_graph.reduce"(%a0) <{{kind = "sum", dims = array<i64: {axis}>, keepdim = false}}> '
                f": ({_t(x)}) -> {_t(rshape)}",
                f"func.return %r : {_t(rshape)}"]),
            [x], (lambda ax: lambda a: a.sum(axis=ax))(axis), (lambda ax: lambda a: a.sum(ax))(axis)))

    xt = (n, m)
    out.append(Workload(
        "transpose_add",
        _func([x, xt], xt, [
            f'%t = "tensor_graph.transpose"(%a0) <{{perm = array<i64: 1, 0>}}> : ({_t(x)}) -> {_t(xt)}',
            f"%r = {_binary('add', '%t', xt, '%a1', xt, xt)}",
            f"func.return %r : {_t(xt)}"]),
        [x, xt], lambda a, b: a.T + b, lambda a, b: a.t() + b))

    k = (mm, mm)
    out.append(Workload(
        "mm_bias_relu",
        _func([k, k, (mm,)], k, [
            f"%p = {_binary('matmul', '%a0', k, '%a1', k, k, low)}",
            f"%s = {_binary('add', '%p', k, '%a2', (mm,), k, low)}",
            f"%r = {_unary('relu', '%s', k, dt=low)}",
            f"func.return %r : {_t(k, low)}"], low),
        [k, k, (mm,)], lambda a, w, b: np.maximum(a @ w + b, 0), lambda a, w, b: torch.relu(a @ w + b), low))

    q = attn
    scale = 1 / math.sqrt(attn[-1])
    out.append(Workload(
        "attention",
        _func([q, q, q], q, [
            f'%r = "tensor_graph.attention"(%a0, %a1, %a2) <{{scale = {scale!r} : f64, causal = false}}> '
            f": ({_t(q, low)}, {_t(q, low)}, {_t(q, low)}) -> {_t(q, low)}",
            f"func.return %r : {_t(q, low)}"], low),
        [q, q, q],
        lambda a, b, c: _np_softmax(a @ np.swapaxes(b, -1, -2) * scale) @ c,
        lambda a, b, c: F.scaled_dot_product_attention(a, b, c, scale=scale), low))
    return out


def _np_gelu(x):
    # numpy has no vectorized erf (math.erf per element would make the anchor 50x slower
    # and the comparison meaningless): Abramowitz-Stegun 7.1.26, |error| < 1.5e-7
    t = 1.0 / (1.0 + 0.3275911 * np.abs(x / math.sqrt(2)))
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    e = np.sign(x) * (1 - poly * np.exp(-((x / math.sqrt(2)) ** 2)))
    return 0.5 * x * (1 + e)


def cpu_name() -> str:
    """The machine's processor, as the benchmark tables name it."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()
