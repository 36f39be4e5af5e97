"""xDSL's printer, with one fix: a dense float attribute holding both 0.0 and -0.0.

xDSL 0.74 decides that a dense attribute is a splat by comparing elements with `==`,
under which -0.0 == 0.0, so `dense<[0.0, -0.0]>` printed as `dense<0.0>` and the sign
was lost. Such an attribute is printed here in MLIR's hex form, which keeps every bit.
"""

from __future__ import annotations

from xdsl.dialects.builtin import DenseIntOrFPElementsAttr
from xdsl.ir import Attribute
from xdsl.printer import Printer as XdslPrinter


def is_bitwise_splat(attr: DenseIntOrFPElementsAttr) -> bool:
    data, size = attr.data.data, attr.get_element_type().compile_time_size
    return all(data[i : i + size] == data[:size] for i in range(0, len(data), size))


class Printer(XdslPrinter):
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
    """`op` printed as stepwell prints IR (what `str(op)` gives, with the fix above)."""
    from io import StringIO

    out = StringIO()
    Printer(stream=out, print_generic_format=generic).print_op(op)
    return out.getvalue()
