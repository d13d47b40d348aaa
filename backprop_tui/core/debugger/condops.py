"""The arithmetic of conditions: IEEE results, never an exception, never a hang.

A condition is checked at every phase of a run that may be diverging, so ``1/0``
gives inf, ``0/0`` nan, ``2**10**10`` inf (floats only: an exponent tower
overflows at once instead of building a huge integer) and nan is never true.
Used by :mod:`.condcompile`, which picks one of these per node once, and
:class:`Compiled` runs the result.
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

Fn = Callable[[Mapping[str, object]], object]
Shape = tuple[int, ...]


def div(a, b):
    try:
        return a / b
    except ZeroDivisionError:  # IEEE: x/0 is ±inf, 0/0 is nan; never an exception
        a = float(a)
        return math.nan if a != a or a == 0 else math.copysign(math.inf, a) * math.copysign(
            1.0, float(b))


def power(a, b):
    try:
        return math.pow(a, b)  # floats only: an exponent tower overflows, it cannot hang
    except (OverflowError, ValueError):
        with np.errstate(all="ignore"):
            return float(np.power(np.float64(a), np.float64(b)))


def truth(v) -> bool:
    return v == v and v != 0  # nan is not true


def extreme(pick):
    def scalar(*vs):
        return math.nan if any(v != v for v in vs) else pick(vs)
    return scalar


SCALAR_OPS: dict[type, Callable[[Fn, Fn], Fn]] = {
    ast.Add: lambda f, g: lambda c: f(c) + g(c),
    ast.Sub: lambda f, g: lambda c: f(c) - g(c),
    ast.Mult: lambda f, g: lambda c: f(c) * g(c),
    ast.Div: lambda f, g: lambda c: div(f(c), g(c)),
    ast.Pow: lambda f, g: lambda c: power(f(c), g(c)),
}
ARRAY_OPS = {ast.Add: np.add, ast.Sub: np.subtract, ast.Mult: np.multiply, ast.Div: np.divide,
              ast.Pow: lambda a, b: np.power(np.asarray(a, dtype=float), b)}
COMPARE = {ast.Lt: operator.lt, ast.LtE: operator.le, ast.Gt: operator.gt,
            ast.GtE: operator.ge, ast.Eq: operator.eq, ast.NotEq: operator.ne}
FAST_COMPARE: dict[type, Callable[[Fn, Fn], Fn]] = {
    ast.Lt: lambda f, g: lambda c: f(c) < g(c), ast.LtE: lambda f, g: lambda c: f(c) <= g(c),
    ast.Gt: lambda f, g: lambda c: f(c) > g(c), ast.GtE: lambda f, g: lambda c: f(c) >= g(c),
    ast.Eq: lambda f, g: lambda c: f(c) == g(c), ast.NotEq: lambda f, g: lambda c: f(c) != g(c),
}
OP_TEXT = {ast.Mod: "%", ast.FloorDiv: "//", ast.MatMult: "@", ast.BitAnd: "&", ast.BitOr: "|",
            ast.BitXor: "^", ast.LShift: "<<", ast.RShift: ">>", ast.Invert: "~", ast.Is: "is",
            ast.IsNot: "is not", ast.In: "in", ast.NotIn: "not in"}
NODE_TEXT = {ast.Attribute: "attribute access (.)", ast.Lambda: "lambda",
              ast.ListComp: "a comprehension", ast.SetComp: "a comprehension",
              ast.DictComp: "a comprehension", ast.GeneratorExp: "a comprehension",
              ast.IfExp: "if/else", ast.NamedExpr: ":=", ast.JoinedStr: "an f-string",
              ast.Starred: "*", ast.Slice: "a slice (:)", ast.List: "a list [...]",
              ast.Tuple: "a tuple (a, b)", ast.Dict: "a dict", ast.Set: "a set"}


def unary_call(name: str, f: Fn, shape: Shape) -> tuple[Fn, Shape]:
    """abs, norm, finite, min or max of one value: of a number, or over an array's elements."""
    if shape == ():
        return {"abs": lambda c: abs(f(c)), "norm": lambda c: abs(float(f(c))),
                "finite": lambda c: math.isfinite(f(c)),
                "min": f, "max": f}[name], ()
    table: dict[str, tuple[Fn, Shape]] = {
        "abs": (lambda c: np.abs(f(c)), shape),
        "norm": (lambda c: _norm(f(c)), ()),
        "finite": (lambda c: bool(np.isfinite(f(c)).all()), ()),
        "min": (lambda c: float(np.min(f(c))), ()),
        "max": (lambda c: float(np.max(f(c))), ())}
    return table[name]


def _norm(value) -> float:
    """Euclidean (Frobenius) norm: sqrt of the sum of squares, as np.linalg.norm, cheaper."""
    flat = np.ravel(value)
    return float(np.sqrt(np.dot(flat, flat)))


@dataclass
class Compiled:
    """A compiled condition: its function, result shape, names and reported terms."""

    fn: Fn
    shape: Shape
    names: tuple[str, ...]
    terms: list[tuple[str, Fn]]
    arrays: bool  # numpy work inside: evaluated with IEEE warnings silenced

    def run(self, context: Mapping[str, object], not_yet: object) -> object:
        return self.run_part(self.fn, context, not_yet)

    def run_part(self, fn: Fn, context: Mapping[str, object], not_yet: object) -> object:
        try:
            if self.arrays:
                with np.errstate(all="ignore"):
                    return fn(context)
            return fn(context)
        except KeyError:  # a quantity this phase has not computed
            return not_yet
