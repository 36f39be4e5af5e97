"""A loops-level `func.func` as kernels plus the plan the runtime follows to call them.

The plan is a dictionary attribute in `stepwell.functions` on the module, one entry per
function (MLIR tools ignore such discardable attributes):

    {name = "f", args = [tensor<...>], results = array<i64: 3>,
     buffers = [{kind = "arg", index = 0, type = ...}, {kind = "temp", type = ...},
                {kind = "const", symbol = "f_cst0", type = ...}, {kind = "scratch", ...}],
     calls = [{kernel = "f_k0", buffers = array<i64: 1, 0>, extent = 4, grain = 1000, chunks = 4},
              {kernel = "f_k1", buffers = array<i64: 2, 0>, extent = 1, grain = 3,
               check = {op = "tensor_graph.gather", axis = 0, size = 4}}]}

`args`/`temp`/`scratch`/`arena`/`result` buffers are numpy arrays the runtime passes
(temps are allocated per call; results are temps, args or consts). Where
loops-plan-memory ran, the function has `arena = N` (bytes) and a buffer with an arena
slot is `{kind = "arena", offset = N, ...}`: a view at that offset into the call's
arena; one with a slot in a result's memory (`#loops.slot<result k, N, size>`) is
`{kind = "result", index = k, offset = N, ...}`: a view at byte N into the array of
result k (`results[k]`, a temp: allocated, or the caller's `out=` array, before the
first call); a buffer written into a donated argument is that argument's buffer
(results stay temps, or the donated argument they were written into). A call runs kernel
`(0, extent, buffers...)`, split across threads when extent * grain is large: into
`chunks` equal contiguous pieces [extent * c // chunks, extent * (c + 1) // chunks)
(the kernel's schedule; a check's call has none, one piece). A call
with a `check` (a `loops.check_index`, checks.py) fills a status buffer the runtime
reads after the call.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass

import numpy as np
from xdsl.dialects import arith, func, llvm
from xdsl.dialects.builtin import (
    ArrayAttr,
    BytesAttr,
    DenseIntOrFPElementsAttr,
    DenseResourceAttr,
    DictionaryAttr,
    IntegerAttr,
    StringAttr,
    TensorType,
    i64,
)
from xdsl.ir import Attribute, Operation, SSAValue

from stepwell.dialects.loops import (
    CheckIndexOp,
    ComputeOp,
    CpuScheduleAttr,
    KernelOp,
    SlotAttr,
)
from stepwell.dialects.loops.attention import Chain
from stepwell.dialects.loops.attention import held as attention_held
from stepwell.dialects.loops.memory import ARENA, MEMORY, aligned, byte_size, donated
from stepwell.dialects.tensor_graph.constants import (
    ConstantAttr,
    element_bytes,
    is_splat_attr,
    to_numpy,
)
from stepwell.ir import resources
from stepwell.lowering.loops_to_llvm import conversions as cv
from stepwell.lowering.loops_to_llvm.builder import dense_i64
from stepwell.lowering.loops_to_llvm.checks import check_attr, emit_check
from stepwell.lowering.loops_to_llvm.kernels import KernelEmitter
from stepwell.lowering.loops_to_llvm.planning import (
    SCHEDULE,
    KernelPlan,
    ScheduleError,
    plan_kernel,
    target_of,
)
from stepwell.targets import CONSTANT_ALIGNMENT


class LoweringError(ValueError):
    """The function cannot be lowered; the message says why."""


@dataclass
class Buffer:
    kind: str  # arg | temp | const | scratch | arena | result
    type: TensorType
    index: int = -1  # arg: its position; result: the position of the result whose memory it borrows
    symbol: str = ""
    offset: int = 0  # arena: bytes from the arena's start; result: from the result's

    def attr(self) -> DictionaryAttr:
        entries: dict[str, Attribute] = {"kind": StringAttr(self.kind), "type": self.type}
        if self.kind in ("arg", "result"):
            entries["index"] = IntegerAttr(self.index, i64)
        if self.kind == "const":
            entries["symbol"] = StringAttr(self.symbol)
        if self.kind in ("arena", "result"):
            entries["offset"] = IntegerAttr(self.offset, i64)
        return DictionaryAttr(entries)


class FunctionLowering:
    def __init__(self, fn: func.FuncOp, bind_above: int | None = None):
        """`bind_above`: constants of more bytes are declarations the loader binds
        (`bound_global`); None: every constant is a global with its elements."""
        self.fn = fn
        self.bind_above = bind_above
        self.name = fn.sym_name.data
        self.buffers: list[Buffer] = []
        self.ids: dict[SSAValue, int] = {}
        self.globals: dict[SSAValue, str] = {}
        self.splats: dict[SSAValue, float | int] = {}
        self.ops: list[Operation] = []  # llvm.mlir.global and llvm.func ops
        self.calls: list[DictionaryAttr] = []
        self.results: list[int] = []
        arena = fn.attributes.get(ARENA)  # loops-plan-memory's plan (None: every buffer a temp)
        self.arena: int | None = arena.value.data if isinstance(arena, IntegerAttr) else None
        self.donated = donated(fn)

    def lower(self) -> DictionaryAttr:
        for i, arg in enumerate(self.fn.args):
            self._buffer(arg, Buffer("arg", _tensor(arg), index=i))
        returned = self._returned()
        held = attention_held(self.fn, _attention_scheduled)  # built at their chain's last op
        ends = {c.end: c for c in held.values()}
        for op in self.fn.body.block.ops:
            if op.name == "tensor_graph.constant":
                self._constant(op, op.results[0] in returned)
            elif op in held:
                continue
            elif isinstance(op, (ComputeOp, KernelOp)):
                self._kernel(op, ends.get(op))
            elif isinstance(op, CheckIndexOp):
                self._check(op)
            elif isinstance(op, func.ReturnOp):
                self.results = [self.ids[v] for v in op.arguments]
                self._check_borrowed()
            elif not isinstance(op, arith.ConstantOp):
                raise LoweringError(
                    f"convert-loops-to-llvm: cannot lower '{op.name}' in @{self.name} "
                    "(run convert-tensor_graph-to-loops first)"
                )
        entry: dict[str, Attribute] = {
            "name": StringAttr(self.name),
            "args": ArrayAttr([_tensor(a) for a in self.fn.args]),
            "results": dense_i64(self.results),
            "buffers": ArrayAttr([b.attr() for b in self.buffers]),
            "calls": ArrayAttr(self.calls),
        }
        if self.arena is not None:
            entry["arena"] = IntegerAttr(self.arena, i64)
        return DictionaryAttr(entry)

    def _returned(self) -> set[SSAValue]:
        term = self.fn.body.block.last_op
        return set(term.operands) if term is not None else set()

    def _buffer(self, value: SSAValue, buffer: Buffer) -> int:
        self.ids[value] = len(self.buffers)
        self.buffers.append(buffer)
        return self.ids[value]

    def _constant(self, op: Operation, returned: bool) -> None:
        value, attr = op.results[0], op.properties["value"]
        if not returned and is_splat_attr(attr):  # type: ignore[arg-type]
            array = to_numpy(attr)  # type: ignore[arg-type]
            self.splats[value] = _splat_bits(array) if array.size else 0  # folded into loads
            return
        t = _tensor(value)
        if self.bind_above is not None and byte_size(t) > self.bind_above:
            bound = bound_global(f"{self.name}_cst{len(self.globals)}", t, attr)  # type: ignore[arg-type]
            self.globals[value] = bound.sym_name.data
            self._buffer(value, Buffer("const", t, symbol=bound.sym_name.data))
            self.ops.append(bound)
            return
        array = to_numpy(attr)  # type: ignore[arg-type]
        symbol = f"{self.name}_cst{len(self.globals)}"
        self.globals[value] = symbol
        self._buffer(value, Buffer("const", _tensor(value), symbol=symbol))
        # external when returned: the runtime reads it by name (an internal one may go)
        linkage = "external" if returned else "internal"
        blob = attr.resource_handle if isinstance(attr, DenseResourceAttr) else None
        self.ops.append(_global(symbol, value.type, array, linkage, blob))  # type: ignore[arg-type]

    def _kernel(self, op: KernelOp | ComputeOp, chain: Chain | None = None) -> None:
        """A kernel (or a lone compute op) as a call, under its schedule (planning.py;
        one made with the default options when the op has none); the attention kernel
        of `chain` when the op ends one under an attention schedule (attention.py)."""
        target = target_of(op)
        made = {o.result for o in target.ops}
        outputs = list(dict.fromkeys(v for v in target.yielded if v in made))
        slots = self._slots(op, target.yielded)
        for v in outputs:
            self._output(v, slots.get(v))
        for inner, outer in zip(target.yielded, op.results):
            self.ids[outer] = self.ids[inner]
        sched = op.attributes.get(SCHEDULE)
        if sched is not None and not isinstance(sched, CpuScheduleAttr):
            raise LoweringError(f"convert-loops-to-llvm: the schedule of {op.name} in @{self.name} is not a #loops.cpu<...>")
        try:
            plan = plan_kernel(target, outputs, sched, chain)
        except ScheduleError as e:
            raise LoweringError(f"convert-loops-to-llvm: {op.name} in @{self.name}: {e}") from None
        for v in plan.scratch:
            self._buffer(v, Buffer("scratch", _tensor(v)))
        name = f"{self.name}_k{len(self.calls)}"
        emitter = KernelEmitter(plan, name, self.globals, self.splats, self._in_place(plan))
        self.ops.append(emitter.emit())
        self.calls.append(
            DictionaryAttr(
                {
                    "kernel": StringAttr(name),
                    "buffers": dense_i64([self.ids[v] for v in plan.params]),
                    "extent": IntegerAttr(plan.extent, i64),
                    "grain": IntegerAttr(plan.grain(), i64),
                    "chunks": IntegerAttr(plan.chunks, i64),
                }
            )
        )

    def _slots(self, op: KernelOp | ComputeOp, yielded: list[SSAValue]) -> dict[SSAValue, SlotAttr]:
        """The `memory` of each value the op yields (none when the function is unplanned)."""
        memory = op.attributes.get(MEMORY)
        if self.arena is None or memory is None:
            return {}
        slots = memory.data if isinstance(memory, ArrayAttr) else (memory,)
        if len(slots) != len(yielded) or not all(isinstance(s, SlotAttr) for s in slots):
            raise LoweringError(
                f"convert-loops-to-llvm: the memory of {op.name} in @{self.name} is not one #loops.slot<...> per result"
            )
        return dict(zip(yielded, slots))  # type: ignore[arg-type]

    def _output(self, value: SSAValue, slot: SlotAttr | None) -> None:
        """The buffer of a value an op writes: where its slot says (a temp when none, or
        a result)."""
        t = _tensor(value)
        if slot is not None and slot.scratch:
            self._buffer(value, Buffer("result", t, index=slot.index, offset=slot.offset))
        elif slot is None or slot.where == "result":
            self._buffer(value, Buffer("temp", t))
        elif slot.where == "arg":
            k = slot.index
            if k not in self.donated or aligned(byte_size(self.fn.args[k].type)) < aligned(byte_size(t)):
                raise LoweringError(
                    f"convert-loops-to-llvm: a buffer {t} of @{self.name} is placed in argument {k}, which is "
                    "not a donated argument it fits in"
                )
            self.ids[value] = self.ids[self.fn.args[k]]
        else:
            if slot.bytes < byte_size(t) or slot.offset + slot.bytes > self.arena:  # type: ignore[operator]
                raise LoweringError(
                    f"convert-loops-to-llvm: a buffer {t} of @{self.name} does not fit its {slot} "
                    f"in an arena of {self.arena} bytes"
                )
            self._buffer(value, Buffer("arena", t, offset=slot.offset))

    def _check_borrowed(self) -> None:
        """Each buffer in a result's memory fits in that result, which has memory of its
        own (a temp: not an argument, a constant or another borrowed buffer)."""
        for b in self.buffers:
            if b.kind != "result":
                continue
            host = self.buffers[self.results[b.index]] if b.index < len(self.results) else None
            if host is None or host.kind != "temp" or b.offset + byte_size(b.type) > byte_size(host.type):
                raise LoweringError(
                    f"convert-loops-to-llvm: a buffer {b.type} of @{self.name} is placed at byte {b.offset} of "
                    f"result {b.index}, which is not a result computed into memory of its own that it fits in"
                )

    def _in_place(self, plan: KernelPlan) -> dict[SSAValue, SSAValue]:
        """The outputs the kernel writes over one of its inputs (the same argument, or the
        same offset in the arena or in a result's memory), each with that input: the
        kernel reads and writes that memory through one pointer (two `noalias` pointers
        to it would tell LLVM they never meet)."""
        def where(v: SSAValue) -> tuple[str, int, int]:
            b = self.buffers[self.ids[v]]
            return (b.kind, b.index, b.offset) if b.kind in ("arena", "result") else (b.kind, self.ids[v], 0)

        def memory(values: list[SSAValue]) -> list[SSAValue]:  # (a buffer of no bytes has none)
            return [v for v in values if self.buffers[self.ids[v]].kind in ("arena", "arg", "result") and byte_size(v.type)]

        inputs = {where(v): v for v in memory(plan.inputs)}
        return {v: inputs[where(v)] for v in memory(plan.outputs) if where(v) in inputs}

    def _check(self, op: CheckIndexOp) -> None:
        """A call of the check's kernel (checks.py) on a status buffer of two i64."""
        v = op.indices
        status = len(self.buffers)
        self.buffers.append(Buffer("temp", TensorType(i64, [2])))
        by_pointer = v not in self.globals and v not in self.splats
        name = f"{self.name}_k{len(self.calls)}"
        self.ops.append(emit_check(op, name, self.globals.get(v), self.splats.get(v)))  # type: ignore[arg-type]
        self.calls.append(
            DictionaryAttr(
                {
                    "kernel": StringAttr(name),
                    "buffers": dense_i64([status] + ([self.ids[v]] if by_pointer else [])),
                    "extent": IntegerAttr(1, i64),
                    "grain": IntegerAttr(max(1, math.prod(_tensor(v).get_shape())), i64),
                    "check": check_attr(op),
                }
            )
        )


def _attention_scheduled(op: Operation) -> bool:
    sched = op.attributes.get(SCHEDULE)
    return isinstance(sched, CpuScheduleAttr) and sched.keys is not None


def _tensor(value: SSAValue) -> TensorType:
    if not isinstance(value.type, TensorType):
        raise LoweringError(f"convert-loops-to-llvm: expected a tensor, got {value.type}")
    return value.type


def _storage_bits(array: np.ndarray) -> np.ndarray:
    """The array as the LLVM storage type sees it (bf16 as int16, bool as int8)."""
    if array.dtype == np.bool_:
        return array.astype(np.int8)
    if array.dtype.name == "bfloat16":
        return array.view(np.int16)
    return array


def _splat_bits(array: np.ndarray) -> float | int:
    return _storage_bits(array).flat[0].item()


def _global(
    symbol: str, t: TensorType, array: np.ndarray, linkage: str, blob: StringAttr | None = None
) -> llvm.GlobalOp:
    """The global holding a constant: its elements as a dense attribute, or, for a
    `dense_resource` constant (`blob`: its handle), the same blob, whose bytes are the
    storage's (stepwell/ir/resources.py), so the IR stays small."""
    storage = cv.storage_type(t.element_type)
    n = math.prod(t.get_shape())
    data = np.ascontiguousarray(_storage_bits(array)).reshape(-1)
    if n == 0:  # LLVM wants a value: one unused element
        n, data = 1, np.zeros(1, data.dtype)
    value: Attribute
    if blob is not None and n == array.size:
        value = DenseResourceAttr(blob, TensorType(storage, [n]))
    else:
        value = DenseIntOrFPElementsAttr(TensorType(storage, [n]), BytesAttr(data.tobytes()))
    return llvm.GlobalOp(llvm.LLVMArrayType(n, storage), symbol, linkage, constant=True, value=value)


# --- constants the loader binds ---------------------------------------------------------

BIND = "stepwell.bind"
"""The attribute of a constant's global that is a declaration: the loader binds the
symbol to these bytes (a `dense_resource`) when it loads the object code."""

BIND_ALIGNMENT = CONSTANT_ALIGNMENT  # where the loader puts their bytes (a cache line)


def bound_global(base: str, t: TensorType, attr: ConstantAttr) -> llvm.GlobalOp:
    """The declaration of a big constant: `llvm.mlir.global external constant
    @BASE_DIGEST() {alignment = 64, stepwell.bind = dense_resource<NAME> : tensor<N x
    storage>}`. Its bytes go neither into LLVM IR nor into the object code: the artifact
    holds them (targets/llvm.py `bound_constants`) and the loader binds the symbol to
    them. A dense constant gets a blob of its own (named by the symbol). The symbol
    ends in a digest of the bytes: the loader's symbols are one table per process
    (llvmlite's add_symbol), so programs that each have an `@f_cst0` must not share a
    name unless they share its bytes."""
    storage = cv.storage_type(t.element_type)
    n = math.prod(t.get_shape())
    data = element_bytes(attr)
    symbol = f"{base}_{hashlib.sha256(data).hexdigest()[:16]}"
    if isinstance(attr, DenseResourceAttr):
        blob = attr.resource_handle
    else:
        blob = StringAttr(resources.add(symbol, resources.Blob(data, BIND_ALIGNMENT)))
    op = llvm.GlobalOp(llvm.LLVMArrayType(n, storage), symbol, "external", constant=True, alignment=BIND_ALIGNMENT)
    op.attributes[BIND] = DenseResourceAttr(blob, TensorType(storage, [n]))
    return op
