"""Index expressions (sympy, see `stepwell.dialects.loops.index`) as i64 arithmetic.

`floordiv` and `mod` round toward minus infinity. When sympy knows the dividend is
>= 0 (d and r symbols are) and the divisor is a positive constant, they become
`udiv` / `urem`, which LLVM turns into shifts and multiplications; otherwise `sdiv` /
`srem` plus the correction to floor semantics.
"""

from __future__ import annotations

from collections.abc import Mapping

import sympy
from xdsl.dialects import llvm
from xdsl.dialects.builtin import i64
from xdsl.ir import SSAValue

from stepwell.dialects.loops.index import format_index
from stepwell.lowering.loops_to_llvm.builder import FuncBuilder


class UnsupportedIndex(ValueError):
    """An index expression this lowering cannot compute."""


def emit_index(b: FuncBuilder, expr: sympy.Expr, env: Mapping[sympy.Symbol, SSAValue]) -> SSAValue:
    """The i64 value of `expr`, given the values of its symbols."""
    return _Emitter(b, env).emit(sympy.sympify(expr))


class _Emitter:
    def __init__(self, b: FuncBuilder, env: Mapping[sympy.Symbol, SSAValue]):
        self.b, self.env = b, env
        self.memo: dict[sympy.Expr, SSAValue] = {}

    def emit(self, e: sympy.Expr) -> SSAValue:
        if e not in self.memo:
            self.memo[e] = self._emit(e)
        return self.memo[e]

    def _emit(self, e: sympy.Expr) -> SSAValue:
        b = self.b
        if e.is_Integer:
            return b.i64(int(e))
        if e.is_Symbol:
            if e not in self.env:
                raise UnsupportedIndex(f"symbol {e} has no value here")
            return self.env[e]
        if isinstance(e, sympy.Add):
            terms = sorted(e.args, key=lambda t: t.is_Integer)  # constant last
            acc = self.emit(terms[0])
            for t in terms[1:]:
                acc = self._add_term(acc, t)
            return acc
        if isinstance(e, sympy.Mul):
            coeff, rest = e.as_coeff_Mul()
            if not coeff.is_Integer:
                raise UnsupportedIndex(f"index '{format_index(e)}' has a non-integer coefficient")
            value = self._product(rest)
            return value if coeff == 1 else b.mul(value, b.i64(int(coeff)))
        if isinstance(e, sympy.Pow) and e.exp.is_Integer and e.exp > 0:
            base = self.emit(e.base)
            value = base
            for _ in range(int(e.exp) - 1):
                value = b.mul(value, base)
            return value
        if isinstance(e, sympy.floor):
            num, den = sympy.fraction(sympy.together(e.args[0]))
            return self.floordiv(num, den)
        if isinstance(e, sympy.ceiling):
            num, den = sympy.fraction(sympy.together(e.args[0]))
            return b.sub(b.i64(0), self.floordiv(-num, den))
        if isinstance(e, sympy.Mod):
            return self.mod(e.args[0], e.args[1])
        if isinstance(e, (sympy.Max, sympy.Min)):
            pred = "sgt" if isinstance(e, sympy.Max) else "slt"
            values = [self.emit(a) for a in e.args]
            acc = values[0]
            for v in values[1:]:
                acc = b.select(b.icmp(pred, acc, v), acc, v)
            return acc
        raise UnsupportedIndex(f"cannot compute index '{format_index(e)}'")

    def _add_term(self, acc: SSAValue, t: sympy.Expr) -> SSAValue:
        coeff, rest = t.as_coeff_Mul()
        if coeff.is_Integer and coeff < 0:
            return self.b.sub(acc, self.emit(-t))
        return self.b.add(acc, self.emit(t))

    def _product(self, e: sympy.Expr) -> SSAValue:
        factors = e.args if isinstance(e, sympy.Mul) else (e,)
        acc = self.emit(factors[0])
        for f in factors[1:]:
            acc = self.b.mul(acc, self.emit(f))
        return acc

    def floordiv(self, num: sympy.Expr, den: sympy.Expr) -> SSAValue:
        b = self.b
        if den.is_Integer and den < 0:
            num, den = -num, -den
        if den == 1:
            return self.emit(num)
        n, d = self.emit(num), self.emit(den)
        if den.is_Integer and num.is_nonnegative:
            return b.op(llvm.UDivOp(n, d))
        q, r = b.op(llvm.SDivOp(n, d)), b.op(llvm.SRemOp(n, d))
        # floor: one less when the remainder is nonzero and its sign differs from d's
        adjust = self._sign_differs(r, d)
        return b.sub(q, b.op(llvm.ZExtOp(adjust, i64)))

    def mod(self, num: sympy.Expr, den: sympy.Expr) -> SSAValue:
        b = self.b
        n, d = self.emit(num), self.emit(den)
        if den.is_Integer and den > 0 and num.is_nonnegative:
            return b.op(llvm.URemOp(n, d))
        r = b.op(llvm.SRemOp(n, d))
        return b.select(self._sign_differs(r, d), b.add(r, d), r)

    def _sign_differs(self, r: SSAValue, d: SSAValue) -> SSAValue:
        b = self.b
        nonzero = b.icmp("ne", r, b.i64(0))
        differs = b.icmp("slt", b.op(llvm.XOrOp(r, d)), b.i64(0))
        return b.op(llvm.AndOp(nonzero, differs))
