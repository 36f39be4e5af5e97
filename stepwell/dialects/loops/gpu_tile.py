"""`#loops.gpu<...>`: how one kernel is tiled for a GPU, as printed IR. loops-tile
writes it, convert-loops-to-gpu_block reads it (the class says what each field means)."""

from __future__ import annotations

from collections.abc import Sequence

from xdsl.dialects.builtin import I64, DenseArrayBase, IntAttr, StringAttr, i64
from xdsl.ir import ParametrizedAttribute
from xdsl.irdl import irdl_attr_definition
from xdsl.parser import AttrParser
from xdsl.printer import Printer
from xdsl.utils.exceptions import VerifyException

KINDS = ("pointwise", "tile", "persistent", "looped", "split", "dot", "attention")
KEYS = ("block", "warps", "stages")


@irdl_attr_definition
class GpuTileAttr(ParametrizedAttribute):
    """`tile = #loops.gpu<...>`: how one kernel (a `loops.kernel`, or a lone compute op)
    becomes one `gpu_block.kernel`. loops-tile puts one on every kernel of a function;
    convert-loops-to-gpu_block follows it (and tiles a kernel without one itself).

        #loops.gpu<pointwise, block = [1024], warps = 4>
        #loops.gpu<tile, block = [32, 64], warps = 4>
        #loops.gpu<persistent, block = [4096], warps = 16>
        #loops.gpu<persistent, block = [8, 128], warps = 4>
        #loops.gpu<looped, block = [1, 2048], warps = 16>
        #loops.gpu<split, block = [64, 8], warps = 8>
        #loops.gpu<dot, block = [128, 128, 64], warps = 8, stages = 3>
        #loops.gpu<attention, block = [128, 64], warps = 4, stages = 3>

    The kind names the kernel's shape:
    - `pointwise`: 1-D blocks of `block[0]` elements over the flat output.
    - `tile`: 2-D tiles of `block[0] x block[1]` over the output's last two parallel
      dims, for reads and writes contiguous along different dims (a transpose).
    - `persistent`: one program instance per parallel point (output row), the whole
      reduced row of `block[0]` (>= its length, a power of two) in registers, read once.
      With two sizes, `block = [R, X]` (a fused kernel whose reduction is not along the
      contiguous dim of its loads, or spans several dims): a program instance owns `X`
      consecutive parallel points and the whole flattened reduced extent, `R` (>= it)
      by `X` in registers, read once.
    - `looped`: a program instance owns `block[0]` parallel points and walks the
      reduction in steps of `block[1]`, accumulating in registers (long rows, column
      reductions).
    - `split`: the reduction cut into chunks reduced by separate program instances
      and combined (atomics or a second kernel); `block` as for `looped`.
    - `dot`: a contraction as tiles of `block[0] x block[1]` outputs and a K loop of
      steps `block[2]`, the epilogue applied to the tile before it is stored.
    - `attention`: on each op of an attention chain (scores, causal mask, softmax
      rows, the second product: loops-fuse-attention's decision), which become one
      flash-style kernel: `block[0]` query rows per program instance, a loop over
      the keys in steps of `block[1]` (exactly two block sizes).
    Every block size is a power of two. `warps` (a power of two) and `stages` (the
    software pipelining depth of the kernel's loops, optional) are Triton's launch
    options."""

    name = "loops.gpu"

    kind: StringAttr
    blocks: DenseArrayBase[I64]
    warp_count: IntAttr
    stage_count: IntAttr  # 0: not set

    @staticmethod
    def make(kind: str, block: Sequence[int], warps: int = 4, stages: int = 0) -> GpuTileAttr:
        return GpuTileAttr(StringAttr(kind), DenseArrayBase.from_list(i64, list(block)), IntAttr(warps), IntAttr(stages))

    @property
    def block(self) -> tuple[int, ...]:
        return tuple(self.blocks.get_values())

    @property
    def warps(self) -> int:
        return self.warp_count.data

    @property
    def stages(self) -> int | None:
        return self.stage_count.data or None

    def verify(self) -> None:
        if self.kind.data not in KINDS:
            raise VerifyException(f"a GPU tiling is one of {', '.join(KINDS)}, got '{self.kind.data}'")
        block = self.block
        if not block:
            raise VerifyException("a GPU tiling has at least one block size")
        for value, what in [*((b, "a block size") for b in block), (self.warps, "warps")]:
            if value < 1 or value & (value - 1):
                raise VerifyException(f"{what} is a power of two, got {value}")
        if self.kind.data == "attention" and len(block) != 2:
            raise VerifyException(f"an attention tiling has two block sizes (query rows, keys), got {len(block)}")
        if self.stage_count.data < 0:
            raise VerifyException(f"stages is at least 1, got {self.stage_count.data}")

    def print_parameters(self, printer: Printer) -> None:
        parts = [self.kind.data, f"block = [{', '.join(map(str, self.block))}]", f"warps = {self.warps}"]
        if self.stages is not None:
            parts.append(f"stages = {self.stages}")
        printer.print_string("<" + ", ".join(parts) + ">")

    @classmethod
    def parse_parameters(cls, parser: AttrParser) -> list:
        values: dict[str, object] = {}
        with parser.in_angle_brackets():
            start = parser.pos
            kind = parser.parse_identifier()
            if kind not in KINDS:
                parser.raise_error(f"expected one of {', '.join(KINDS)}, got '{kind}'", start, parser.pos)
            while parser.parse_optional_punctuation(",") is not None:
                start = parser.pos
                key = parser.parse_identifier()
                if key not in KEYS or key in values:
                    allowed = [k for k in KEYS if k not in values]
                    parser.raise_error(f"expected one of {', '.join(allowed)}, got '{key}'", start, parser.pos)
                parser.parse_punctuation("=")
                if key == "block":
                    values[key] = parser.parse_comma_separated_list(
                        parser.Delimiter.SQUARE, lambda: parser.parse_integer(allow_negative=False)
                    )
                else:
                    values[key] = parser.parse_integer(allow_negative=False)
            missing = [k for k in ("block", "warps") if k not in values]
            if missing:
                parser.raise_error(f"a GPU tiling needs {', '.join(missing)}")
        attr = cls.make(kind, values["block"], values["warps"], values.get("stages", 0))  # type: ignore[arg-type]
        return list(attr.parameters)
