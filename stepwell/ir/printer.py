"""xDSL's printer, with one fix and one addition.

The fix: a dense float attribute holding both 0.0 and -0.0. xDSL 0.74 decides that a
dense attribute is a splat by comparing elements with `==`, under which -0.0 == 0.0, so
`dense<[0.0, -0.0]>` printed as `dense<0.0>` and the sign was lost. Such an attribute is
printed here in MLIR's hex form, which keeps every bit.

The addition: the blobs of the `dense_resource` attributes printed, in MLIR's
`{-# dialect_resources: ... #-}` section after the op (stepwell/ir/resources.py; xDSL
prints them all on one line, and only when asked). A handle that is no bare identifier
prints as a string literal, as MLIR prints it.
"""

from __future__ import annotations

from xdsl.dialects.builtin import DenseIntOrFPElementsAttr
from xdsl.ir import Attribute
from xdsl.printer import Printer as XdslPrinter

from stepwell.ir import resources


def is_bitwise_splat(attr: DenseIntOrFPElementsAttr) -> bool:
    data, size = attr.data.data, attr.get_element_type().compile_time_size
    return all(data[i : i + size] == data[:size] for i in range(0, len(data), size))


class Printer(XdslPrinter):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.resources: dict[str, None] = {}  # the builtin handles printed, in order

    def print_resource_handle(self, dialect: str, handle: str) -> None:
        if dialect == "builtin":
            self.resources[handle] = None
        self.print_identifier_or_string_literal(handle)

    def print_resources(self) -> None:
        """The section holding the blobs of the handles printed so far (those the
        store has); nothing when there are none."""
        blobs = [(name, resources.BLOBS[name]) for name in self.resources if name in resources.BLOBS]
        if not blobs:
            return
        self.print_string("\n\n{-#\n  dialect_resources: {\n    builtin: {")
        for i, (name, blob) in enumerate(blobs):
            self.print_string(",\n      " if i else "\n      ")
            self.print_identifier_or_string_literal(name)
            self.print_string(f': "{resources.encode(blob)}"')
        self.print_string("\n    }\n  }\n#-}")

    def print_attribute(self, attribute: Attribute) -> None:
        if (
            isinstance(attribute, DenseIntOrFPElementsAttr)
            and len(attribute) > 1
            and attribute.is_splat()
            and not is_bitwise_splat(attribute)
        ):
            self.print_string(f'dense<"0x{attribute.data.data.hex().upper()}"> : ')
            self.print_attribute(attribute.type)
            return
        super().print_attribute(attribute)


def to_text(op, generic: bool = False) -> str:
    """`op` printed as stepwell prints IR (what `str(op)` gives, with the fix above),
    followed by the blobs of its `dense_resource` attributes."""
    from io import StringIO

    out = StringIO()
    printer = Printer(stream=out, print_generic_format=generic)
    printer.print_op(op)
    printer.print_resources()
    return out.getvalue()
