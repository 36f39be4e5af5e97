"""`#loops.cpu<...>`: how one kernel runs on the CPU, as printed IR (the class says
what each field means). loops-schedule-cpu writes it, convert-loops-to-llvm reads it;
the decisions are stepwell/lowering/loops_to_llvm/planning.py."""

from __future__ import annotations

from collections.abc import Sequence

from xdsl.dialects.builtin import I64, ArrayAttr, DenseArrayBase, IntAttr, StringAttr, i64
from xdsl.ir import ParametrizedAttribute
from xdsl.irdl import irdl_attr_definition
from xdsl.parser import AttrParser
from xdsl.printer import Printer
from xdsl.utils.exceptions import VerifyException

GEMM_KEYS = ("kc", "mr", "nr")
KIND_KEYS = {"loop": (), "gemm": GEMM_KEYS, "attention": ("keys",)}  # the block sizes each kind has


@irdl_attr_definition
class CpuScheduleAttr(ParametrizedAttribute):
    """`schedule = #loops.cpu<...>`: how one kernel (a `loops.kernel`, or a lone compute
    op) runs on the CPU. loops-schedule-cpu puts one on every kernel of a function;
    convert-loops-to-llvm translates it (and schedules a kernel without one itself).

        #loops.cpu<outer = [p0, p1 / 4096], chunks = 64, vector = 16>
        #loops.cpu<outer = [p0 / 1024], inner_output = [0], chunks = 4, vector = 16>
        #loops.cpu<gemm, outer = [p0 / 64, p1 / 64], kc = 256, mr = 8, nr = 32, chunks = 256, vector = 16>
        #loops.cpu<attention, outer = [p0, p1, p2 / 64], keys = 64, chunks = 32, vector = 16>

    The names are the kernel's dims (a lone op's d-dims are p0, p1, ..., its r-dims
    k0, ...). `outer`: the parallel outer loop, one flat range [0, extent) over the
    listed p dims, the first one slowest; `p1 / 4096` cuts p1 into blocks of 4096 (the
    last one shorter): an outer point is one block, and the block is a loop inside the
    point; `p0` alone is `p0 / 1`, one index per point. A p dim not listed is a loop
    inside every point. extent = prod(ceil(size / block)).

    `gemm`: the kernel is a contraction (loops.contract and a pointwise epilogue) run
    as a register- and cache-blocked GEMM: `outer` is its batch dims, then M in blocks
    of MC rows, then N in blocks of NC columns (a point = one (batch, M block, N
    block)); `kc` is the depth of a packed panel of B, `mr` x `nr` the micro-kernel's
    tile of C.

    `attention`: on every op of an attention chain (stepwell/dialects/loops/
    attention.py; loops-schedule-cpu's decision), which run as one flash-style kernel
    at the chain's last op (the second product); the dims are that op's. `outer` is
    its batch dims, then its query rows (its second-to-last dim) in blocks of BM: a
    point = one (batch, block of BM query rows), which walks the keys `keys` at a
    time with an online softmax, its scores and accumulators in stack tiles of a
    fixed size (stepwell/lowering/loops_to_llvm/attention.py).

    `inner_output`: the reductions (positions among the kernel's compute ops) that
    loop over their reduced dims outside their output dims (a column sum: a row of
    accumulators) rather than with the reduced dims innermost. `scratch`: the
    kernel-local values (positions) kept in a buffer in memory rather than on the
    stack. `chunks`: the runtime cuts [0, extent) into this many equal contiguous
    pieces, any of which any thread may run. `vector`: the vector width, in f32
    lanes, that the schedule was made for."""

    name = "loops.cpu"

    kind: StringAttr  # "loop", "gemm" or "attention"
    outer_dims: ArrayAttr[StringAttr]
    outer_blocks: DenseArrayBase[I64]
    kind_blocks: DenseArrayBase[I64]  # the kind's KIND_KEYS: kc, mr, nr (gemm); keys (attention)
    inner_output_ops: DenseArrayBase[I64]
    scratch_ops: DenseArrayBase[I64]
    chunk_count: IntAttr
    vector_width: IntAttr

    @staticmethod
    def make(
        outer: Sequence[tuple[str, int]],
        chunks: int,
        vector: int,
        inner_output: Sequence[int] = (),
        scratch: Sequence[int] = (),
        gemm: tuple[int, int, int] | None = None,
        keys: int | None = None,
    ) -> CpuScheduleAttr:
        """A loop nest; a gemm with `gemm` = (kc, mr, nr); an attention kernel with
        `keys` (a step of its key loop)."""
        def ints(values: Sequence[int]) -> DenseArrayBase:
            return DenseArrayBase.from_list(i64, list(values))

        kind = "gemm" if gemm is not None else "attention" if keys is not None else "loop"
        return CpuScheduleAttr(
            StringAttr(kind),
            ArrayAttr([StringAttr(name) for name, _ in outer]),
            ints([block for _, block in outer]),
            ints(gemm or ((keys,) if keys is not None else ())),
            ints(sorted(inner_output)),
            ints(sorted(scratch)),
            IntAttr(chunks),
            IntAttr(vector),
        )

    # --- reading ----------------------------------------------------------------------

    @property
    def outer(self) -> tuple[tuple[str, int], ...]:
        """(p dim, block size) of each outer dim, slowest first."""
        return tuple(zip((s.data for s in self.outer_dims.data), self.outer_blocks.get_values()))

    @property
    def gemm(self) -> tuple[int, int, int] | None:
        """(KC, MR, NR) of a GEMM schedule, else None."""
        return tuple(self.kind_blocks.get_values()) if self.kind.data == "gemm" else None  # type: ignore[return-value]

    @property
    def keys(self) -> int | None:
        """The key step of an attention schedule, else None."""
        return self.kind_blocks.get_values()[0] if self.kind.data == "attention" else None

    @property
    def inner_output(self) -> tuple[int, ...]:
        return tuple(self.inner_output_ops.get_values())

    @property
    def scratch(self) -> tuple[int, ...]:
        return tuple(self.scratch_ops.get_values())

    @property
    def chunks(self) -> int:
        return self.chunk_count.data

    @property
    def vector(self) -> int:
        return self.vector_width.data

    def verify(self) -> None:
        if self.kind.data not in KIND_KEYS:
            raise VerifyException(f"a CPU schedule is a loop nest, a gemm or an attention kernel, got '{self.kind.data}'")
        names = [s.data for s in self.outer_dims.data]
        blocks = self.outer_blocks.get_values()
        if len(names) != len(blocks):
            raise VerifyException("one block size per outer dim")
        for name in names:
            if not (name.startswith("p") and name[1:].isdigit()):
                raise VerifyException(f"the outer loop runs over parallel dims p0, p1, ..., got '{name}'")
        if len(set(names)) != len(names):
            raise VerifyException("an outer dim is listed twice")
        if any(b < 1 for b in blocks):
            raise VerifyException("block sizes are >= 1")
        if len(self.kind_blocks.get_values()) != len(KIND_KEYS[self.kind.data]):
            raise VerifyException("a gemm schedule has kc, mr and nr; an attention schedule keys; a loop nest none")
        if any(v < 1 for v in self.kind_blocks.get_values()):
            raise VerifyException(f"{', '.join(KIND_KEYS[self.kind.data])} >= 1")
        if self.chunk_count.data < 1 or self.vector_width.data < 1:
            raise VerifyException("chunks and vector are >= 1")

    # --- syntax -----------------------------------------------------------------------

    def print_parameters(self, printer: Printer) -> None:
        parts = [self.kind.data] if self.kind.data != "loop" else []
        outer = (name if block == 1 else f"{name} / {block}" for name, block in self.outer)
        parts.append(f"outer = [{', '.join(outer)}]")
        parts += [f"{k} = {v}" for k, v in zip(KIND_KEYS[self.kind.data], self.kind_blocks.get_values())]
        for key, values in (("inner_output", self.inner_output), ("scratch", self.scratch)):
            if values:
                parts.append(f"{key} = [{', '.join(map(str, values))}]")
        parts += [f"chunks = {self.chunks}", f"vector = {self.vector}"]
        printer.print_string("<" + ", ".join(parts) + ">")

    @classmethod
    def parse_parameters(cls, parser: AttrParser) -> list:
        values: dict[str, object] = {}
        with parser.in_angle_brackets():
            kind = next((k for k in ("gemm", "attention") if parser.parse_optional_keyword(k) is not None), "loop")
            own = KIND_KEYS[kind]
            keys = ("outer", *own, "inner_output", "scratch", "chunks", "vector")
            while not values or parser.parse_optional_punctuation(",") is not None:
                if kind != "loop" and not values:
                    parser.parse_punctuation(",")
                start = parser.pos
                key = parser.parse_identifier()
                if key not in keys or key in values:
                    allowed = [k for k in keys if k not in values]
                    parser.raise_error(f"expected one of {', '.join(allowed)}, got '{key}'", start, parser.pos)
                parser.parse_punctuation("=")
                if key == "outer":
                    values[key] = parser.parse_comma_separated_list(parser.Delimiter.SQUARE, lambda: _outer_dim(parser))
                elif key in ("inner_output", "scratch"):
                    values[key] = parser.parse_comma_separated_list(parser.Delimiter.SQUARE, parser.parse_integer)
                else:
                    values[key] = parser.parse_integer(allow_negative=False)
            needed = ["outer", *own, "chunks", "vector"]
            missing = [k for k in needed if k not in values]
            if missing:
                parser.raise_error(f"a CPU schedule needs {', '.join(missing)}")
        attr = cls.make(
            values["outer"],  # type: ignore[arg-type]
            values["chunks"],  # type: ignore[arg-type]
            values["vector"],  # type: ignore[arg-type]
            values.get("inner_output", ()),  # type: ignore[arg-type]
            values.get("scratch", ()),  # type: ignore[arg-type]
            tuple(values[k] for k in GEMM_KEYS) if kind == "gemm" else None,  # type: ignore[arg-type]
            values["keys"] if kind == "attention" else None,  # type: ignore[arg-type]
        )
        return list(attr.parameters)


def _outer_dim(parser: AttrParser) -> tuple[str, int]:
    """`p1` or `p1 / 64`."""
    name = parser.parse_identifier()
    block = 1
    if parser.parse_optional_punctuation("/") is not None:
        block = parser.parse_integer(allow_negative=False)
    return name, block
