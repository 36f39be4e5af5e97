"""Symbolic index expressions of the `loops` dialect.

An index is a sympy expression over integer symbols:
  d0, d1, ...   the position in the op's output index space,
  r0, r1, ...   the position in a reduction's reduced space,
  s0, s1, ...   values read at run time (a gather's index), passed as SSA operands.
They print in MLIR's affine-expression spelling, so a dump reads like an affine map:
  4 * d0 + d1 floordiv 2,  d2 mod 3,  max(0, d0 - 1)
and parse back into the same sympy expressions.
"""

from __future__ import annotations

import functools
import re

import sympy
from sympy.printing.str import StrPrinter


def _sound_mul_is_integer(self):
    """sympy 1.14's Mul.is_integer decides `even_expr / (2 * odd)` from the factors of 2
    alone, so (max(4, r0 * 6) floordiv 6) became max(4, r0 * 6) / 6 and
    (max(4, r0 * 6) mod 6) became 0. A denominator with an odd factor is never settled
    that way: answer "unknown" instead."""
    result = _SYMPY_MUL_IS_INTEGER(self)
    if result:
        q = int(self.as_coeff_Mul()[0].q)
        if q // (q & -q) != 1:
            return None
    return result


_SYMPY_MUL_IS_INTEGER = sympy.Mul._eval_is_integer
sympy.Mul._eval_is_integer = _sound_mul_is_integer
sympy.Mul._prop_handler["integer"] = _sound_mul_is_integer


@functools.cache
def sym(name: str) -> sympy.Symbol:
    """The index symbol `name` (d*, r*, s*): an integer; d and r are >= 0, an s (a
    value read at run time) may have any sign (`nonnegative=False` would tell sympy it
    is negative, and `max(0, s0)` would fold to 0)."""
    return sympy.Symbol(name, integer=True, nonnegative=True if name[0] in "dr" else None)


def dims(n: int, prefix: str = "d") -> list[sympy.Symbol]:
    return [sym(f"{prefix}{i}") for i in range(n)]


class _IndexPrinter(StrPrinter):
    def _print_floor(self, e):
        num, den = sympy.fraction(sympy.together(e.args[0]))
        return f"{self._wrap(num)} floordiv {self._wrap(den)}"

    def _print_Mod(self, e):
        return f"{self._wrap(e.args[0])} mod {self._wrap(e.args[1])}"

    def _print_Max(self, e):
        return "max(" + ", ".join(self._print(a) for a in e.args) + ")"

    def _print_Min(self, e):
        return "min(" + ", ".join(self._print(a) for a in e.args) + ")"

    def _wrap(self, e) -> str:
        text = self._print(e)
        return text if e.is_Atom or e.func in (sympy.Max, sympy.Min) else f"({text})"

    def parenthesize(self, item, level, strict=False):
        # `floordiv` and `mod` bind like `*`: as a factor they need parentheses
        if item.func in (sympy.floor, sympy.Mod):
            return f"({self._print(item)})"
        return super().parenthesize(item, level, strict)

    def _print_Mul(self, e):
        return _BARE_STAR.sub(" * ", super()._print_Mul(e))


_BARE_STAR = re.compile(r"(?<![ *])\*(?![ *])")
_PRINTER = _IndexPrinter()


def format_index(e: sympy.Expr) -> str:
    return _PRINTER.doprint(sympy.sympify(e))


_WORDS = [(re.compile(r"\bfloordiv\b"), "//"), (re.compile(r"\bmod\b"), "%")]
_NAME = re.compile(r"\b([drs]\d+)\b")
_WORD = re.compile(r"\b([A-Za-z_]\w*)\b")


@functools.cache
def parse_index(text: str) -> sympy.Expr:
    """Parse one index expression; raises ValueError with a readable message."""
    src = text
    for pattern, repl in _WORDS:
        src = pattern.sub(repl, src)
    unknown = sorted(set(_WORD.findall(src)) - {"max", "min"} - set(_NAME.findall(src)))
    if unknown:
        raise ValueError(f"unknown index symbol(s) {unknown} in '{text}' (use d*, r*, s*)")
    names = {n: sym(n) for n in _NAME.findall(src)}
    names.update({"max": sympy.Max, "min": sympy.Min})
    try:
        expr = sympy.sympify(src, locals=names, rational=True)
    except (sympy.SympifyError, SyntaxError, TypeError) as e:
        raise ValueError(f"bad index expression '{text}'") from e
    if not isinstance(expr, sympy.Expr) or not expr.is_integer:
        raise ValueError(f"index expression '{text}' is not an integer expression")
    return expr


def symbols_of(expr: sympy.Expr, prefix: str) -> set[int]:
    """The positions of the symbols with `prefix` used in `expr` (e.g. {0, 2} for d0, d2)."""
    return {int(s.name[1:]) for s in expr.free_symbols if s.name[0] == prefix}
