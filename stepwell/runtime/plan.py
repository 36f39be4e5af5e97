"""The plan of a compiled function (what `convert-loops-to-llvm` leaves in the module
attribute `stepwell.functions`), as plain data the runtime follows and the compile
cache stores as JSON.

Memory (the plan of `loops-plan-memory`): a function's `arena` is the size in bytes of
one block its "arena" buffers live in, each at its byte `offset` (64-aligned; two
buffers alive at once never overlap). A "result" buffer borrows bytes [offset,
offset + nbytes) of the array of result `index` (`results[index]`, a temp), which the
runtime allocates (or takes from `out=`) before the first call: it is scratch there
until the result is written. Plans without them (arena 0, no "arena" buffers)
allocate every temp per call."""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass

import ml_dtypes
import numpy as np
from xdsl.dialects.builtin import ArrayAttr, DictionaryAttr, ModuleOp, TensorType

from stepwell.lowering.loops_to_llvm import PLAN_ATTR
from stepwell.dtypes import numpy_dtype

_DTYPES = {"bfloat16": np.dtype(ml_dtypes.bfloat16)}


def dtype_of(name: str) -> np.dtype:
    return _DTYPES.get(name) or np.dtype(name)


@dataclass(frozen=True)
class BufferSpec:
    kind: str  # arg | temp | const | scratch | arena | result
    shape: tuple[int, ...]
    dtype: str  # numpy dtype name
    index: int = -1  # arg: its position; result: the position of the result it borrows memory of
    symbol: str = ""  # const: its global
    offset: int = 0  # arena: its byte offset in the function's arena; result: in the result's array

    @property
    def nbytes(self) -> int:
        return math.prod(self.shape) * self.np_dtype.itemsize

    @property
    def np_dtype(self) -> np.dtype:
        return dtype_of(self.dtype)


@dataclass(frozen=True)
class CallSpec:
    kernel: str
    buffers: tuple[int, ...]
    extent: int
    grain: int
    check: tuple[str, int, int] | None = None  # (op, axis, size) of a loops.check_index
    chunks: int = 1  # equal contiguous pieces of [0, extent) that any thread may run


@dataclass(frozen=True)
class FunctionPlan:
    name: str
    args: tuple[BufferSpec, ...]
    results: tuple[int, ...]
    buffers: tuple[BufferSpec, ...]
    calls: tuple[CallSpec, ...]
    arena: int = 0  # bytes of the arena its "arena" buffers live in

    def signature(self) -> str:
        def show(b: BufferSpec) -> str:
            return f"{b.dtype}{list(b.shape)}"

        results = ", ".join(show(self.buffers[i]) for i in self.results)
        return f"@{self.name}({', '.join(show(a) for a in self.args)}) -> ({results})"


def check_count(plan: FunctionPlan, arrays: tuple) -> None:
    """A call passes one value per argument."""
    if len(arrays) != len(plan.args):
        raise TypeError(f"{plan.signature()} takes {len(plan.args)} argument(s), got {len(arrays)}")


def check_argument(plan: FunctionPlan, i: int, dtype: str, shape: tuple[int, ...]) -> None:
    """Argument i (its dtype's numpy name and its shape) against the plan: as the
    reference interpreter, a wrong dtype is a TypeError, a wrong shape a ValueError."""
    spec: BufferSpec = plan.args[i]
    if dtype != spec.dtype or shape != spec.shape:
        error = TypeError if dtype != spec.dtype else ValueError
        raise error(
            f"argument {i} of @{plan.name}: expected {spec.dtype} of shape {spec.shape}, got {dtype} of shape {shape}"
        )


def plans_from_module(module: ModuleOp) -> list[FunctionPlan]:
    attr = module.attributes.get(PLAN_ATTR)
    if not isinstance(attr, ArrayAttr):
        raise ValueError(f"the module has no '{PLAN_ATTR}' plan: was convert-loops-to-llvm run?")
    return [_function(entry) for entry in attr.data]  # type: ignore[arg-type]


def _function(d: DictionaryAttr) -> FunctionPlan:
    f = d.data
    buffers = tuple(_buffer(b.data) for b in f["buffers"].data)  # type: ignore[attr-defined]
    args = tuple(BufferSpec("arg", *_shape_dtype(t), index=i) for i, t in enumerate(f["args"].data))  # type: ignore[attr-defined]
    calls = tuple(
        CallSpec(
            c.data["kernel"].data,  # type: ignore[attr-defined]
            tuple(c.data["buffers"].get_values()),  # type: ignore[attr-defined]
            c.data["extent"].value.data,  # type: ignore[attr-defined]
            c.data["grain"].value.data,  # type: ignore[attr-defined]
            _check(c.data.get("check")),  # type: ignore[attr-defined]
            c.data["chunks"].value.data if "chunks" in c.data else 1,  # type: ignore[attr-defined]
        )
        for c in f["calls"].data  # type: ignore[attr-defined]
    )
    results = tuple(f["results"].get_values())  # type: ignore[attr-defined]
    arena = f["arena"].value.data if "arena" in f else 0  # type: ignore[attr-defined]
    return FunctionPlan(f["name"].data, args, results, buffers, calls, arena)  # type: ignore[attr-defined]


def _check(d: DictionaryAttr | None) -> tuple[str, int, int] | None:
    if d is None:
        return None
    return d.data["op"].data, d.data["axis"].value.data, d.data["size"].value.data  # type: ignore[attr-defined]


def _buffer(d: dict) -> BufferSpec:
    shape, dtype = _shape_dtype(d["type"])
    index = d["index"].value.data if "index" in d else -1
    symbol = d["symbol"].data if "symbol" in d else ""
    offset = d["offset"].value.data if "offset" in d else 0
    return BufferSpec(d["kind"].data, shape, dtype, index, symbol, offset)


def _shape_dtype(t: TensorType) -> tuple[tuple[int, ...], str]:
    return tuple(t.get_shape()), numpy_dtype(t.element_type).name


def to_json(plans: list[FunctionPlan]) -> str:
    return json.dumps([asdict(p) for p in plans])


def from_json(text: str) -> list[FunctionPlan]:
    def buffer(b: dict) -> BufferSpec:
        return BufferSpec(b["kind"], tuple(b["shape"]), b["dtype"], b["index"], b["symbol"], b.get("offset", 0))

    return [
        FunctionPlan(
            p["name"],
            tuple(buffer(a) for a in p["args"]),
            tuple(p["results"]),
            tuple(buffer(b) for b in p["buffers"]),
            tuple(
                CallSpec(
                    c["kernel"], tuple(c["buffers"]), c["extent"], c["grain"],
                    tuple(c["check"]) if c.get("check") else None, c.get("chunks", 1),
                )
                for c in p["calls"]
            ),
            p.get("arena", 0),
        )
        for p in json.loads(text)
    ]
