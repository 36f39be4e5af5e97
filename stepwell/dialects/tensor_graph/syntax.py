"""The custom assembly form shared by every `tensor_graph` op.

    %r = tensor_graph.NAME %a, %b {prop = value, ...} attributes {...} : A, B -> R
    %r = tensor_graph.NAME %a {prop = value} : T       (operands and result all T)
    %c = tensor_graph.constant {value = dense<...> : tensor<4xf32>} : tensor<4xf32>

Properties print without the types the op already fixes: `axis = 1` for `1 : i64`,
`eps = 1.0e-05` for `1.0e-05 : f64`, `perm = [1, 0]` for `array<i64: 1, 0>`.
The parser puts the types back, so both forms give the same IR.
"""

from __future__ import annotations

import math

from xdsl.dialects.builtin import (
    ArrayAttr,
    DenseArrayBase,
    Float64Type,
    FloatAttr,
    IntegerAttr,
    IntegerType,
    i64,
)
from xdsl.ir import Attribute
from xdsl.irdl import IRDLOperation
from xdsl.irdl.constraints import VerificationContext
from xdsl.parser import Parser
from xdsl.printer import Printer
from xdsl.utils.exceptions import VerifyException


def print_short_attribute(printer: Printer, attr: Attribute) -> None:
    match attr:
        case IntegerAttr(type=IntegerType(width=w)) if w.data == 1:
            printer.print_string("true" if attr.value.data else "false")
        case IntegerAttr() if attr.type == i64:
            printer.print_string(str(attr.value.data))
        case FloatAttr() if isinstance(attr.type, Float64Type) and math.isfinite(
            attr.value.data
        ):
            printer.print_float(attr.value.data, attr.type)
        case DenseArrayBase() if attr.elt_type == i64:
            printer.print_string("[" + ", ".join(map(str, attr.get_values())) + "]")
        case _:
            printer.print_attribute(attr)


def _candidates(attr: Attribute) -> list[Attribute]:
    """The attribute as written, then the readings a short form may stand for."""
    out = [attr]
    if isinstance(attr, IntegerAttr) and attr.type == i64:
        out.append(FloatAttr(float(attr.value.data), Float64Type()))
    if isinstance(attr, ArrayAttr) and all(
        isinstance(a, IntegerAttr) for a in attr.data
    ):
        out.append(DenseArrayBase.from_list(i64, [a.value.data for a in attr.data]))
    return out


def coerce_properties(
    op_type: type[IRDLOperation], parser: Parser, props: dict[str, Attribute]
) -> dict[str, Attribute]:
    definition = op_type.get_irdl_definition().properties
    out: dict[str, Attribute] = {}
    for name, attr in props.items():
        if name not in definition:
            parser.raise_error(
                f"'{op_type.name}' has no property '{name}' "
                f"(it has: {', '.join(definition) or 'none'})"
            )
        constr = definition[name].constr
        for candidate in _candidates(attr):
            try:
                constr.verify(candidate, VerificationContext())
            except VerifyException:
                continue
            out[name] = candidate
            break
        else:
            parser.raise_error(f"property '{name}' of '{op_type.name}': bad value {attr}")
    return out


class CustomFormMixin:
    """parse/print of the custom form for an IRDLOperation with tensor operands."""

    @classmethod
    def parse(cls, parser: Parser):
        operands = []
        if (first := parser.parse_optional_unresolved_operand()) is not None:
            operands.append(first)
            while parser.parse_optional_punctuation(",") is not None:
                operands.append(parser.parse_unresolved_operand())
        props = coerce_properties(cls, parser, parser.parse_optional_attr_dict())
        attrs = parser.parse_optional_attr_dict_with_keyword()
        parser.parse_punctuation(":")
        types = parser.parse_comma_separated_list(
            Parser.Delimiter.NONE, parser.parse_type
        )
        if parser.parse_optional_punctuation("->") is not None:
            operand_types, result_type = types, parser.parse_type()
        elif len(types) == 1:
            operand_types, result_type = types * len(operands), types[0]
        else:
            parser.raise_error("expected '-> result-type' after several operand types")
        if len(operand_types) != len(operands):
            parser.raise_error(
                f"{len(operands)} operands but {len(operand_types)} operand types"
            )
        resolved = parser.resolve_operands(operands, operand_types, parser.pos)
        return cls.create(
            operands=resolved,
            result_types=[result_type],
            properties=props,
            attributes=attrs.data if attrs is not None else {},
        )

    def print(self, printer: Printer):
        if self.operands:
            printer.print_string(" ")
            printer.print_list(self.operands, printer.print_operand)
        if self.properties:
            printer.print_string(" {")
            printer.print_list(
                self.properties.items(),
                lambda kv: (
                    printer.print_string(f"{kv[0]} = "),
                    print_short_attribute(printer, kv[1]),
                ),
            )
            printer.print_string("}")
        if self.attributes:
            printer.print_op_attributes(self.attributes, print_keyword=True)
        printer.print_string(" : ")
        result_type = self.results[0].type
        if all(o.type == result_type for o in self.operands):
            printer.print_attribute(result_type)
        else:
            printer.print_list((o.type for o in self.operands), printer.print_attribute)
            printer.print_string(" -> ")
            printer.print_attribute(result_type)
